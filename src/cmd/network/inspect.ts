/** `network inspect`. */
import { resolveNetwork, usersOf, type NetSettings } from '../../network/listed.js';
import type { Client } from '../../containerd/client.js';
import { containerName } from '../../labels.js';

export async function runInspect(
  settings: NetSettings,
  client: Client | undefined,
  ref: string,
): Promise<unknown> {
  const n = resolveNetwork(settings, ref);
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
