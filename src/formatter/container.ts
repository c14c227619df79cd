/**
 * Container fields as docker/cli's formatter prints them (ps, compose ps): published ports,
 * commands, truncation.
 */
/** A published port as the container's label records it. */
interface PortBinding {
  HostIp?: string;
  HostPort?: string | number;
  ContainerPort?: string | number;
  Protocol?: string;
}

interface DisplayPort {
  IP: string;
  PrivatePort: number;
  PublicPort: number;
  Type: string;
}

function toDisplayPort(p: PortBinding): DisplayPort {
  const cp = String(p.ContainerPort ?? '');
  const [port, proto] = cp.split('/');
  return {
    IP: p.HostIp || '0.0.0.0',
    PrivatePort: Number.parseInt(port, 10) || 0,
    PublicPort: Number.parseInt(String(p.HostPort ?? '0'), 10) || 0,
    Type: (p.Protocol || proto || 'tcp').toLowerCase(),
  };
}

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** docker/cli's DisplayablePorts: `0.0.0.0:8080->80/tcp`, identical host/container ranges collapsed. */
export function displayablePorts(bindings: readonly PortBinding[]): string {
  const ports = bindings
    .map(toDisplayPort)
    .sort(
      (a, b) =>
        a.PrivatePort - b.PrivatePort ||
        (a.IP < b.IP ? -1 : a.IP > b.IP ? 1 : 0) ||
        a.PublicPort - b.PublicPort ||
        (a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0),
    );
  const groups = new Map<string, { first: number; last: number }>();
  const keys: string[] = [];
  const result: string[] = [];
  const hostMappings: string[] = [];
  const formGroup = (key: string, first: number, last: number): string => {
    const parts = key.split('/');
    let type = parts[0];
    let ip = '';
    if (parts.length > 1) {
      ip = parts.slice(0, -1).join('/');
      type = parts[parts.length - 1];
    }
    let group = String(first);
    if (first !== last) group = `${group}-${last}`;
    if (ip) group = `${ip.includes(':') ? `[${ip}]` : ip}:${group}->${group}`;
    return `${group}/${type}`;
  };
  for (const p of ports) {
    let key = p.Type;
    if (p.IP) {
      if (p.PublicPort !== p.PrivatePort) {
        hostMappings.push(`${joinHostPort(p.IP, p.PublicPort)}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
      keys.push(key);
      continue;
    }
    if (p.PrivatePort === g.last + 1) {
      g.last = p.PrivatePort;
      continue;
    }
    result.push(formGroup(key, g.first, g.last));
    groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
  }
  for (const key of keys) {
    const g = groups.get(key);
    if (g) result.push(formGroup(key, g.first, g.last));
  }
  return [...result, ...hostMappings].join(', ');
}

/** Go's strconv.Quote for the COMMAND column. */
export function goQuoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** moby's list Command: the path, then the args, each quoted in '' when it holds a space. */
export function commandText(args: readonly string[]): string {
  if (args.length === 0) return '';
  const rest = args.slice(1).map((a) => (a.includes(' ') ? `'${a}'` : a));
  return rest.length > 0 ? `${args[0]} ${rest.join(' ')}` : args[0];
}
