/**
 * Container fields as docker/cli's formatter prints them (ps, compose ps): published ports,
 * commands, truncation.
 */
import { goUnixTimeString } from './gofmt.js';
import { ellipsis, truncateId } from './text.js';
import { formatAge, humanSizeWithPrecision } from './units.js';

/** A published port as the container's label records it. */
export interface PortBinding {
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

/**
 * What the verb hands the formatter for one container, docker/cli's types.Container: the verb
 * may give getters, so a field costs only when a template shows it.
 */
export interface ContainerSummary {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  /** The process's path, then its arguments. */
  readonly command: readonly string[];
  readonly created: Date;
  /** Published ports (none unless the container runs). */
  readonly ports: readonly PortBinding[];
  readonly state: string;
  readonly status: string;
  /** The user's labels (berth's own left out), for `.Labels`. */
  readonly labels: Readonly<Record<string, string>>;
  /** `{{.Label "k"}}`, which sees every label. */
  label(name: string): string;
  readonly mounts: readonly { Name?: string; Source?: string; Type?: string }[];
  readonly networks: readonly string[];
  readonly platform: string;
  readonly sizes?: { rw: number; rootFs: number };
}

/** One `ps` row: docker/cli's ContainerContext (fields are getters, computed only when used). */
export class ContainerRow {
  constructor(
    readonly container: ContainerSummary,
    private readonly trunc: boolean,
    private readonly now: number,
  ) {}

  get ID(): string {
    return truncateId(this.container.id, !this.trunc);
  }

  get Names(): string {
    return this.container.name;
  }

  get Image(): string {
    return this.container.image;
  }

  get Command(): string {
    const cmd = commandText(this.container.command);
    return goQuoteString(this.trunc ? ellipsis(cmd, 20) : cmd);
  }

  get CreatedAt(): string {
    return goUnixTimeString(this.container.created);
  }

  get RunningFor(): string {
    return formatAge(this.container.created, this.now);
  }

  get Ports(): string {
    return displayablePorts(this.container.ports);
  }

  get State(): string {
    return this.container.state;
  }

  get Status(): string {
    return this.container.status;
  }

  get Size(): string {
    const rw = this.container.sizes?.rw ?? 0;
    const root = this.container.sizes?.rootFs ?? 0;
    const srw = humanSizeWithPrecision(rw, 3);
    return root > 0 ? `${srw} (virtual ${humanSizeWithPrecision(root, 3)})` : srw;
  }

  get Labels(): string {
    return Object.entries(this.container.labels)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  }

  Label(name: unknown): string {
    return this.container.label(String(name));
  }

  get Mounts(): string {
    return this.container.mounts
      .map((m) => {
        const name = m.Name || m.Source || '';
        return this.trunc ? ellipsis(name, 15) : name;
      })
      .join(',');
  }

  get LocalVolumes(): string {
    return String(this.container.mounts.filter((m) => m.Type === 'volume').length);
  }

  get Networks(): string {
    return this.container.networks.join(',');
  }

  get Platform(): string {
    return this.container.platform;
  }

  /** `--format json`: every field, as docker/cli marshals the context. */
  toJSON(): Record<string, string> {
    return {
      Command: this.Command,
      CreatedAt: this.CreatedAt,
      ID: this.ID,
      Image: this.Image,
      Labels: this.Labels,
      LocalVolumes: this.LocalVolumes,
      Mounts: this.Mounts,
      Names: this.Names,
      Networks: this.Networks,
      Ports: this.Ports,
      RunningFor: this.RunningFor,
      Size: this.Size,
      State: this.State,
      Status: this.Status,
    };
  }
}

export const PS_HEADERS: Readonly<Record<string, string>> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Label: 'LABEL',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Platform: 'PLATFORM',
};

export const PS_DEFAULT_FORMAT =
  'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
export const PS_SIZE_FORMAT = `${PS_DEFAULT_FORMAT}\t{{.Size}}`;
