/**
 * Unpacking layers into a snapshotter, as containerd's Go unpacker does: one committed snapshot
 * per layer, named by chain ID, each made by Prepare -> Diff.Apply -> Commit.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '../containerd/client.js';
import type { CallOptions } from '../containerd/connection.js';
import { AlreadyExistsError, NotFoundError } from '../containerd/errors.js';
import { BerthError } from '../errors.js';
import type { Descriptor } from '../registry/media-types.js';
import { chainIds } from './chain.js';

/** Label on an image config that keeps the unpacked snapshot alive for the GC. */
export function snapshotGcLabelKey(snapshotter: string): string {
  return `containerd.io/gc.ref.snapshot.${snapshotter}`;
}

/** `{containerd.io/gc.ref.snapshot.<snapshotter>: <chainID>}` for the config blob. */
export function snapshotGcLabels(snapshotter: string, chainId: string): Record<string, string> {
  return chainId === '' ? {} : { [snapshotGcLabelKey(snapshotter)]: chainId };
}

/** Label on a compressed layer blob naming its uncompressed digest (the diff ID). */
export const UNCOMPRESSED_LABEL = 'containerd.io/uncompressed';

export interface UnpackOptions {
  snapshotter: string;
  /** Lease the new snapshots are attached to until the image record references them. */
  lease?: string;
  signal?: AbortSignal;
}

export interface LayerToUnpack {
  /** The layer blob, already in the content store. */
  layer: Pick<Descriptor, 'mediaType' | 'digest' | 'size'>;
  diffId: string;
  /** Chain ID of the layers below ('' for the first). */
  parent: string;
  /** Chain ID including this layer. */
  chainId: string;
}

function opts(o: UnpackOptions, lease: boolean): CallOptions {
  const c: CallOptions = {};
  if (o.signal) c.signal = o.signal;
  if (lease && o.lease) c.lease = o.lease;
  return c;
}

/** True if a committed snapshot with this chain ID exists. */
export async function hasSnapshot(
  client: Client,
  snapshotter: string,
  key: string,
  call: CallOptions = {},
): Promise<boolean> {
  try {
    await client.snapshots.stat({ snapshotter, key }, call);
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}

async function holdWithLease(client: Client, chainId: string, o: UnpackOptions): Promise<void> {
  if (!o.lease) return;
  await client.leases.addResource(
    { id: o.lease, resource: { id: chainId, type: `snapshots/${o.snapshotter}` } },
    opts(o, false),
  );
}

/**
 * Unpacks one layer on top of its parent. Returns 'exists' when the snapshot was already there
 * (it is then added to the lease, since whoever made it may not have referenced it yet).
 */
export async function unpackLayer(
  client: Client,
  l: LayerToUnpack,
  o: UnpackOptions,
): Promise<'exists' | 'applied'> {
  if (await hasSnapshot(client, o.snapshotter, l.chainId, opts(o, false))) {
    await holdWithLease(client, l.chainId, o);
    return 'exists';
  }
  const key = `extract-${Date.now()}${randomBytes(4).toString('hex')} ${l.chainId}`;
  const { mounts } = await client.snapshots.prepare(
    { snapshotter: o.snapshotter, key, parent: l.parent, labels: {} },
    opts(o, true),
  );
  let committed = false;
  try {
    const { applied } = await client.diff.apply(
      {
        diff: { media_type: l.layer.mediaType, digest: l.layer.digest, size: l.layer.size },
        mounts,
      },
      { ...opts(o, true), timeoutMs: 0 },
    );
    if (applied?.digest !== l.diffId) {
      throw new BerthError(
        `failed to extract layer ${l.diffId}: wrong diff id calculated on extraction "${applied?.digest ?? ''}"`,
      );
    }
    try {
      await client.snapshots.commit(
        { snapshotter: o.snapshotter, name: l.chainId, key, labels: {} },
        opts(o, true),
      );
      committed = true;
      return 'applied';
    } catch (err) {
      // Another unpack of the same layer won the race: theirs is as good as ours.
      if (err instanceof AlreadyExistsError) {
        await holdWithLease(client, l.chainId, o);
        return 'exists';
      }
      throw err;
    }
  } finally {
    if (!committed) {
      // Not tied to the caller's signal: after Ctrl-C the half-made snapshot must still go.
      await client.snapshots.remove({ snapshotter: o.snapshotter, key }).catch(() => undefined);
    }
  }
}

/** The layers of an image paired with their chain IDs, ready for unpackLayer. */
export function layersToUnpack(
  layers: readonly Descriptor[],
  diffIds: readonly string[],
): LayerToUnpack[] {
  if (layers.length !== diffIds.length) {
    throw new BerthError(
      `mismatched image rootfs and manifest layers: ${diffIds.length} diff IDs, ${layers.length} layers`,
    );
  }
  const chain = chainIds(diffIds);
  return layers.map((layer, i) => ({
    layer,
    diffId: diffIds[i] as string,
    parent: i === 0 ? '' : (chain[i - 1] as string),
    chainId: chain[i] as string,
  }));
}

/**
 * Unpacks all layers in order (blobs must be in the content store). Returns the top chain ID.
 * Layers already unpacked are skipped; `onLayer` is told about each.
 */
export async function unpackImage(
  client: Client,
  layers: readonly Descriptor[],
  diffIds: readonly string[],
  o: UnpackOptions & { onLayer?: (index: number, result: 'exists' | 'applied') => void },
): Promise<string> {
  const todo = layersToUnpack(layers, diffIds);
  // Fast path: the top snapshot exists, so every parent does too.
  const top = todo.at(-1);
  if (top && (await hasSnapshot(client, o.snapshotter, top.chainId, opts(o, false)))) {
    await holdWithLease(client, top.chainId, o);
    todo.forEach((_, i) => o.onLayer?.(i, 'exists'));
    return top.chainId;
  }
  for (const [i, l] of todo.entries()) {
    // Not `o.onLayer?.(i, await unpackLayer(…))`: optional chaining would skip the unpack itself
    // when nobody listens.
    const result = await unpackLayer(client, l, o);
    o.onLayer?.(i, result);
  }
  return top?.chainId ?? '';
}

/** Disk usage of an unpacked image: the sum of each layer snapshot's own usage. */
export async function unpackedSize(
  client: Client,
  snapshotter: string,
  diffIds: readonly string[],
  call: CallOptions = {},
): Promise<number | undefined> {
  try {
    const sizes = await Promise.all(
      chainIds(diffIds).map(async (key) =>
        Number((await client.snapshots.usage({ snapshotter, key }, call)).size),
      ),
    );
    return sizes.reduce((a, b) => a + b, 0);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}
