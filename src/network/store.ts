/**
 * Networks as berth stores them: one CNI conflist per network, `<cniNetconfPath>/berth-<name>.conflist`,
 * with berth's metadata (ID, creation time, labels, options) in extra top-level fields of the
 * conflist itself, which CNI plugins never see (berth builds each plugin's stdin itself).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../config/index.js';
import type { CniConfList, CniPluginConf } from './cni.js';
import {
  cidrContains,
  formatCidr,
  parseCidr,
  parseProcRoutes,
  type Cidr,
  ipToInt,
  intToIp,
} from './ip.js';
import { writeNew } from './files.js';
import { SUBNETS_LOCK, withHostLock } from './lock.js';
import { truncateId } from '../formatter/text.js';

export const DEFAULT_NETWORK = 'bridge';
export const DEFAULT_BRIDGE = 'berth0';
export const DEFAULT_SUBNET = '10.4.0.0/24';
/** Pseudo networks Docker always lists; they have no conflist. */
export const BUILTIN_NETWORKS = ['bridge', 'host', 'none'] as const;

export interface NetworkMeta {
  id: string;
  created: string;
  labels: Record<string, string>;
  internal: boolean;
  subnet: string;
  gateway: string;
  ipRange?: string;
  bridge: string;
  driver: string;
  options: Record<string, string>;
}

export interface StoredNetwork {
  name: string;
  file: string;
  conflist: CniConfList;
  meta: NetworkMeta;
}

/** Fixed, stable IDs for the pseudo networks (Docker's are random per daemon). */
export function builtinId(name: string): string {
  return createHash('sha256').update(`berth-network-${name}`).digest('hex');
}

export function conflistPath(settings: Pick<Settings, 'cniNetconfPath'>, name: string): string {
  return join(settings.cniNetconfPath, `berth-${name}.conflist`);
}

/** The default network's subnet and gateway from `bridge_ip` (a subnet, or a gateway/prefix). */
export function defaultSubnet(settings: Pick<Settings, 'bridgeIp'>): {
  subnet: Cidr;
  gateway: string;
} {
  const raw = settings.bridgeIp || DEFAULT_SUBNET;
  const c = parseCidr(raw.includes('/') ? raw : `${raw}/24`);
  if (!c) throw new Error(`invalid bridge_ip ${JSON.stringify(raw)}`);
  const hostBits = ipToInt(c.ip) - c.network;
  const gateway = hostBits !== 0 ? c.ip : intToIp(c.network + 1);
  return { subnet: c, gateway };
}

export interface BuildOptions {
  name: string;
  id: string;
  bridge: string;
  subnet: string;
  gateway: string;
  ipRange?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  created?: string;
}

/**
 * The conflist for a bridge network: bridge + host-local, and portmap. Masquerading and
 * forwarding are the network's own iptables rules (rules.ts), so neither `ipMasq` nor the
 * `firewall` plugin adds rules per container.
 */
export function buildConflist(o: BuildOptions): CniConfList {
  const range: Record<string, string> = { subnet: o.subnet, gateway: o.gateway };
  if (o.ipRange) {
    const r = parseCidr(o.ipRange);
    if (r) {
      range.rangeStart = intToIp(Math.max(r.network + 1, r.network));
      range.rangeEnd = intToIp(r.broadcast - (r.prefix >= 31 ? 0 : 1));
    }
  }
  const ipam: Record<string, unknown> = { type: 'host-local', ranges: [[range]] };
  if (!o.internal) ipam.routes = [{ dst: '0.0.0.0/0' }];
  const bridge: CniPluginConf = {
    type: 'bridge',
    bridge: o.bridge,
    isGateway: true,
    ipMasq: false,
    hairpinMode: true,
    capabilities: { ips: true, mac: true },
    ipam,
  };
  const plugins: CniPluginConf[] = [bridge];
  if (!o.internal)
    plugins.push({ type: 'portmap', snat: true, capabilities: { portMappings: true } });
  return {
    cniVersion: '1.0.0',
    name: o.name,
    berth: {
      id: o.id,
      created: o.created ?? new Date().toISOString(),
      labels: o.labels ?? {},
      internal: Boolean(o.internal),
      subnet: o.subnet,
      gateway: o.gateway,
      ipRange: o.ipRange,
      bridge: o.bridge,
      driver: 'bridge',
      options: o.options ?? {},
    } satisfies NetworkMeta,
    plugins,
  };
}

