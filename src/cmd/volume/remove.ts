/** `volume rm`. */
import { publishEvent } from '../../events/index.js';
import type { Client } from '../../containerd/client.js';
import { BerthError, errorText } from '../../errors.js';
import { removeVolume, type VolumeSettings } from '../../volume/index.js';
import { liveClaims, withVolumeLock } from '../../volume/claims.js';
import { volumeUsers } from '../../container/volume-users.js';

/**
 * `volume rm NAME...`: removes each, calling onRemoved for each success; returns the error
 * messages (Docker prints them all and exits 1).
 */
export async function runRemove(
  settings: VolumeSettings,
  client: Client,
  names: readonly string[],
  opts: { force: boolean },
  onRemoved: (name: string) => void,
): Promise<string[]> {
  const errors: string[] = [];
  for (const name of names) {
    try {
      // Under the volume's lock, claims of containers being created first, then the records: a
      // `run -v` racing this sees either the volume removed (and makes it again) or it in use.
      const removed = await withVolumeLock(settings, name, async () => {
        const claims = liveClaims(settings, name);
        const users = new Map(await volumeUsers(settings, client));
        if (claims.length) users.set(name, [...(users.get(name) ?? []), ...claims]);
        return removeVolume(settings, name, { force: opts.force, users });
      });
      if (removed) await publishEvent(client, 'volume', 'destroy', name, { driver: 'local' });
      // Docker prints the name even when -f skipped a missing volume.
      onRemoved(name);
    } catch (err) {
      if (!(err instanceof BerthError)) throw err;
      errors.push(errorText(err));
    }
  }
  return errors;
}
