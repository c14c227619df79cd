/** `network ls`. */
import {
  allNetworks,
  containersByNetwork,
  type Listed,
  type NetSettings,
} from '../../network/listed.js';
import type { Client } from '../../containerd/client.js';
import { networkRow, type NetworkRow } from '../../formatter/network.js';
import { BUILTIN_NETWORKS } from '../../network/store.js';
import {
  boolValue,
  isBoolValue,
  labelsMatch,
  parseFilterFlags,
  type Filters,
} from '../../filters.js';

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

export async function runList(
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
