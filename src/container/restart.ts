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
import { NETNS_LABEL } from '../network/setup.js';

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
  // containerd's monitor restarts only what has no berth network namespace: that one berth's
  // exit check restarts, attaching its network first (see ./exit.ts).
  if (monitorRestarts(labels)) update[RESTART_LABEL.status] = 'running';
  await client.containers
    .update({
      container: { id, labels: update },
      update_mask: { paths: Object.keys(update).map((k) => `labels.${k}`) },
    })
    .catch(() => undefined);
}

/**
 * Whether containerd's restart monitor restarts this container (always / unless-stopped on a
 * network berth does not attach per run). A container with a berth network namespace is
 * restarted by berth instead, which attaches its network first; the monitor would start its
 * task with no namespace to join.
 */
export function monitorRestarts(labels: Record<string, string>): boolean {
  const policy = labels[RESTART_LABEL.policy] ?? '';
  return (policy === 'always' || policy === 'unless-stopped') && !labels[NETNS_LABEL];
}

/** Docker's restart-policy decision for a task that exited with `exitCode`. */
export function policyRestarts(
  labels: Record<string, string>,
  exitCode: number | undefined,
): boolean {
  const policy = labels[RESTART_LABEL.policy] ?? '';
  if (!policy || policy === 'no') return false;
  if (labels[RESTART_LABEL.explicitlyStopped] === 'true') return false;
  if (labels[LABEL.explicitlyStopped] === 'true') return false;
  if (policy === 'always' || policy === 'unless-stopped') return true;
  if (!policy.startsWith('on-failure') || !exitCode) return false;
  const max = Number(policy.split(':')[1] ?? '0');
  const count = Number(labels[RESTART_LABEL.count] ?? '0');
  return !(max > 0 && count >= max);
}
