/** `container prune`: remove every container that is not running (CRI containers are never touched). */
import type { Client } from '../../containerd/client.js';
import type { Settings } from '../../config/index.js';
import { isCriManaged, withEmptyLabels } from '../../labels.js';
import { labelsMatch, parseFilterFlags, pruneUntil } from '../../filters.js';
import { removeContainer, sweepOrphans } from '../../container/remove.js';
import { createdAt, listTasks, stateFromTask } from '../../container/state.js';

export interface PruneResult {
  deleted: string[];
  reclaimed: number;
}

export async function pruneContainers(
  client: Client,
  settings: Pick<Settings, 'dataRoot' | 'namespace' | 'cniPath' | 'snapshotter'>,
  filterFlags: readonly string[] = [],
): Promise<PruneResult> {
  const filters = parseFilterFlags(filterFlags, {
    keys: ['label', 'label!', 'until'],
    flag: '--filter',
  });
  const until = pruneUntil(filters);
  const [{ containers }, tasks] = await Promise.all([
    client.containers.list({ filters: [] }),
    listTasks(client),
  ]);
  const result: PruneResult = { deleted: [], reclaimed: 0 };
  for (const c of containers) {
    if (isCriManaged(c.labels)) continue;
    const state = stateFromTask(c, tasks.get(c.id));
    if (state.Running) continue;
    if (!labelsMatch(filters, withEmptyLabels(c.labels))) continue;
    // Docker prunes what was created up to and including the cut-off.
    if (until !== undefined && createdAt(c).getTime() > until) continue;
    let size = 0;
    if (c.snapshot_key) {
      try {
        size = Number(
          (
            await client.snapshots.usage({
              snapshotter: c.snapshotter || 'overlayfs',
              key: c.snapshot_key,
            })
          ).size,
        );
      } catch {
        size = 0;
      }
    }
    try {
      await removeContainer(client, settings, c, { force: false, volumes: false });
    } catch {
      continue; // started (or removed) since the listing: not prunable now
    }
    result.deleted.push(c.id);
    result.reclaimed += size;
  }
  await sweepOrphans(client, settings).catch(() => undefined);
  return result;
}
