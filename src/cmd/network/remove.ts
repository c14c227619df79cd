/** `network rm`. */
import { resolveNetwork, usersOf, type NetSettings } from '../../network/listed.js';
import type { Client } from '../../containerd/client.js';
import { DaemonError } from '../../errors.js';
import { removeNetworkHost } from '../../network/remove.js';
import { BUILTIN_NETWORKS } from '../../network/store.js';

export async function runRemove(settings: NetSettings, client: Client, ref: string): Promise<void> {
  const n = resolveNetwork(settings, ref);
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
