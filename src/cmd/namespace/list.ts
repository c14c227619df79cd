/** `namespace ls`: the namespaces with their containers, images and volumes. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '../../containerd/client.js';

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

export async function runList(
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
