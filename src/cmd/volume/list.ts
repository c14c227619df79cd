/** `volume ls`: the rows of the namespace's volumes that pass the filters. */
import type { Client } from '../../containerd/client.js';
import { listVolumes, type VolumeSettings } from '../../volume/index.js';
import { volumeUsers } from '../../container/volume-users.js';
import { VolumeRow } from '../../formatter/volume.js';
import { type Filters } from '../../filters.js';
import { matchVolume, needsUsers } from '../../volume/filters.js';

/** `volume ls`: the volumes matching the filters, natural-sorted by name. */
export async function runList(
  settings: VolumeSettings,
  client: () => Promise<Client>,
  filters: Filters,
): Promise<VolumeRow[]> {
  const vols = await listVolumes(settings);
  const users =
    needsUsers(filters) && vols.length > 0
      ? await volumeUsers(settings, await client())
      : undefined;
  return vols.filter((v) => matchVolume(v, filters, users)).map((v) => new VolumeRow(v));
}
