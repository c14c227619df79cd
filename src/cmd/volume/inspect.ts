/** `volume inspect`: dockerd's shape of a local volume. */
import { BerthError } from '../../errors.js';
import { getVolume, type Volume, type VolumeSettings } from '../../volume/index.js';
import { rfc3339Local } from '../../volume/store.js';

/** `docker volume inspect` for a local volume, keys in dockerd's order. */
export interface DockerVolume {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string>;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string>;
  Scope: string;
}

export function toDockerVolume(v: Volume): DockerVolume {
  return {
    CreatedAt: rfc3339Local(v.createdAt),
    Driver: 'local',
    Labels: { ...v.labels },
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: {},
    Scope: 'local',
  };
}

/** `volume inspect NAME`. */
export async function runInspect(settings: VolumeSettings, name: string): Promise<DockerVolume> {
  const v = await getVolume(settings, name);
  if (!v) throw new BerthError(`No such volume: ${name}`);
  return toDockerVolume(v);
}
