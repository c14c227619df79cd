/** `namespace inspect`. */
import type { Client } from '../../containerd/client.js';
import { BerthError } from '../../errors.js';

export async function runInspect(
  client: Client,
  name: string,
): Promise<{ Name: string; Labels: Record<string, string> }> {
  // containerd 1.6's Namespaces.Get answers even for a namespace that does not exist, so List
  // is the only way to tell.
  const { namespaces } = await client.namespaces.list({});
  const found = namespaces.find((n) => n.name === name);
  if (!found) throw new BerthError(`namespace "${name}" does not exist`);
  return { Name: found.name, Labels: found.labels ?? {} };
}
