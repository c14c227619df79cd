/** The networks `network` commands list and resolve: berth's stored ones and the built-in host and none, and which containers use them. */
import type { Settings } from '../config/index.js';
import type { Client } from '../containerd/client.js';
import { DaemonError } from '../errors.js';
import { networksFromLabels } from '../labels.js';
import {
  builtinId,
  ensureDefaultNetwork,
  listStoredNetworks,
  type StoredNetwork,
} from './store.js';

export type NetSettings = Pick<
  Settings,
  'cniNetconfPath' | 'bridgeIp' | 'dataRoot' | 'namespace' | 'cniPath'
>;

export interface Listed {
  name: string;
  id: string;
  driver: string;
  internal: boolean;
  labels: Record<string, string>;
  created: string;
  stored?: StoredNetwork;
}

export function allNetworks(settings: NetSettings): Listed[] {
  ensureDefaultNetwork(settings);
  const stored = listStoredNetworks(settings);
  const out: Listed[] = stored.map((s) => ({
    name: s.name,
    id: s.meta.id,
    driver: s.meta.driver,
    internal: s.meta.internal,
    labels: s.meta.labels,
    created: s.meta.created,
    stored: s,
  }));
  for (const b of ['host', 'none'] as const) {
    out.push({
      name: b,
      id: builtinId(b),
      driver: b === 'none' ? 'null' : 'host',
      internal: false,
      labels: {},
      created: '',
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export interface ContainerRef {
  namespace: string;
  id: string;
  labels: Record<string, string>;
}

/** Containers of every namespace by the networks their `berth/networks` label names. */
export async function containersByNetwork(client: Client): Promise<Map<string, ContainerRef[]>> {
  const { namespaces } = await client.namespaces.list({});
  const out = new Map<string, ContainerRef[]>();
  for (const ns of namespaces) {
    // A namespace removed meanwhile (or unreadable) has no users to report.
    const containers = await client.containers
      .list({ filters: [] }, { namespace: ns.name })
      .then((r) => r.containers)
      .catch(() => []);
    for (const c of containers) {
      for (const network of networksFromLabels(c.labels)) {
        const refs = out.get(network) ?? [];
        refs.push({ namespace: ns.name, id: c.id, labels: c.labels });
        out.set(network, refs);
      }
    }
  }
  return out;
}

/** Containers (in every namespace) whose `berth/networks` label names `network`. */
export async function usersOf(client: Client, network: string): Promise<ContainerRef[]> {
  return (await containersByNetwork(client)).get(network) ?? [];
}

export function resolveNetwork(settings: NetSettings, ref: string): Listed {
  const n =
    allNetworks(settings).find((x) => x.name === ref || x.id === ref) ??
    (() => {
      const p = allNetworks(settings).filter((x) => ref && x.id.startsWith(ref));
      return p.length === 1 ? p[0] : undefined;
    })();
  if (!n) throw new DaemonError(`network ${ref} not found`);
  return n;
}