function metaOf(conflist: CniConfList): NetworkMeta | undefined {
  const m = conflist.berth as NetworkMeta | undefined;
  return m && typeof m.id === 'string' ? m : undefined;
}

/** Writes (or rewrites, if bridge_ip changed) the default network's conflist. */
export function ensureDefaultNetwork(
  settings: Pick<Settings, 'cniNetconfPath' | 'bridgeIp'>,
): StoredNetwork {
  const { subnet, gateway } = defaultSubnet(settings);
  const file = conflistPath(settings, DEFAULT_NETWORK);
  const existing = readNetworkFile(file);
  const subnetText = formatCidr(subnet);
  if (existing && existing.meta.subnet === subnetText && existing.meta.gateway === gateway)
    return existing;
  mkdirSync(settings.cniNetconfPath, { recursive: true });
  const conflist = buildConflist({
    name: DEFAULT_NETWORK,
    id: builtinId(DEFAULT_NETWORK),
    bridge: DEFAULT_BRIDGE,
    subnet: subnetText,
    gateway,
    created: existing?.meta.created,
  });
  writeNew(file, `${JSON.stringify(conflist, null, 2)}\n`);
  return { name: DEFAULT_NETWORK, file, conflist, meta: metaOf(conflist)! };
}

function readNetworkFile(file: string): StoredNetwork | undefined {
  let conflist: CniConfList;
  try {
    conflist = JSON.parse(readFileSync(file, 'utf8')) as CniConfList;
  } catch {
    return undefined;
  }
  const meta = metaOf(conflist);
  if (!meta || typeof conflist.name !== 'string') return undefined;
  return { name: conflist.name, file, conflist, meta };
}

/** All berth networks with a conflist (the default one included once it was written). */
export function listStoredNetworks(settings: Pick<Settings, 'cniNetconfPath'>): StoredNetwork[] {
  let entries: string[];
  try {
    entries = readdirSync(settings.cniNetconfPath);
  } catch {
    return [];
  }
  const out: StoredNetwork[] = [];
  for (const e of entries.sort()) {
    if (!e.startsWith('berth-') || !e.endsWith('.conflist')) continue;
    const n = readNetworkFile(join(settings.cniNetconfPath, e));
    if (n) out.push(n);
  }
  return out;
}

