import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../config/index.js';
import { deleteBridge, removeBridgeRules } from './rules.js';
import { removeNetworkFile, type StoredNetwork } from './store.js';

/** Removes a network: its conflist, then its rules, bridge device and host-local leases. */
export async function removeNetworkHost(
  settings: Pick<Settings, 'dataRoot'>,
  s: StoredNetwork,
): Promise<void> {
  removeNetworkFile(s);
  if (s.meta.bridge) {
    await removeBridgeRules(s.meta.bridge);
    await deleteBridge(s.meta.bridge);
  }
  rmSync(join(settings.dataRoot, 'network', 'ipam', s.name), { recursive: true, force: true });
  rmSync(join(settings.dataRoot, 'network', 'members', s.name), { recursive: true, force: true });
}
