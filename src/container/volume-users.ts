/**
 * The containerd half of volume references: the namespace's container records, from which
 * src/volume/refs.ts reads who uses which volume (there is no daemon keeping counts).
 */
import type { Client } from '../containerd/client.js';
import { volumeUsersOf } from '../volume/refs.js';
import type { VolumeSettings } from '../volume/store.js';

/** volume name -> sorted ids of the containers (in the settings' namespace) that use it. */
export async function volumeUsers(
  settings: VolumeSettings,
  client: Client,
): Promise<Map<string, string[]>> {
  const { containers } = await client.containers.list(
    { filters: [] },
    { namespace: settings.namespace },
  );
  return volumeUsersOf(settings, containers);
}
