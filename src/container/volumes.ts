/**
 * The containerd side of a container's volumes: seeding a new volume from the image's unpacked
 * snapshot, and removing a container's anonymous volumes unless another container still uses
 * them. The filesystem work itself is src/volume's.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '../containerd/client.js';
import { NotFoundError } from '../containerd/errors.js';
import { withLease } from '../containerd/leases.js';
import type { Settings } from '../config/index.js';
import { BerthError } from '../errors.js';
import { copyFromRootfs, isEmptyDir, VIEW_KEY_PREFIX, withMountedRootfs } from '../volume/copy.js';
import type { ImageRootfs } from '../volume/mounts.js';
import { removeAnonymousVolumes, type RemoveAnonymousResult } from '../volume/refs.js';
import type { VolumeSettings } from '../volume/store.js';
import { volumeUsers } from './volume-users.js';

type SnapshotSettings = Pick<Settings, 'namespace' | 'snapshotter'>;

/**
 * Copies the image's content at `containerPath` into `hostDir` (when `hostDir` is empty), reading
 * the image's unpacked snapshot `chainId` through a temporary read-only view: a lease, then
 * Snapshots.View (key `berth-volcopy-<random>`), mount, copy, unmount, Snapshots.Remove, lease
 * delete. Returns whether anything was copied.
 */
export async function copyImagePathIntoVolume(
  client: Client,
  settings: SnapshotSettings,
  chainId: string,
  containerPath: string,
  hostDir: string,
): Promise<boolean> {
  // Nothing to do for a volume that already has data: do not even touch containerd.
  if (!(await isEmptyDir(hostDir))) return false;
  const ns = { namespace: settings.namespace };
  return withLease(
    client,
    async (lease) => {
      const key = `${VIEW_KEY_PREFIX}${randomBytes(8).toString('hex')}`;
      let view;
      try {
        view = await client.snapshots.view(
          { snapshotter: settings.snapshotter, key, parent: chainId },
          { ...ns, lease },
        );
      } catch (err) {
        if (err instanceof NotFoundError) {
          throw new BerthError(
            `image snapshot ${chainId} not found in snapshotter ${settings.snapshotter}: is the image unpacked?`,
            {
              cause: err,
            },
          );
        }
        throw err;
      }
      try {
        return await withMountedRootfs(view.mounts, (root) =>
          copyFromRootfs(root, containerPath, hostDir),
        );
      } finally {
        await client.snapshots
          .remove({ snapshotter: settings.snapshotter, key }, ns)
          .catch(() => undefined);
      }
    },
    { namespace: settings.namespace, expireHours: 1 },
  );
}

/** The image's unpacked snapshot as the ImageRootfs that createVolumeResolver copies from. */
export function imageSnapshotRootfs(
  client: Client,
  settings: SnapshotSettings,
  chainId: string,
): ImageRootfs {
  return {
    copyInto: (containerPath, hostDir) =>
      copyImagePathIntoVolume(client, settings, chainId, containerPath, hostDir),
  };
}

/**
 * `rm -v` and `--rm`: removes the anonymous volumes `names` of a container whose record is
 * already deleted, keeping those another container (e.g. through --volumes-from) still uses.
 */
export async function removeUnusedAnonymousVolumes(
  settings: VolumeSettings,
  client: Client,
  names: readonly string[],
): Promise<RemoveAnonymousResult> {
  if (names.length === 0) return { removed: [], kept: [] };
  return removeAnonymousVolumes(settings, names, { users: await volumeUsers(settings, client) });
}
