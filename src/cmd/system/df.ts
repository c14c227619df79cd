/**
 * `system df`: Docker's disk usage summary (and `-v` details) for images, containers, local
 * volumes and build cache. Image layers are counted once however many images share them; sizes
 * come from cached per-layer figures (src/image/usage.ts), a container's from its writable
 * snapshot, a volume's from its directory.
 */
import type { Client } from '../../containerd/client.js';
import type { Container } from '../../containerd/types.js';
import { humanSize, humanSizeWithPrecision, formatAge } from '../../formatter/units.js';
import { chainIds } from '../../image/chain.js';
import { buildCacheUsage, type BuildCacheUsage } from '../../build/store.js';
import { listLocalImages, recordReference, shortId, type LocalImage } from '../../image/local.js';
import { layerSizes } from '../../image/usage.js';
import { containerName, LABEL } from '../../labels.js';
import { listVolumes, volumeSize, type VolumeSettings } from '../../volume/index.js';
import { createdAt, listTasks, stateFromTask, statusText } from '../../container/state.js';

export const DF_DEFAULT_FORMAT =
  'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
export const DF_HEADERS: Readonly<Record<string, string>> = {
  Type: 'TYPE',
  TotalCount: 'TOTAL',
  Active: 'ACTIVE',
  Size: 'SIZE',
  Reclaimable: 'RECLAIMABLE',
};

/** One line of the summary, with docker/cli's field names (all strings, as its context has them). */
export interface DfRow {
  Type: string;
  TotalCount: string;
  Active: string;
  Size: string;
  Reclaimable: string;
}

export interface ImageUsage {
  repository: string;
  tag: string;
  id: string;
  created?: Date;
  size: number;
  shared: number;
  unique: number;
  containers: number;
}

export interface ContainerUsage {
  id: string;
  image: string;
  command: string;
  localVolumes: number;
  size: number;
  created: Date;
  status: string;
  names: string;
  running: boolean;
}

export interface VolumeUsage {
  name: string;
  links: number;
  size: number;
}

export interface DiskUsage {
  /** Bytes of all image layers, each once. */
  layersSize: number;
  images: ImageUsage[];
  /** Per image ID: size, shared and containers (the summary counts IDs, -v lists names). */
  imageIds: { size: number; shared: number; containers: number }[];
  containers: ContainerUsage[];
  volumes: VolumeUsage[];
  buildCache: BuildCacheUsage;
}

function reclaimablePct(reclaimable: number, total: number): string {
  if (total <= 0) return humanSize(reclaimable);
  return `${humanSize(reclaimable)} (${Math.trunc((reclaimable * 100) / total)}%)`;
}

/** docker/cli's four summary rows. */
export function summaryRows(u: DiskUsage): DfRow[] {
  const activeImages = u.imageIds.filter((i) => i.containers > 0);
  const used = activeImages.reduce((a, i) => a + i.size - i.shared, 0);
  const cSize = u.containers.reduce((a, c) => a + c.size, 0);
  const cReclaim = u.containers.filter((c) => !c.running).reduce((a, c) => a + c.size, 0);
  const vSize = u.volumes.reduce((a, v) => a + v.size, 0);
  const vReclaim = u.volumes.filter((v) => v.links === 0).reduce((a, v) => a + v.size, 0);
  return [
    {
      Type: 'Images',
      TotalCount: String(u.imageIds.length),
      Active: String(activeImages.length),
      Size: humanSize(u.layersSize),
      Reclaimable: reclaimablePct(u.layersSize - used, u.layersSize),
    },
    {
      Type: 'Containers',
      TotalCount: String(u.containers.length),
      Active: String(u.containers.filter((c) => c.running).length),
      Size: humanSize(cSize),
      Reclaimable: reclaimablePct(cReclaim, cSize),
    },
    {
      Type: 'Local Volumes',
      TotalCount: String(u.volumes.length),
      Active: String(u.volumes.filter((v) => v.links > 0).length),
      Size: humanSize(vSize),
      Reclaimable: reclaimablePct(vReclaim, vSize),
    },
    {
      Type: 'Build Cache',
      TotalCount: String(u.buildCache.count),
      Active: String(u.buildCache.active),
      Size: humanSize(u.buildCache.size),
      Reclaimable: humanSize(u.buildCache.reclaimable),
    },
  ];
}

