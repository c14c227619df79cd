/** `port`: Docker's `80/tcp -> 0.0.0.0:8080` lines from the `berth/ports` label. */
import { BerthError } from '../../errors.js';
import { containerName } from '../../labels.js';
import { portsOf } from '../../container/labels.js';
import type { Container } from '../../container/resolve.js';
import type { ContainerState } from '../../container/state.js';

function hostPort(ip: string, port: string): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** The lines `port` prints; `privatePort` is `80`, `80/tcp` or `80/udp`. */
export function portLines(
  container: Container,
  state: ContainerState,
  privatePort?: string,
): string[] {
  // Ports are published only while the container runs, as in Docker.
  const bindings = state.Running ? portsOf(container.labels) : [];
  const entries = bindings.map((b) => {
    const [cp, cproto] = String(b.ContainerPort ?? '').split('/');
    const proto = (b.Protocol || cproto || 'tcp').toLowerCase();
    return {
      key: `${Number.parseInt(cp, 10)}/${proto}`,
      host: hostPort(b.HostIp || '0.0.0.0', String(b.HostPort ?? '')),
    };
  });
  if (privatePort !== undefined) {
    const [p, proto = 'tcp'] = privatePort.split('/');
    if (!/^\d+$/.test(p))
      throw new BerthError(
        `Error: invalid port (${p}): strconv.ParseUint: parsing "${p}": invalid syntax`,
      );
    const key = `${Number(p)}/${proto.toLowerCase()}`;
    const hits = entries.filter((e) => e.key === key).map((e) => e.host);
    if (hits.length === 0) {
      throw new BerthError(
        `Error: No public port '${key}' published for ${containerName(container.labels) || container.id}`,
      );
    }
    return hits;
  }
  return entries.map((e) => `${e.key} -> ${e.host}`).sort();
}
