/** `wait`: blocks until the container's task exits and returns its exit code. */
import type { Client } from '../../containerd/client.js';
import { NotFoundError } from '../../containerd/errors.js';
import type { Container } from '../../container/resolve.js';
import { criKind, waitCriExit } from '../../cri/index.js';

export async function waitContainer(client: Client, container: Container): Promise<number> {
  // CRI deletes the task at exit and keeps the code: ask CRI for its containers.
  if (criKind(container.labels) === 'container') {
    const code = await waitCriExit(client, container.id);
    if (code !== undefined) return code;
  }
  try {
    const r = await client.tasks.wait({ container_id: container.id });
    return r.exit_status;
  } catch (err) {
    // No task: a created (never started) or already-cleaned container; Docker prints its last code.
    if (err instanceof NotFoundError) return 0;
    throw err;
  }
}
