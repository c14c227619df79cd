/**
 * berth's local volumes: plain directories under `<dataRoot>/volumes/<namespace>/<name>/_data`
 * (nerdctl's layout), used by the `volume` commands and by `run`/`create`/`rm`.
 *
 * Nothing here talks to containerd, and nothing here loads the gRPC/protobuf stack: the volume
 * commands that only need the store start without it. What needs containerd (who uses a volume,
 * reading an image's snapshot) is in src/container/volume-users.ts and src/container/volumes.ts.
 */
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
  removeAnonymousVolumes,
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
  resolveInRoot,
  VIEW_KEY_PREFIX,
  withMountedRootfs,
  type SnapshotMount,
} from './copy.js';
export {
  anonymousImageVolumeRequests,
  createVolumeResolver,
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
