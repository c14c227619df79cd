/**
 * The container's /etc/hosts, /etc/resolv.conf and /etc/hostname, written under its state dir,
 * and the per-network member registry that keeps every member's hosts file listing the others
 * by name.
 *
 * Name resolution between containers uses hosts files, not a resolver: nothing has to keep
 * running (berth is daemonless), and it works with any image's libc. Files are rewritten in
 * place (write at offset 0, then truncate), not by rename: they are bind-mounted as single files,
 * so a rename would leave the container looking at the old inode.
 */
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

export interface ExtraHost {
  host: string;
  ip: string;
}

const HOSTS_HEADER = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

export interface HostsInput {
  extraHosts: readonly ExtraHost[];
  /** The container's own addresses (one per network) and names. */
  self: { ip: string; names: string[] }[];
  /** Other containers on the same user networks. */
  peers: { ip: string; names: string[] }[];
  /** For --network host: the host's /etc/hosts instead of the default header. */
  base?: string;
}

export function renderHosts(i: HostsInput): string {
  const lines = i.base !== undefined ? i.base.replace(/\n+$/, '').split('\n') : [...HOSTS_HEADER];
  for (const h of i.extraHosts) lines.push(`${h.ip}\t${h.host}`);
  for (const s of i.self) lines.push(`${s.ip}\t${[...new Set(s.names)].join(' ')}`);
  for (const p of i.peers) lines.push(`${p.ip}\t${[...new Set(p.names)].join(' ')}`);
  return `${lines.join('\n')}\n`;
}

export interface ResolvInput {
  hostResolv: string;
  dns: readonly string[];
  dnsSearch: readonly string[];
  dnsOptions: readonly string[];
  /** Keep loopback nameservers (host network). */
  keepLoopback?: boolean;
}

/**
 * Docker's resolv.conf: the host's, minus loopback nameservers (unreachable from the container's
 * netns), with --dns/--dns-search/--dns-option replacing the matching lines. If no nameserver is
 * left berth writes none (Docker falls back to 8.8.8.8/8.8.4.4; berth does not invent a
 * resolver the host never configured).
 */
export function renderResolvConf(i: ResolvInput): string {
  const lines = i.hostResolv.split('\n');
  const keep: string[] = [];
  let ns: string[] = [];
  let search: string[] = [];
  let options: string[] = [];
  for (const raw of lines) {
    const l = raw.trim();
    const [key, ...rest] = l.split(/\s+/);
    if (key === 'nameserver' && rest[0]) {
      const ip = rest[0];
      if (!i.keepLoopback && (ip.startsWith('127.') || ip === '::1')) continue;
      ns.push(ip);
    } else if (key === 'search' || key === 'domain') {
      search = rest;
    } else if (key === 'options') {
      options.push(...rest);
    } else if (l.startsWith('#') || l === '') {
      continue;
    } else {
      keep.push(l);
    }
  }
  if (i.dns.length) ns = [...i.dns];
  if (i.dnsSearch.length) search = i.dnsSearch.filter((s) => s !== '.');
  if (i.dnsOptions.length) options = [...i.dnsOptions];
  const out: string[] = [];
  if (search.length) out.push(`search ${search.join(' ')}`);
  for (const n of ns) out.push(`nameserver ${n}`);
  if (options.length) out.push(`options ${options.join(' ')}`);
  out.push(...keep);
  return `${out.join('\n')}\n`;
}

/** Writes a new file atomically (rename), for the first write before anything mounts it. */
export function writeNew(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode: 0o644 });
  renameSync(tmp, path);
}

/** Rewrites a possibly bind-mounted file in place, never leaving it empty. */
export function rewriteInPlace(path: string, content: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch {
    return;
  }
  try {
    const buf = Buffer.from(content);
    writeSync(fd, buf, 0, buf.length, 0);
    ftruncateSync(fd, buf.length);
  } finally {
    closeSync(fd);
  }
}

export function hostGatewayFallback(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '';
}

// ---------------------------------------------------------------------------------------------
// members of user networks

export interface Member {
  /** `<ns>-<id>` */
  key: string;
  ip: string;
  names: string[];
  hostsPath: string;
  /** Inputs to re-render the member's own file. */
  extraHosts: ExtraHost[];
  self: { ip: string; names: string[] }[];
  networks: string[];
}

function membersDir(dataRoot: string, network: string): string {
  return join(dataRoot, 'network', 'members', network);
}

export function addMember(dataRoot: string, network: string, m: Member): void {
  const dir = membersDir(dataRoot, network);
  mkdirSync(dir, { recursive: true });
  writeNew(join(dir, `${m.key}.json`), JSON.stringify(m));
}

export function removeMember(dataRoot: string, network: string, key: string): void {
  rmSync(join(membersDir(dataRoot, network), `${key}.json`), { force: true });
}

export function listMembers(dataRoot: string, network: string): Member[] {
  const dir = membersDir(dataRoot, network);
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const out: Member[] = [];
  for (const e of entries) {
    if (!e.endsWith('.json')) continue;
    try {
      out.push(JSON.parse(readFileSync(join(dir, e), 'utf8')) as Member);
    } catch {
      /* being written */
    }
  }
  return out;
}

/** The peers `key` sees on its user networks (excluding itself). */
export function peersOf(
  dataRoot: string,
  networks: readonly string[],
  key: string,
): { ip: string; names: string[] }[] {
  const out: { ip: string; names: string[] }[] = [];
  for (const n of networks) {
    for (const m of listMembers(dataRoot, n))
      if (m.key !== key) out.push({ ip: m.ip, names: m.names });
  }
  return out;
}

/** Re-renders every member's hosts file on `networks` (after a join or a leave). */
export function refreshMembers(
  dataRoot: string,
  networks: readonly string[],
  skipKey?: string,
): void {
  const seen = new Set<string>();
  for (const n of networks) {
    for (const m of listMembers(dataRoot, n)) {
      if (seen.has(m.key) || m.key === skipKey) continue;
      seen.add(m.key);
      const content = renderHosts({
        extraHosts: m.extraHosts,
        self: m.self,
        peers: peersOf(dataRoot, m.networks, m.key),
      });
      rewriteInPlace(m.hostsPath, content);
    }
  }
}
