/** `namespace create`. */
import type { Client } from '../../containerd/client.js';
import { validateNamespace } from '../../config/index.js';

export async function runCreate(
  client: Client,
  name: string,
  labels: Record<string, string>,
): Promise<void> {
  validateNamespace(name);
  await client.namespaces.create({ namespace: { name, labels } });
}
