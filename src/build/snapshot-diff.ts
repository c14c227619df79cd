/**
 * Container filesystems through the diff service: a container's snapshot seen read-only (its
 * upper directory stacked as one more lower layer, so a running container's mount is not
 * disturbed), and Diff.Diff between two mount sets written as a tar into the content store, for
 * `commit` (the container's changes), `export` (everything) and `diff` (the change list).
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '../containerd/client.js';
import { BerthError } from '../errors.js';
import { MediaType } from '../registry/media-types.js';
import { openBlob } from '../image/content.js';
import { snapshotDirs, type SnapshotMount } from './container-adapter.js';
import { withoutMountPoints } from './mount-points.js';
import { writeStreamBlob } from './store.js';

/** The same filesystem as `mounts`, mounted read-only. */
export function readonlyMounts(mounts: readonly SnapshotMount[]): SnapshotMount[] {
  const dirs = snapshotDirs(mounts);
  if (dirs.length === 0) return [];
  if (dirs.length === 1) {
    return [{ type: 'bind', source: dirs[0]!, options: ['ro', 'rbind'] }];
  }
  return [{ type: 'overlay', source: 'overlay', options: [`lowerdir=${dirs.join(':')}`] }];
}

export interface ContainerSnapshot {
  /** Read-only mounts of the container's root filesystem. */
  mounts: SnapshotMount[];
  /** The committed snapshot (image chain ID) below it, '' if none. */
  parent: string;
}

export async function containerSnapshot(
  client: Client,
  container: { id: string; snapshotter: string; snapshot_key: string },
): Promise<ContainerSnapshot> {
  const key = container.snapshot_key || container.id;
  const [{ mounts }, { info }] = await Promise.all([
    client.snapshots.mounts({ snapshotter: container.snapshotter, key }),
    client.snapshots.stat({ snapshotter: container.snapshotter, key }),
  ]);
  return { mounts: readonlyMounts(mounts as SnapshotMount[]), parent: info?.parent ?? '' };
}

/**
 * Runs fn with read-only mounts of a committed snapshot ([] for ''), through a View removed
 * afterwards.
 */
export async function withView<T>(
  client: Client,
  snapshotter: string,
  chainId: string,
  lease: string,
  fn: (mounts: SnapshotMount[]) => Promise<T>,
): Promise<T> {
  if (!chainId) return fn([]);
  const key = `berth-view-${randomBytes(8).toString('hex')}`;
  const { mounts } = await client.snapshots.view(
    { snapshotter, key, parent: chainId, labels: {} },
    { lease },
  );
  try {
    return await fn(mounts as SnapshotMount[]);
  } finally {
    await client.snapshots.remove({ snapshotter, key }).catch(() => undefined);
  }
}

/** Diff.Diff(left, right) as an uncompressed layer in the content store, under the lease. */
export async function diffMounts(
  client: Client,
  left: SnapshotMount[],
  right: SnapshotMount[],
  lease: string,
  labels: Record<string, string> = {},
): Promise<{ mediaType: string; digest: string; size: number }> {
  const { diff } = await client.diff.diff(
    {
      left,
      right,
      media_type: MediaType.OciLayer,
      ref: `berth-diff-${randomBytes(8).toString('hex')}`,
      labels,
    },
    { lease, timeoutMs: 0 },
  );
  if (!diff) throw new BerthError('the diff service returned no layer');
  return { mediaType: MediaType.OciLayer, digest: diff.digest, size: Number(diff.size) };
}

/**
 * A container's own changes as a layer in the content store (under the lease), as Docker's
 * commit and diff see them: without runc's mount targets. `fn` gets the layer and the read-only
 * mounts of the image below it.
 */
export async function containerLayer<T>(
  client: Client,
  container: { id: string; snapshotter: string; snapshot_key: string },
  lease: string,
  fn: (
    layer: { mediaType: string; digest: string; size: number },
    lower: SnapshotMount[],
  ) => Promise<T>,
): Promise<T> {
  const snap = await containerSnapshot(client, container);
  return withView(client, container.snapshotter, snap.parent, lease, async (lower) => {
    const raw = await diffMounts(client, lower, snap.mounts, lease);
    const blob = await writeStreamBlob(
      client,
      withoutMountPoints(openBlob(client, raw.digest, { lease })),
      { lease },
    );
    return fn({ mediaType: MediaType.OciLayer, ...blob }, lower);
  });
}
