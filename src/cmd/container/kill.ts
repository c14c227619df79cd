/** `kill`: one signal to the container's main process (SIGKILL by default). */
import type { Client } from '../../containerd/client.js';
import { FailedPreconditionError, NotFoundError } from '../../containerd/errors.js';
import { BerthError, DaemonError } from '../../errors.js';
import { publishEvent } from '../../events/index.js';
import type { Container } from '../../container/resolve.js';
import { getTask } from '../../container/state.js';
import { SHIM_TIMEOUT_MS, withShimDeadline } from '../../container/shim.js';
import { markExplicitlyStopped, stopSignalOf } from '../../container/stop.js';

function notRunning(ref: string, container: Container): BerthError {
  return new DaemonError(`Cannot kill container: ${ref}: Container ${container.id} is not running`);
}

export async function killContainer(
  client: Client,
  container: Container,
  ref: string,
  signal = 9,
): Promise<void> {
  await withShimDeadline(
    (why) => `Cannot kill container: ${ref}: ${why}`,
    () => killTask(client, container, ref, signal),
  );
}

async function killTask(
  client: Client,
  container: Container,
  ref: string,
  signal: number,
): Promise<void> {
  const task = await getTask(client, container.id, SHIM_TIMEOUT_MS);
  const status = task ? String(task.status) : '';
  if (!task || status === 'STOPPED' || status === 'CREATED') throw notRunning(ref, container);
  // Killing with the stop signal or SIGKILL is a deliberate stop: the restart policy must not undo it.
  const deliberate = signal === 9 || signal === stopSignalOf(container);
  // Only a SIGKILL is sure to end the task, so only then is the monitor held until it has.
  if (deliberate) await markExplicitlyStopped(client, container, 'before', signal === 9);
  await publishEvent(client, 'container', 'kill', container.id, { signal: String(signal) });
  try {
    await client.tasks.kill(
      { container_id: container.id, signal, all: false },
      { timeoutMs: SHIM_TIMEOUT_MS },
    );
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof FailedPreconditionError)
      throw notRunning(ref, container);
    throw err;
  }
  if (deliberate && signal === 9) {
    await client.tasks
      .wait({ container_id: container.id }, { timeoutMs: 10_000 })
      .catch(() => undefined);
    await markExplicitlyStopped(client, container, 'after');
  }
}
