/** `volume create`. */
import { publishEvent } from '../../events/index.js';
import type { Client } from '../../containerd/client.js';
import { createVolume, type VolumeSettings } from '../../volume/index.js';

/** `volume create [NAME]`: returns the name (a new 64-hex one without NAME). */
export async function runCreate(
  settings: VolumeSettings,
  name: string | undefined,
  labels: Record<string, string>,
  client?: Client,
): Promise<string> {
  const created = (await createVolume(settings, name, labels)).name;
  if (client) await publishEvent(client, 'volume', 'create', created, { driver: 'local' });
  return created;
}
