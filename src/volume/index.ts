/**
 * berth's local volumes: plain directories under `<dataRoot>/volumes/<namespace>/<name>/_data`
 * (nerdctl's layout), used by the `volume` commands and by `run`/`create`/`rm`.
 *
 * Nothing here talks to containerd, and nothing here loads the gRPC/protobuf stack: the volume
 * commands that only need the store start without it. What needs containerd (who uses a volume,
 * reading an image's snapshot) is in src/cmd/volume/users.ts and src/cmd/container/volumes.ts.
 */
import type { Client } from '../containerd/client.js';
import { BerthError } from '../errors.js';
import {
  createVolumeResolver as createStoreVolumeResolver,
  type ImageRootfs,
  type VolumeResolver,
} from './mounts.js';
import {
  removeAnonymousVolumes as removeStoreAnonymousVolumes,
  type RemoveAnonymousResult,
} from './refs.js';
import type { VolumeSettings } from './store.js';

export {
  ANONYMOUS_LABEL,
  createVolume,
  deleteVolumeDir,
  getVolume,
  listVolumes,
  newAnonymousName,
  NoSuchVolumeError,
  validateVolumeName,
  volumeMountpoint,
  volumeSize,
  volumesDir,
  VOLUME_NAME_PATTERN,
  type Volume,
  type VolumeSettings,
} from './store.js';
export {
  anonymousVolumesOf,
  containerMounts,
  removeVolume,
  VolumeInUseError,
  volumeNamesOf,
  volumeUsersOf,
  type DockerMount,
  type RemoveAnonymousResult,
  type RemoveVolumeOptions,
  type VolumeUser,
} from './refs.js';
export {
  copyFromRootfs,
  isEmptyDir,
  lowerdirMounts,
  resolveInRoot,
  VIEW_KEY_PREFIX,
  withMountedRootfs,
  type SnapshotMount,
} from './copy.js';
export {
  anonymousImageVolumeRequests,
  imageVolumes,
  parseVolumesFrom,
  resolveVolumeForMount,
  toDockerMount,
  volumesFromMounts,
  type ImageRootfs,
  type ResolvedVolume,
  type ResolveVolumeOptions,
  type VolumeResolver,
} from './mounts.js';

/*
 * The two entry points below still accept a containerd client, as `run` and `create` pass one.
 * The client is only handed on: the module that uses it is loaded on demand from src/cmd, so the
 * store stays free of containerd calls and of the gRPC stack. New code should call
 * removeUnusedAnonymousVolumes / imageSnapshotRootfs (src/cmd/container/volumes.ts) instead.
 */

/** The image's unpacked snapshot, named by chain ID, for the resolver to copy from. */
interface ImageSnapshot {
  client: Client;
  chainId: string;
  /** Defaults to the settings' snapshotter. */
  snapshotter?: string;
}

/**
 * Collects what a container's volume mounts resolved to (see VolumeResolver); `imageRootfs` may
 * also be an image snapshot with the client to read it.
 */
export function createVolumeResolver(opts: {
  settings: VolumeSettings & { snapshotter?: string };
  imageRootfs?: ImageRootfs | ImageSnapshot;
}): VolumeResolver {
  const image = opts.imageRootfs;
  if (image === undefined || typeof image === 'string' || !('client' in image)) {
    return createStoreVolumeResolver({ settings: opts.settings, imageRootfs: image });
  }
  const { namespace } = opts.settings;
  const snapshotter = image.snapshotter ?? opts.settings.snapshotter;
  return createStoreVolumeResolver({
    settings: opts.settings,
    imageRootfs: {
      copyInto: async (containerPath, hostDir) => {
        if (!snapshotter)
          throw new BerthError('no snapshotter given to read the image content from');
        const { copyImagePathIntoVolume } = await import('../cmd/container/volumes.js');
        const settings = { namespace, snapshotter };
        return copyImagePathIntoVolume(
          image.client,
          settings,
          image.chainId,
          containerPath,
          hostDir,
        );
      },
    },
  });
}

/**
 * Removes a removed container's anonymous volumes, keeping those another container still uses:
 * as `users` (volumeUsersOf) says, or as containerd says when given a client. With neither,
 * nothing is checked.
 */
export async function removeAnonymousVolumes(
  settings: VolumeSettings,
  names: readonly string[],
  options: { client?: Client; users?: ReadonlyMap<string, readonly string[]> } = {},
): Promise<RemoveAnonymousResult> {
  if (!options.client) return removeStoreAnonymousVolumes(settings, names, options);
  const { removeUnusedAnonymousVolumes } = await import('../cmd/container/volumes.js');
  return removeUnusedAnonymousVolumes(settings, options.client, names);
}
