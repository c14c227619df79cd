/**
 * The restart markers: the `restarting` file a `berth restart` holds while it stops and starts a
 * container, and the restart monitor's desired-state labels set once a task runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '../containerd/client.js';
import { LABEL, RESTART_LABEL } from '../labels.js';
import { processAlive } from '../process.js';
import type { Container } from './resolve.js';

// Docker never auto-removes a `--rm` container that is being restarted by hand. Here the task's
// exit is seen by the container's logger, which starts the removal (`rm --auto-remove`); this
// file in the state dir, holding the restarting berth's pid, tells that removal to stand down.
const MARKER = 'restarting';

export function restartMarkerPath(container: Container): string | undefined {
  const dir = container.labels?.[LABEL.stateDir];
  return dir ? join(dir, MARKER) : undefined;
}

/** True while a live `berth restart` is stopping and starting this container. */
export function restartInProgress(container: Container): boolean {
  const path = restartMarkerPath(container);
  if (!path) return false;
  try {
    return processAlive(Number(readFileSync(path, 'utf8')));
  } catch {
    return false;
  }
}

/** Sets the restart monitor's desired state once the task runs (always / unless-stopped). */
export async function markRunning(
  client: Client,
  id: string,
  labels: Record<string, string>,
): Promise<void> {
  const policy = labels[RESTART_LABEL.policy];
  if (!policy) return;
  const update: Record<string, string> = {
    [RESTART_LABEL.explicitlyStopped]: 'false',
    [LABEL.explicitlyStopped]: 'false',
  };
  if (policy === 'always' || policy === 'unless-stopped') update[RESTART_LABEL.status] = 'running';
  await client.containers
    .update({
      container: { id, labels: update },
      update_mask: { paths: Object.keys(update).map((k) => `labels.${k}`) },
    })
    .catch(() => undefined);
}