/** Docker's lookup: exact name, exact ID, then a unique ID prefix. */
export function findNetwork(
  settings: Pick<Settings, 'cniNetconfPath' | 'bridgeIp'>,
  ref: string,
): StoredNetwork | undefined {
  const all = listStoredNetworks(settings);
  const byName = all.find((n) => n.name === ref);
  if (byName) return byName;
  if (ref === DEFAULT_NETWORK) return ensureDefaultNetwork(settings);
  const byId = all.find((n) => n.meta.id === ref);
  if (byId) return byId;
  const prefixed = all.filter((n) => ref.length > 0 && n.meta.id.startsWith(ref));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

export interface CreateNetworkOptions {
  name: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
}

/** The host's IPv4 routes (none when /proc/net/route cannot be read). */
function hostRoutes(): Cidr[] {
  try {
    return parseProcRoutes(readFileSync('/proc/net/route', 'utf8'));
  } catch {
    return [];
  }
}

/**
 * Picks the first free /24 after the default network's subnet. Free means neither one of this
 * store's networks nor on a host route, as libnetwork checks routes before using a pool: another
 * network configuration directory (another berth, CNI or Docker) may already have a bridge on a
 * subnet this store has never seen, and a second bridge on the same subnet makes the host route
 * to that subnet ambiguous, so published ports DNAT'd to the new network would go out the other
 * bridge and never arrive.
 */
export function allocateSubnet(
  settings: Pick<Settings, 'cniNetconfPath' | 'bridgeIp'>,
  routes: readonly Cidr[] = hostRoutes(),
): Cidr {
  const used = listStoredNetworks(settings)
    .map((n) => parseCidr(n.meta.subnet))
    .filter((c): c is Cidr => Boolean(c));
  used.push(defaultSubnet(settings).subnet, ...routes);
  const base = defaultSubnet(settings).subnet;
  for (let i = 1; i < 256; i++) {
    const net = ((base.network >>> 0) + i * 256) >>> 0;
    const cand = parseCidr(`${intToIp(net)}/24`)!;
    if (!used.some((u) => cidrContains(u, cand.network) || cidrContains(cand, u.network)))
      return cand;
  }
  throw new Error(
    'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
  );
}

/**
 * Writes a new network's conflist. The name check, the subnet choice and the write happen under
 * one host-wide lock: two berths creating networks at once would otherwise both see the same
 * subnet free (or both see the name unused) before either wrote its file.
 */
export function createNetwork(
  settings: Pick<Settings, 'cniNetconfPath' | 'bridgeIp'>,
  o: CreateNetworkOptions,
): Promise<StoredNetwork> {
  return withHostLock(SUBNETS_LOCK, () => writeNewNetwork(settings, o));
}

function writeNewNetwork(
  settings: Pick<Settings, 'cniNetconfPath' | 'bridgeIp'>,
  o: CreateNetworkOptions,
): StoredNetwork {
  const file = conflistPath(settings, o.name);
  if (existsSync(file) || BUILTIN_NETWORKS.includes(o.name as (typeof BUILTIN_NETWORKS)[number])) {
    throw new Error(`network with name ${o.name} already exists`);
  }
  let subnet: Cidr;
  if (o.subnet) {
    const c = parseCidr(o.subnet);
    if (!c) throw new Error(`invalid subnet ${o.subnet}`);
    subnet = c;
  } else {
    if (o.gateway || o.ipRange)
      throw new Error('cannot set a gateway or an IP range without a subnet');
    subnet = allocateSubnet(settings);
  }
  for (const n of listStoredNetworks(settings)) {
    const u = parseCidr(n.meta.subnet);
    if (u && (cidrContains(u, subnet.network) || cidrContains(subnet, u.network))) {
      throw new Error(`Pool overlaps with other one on this address space`);
    }
  }
  const gateway = o.gateway ?? intToIp(subnet.network + 1);
  if (!cidrContains(subnet, ipToInt(gateway))) {
    throw new Error(`no matching subnet for gateway ${gateway}`);
  }
  if (o.ipRange) {
    const r = parseCidr(o.ipRange);
    if (!r || !cidrContains(subnet, r.network) || !cidrContains(subnet, r.broadcast)) {
      throw new Error(`no matching subnet for range ${o.ipRange}`);
    }
  }
  const id = randomBytes(32).toString('hex');
  const conflist = buildConflist({
    name: o.name,
    id,
    bridge: `br-${truncateId(id)}`,
    subnet: formatCidr(subnet),
    gateway,
    ipRange: o.ipRange,
    internal: o.internal,
    labels: o.labels,
    options: o.options,
  });
  mkdirSync(settings.cniNetconfPath, { recursive: true });
  writeFileSync(file, `${JSON.stringify(conflist, null, 2)}\n`, { flag: 'wx', mode: 0o644 });
  return { name: o.name, file, conflist, meta: metaOf(conflist)! };
}

export function removeNetworkFile(net: StoredNetwork): void {
  rmSync(net.file, { force: true });
}
