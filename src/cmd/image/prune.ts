/**
 * `berth image prune`: remove dangling images (no tag), or with -a every image no container
 * uses, and report the space given back.
 */
import { pruneBuildCache } from '../../build/store.js';
import type { Client } from '../../containerd/client.js';
import { NotFoundError } from '../../containerd/errors.js';
import { humanSize } from '../../formatter/units.js';
import { chainIds } from '../../image/chain.js';
import { recordReference, type LocalImage } from '../../image/local.js';
import { isCriManaged } from '../../labels.js';
import { labelsMatch, parseFilterFlags, pruneUntil } from '../../filters.js';
import { loadImageState, removeImage } from '../../image/remove.js';

export const PRUNE_WARNING = 'WARNING! This will remove all dangling images.';
export const PRUNE_ALL_WARNING =
  'WARNING! This will remove all images without at least one container associated to them.';

export interface PruneOptions {
  all: boolean;
  filters: string[];
  snapshotter: string;
}

export interface PruneResult {
  /** `untagged: …` / `deleted: …` lines, in order. */
  lines: string[];
  reclaimed: number;
}

function tagged(img: LocalImage): boolean {
  return recordReference(img.name)?.tag !== undefined;
}

/** A predicate for the `--filter` values, which Docker checks before touching anything. */
function parseFilters(list: readonly string[]): (img: LocalImage) => boolean {
  const filters = parseFilterFlags(list, { keys: ['until', 'label', 'label!'], flag: '--filter' });
  const until = pruneUntil(filters);
  return (img) => {
    // An image without a creation time is never too new.
    const created = img.config.created ? Date.parse(img.config.created) : undefined;
    if (created !== undefined && until !== undefined && created > until) return false;
    return labelsMatch(filters, img.config.config?.Labels ?? {});
  };
}

/** CRI marks the images kubelet must keep (the pause image) with this label. */
export const CRI_PINNED_LABEL = 'io.cri-containerd.pinned';

/** The image references CRI containers and sandboxes were created from (a name, ID or digest). */
async function criImageRefs(client: Client): Promise<string[]> {
  const { containers } = await client.containers.list({ filters: [] });
  return containers.filter((c) => isCriManaged(c.labels) && c.image).map((c) => c.image);
}

/** Config digests of the images those references name: by record name, image ID or manifest digest. */
export function criNeeded(images: readonly LocalImage[], refs: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const ref of refs) {
    const digest = /@?(sha256:[0-9a-f]{64})$/.exec(ref)?.[1];
    for (const img of images) {
      if (
        img.name === ref ||
        img.configDigest === ref ||
        (digest !== undefined &&
          (img.configDigest === digest ||
            img.target.digest === digest ||
            img.manifestDescriptor.digest === digest))
      ) {
        out.add(img.configDigest);
      }
    }
  }
  return out;
}

export async function pruneImages(client: Client, opts: PruneOptions): Promise<PruneResult> {
  const matches = parseFilters(opts.filters);
  const state = await loadImageState(client);
  const byId = new Map<string, LocalImage[]>();
  for (const img of state.images)
    byId.set(img.configDigest, [...(byId.get(img.configDigest) ?? []), img]);

  const needed = criNeeded(state.images, await criImageRefs(client));
  const victims: string[] = [];
  for (const [id, records] of byId) {
    if (state.users.has(id)) continue;
    // What the node needs to start pods: CRI's sandbox image and pinned images (from CRI's
    // Status and labels), and any image a CRI container or sandbox names.
    if (state.kept.has(id) || needed.has(id)) continue;
    if (records.some((r) => r.labels[CRI_PINNED_LABEL] === 'pinned')) continue;
    if (!opts.all && records.some(tagged)) continue;
    if (!records.every(matches)) continue;
    victims.push(id);
  }
  if (victims.length === 0) {
    // The classic builder's cache is dangling intermediate images in Docker: it goes too.
    await pruneBuildCache(client);
    return { lines: [], reclaimed: 0 };
  }

  // Measure before deleting: what is freed is what no surviving image still stands on.
  const doomed = new Set(victims);
  const survivors = state.images.filter((i) => !doomed.has(i.configDigest));
  const keptChains = new Set(survivors.flatMap((i) => chainIds(i.diffIds)));
  const keptBlobs = new Set(
    survivors.flatMap((i) => [
      i.target.digest,
      i.manifestDescriptor.digest,
      i.configDigest,
      ...i.manifest.layers.map((l) => l.digest),
    ]),
  );
  const chains = new Set<string>();
  const blobs = new Map<string, number>();
  for (const id of victims) {
    for (const img of byId.get(id) ?? []) {
      for (const c of chainIds(img.diffIds)) if (!keptChains.has(c)) chains.add(c);
      const descs = [
        img.target,
        img.manifestDescriptor,
        img.manifest.config,
        ...img.manifest.layers,
      ];
      for (const d of descs) if (!keptBlobs.has(d.digest)) blobs.set(d.digest, d.size);
    }
  }
  const usage = await Promise.all(
    [...chains].map(async (key) => {
      try {
        return Number((await client.snapshots.usage({ snapshotter: opts.snapshotter, key })).size);
      } catch (err) {
        if (err instanceof NotFoundError) return 0;
        throw err;
      }
    }),
  );
  const reclaimed =
    usage.reduce((a, b) => a + b, 0) + [...blobs.values()].reduce((a, b) => a + b, 0);

  const lines: string[] = [];
  for (const id of victims) {
    await removeImage(client, state, id, {
      force: true,
      onLine: (line) =>
        lines.push(line.replace(/^Untagged:/, 'untagged:').replace(/^Deleted:/, 'deleted:')),
    });
  }
  await pruneBuildCache(client);
  return { lines, reclaimed };
}

/** The report Docker prints after a prune. */
export function pruneReport(r: PruneResult): string {
  let out = '';
  if (r.lines.length > 0) out += `Deleted Images:\n${r.lines.map((l) => `${l}\n`).join('')}\n`;
  return `${out}Total reclaimed space: ${humanSize(r.reclaimed)}\n`;
}
