/**
 * berth's local volumes: plain directories under `<dataRoot>/volumes/<namespace>/<name>/_data`
 * (nerdctl's layout), used by the `volume` commands and by `run`/`create`/`rm`.
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
  volumeUsers,
  type DockerMount,
  type RemoveAnonymousResult,
  type RemoveVolumeOptions,
} from './refs.js';
export {
  copyFromRootfs,
  copyImagePathIntoVolume,
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
