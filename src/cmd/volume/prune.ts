/** `volume prune`. */
import { publishEvent } from '../../events/index.js';
import type { Client } from '../../containerd/client.js';
import {
  deleteVolumeDir,
  listVolumes,
  volumeSize,
  type VolumeSettings,
} from '../../volume/index.js';
import { volumeUsers } from '../../container/volume-users.js';
import { type Filters } from '../../filters.js';
import { matchVolume } from '../../volume/filters.js';

export interface PruneReport {
  deleted: string[];
  spaceReclaimed: number;
}

/**
 * `volume prune`: removes unused volumes matching the filters; only anonymous ones unless `all`
 * (Docker ≥23). The filters come from parseVolumePruneFilters.
 */
export async function runPrune(
  settings: VolumeSettings,
  client: Client,
  opts: { all: boolean; filters: Filters },
): Promise<PruneReport> {
  const vols = await listVolumes(settings);
  const users = await volumeUsers(settings, client);
  const report: PruneReport = { deleted: [], spaceReclaimed: 0 };
  for (const v of vols) {
    if ((users.get(v.name)?.length ?? 0) > 0) continue;
    if (!opts.all && !v.anonymous) continue;
    if (!matchVolume(v, opts.filters)) continue;
    const size = await volumeSize(v.mountpoint);
    if (await deleteVolumeDir(settings, v.name)) {
      await publishEvent(client, 'volume', 'destroy', v.name, { driver: 'local' });
      report.deleted.push(v.name);
      report.spaceReclaimed += size;
    }
  }
  return report;
}

/** The text `volume prune` prints after pruning (docker/cli's layout, blank line included). */
export function pruneOutput(report: PruneReport, humanSize: (n: number) => string): string {
  let out = '';
  if (report.deleted.length > 0)
    out = `Deleted Volumes:\n${report.deleted.map((n) => `${n}\n`).join('')}\n`;
  return `${out}Total reclaimed space: ${humanSize(report.spaceReclaimed)}\n`;
}

export function pruneWarning(all: boolean): string {
  return all
    ? 'WARNING! This will remove all local volumes not used by at least one container.'
    : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
}
