/** `network create`. */
import { type NetSettings } from '../../network/listed.js';
import { parseKeyValues } from '../../opts/key-value.js';
import { BerthError, DaemonError } from '../../errors.js';
import { BUILTIN_NETWORKS, createNetwork } from '../../network/store.js';

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

export async function runCreate(settings: NetSettings, o: CreateOptions): Promise<string> {
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
      labels: parseKeyValues(o.labels),
      options: parseKeyValues(o.options),
    });
    return created.meta.id;
  } catch (e) {
    throw new DaemonError(`${(e as Error).message}`);
  }
}
