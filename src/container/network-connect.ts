/** `network connect` and `disconnect` of a container (the container library's side of them). */
import { resolveNetwork, type NetSettings } from '../network/listed.js';
import { publishEvent } from '../events/index.js';
import type { Client } from '../containerd/client.js';
import { DaemonError } from '../errors.js';
import { findContainer, refuseCri } from './resolve.js';
import { LABEL, containerName, networksFromLabels } from '../labels.js';
import { DEFAULT_NETWORK } from '../network/store.js';
import { truncateId } from '../formatter/text.js';

/**
 * `network connect` / `disconnect`, running or stopped (Docker allows both): the container's
 * persistent netns gets (or loses) the network's interface at once (CNI ADD/DEL), its /etc/hosts
 * (rewritten in place, as it is bind-mounted) and the network's members follow, and the
 * `berth/networks` and network-settings labels say so.
 */
export async function connectContainer(
  settings: NetSettings,
  client: Client,
  ref: string,
  container: string,
  connect: boolean,
): Promise<void> {
  const n = resolveNetwork(settings, ref);
  const c = await findContainer(client, container);
  // A pod's network is CRI's and its CNI's (a host-network pod's is the node's own).
  refuseCri(
    c,
    container,
    connect ? 'connect' : 'disconnect',
    'the pod network belongs to CRI and its CNI plugins, so --kube-force does not apply',
  );
  const net = await import('../network/index.js');
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
