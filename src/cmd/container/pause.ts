/** `pause` / `unpause`: freeze and thaw the container's cgroup (Tasks.Pause / Tasks.Resume). */
import type { Client } from '../../containerd/client.js';
import { DaemonError } from '../../errors.js';
import type { Container } from '../../container/resolve.js';
import { getTask } from '../../container/state.js';

export async function pauseContainer(client: Client, container: Container): Promise<void> {
  const task = await getTask(client, container.id);
  const status = task ? String(task.status) : '';
  if (status === 'PAUSED' || status === 'PAUSING') {
    throw new DaemonError(`Container ${container.id} is already paused`);
  }
  if (status !== 'RUNNING') {
    throw new DaemonError(`Container ${container.id} is not running`);
  }
  await client.tasks.pause({ container_id: container.id });
}

export async function unpauseContainer(client: Client, container: Container): Promise<void> {
  const task = await getTask(client, container.id);
  const status = task ? String(task.status) : '';
  if (status !== 'PAUSED' && status !== 'PAUSING') {
    throw new DaemonError(`Container ${container.id} is not paused`);
  }
  await client.tasks.resume({ container_id: container.id });
}
