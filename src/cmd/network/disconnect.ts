/** `network disconnect`. */
import type { Client } from '../../containerd/client.js';
import { connectContainer } from '../../container/network-connect.js';
import type { NetSettings } from '../../network/listed.js';

export function runDisconnect(
  settings: NetSettings,
  client: Client,
  network: string,
  container: string,
): Promise<void> {
  return connectContainer(settings, client, network, container, false);
}
