/**
 * What `run`/`create` need from a local image: its record name, the runtime config (Env, Cmd, …)
 * and the chain ID of its rootfs (the committed snapshot to Prepare from).
 */
import { createHash } from 'node:crypto';
import type { Client } from '../../containerd/client.js';
import { NotFoundError } from '../../containerd/errors.js';
import { BerthError } from '../../errors.js';
import {
  hostPlatform,
  parsePlatform,
  selectManifest,
  type Platform,
} from '../../image/platform.js';
import {
  isIndexMediaType,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from '../../registry/media-types.js';
import type { ImageConfig } from '../../oci/opts.js';

export interface RunImage {
  /** The image record's name in containerd (normalised reference). */
  name: string;
  /** The target descriptor's digest (manifest or index). */
  digest: string;
  /** Config digest: Docker's image ID. */
  configDigest: string;
  config: ImageConfig;
  /** Chain ID of the top layer: the committed snapshot the container's rootfs is prepared from. */
  chainId: string;
}

/** Docker's reference normalisation for lookups: `busybox` → `docker.io/library/busybox:latest`. */
export function normaliseRef(ref: string): string {
  let name = ref;
  let suffix = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    suffix = name.slice(at);
    name = name.slice(0, at);
  }
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  let tag = '';
  if (colon > slash) {
    tag = name.slice(colon);
    name = name.slice(0, colon);
  }
  const first = name.split('/')[0] ?? '';
  const hasDomain =
    name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasDomain) name = name.includes('/') ? `docker.io/${name}` : `docker.io/library/${name}`;
  if (!tag && !suffix) tag = ':latest';
  return `${name}${tag}${suffix}`;
}

/** Docker's familiar form for messages: `docker.io/library/x:latest` → `x:latest`. */
export function familiarRef(ref: string): string {
  return ref.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

export class NoSuchImageError extends BerthError {
  constructor(ref: string) {
    super(`Error response from daemon: No such image: ${familiarRef(normaliseRef(ref))}`, {
      exitCode: 125,
    });
  }
}

function chainIdOf(diffIds: readonly string[]): string {
  let chain = '';
  for (const d of diffIds) {
    chain =
      chain === '' ? d : `sha256:${createHash('sha256').update(`${chain} ${d}`).digest('hex')}`;
  }
  return chain;
}

async function readJson<T>(client: Client, digest: string): Promise<T> {
  return JSON.parse((await client.content.readBlob({ digest })).toString('utf8')) as T;
}

/**
 * The image for run/create through the images engineer's ensureImage (`--pull` policy, Docker's
 * `Unable to find image` line and pull progress on stderr). Errors become Docker's 125 lines.
 */
export async function ensureRunImage(
  client: Client,
  settings: import('../../config/index.js').Settings,
  ref: string,
  pull: 'always' | 'missing' | 'never',
  platform?: string,
  signal?: AbortSignal,
): Promise<RunImage> {
  const { ensureImage } = await import('../../image/ensure.js');
  const local = await ensureImage(client, settings, ref, {
    pull,
    ...(platform ? { platform: parsePlatform(platform) } : {}),
    ...(signal ? { signal } : {}),
  });
  await ensureUnpacked(client, settings.snapshotter, local);
  return {
    name: local.name,
    digest: local.target.digest,
    configDigest: local.configDigest,
    config: (local.config.config ?? {}) as ImageConfig,
    chainId: local.chainId,
  };
}

/**
 * Like `ctr run`: an image whose layers are in the content store but not (or no longer) unpacked
 * in this snapshotter (loaded, imported by another tool, or pulled for another snapshotter) is
 * unpacked before the container is made, and its config labelled so GC keeps the snapshot.
 */
async function ensureUnpacked(
  client: Client,
  snapshotter: string,
  local: {
    chainId: string;
    configDigest: string;
    manifest: { layers?: Descriptor[] };
    diffIds: string[];
  },
): Promise<void> {
  const { hasSnapshot, unpackImage, snapshotGcLabels } = await import('../../image/unpack.js');
  if (!local.chainId || (await hasSnapshot(client, snapshotter, local.chainId))) return;
  const { withLease } = await import('../../containerd/leases.js');
  await withLease(client, async (lease) => {
    const top = await unpackImage(client, local.manifest.layers ?? [], local.diffIds, {
      snapshotter,
      lease,
    });
    const labels = snapshotGcLabels(snapshotter, top);
    await client.content.update({
      info: { digest: local.configDigest, labels },
      update_mask: { paths: Object.keys(labels).map((k) => `labels.${k}`) },
    });
  });
}

/** Looks the image up in containerd; NoSuchImageError when it is not there. */
export async function loadLocalImage(
  client: Client,
  ref: string,
  platform?: string,
): Promise<RunImage> {
  const candidates = [normaliseRef(ref)];
  if (!candidates.includes(ref)) candidates.push(ref);
  let record;
  for (const name of candidates) {
    try {
      record = (await client.images.get({ name })).image;
      if (record) break;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  if (!record?.target) throw new NoSuchImageError(ref);
  const want: Platform = platform ? parsePlatform(platform) : hostPlatform();
  let desc: Descriptor = {
    mediaType: record.target.media_type,
    digest: record.target.digest,
    size: Number(record.target.size),
  };
  for (let depth = 0; isIndexMediaType(desc.mediaType) && depth < 4; depth++) {
    const index = await readJson<ImageIndex>(client, desc.digest);
    desc = selectManifest(index, want);
  }
  const manifest = await readJson<ImageManifest>(client, desc.digest);
  const cfg = await readJson<{ config?: ImageConfig; rootfs?: { diff_ids?: string[] } }>(
    client,
    manifest.config.digest,
  );
  return {
    name: record.name,
    digest: record.target.digest,
    configDigest: manifest.config.digest,
    config: cfg.config ?? {},
    chainId: chainIdOf(cfg.rootfs?.diff_ids ?? []),
  };
}
