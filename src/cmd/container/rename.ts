/** `rename`: the name lives in a label, so renaming is one Containers.Update. */
import type { Client } from '../../containerd/client.js';
import { DaemonError } from '../../errors.js';
import { LABEL, NERDCTL_LABEL, containerName } from '../../labels.js';
import { findContainerOrUndefined, type Container } from '../../container/resolve.js';

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export async function renameContainer(
  client: Client,
  container: Container,
  newName: string,
): Promise<void> {
  const name = newName.startsWith('/') ? newName.slice(1) : newName;
  if (!NAME_RE.test(name)) {
    throw new DaemonError(
      `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
    );
  }
  if (containerName(container.labels) === name) {
    throw new DaemonError('Renaming a container with the same name as its current name');
  }
  const other = await findContainerOrUndefined(client, name).catch(() => undefined);
  if (other && other.id !== container.id && containerName(other.labels) === name) {
    throw new DaemonError(
      `Conflict. The container name "/${name}" is already in use by container "${other.id}". ` +
        'You have to remove (or rename) that container to be able to reuse that name.',
    );
  }
  // Keep nerdctl's label in step when it is the one that names the container.
  const labels: Record<string, string> = { [LABEL.name]: name };
  if (container.labels?.[NERDCTL_LABEL.name] !== undefined) labels[NERDCTL_LABEL.name] = name;
  await client.containers.update({
    container: { id: container.id, labels },
    update_mask: { paths: Object.keys(labels).map((k) => `labels.${k}`) },
  });
}
