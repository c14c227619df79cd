/** `network create/ls/inspect/rm/prune/connect/disconnect`: logic, no oclif. */
import { publishEvent } from '../../events/index.js';
import type { Settings } from '../../config/index.js';
import type { Client } from '../../containerd/client.js';
import { BerthError, DaemonError } from '../../errors.js';
import { networkRow, type NetworkRow } from '../../formatter/network.js';
import { findContainer, refuseCri } from '../../container/resolve.js';
import { LABEL, containerName, networksFromLabels } from '../../labels.js';
import { removeNetworkHost } from '../../network/remove.js';
import {
  BUILTIN_NETWORKS,
  DEFAULT_NETWORK,
  builtinId,
  createNetwork,
  ensureDefaultNetwork,
  listStoredNetworks,
  type StoredNetwork,
} from '../../network/store.js';
import {
  boolValue,
  isBoolValue,
  labelsMatch,
  parseFilterFlags,
  pruneUntil,
  type Filters,
} from '../../filters.js';
import { truncateId } from '../../formatter/text.js';

type NetSettings = Pick<
  Settings,
  'cniNetconfPath' | 'bridgeIp' | 'dataRoot' | 'namespace' | 'cniPath'
>;

export interface CreateOptions {
  name: string;
  driver?: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  labels?: string[];
  options?: string[];
}

function kv(list: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of list) {
    const eq = l.indexOf('=');
    if (eq < 0) out[l] = '';
    else out[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return out;
}

export async function createNetworkCmd(settings: NetSettings, o: CreateOptions): Promise<string> {
  const driver = o.driver ?? 'bridge';
  if (driver !== 'bridge') throw new BerthError(`plugin "${driver}" not found`);
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(o.name)) {
    throw new BerthError(`invalid network name ${JSON.stringify(o.name)}`);
  }
  if (BUILTIN_NETWORKS.includes(o.name as 'bridge')) {
    throw new DaemonError(`network with name ${o.name} already exists`);
  }
  try {
    const created = await createNetwork(settings, {
      name: o.name,
      subnet: o.subnet,
      gateway: o.gateway,
      ipRange: o.ipRange,
      internal: o.internal,
      labels: kv(o.labels),
      options: kv(o.options),
    });
    return created.meta.id;
  } catch (e) {
    throw new DaemonError(`${(e as Error).message}`);
  }
}

interface Listed {
  name: string;
  id: string;
  driver: string;
  internal: boolean;
  labels: Record<string, string>;
  created: string;
  stored?: StoredNetwork;
}

function allNetworks(settings: NetSettings): Listed[] {
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

/** `network ls` keys. */
function parseNetworkFilters(list: readonly string[]): Filters {
  return parseFilterFlags(list, {
    keys: ['name', 'id', 'label', 'driver', 'type', 'scope', 'dangling'],
    values: { dangling: isBoolValue },
    flag: '-f, --filter',
  });
}

function matchFilters(n: Listed, by: Filters): boolean {
  const any = (k: string, test: (v: string) => boolean): boolean =>
    !by.has(k) || by.get(k)!.some(test);
  const builtin = ['bridge', 'host', 'none'].includes(n.name);
  return (
    any('name', (v) => n.name.includes(v)) &&
    any('id', (v) => n.id.startsWith(v)) &&
    any('driver', (v) => n.driver === v) &&
    any('scope', (v) => v === 'local') &&
    any('type', (v) => (v === 'builtin' ? builtin : v === 'custom' ? !builtin : false)) &&
    labelsMatch(by, n.labels)
  );
}

export async function listNetworks(
  settings: NetSettings,
  client: () => Promise<Client>,
  filters: readonly string[] = [],
  noTrunc = false,
): Promise<NetworkRow[]> {
  const by = parseNetworkFilters(filters);
  // Docker's `dangling`: no container attached, predefined networks never (containerd is asked
  // only for this filter).
  const dangling = by.get('dangling');
  const used = dangling ? await containersByNetwork(await client()) : undefined;
  const isDangling = (n: Listed): boolean =>
    !BUILTIN_NETWORKS.includes(n.name as 'bridge') && !used?.has(n.name);
  return allNetworks(settings)
    .filter((n) => matchFilters(n, by))
    .filter((n) => !dangling || dangling.every((v) => boolValue(v) === isDangling(n)))
    .map((n) => networkRow(n, noTrunc));
}

interface ContainerRef {
  namespace: string;
  id: string;
  labels: Record<string, string>;
}

/** Containers of every namespace by the networks their `berth/networks` label names. */
async function containersByNetwork(client: Client): Promise<Map<string, ContainerRef[]>> {
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
async function usersOf(client: Client, network: string): Promise<ContainerRef[]> {
  return (await containersByNetwork(client)).get(network) ?? [];
}

function resolve(settings: NetSettings, ref: string): Listed {
  const n =
    allNetworks(settings).find((x) => x.name === ref || x.id === ref) ??
    (() => {
      const p = allNetworks(settings).filter((x) => ref && x.id.startsWith(ref));
      return p.length === 1 ? p[0] : undefined;
    })();
  if (!n) throw new DaemonError(`network ${ref} not found`);
  return n;
}

export async function inspectNetwork(
  settings: NetSettings,
  client: Client | undefined,
  ref: string,
): Promise<unknown> {
  const n = resolve(settings, ref);
  const containers: Record<string, unknown> = {};
  if (client) {
    for (const c of await usersOf(client, n.name)) {
      if (c.namespace !== settings.namespace) continue;
      containers[c.id] = {
        Name: containerName(c.labels),
        EndpointID: '',
        MacAddress: '',
        IPv4Address: '',
        IPv6Address: '',
      };
    }
  }
  const meta = n.stored?.meta;
  const config = meta
    ? [
        {
          Subnet: meta.subnet,
          Gateway: meta.gateway,
          ...(meta.ipRange ? { IPRange: meta.ipRange } : {}),
        },
      ]
    : [];
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created || '0001-01-01T00:00:00Z',
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: config },
    Internal: n.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: meta ? { 'com.docker.network.bridge.name': meta.bridge, ...meta.options } : {},
    Labels: n.labels,
  };
}

