/**
 * Claims: a container being created names its named volumes before its containerd record exists,
 * so `volume rm` racing `run -v` cannot delete a volume the new container is about to mount (the
 * in-use check lists container records, which do not exist yet). A claim is a file
 * `<volume>/claims/<container id>` holding the creator's pid, written under the volume's lock and
 * removed once the record exists (or the creation failed); a claim whose creator is gone is void.
 * `volume rm` takes the same lock, then looks at the claims and only then at the records: at every
 * moment a container in the making has one or the other.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withLockFile } from '../network/lock.js';
import { processAlive } from '../process.js';
import { createVolume, volumesDir, type Volume, type VolumeSettings } from './store.js';

function claimsDir(settings: VolumeSettings, name: string): string {
  return join(volumesDir(settings), name, 'claims');
}

/** Runs fn holding the volume's lock (a dot file beside the volumes: never a volume name). */
export function withVolumeLock<T>(
  settings: VolumeSettings,
  name: string,
  fn: () => Promise<T> | T,
): Promise<T> {
  return withLockFile(join(volumesDir(settings), `.lock-${name}`), `volume ${name}`, fn);
}

/** Creates the named volume if needed and claims it for `containerId`, atomically for rm. */
export function claimVolume(
  settings: VolumeSettings,
  name: string,
  containerId: string,
  labels: Record<string, string> = {},
): Promise<Volume & { created: boolean }> {
  return withVolumeLock(settings, name, async () => {
    const vol = await createVolume(settings, name, labels);
    const dir = claimsDir(settings, name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, containerId), String(process.pid));
    return vol;
  });
}

/** Drops `containerId`'s claims: its record now references the volumes, or it was not created. */
export function releaseClaims(
  settings: VolumeSettings,
  names: Iterable<string>,
  containerId: string,
): void {
  for (const name of names) rmSync(join(claimsDir(settings, name), containerId), { force: true });
}

/** Containers whose live creator claims the volume (call under withVolumeLock). */
export function liveClaims(settings: VolumeSettings, name: string): string[] {
  const dir = claimsDir(settings, name);
  let ids: string[];
  try {
    ids = readdirSync(dir);
  } catch {
    return [];
  }
  return ids.filter((id) => {
    try {
      if (processAlive(Number(readFileSync(join(dir, id), 'utf8')))) return true;
    } catch {
      return false;
    }
    rmSync(join(dir, id), { force: true });
    return false;
  });
}
