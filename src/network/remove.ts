import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../config/index.js';
import { deleteBridge, removeBridgeRules } from './rules.js';
import { listStoredNetworks, removeNetworkFile, type StoredNetwork } from './store.js';

/**
 * Removes a network: its conflist, then its rules, bridge device and host-local leases. The
 * bridge and its rules stay while another network's conflist names the same bridge (as Docker
 * keeps a bridge another network uses).
 */
export async function removeNetworkHost(
  settings: Pick<Settings, 'dataRoot' | 'cniNetconfPath'>,
  s: StoredNetwork,
): Promise<void> {
  removeNetworkFile(s);
  const bridge = s.meta.bridge;
  if (bridge && !listStoredNetworks(settings).some((n) => n.meta.bridge === bridge)) {
    await removeBridgeRules(bridge);
    await deleteBridge(bridge);
  }
  rmSync(join(settings.dataRoot, 'network', 'ipam', s.name), { recursive: true, force: true });
  rmSync(join(settings.dataRoot, 'network', 'members', s.name), { recursive: true, force: true });
}