export async function removeNetwork(
  settings: NetSettings,
  client: Client,
  ref: string,
): Promise<void> {
  const n = resolve(settings, ref);
  if (BUILTIN_NETWORKS.includes(n.name as 'bridge')) {
    throw new DaemonError(`${n.name} is a pre-defined network and cannot be removed`, {
      exitCode: 1,
    });
  }
  const users = await usersOf(client, n.name);
  if (users.length > 0) {
    throw new DaemonError(
      `error while removing network: network ${n.name} id ${n.id} has active endpoints`,
    );
  }
  await removeNetworkHost(settings, n.stored!);
}

export async function pruneNetworks(
  settings: NetSettings,
  client: Client,
  filters: readonly string[] = [],
): Promise<string[]> {
  // Docker's network prune takes other keys than network ls.
  const by = parseFilterFlags(filters, { keys: ['until', 'label', 'label!'], flag: '--filter' });
  const until = pruneUntil(by);
  const used = await containersByNetwork(client);
  const removed: string[] = [];
  for (const n of allNetworks(settings)) {
    if (BUILTIN_NETWORKS.includes(n.name as 'bridge') || !n.stored) continue;
    if (!labelsMatch(by, n.labels)) continue;
    if (until !== undefined && n.created && Date.parse(n.created) > until) continue;
    if (used.has(n.name)) continue;
    await removeNetworkHost(settings, n.stored);
    removed.push(n.name);
  }
  return removed;
}

/**
 * `network connect` / `disconnect`, running or stopped (Docker allows both): the container's
 * persistent netns gets (or loses) the network's interface at once (CNI ADD/DEL), its /etc/hosts
 * (rewritten in place, as it is bind-mounted) and the network's members follow, and the
 * `berth/networks` and network-settings labels say so.
 */
export async function connectNetwork(
  settings: NetSettings,
  client: Client,
  ref: string,
  container: string,
  connect: boolean,
): Promise<void> {
  const n = resolve(settings, ref);
  const c = await findContainer(client, container);
  // A pod's network is CRI's and its CNI's (a host-network pod's is the node's own).
  refuseCri(
    c,
    container,
    connect ? 'connect' : 'disconnect',
    'the pod network belongs to CRI and its CNI plugins, so --kube-force does not apply',
  );
  const net = await import('../../network/index.js');
  const stateful = net.hasNetworkState(settings.dataRoot, settings.namespace, c.id);
  let nets = networksFromLabels(c.labels);
  if (nets.length === 0) nets = [DEFAULT_NETWORK];
  // A bridge-mode container disconnected from its last network reads `none` but keeps its
  // namespace: it can be connected again (connectContainerNetwork checks the real mode).
  if (connect && stateful) nets = nets.filter((x) => x !== 'none');
  const special = (x: string): boolean =>
    x === 'host' || x === 'none' || x.startsWith('container:');
  if (connect) {
    if (nets.includes(n.name)) {
      throw new DaemonError(
        `endpoint with name ${containerName(c.labels) || c.id} already exists in network ${n.name}`,
      );
    }
    if (nets.some(special) || special(n.name)) {
      throw new DaemonError(
        'container sharing network namespace with another container or host cannot be connected to any other network',
      );
    }
    nets = [...nets, n.name];
  } else {
    if (!nets.includes(n.name)) {
      throw new DaemonError(`container ${c.id} is not connected to network ${n.name}`);
    }
    nets = nets.filter((x) => x !== n.name);
    if (nets.length === 0) nets = ['none'];
  }
  const labels: Record<string, string> = { [LABEL.networks]: JSON.stringify(nets) };
  if (stateful) {
    const ns = JSON.parse(c.labels[LABEL.networkSettings] ?? '{}') as {
      Networks?: Record<string, unknown>;
    };
    ns.Networks ??= {};
    const where = { settings, namespace: settings.namespace, containerId: c.id };
    try {
      if (connect) {
        const stored =
          n.stored ?? (n.name === DEFAULT_NETWORK ? net.ensureDefaultNetwork(settings) : undefined);
        if (!stored) throw new Error(`network ${n.name} cannot be connected to`);
        ns.Networks[n.name] = await net.connectContainerNetwork({
          ...where,
          network: stored,
          aliases: [containerName(c.labels), truncateId(c.id)].filter(Boolean),
        });
      } else {
        await net.disconnectContainerNetwork({ ...where, network: n.name });
        delete ns.Networks[n.name];
      }
    } catch (err) {
      throw new DaemonError(`${(err as Error).message}`);
    }
    labels[LABEL.networkSettings] = JSON.stringify(ns);
  }
  await client.containers.update(
    {
      container: { id: c.id, labels: { ...c.labels, ...labels } },
      update_mask: { paths: Object.keys(labels).map((k) => `labels.${k}`) },
    },
    { namespace: settings.namespace },
  );
  await publishEvent(client, 'network', connect ? 'connect' : 'disconnect', n.id, {
    container: c.id,
    name: n.name,
    type: n.driver,
  });
}
