/** `container prune`: remove every container that is not running (CRI containers are never touched). */
import type { Client } from '../../containerd/client.js';
import type { Settings } from '../../config/index.js';
import { isCriManaged } from '../../labels.js';
import { removeContainer, sweepOrphans } from './remove.js';
import type { Container } from './resolve.js';
import { listTasks, stateFromTask } from './state.js';
import { parseTimeArg } from './logs.js';

export interface PruneResult {
  deleted: string[];
  reclaimed: number;
}

function labelFilterMatches(c: Container, filters: readonly string[]): boolean {
  return filters.every((f) => {
    const [key, ...rest] = f.split('=');
    if (key === 'label') {
      const v = rest.join('=');
      const i = v.indexOf('=');
      return i < 0 ? v in c.labels : c.labels[v.slice(0, i)] === v.slice(i + 1);
    }
    if (key === 'label!') {
      const v = rest.join('=');
      const i = v.indexOf('=');
      return i < 0 ? !(v in c.labels) : c.labels[v.slice(0, i)] !== v.slice(i + 1);
    }
    return true;
  });
}

export async function pruneContainers(
  client: Client,
  settings: Pick<Settings, 'dataRoot' | 'namespace' | 'cniPath' | 'snapshotter'>,
  filters: readonly string[] = [],
): Promise<PruneResult> {
  const [{ containers }, tasks] = await Promise.all([
    client.containers.list({ filters: [] }),
    listTasks(client),
  ]);
  const result: PruneResult = { deleted: [], reclaimed: 0 };
  const until = filters.find((f) => f.startsWith('until='))?.slice('until='.length);
  // Docker's `until`: a timestamp, or a Go duration before now (`24h`, `1h30m`).
  const untilMs = until ? parseTimeArg(until, 'until') : undefined;
  for (const c of containers) {
    if (isCriManaged(c.labels)) continue;
    const state = stateFromTask(c, tasks.get(c.id));
    if (state.Running) continue;
    if (!labelFilterMatches(c, filters)) continue;
    if (untilMs !== undefined && Number(c.created_at?.seconds ?? 0) * 1000 >= untilMs) continue;
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
