/**
 * After a container's task has exited, when no berth was waiting for it (the logger's
 * `start --restart-check`, or a foreground run once it has its exit code): the network is given
 * back (addresses are held only while a container runs, also between a restart policy's runs,
 * as in Docker), then the restart policy decides whether it runs again, counting the restart in
 * `containerd.io/restart.count` (inspect's RestartCount).
 */
import type { Settings } from '../config/index.js';
import type { Client } from '../containerd/client.js';
import { RESTART_LABEL } from '../labels.js';
import { withContainerLock } from './lock.js';
import { monitorRestarts, policyRestarts, restartInProgress } from './restart.js';
import { findContainerOrUndefined, type Container } from './resolve.js';
import { getTask } from './state.js';

/** Gives back the network a run attached, when its start failed or its task is over. */
export async function detachNetwork(
  settings: Pick<Settings, 'cniPath' | 'dataRoot' | 'namespace'>,
  id: string,
): Promise<void> {
  const { detachContainerNetwork } = await import('../network/index.js');
  await detachContainerNetwork({ settings, namespace: settings.namespace, containerId: id }).catch(
    () => undefined,
  );
}

/** `start` starts the container detached (./start.ts, which calls this: hence the callback). */
export async function afterExit(
  client: Client,
  settings: Pick<Settings, 'cniPath' | 'dataRoot' | 'namespace'>,
  id: string,
  start: (c: Container) => Promise<unknown>,
): Promise<void> {
  await withContainerLock(settings.namespace, id, async () => {
    // Read under the lock: the labels (restart count, explicitly stopped) may just have changed.
    const c = await findContainerOrUndefined(client, id);
    if (!c) return;
    const task = await getTask(client, c.id);
    const running = task !== undefined && String(task.status) !== 'STOPPED';
    const bumpCount = async (): Promise<void> => {
      const count = Number(c.labels[RESTART_LABEL.count] ?? '0') + 1;
      await client.containers.update({
        container: { id: c.id, labels: { [RESTART_LABEL.count]: String(count) } },
        update_mask: { paths: [`labels.${RESTART_LABEL.count}`] },
      });
      c.labels[RESTART_LABEL.count] = String(count);
    };
    if (monitorRestarts(c.labels)) {
      // containerd's monitor starts it again (perhaps already has): only the count is berth's.
      if (policyRestarts(c.labels, running ? 1 : task?.exit_status)) await bumpCount();
      return;
    }
    // A task found running is a newer one (`start`, `restart`): left alone, network included.
    if (running) return;
    await detachNetwork(settings, c.id);
    // Never started (its berth died first): nothing to restart. A `berth restart` under way
    // starts it itself.
    if (!task || restartInProgress(c) || !policyRestarts(c.labels, task.exit_status)) return;
    await bumpCount();
    await start(c);
  });
}