function commandOf(c: Container): string {
  let args: string[] = [];
  try {
    const spec = JSON.parse(Buffer.from(c.spec?.value ?? '').toString('utf8')) as {
      process?: { args?: string[] };
    };
    args = spec.process?.args ?? [];
  } catch {
    args = [];
  }
  const text = args.join(' ');
  // docker/cli truncates the command to 20 characters and quotes it.
  const short = [...text].length > 20 ? `${[...text].slice(0, 19).join('')}…` : text;
  return JSON.stringify(short);
}

function volumeNamesOf(c: Container): string[] {
  try {
    const mounts = JSON.parse(c.labels?.[LABEL.mounts] ?? '[]') as {
      Type?: string;
      Name?: string;
    }[];
    return mounts.filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name as string);
  } catch {
    return [];
  }
}

/** Everything `system df` shows, measured once. */
export async function diskUsage(
  client: Client,
  settings: VolumeSettings & { snapshotter: string },
  _opts: { verbose: boolean },
): Promise<DiskUsage> {
  const [images, { containers }, tasks, volumes] = await Promise.all([
    listLocalImages(client),
    client.containers.list({ filters: [] }),
    listTasks(client),
    listVolumes(settings),
  ]);
  const layers = await layerSizes(client, settings.snapshotter, images);

  // Images by ID; a layer's users across IDs tell shared from unique.
  const byId = new Map<string, LocalImage[]>();
  for (const img of images)
    byId.set(img.configDigest, [...(byId.get(img.configDigest) ?? []), img]);
  const layerUsers = new Map<string, number>();
  for (const recs of byId.values()) {
    for (const c of new Set(chainIds(recs[0]!.diffIds)))
      layerUsers.set(c, (layerUsers.get(c) ?? 0) + 1);
  }
  const layersSize = [...layerUsers.keys()].reduce((a, c) => a + (layers.get(c) ?? 0), 0);
  const idByName = new Map(images.map((i) => [i.name, i.configDigest]));
  const containersOf = new Map<string, number>();
  for (const c of containers) {
    const id = idByName.get(c.image);
    if (id) containersOf.set(id, (containersOf.get(id) ?? 0) + 1);
  }
  const imageIds: DiskUsage['imageIds'] = [];
  const imageRows: ImageUsage[] = [];
  for (const [id, recs] of byId) {
    const chains = chainIds(recs[0]!.diffIds);
    const size = chains.reduce((a, c) => a + (layers.get(c) ?? 0), 0);
    const shared = chains
      .filter((c) => (layerUsers.get(c) ?? 0) > 1)
      .reduce((a, c) => a + (layers.get(c) ?? 0), 0);
    const n = containersOf.get(id) ?? 0;
    imageIds.push({ size, shared, containers: n });
    const created = recs[0]!.config.created ? new Date(recs[0]!.config.created) : undefined;
    for (const r of recs) {
      const ref = recordReference(r.name);
      if (ref?.digest !== undefined && ref.tag === undefined && recs.length > 1) continue;
      imageRows.push({
        repository: ref?.familiarName ?? '<none>',
        tag: ref?.tag ?? '<none>',
        id: shortId(id),
        ...(created && !Number.isNaN(created.getTime()) ? { created } : {}),
        size,
        shared,
        unique: size - shared,
        containers: n,
      });
    }
  }

  const containerRows = await Promise.all(
    containers.map(async (c): Promise<ContainerUsage> => {
      let size = 0;
      if (c.snapshot_key) {
        try {
          size = Number(
            (
              await client.snapshots.usage({
                snapshotter: c.snapshotter || settings.snapshotter,
                key: c.snapshot_key,
              })
            ).size,
          );
        } catch {
          size = 0;
        }
      }
      const state = stateFromTask(c, tasks.get(c.id));
      const labels = c.labels ?? {};
      return {
        id: c.id.slice(0, 12),
        image: labels[LABEL.imageRef] ?? c.image,
        command: commandOf(c),
        localVolumes: volumeNamesOf(c).length,
        size,
        created: createdAt(c),
        status: statusText(state),
        names: containerName(labels),
        running: state.Running,
      };
    }),
  );

  const links = new Map<string, number>();
  for (const c of containers)
    for (const v of volumeNamesOf(c)) links.set(v, (links.get(v) ?? 0) + 1);
  const volumeRows = await Promise.all(
    volumes.map(async (v) => ({
      name: v.name,
      links: links.get(v.name) ?? 0,
      size: await volumeSize(v.mountpoint),
    })),
  );
  // Blobs images use: the cache's steps that share them are not reclaimable.
  const used = new Set<string>();
  for (const img of images) {
    used.add(img.configDigest);
    for (const l of img.manifest.layers) used.add(l.digest);
  }
  const buildCache = await buildCacheUsage(client, used);
  return {
    layersSize,
    images: imageRows,
    imageIds,
    containers: containerRows,
    volumes: volumeRows,
    buildCache,
  };
}

