import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '../../containerd/client.js';
import { validateNamespace } from '../../config/index.js';
import { BerthError } from '../../errors.js';
import { FailedPreconditionError, NotFoundError } from '../../containerd/errors.js';

export interface NamespaceRow {
  Name: string;
  Containers: number;
  Images: number;
  Volumes: number;
  Labels: Record<string, string>;
  LabelsText: string;
}

function countVolumes(dataRoot: string, ns: string): number {
  try {
    return readdirSync(join(dataRoot, 'volumes', ns)).length;
  } catch {
    return 0;
  }
}

export async function listNamespaces(
  client: Client,
  dataRoot: string,
  opts: { counts: boolean },
): Promise<NamespaceRow[]> {
  const { namespaces } = await client.namespaces.list({});
  return Promise.all(
    namespaces.map(async (n) => {
      let containers = 0;
      let images = 0;
      if (opts.counts) {
        const [c, i] = await Promise.all([
          client.containers.list({ filters: [] }, { namespace: n.name }),
          client.images.list({ filters: [] }, { namespace: n.name }),
        ]);
        containers = c.containers.length;
        images = i.images.length;
      }
      return {
        Name: n.name,
        Containers: containers,
        Images: images,
        Volumes: countVolumes(dataRoot, n.name),
        Labels: n.labels ?? {},
        LabelsText: Object.entries(n.labels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      };
    }),
  ).then((rows) => rows.sort((a, b) => a.Name.localeCompare(b.Name)));
}

export async function createNamespace(
  client: Client,
  name: string,
  labels: Record<string, string>,
): Promise<void> {
  validateNamespace(name);
  await client.namespaces.create({ namespace: { name, labels } });
}

export async function removeNamespace(client: Client, name: string): Promise<void> {
  try {
    await client.namespaces.delete({ name });
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new BerthError(`namespace "${name}" does not exist`, { cause: err });
    if (err instanceof FailedPreconditionError) {
      // containerd's own reason names what is left (images, blobs, snapshots, containers).
      throw new BerthError(`cannot remove namespace "${name}": ${err.details}`, { cause: err });
    }
    throw err;
  }
}

export async function inspectNamespace(
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

/** Docker-style `k=v` label flags into a map; a bare key gets an empty value, as Docker does. */
export function parseLabels(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const i = item.indexOf('=');
    if (i < 0) out[item] = '';
    else out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}
