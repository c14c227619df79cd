/** `network prune`. */
import { allNetworks, containersByNetwork, type NetSettings } from '../../network/listed.js';
import type { Client } from '../../containerd/client.js';
import { removeNetworkHost } from '../../network/remove.js';
import { BUILTIN_NETWORKS } from '../../network/store.js';
import { labelsMatch, parseFilterFlags, pruneUntil } from '../../filters.js';

export async function runPrune(
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