/** The tables of `system df -v`, laid out by the caller's table renderer. */
export function verboseSections(
  u: DiskUsage,
  table: (
    rows: Record<string, string>[],
    format: string,
    headers: Record<string, string>,
  ) => string,
): string {
  const images = table(
    u.images.map((i) => ({
      Repository: i.repository,
      Tag: i.tag,
      ID: i.id,
      CreatedSince: i.created ? formatAge(i.created) : 'N/A',
      Size: humanSizeWithPrecision(i.size, 3),
      SharedSize: humanSize(i.shared),
      UniqueSize: humanSize(i.unique),
      Containers: String(i.containers),
    })),
    'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}',
    {
      Repository: 'REPOSITORY',
      Tag: 'TAG',
      ID: 'IMAGE ID',
      CreatedSince: 'CREATED',
      Size: 'SIZE',
      SharedSize: 'SHARED SIZE',
      UniqueSize: 'UNIQUE SIZE',
      Containers: 'CONTAINERS',
    },
  );
  const containers = table(
    u.containers.map((c) => ({
      ID: c.id,
      Image: c.image,
      Command: c.command,
      LocalVolumes: String(c.localVolumes),
      Size: humanSize(c.size),
      RunningFor: formatAge(c.created),
      Status: c.status,
      Names: c.names,
    })),
    'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}',
    {
      ID: 'CONTAINER ID',
      Image: 'IMAGE',
      Command: 'COMMAND',
      LocalVolumes: 'LOCAL VOLUMES',
      Size: 'SIZE',
      RunningFor: 'CREATED',
      Status: 'STATUS',
      Names: 'NAMES',
    },
  );
  const volumes = table(
    u.volumes.map((v) => ({ Name: v.name, Links: String(v.links), Size: humanSize(v.size) })),
    'table {{.Name}}\t{{.Links}}\t{{.Size}}',
    { Name: 'VOLUME NAME', Links: 'LINKS', Size: 'SIZE' },
  );
  const cache = table(
    u.buildCache.records.map((r) => ({
      ID: shortId(r.id),
      CacheType: 'regular',
      Size: humanSize(r.size),
      CreatedSince: r.created ? formatAge(r.created) : 'N/A',
      LastUsedSince: r.created ? formatAge(r.created) : 'N/A',
      UsageCount: '1',
      Shared: String(r.shared),
    })),
    'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}',
    {
      ID: 'CACHE ID',
      CacheType: 'CACHE TYPE',
      Size: 'SIZE',
      CreatedSince: 'CREATED',
      LastUsedSince: 'LAST USED',
      UsageCount: 'USAGE',
      Shared: 'SHARED',
    },
  );
  return (
    `Images space usage:\n\n${images}\n` +
    `Containers space usage:\n\n${containers}\n` +
    `Local Volumes space usage:\n\n${volumes}\n` +
    `Build cache usage: ${humanSize(u.buildCache.size)}\n\n${cache}`
  );
}
