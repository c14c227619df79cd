/**
 * setupContainerNetwork / teardownContainerNetwork: everything a container's networking needs,
 * with no process left running. Bridge-mode containers hold their netns, addresses and published
 * ports only while they run (attachContainerNetwork at start, detachContainerNetwork at stop or
 * exit, as Docker allocates at start and releases at stop); the rest is set up at create.
 *
 * On-disk state, all under `<dataRoot>/network/`:
 * - `containers/<ns>-<id>/state.json`: what setup did (written first, so teardown can undo a
 *   half-done setup after a crash);
 * - `containers/<ns>-<id>/cni/<network>.json`: the conflist used, the runtime args and the CNI
 *   ADD result (written before ADD, completed after), for DEL;
 * - `ports/`: host port reservations; `members/<network>/`: who is on each user network.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';

import type { Settings } from '../config/index.js';
import { LABEL } from '../labels.js';
import {
  withHostNamespace,
  withHostnameFile,
  withHostsFile,
  withNamespacePath,
  withResolvConf,
  withSysctl,
  type SpecOpt,
} from '../oci/opts.js';
import {
  addNetworkList,
  CniError,
  delNetworkList,
  execPlugin,
  pluginStdin,
  type CniConfList,
  type CniResult,
  type CniRuntime,
} from './cni.js';
import {
  addMember,
  hostGatewayFallback,
  peersOf,
  refreshMembers,
  removeMember,
  renderHosts,
  renderResolvConf,
  rewriteInPlace,
  writeNew,
  type ExtraHost,
} from './files.js';
import { createNetns, netnsPath, removeNetns } from './netns.js';
import { ensureBridgeRules } from './rules.js';
import { processAlive } from '../process.js';
import {
  allocatePorts,
  dockerPorts,
  portInUseMessage,
  portIsFree,
  PortInUseError,
  portRegistry,
  type PortBinding,
  type PortMapping,
} from './ports.js';
import { DEFAULT_NETWORK, findNetwork, type StoredNetwork } from './store.js';
import { truncateId } from '../formatter/text.js';

/** Label with the netns bind-mount path, for teardown and `--network container:<this>`. */
export const NETNS_LABEL = 'berth/netns';

export type NetworkMode = 'bridge' | 'host' | 'none' | 'container';

export interface SetupOptions {
  settings: Pick<
    Settings,
    'cniPath' | 'cniNetconfPath' | 'dataRoot' | 'bridgeIp' | 'hostGatewayIp'
  >;
  namespace: string;
  containerId: string;
  /** `bridge`, `host`, `none`, `container:<id>` or user network names/IDs; [] means `bridge`. */
  networks: string[];
  ports?: PortMapping[];
  hostname: string;
  /** The container name; peers on user networks resolve it (and the hostname). */
  name?: string;
  /** Extra names on user networks (`--network-alias`). */
  aliases?: string[];
  /** Names on one network only, by network name (compose's per-network `aliases`). */
  networkAliases?: Record<string, string[]>;
  extraHosts?: ExtraHost[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** Static IPv4 on the (single) user network. */
  ip?: string;
  mac?: string;
  /** The container's state dir; hosts, resolv.conf and hostname are written here. */
  stateDir: string;
  /** Mount the network files read-only (for --read-only); default: follows spec.root.readonly. */
  readonlyFiles?: boolean;
  /**
   * The pid of a running container's task, for `container:<id>` when the target is a `none`
   * container: runc made its namespace, which only exists under /proc while the task runs.
   */
  taskPid?: (containerId: string) => Promise<number | undefined>;
  /**
   * Bridge mode: also attach now (the netns, addresses, ports), for a container about to start
   * (`run`). Without it nothing is held until attachContainerNetwork at start.
   */
  attach?: boolean;
}

export interface EndpointSettings {
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  MacAddress: string;
  Aliases: string[] | null;
}

export interface NetworkSettings {
  SandboxKey: string;
  Ports: Record<string, { HostIp: string; HostPort: string }[]>;
  Networks: Record<string, EndpointSettings>;
}

export interface SetupResult {
  specOpts: SpecOpt[];
  labels: Record<string, string>;
  networkSettings: NetworkSettings;
}

export interface TeardownOptions {
  settings: Pick<Settings, 'cniPath' | 'dataRoot'>;
  namespace: string;
  containerId: string;
  /** The container's labels (from setup); optional: the on-disk state is enough. */
  labels?: Record<string, string>;
}

interface AttachmentState {
  network: string;
  networkId: string;
  ifName: string;
  ip?: string;
  prefixLen?: number;
  gateway?: string;
  mac?: string;
  user: boolean;
}

interface ContainerState {
  mode: NetworkMode;
  netnsPath?: string;
  /** Whether berth created netnsPath (false for host and container:). */
  ownsNetns: boolean;
  networks: string[];
  attachments: AttachmentState[];
  ports: PortBinding[];
  /** What the container's /etc/hosts is made of, to render it again on connect/disconnect. */
  hostsInputs?: {
    hostname: string;
    memberNames: string[];
    /** Names on one network only (compose's per-network aliases), by network name. */
    networkNames?: Record<string, string[]>;
    extraHosts: ExtraHost[];
  };
  /** The ports' portmap rules and reservations are gone while the container is stopped. */
  portsReleased?: boolean;
  /**
   * Bridge mode: what start attaches (the netns, an address on each network, published ports),
   * held only while the task runs, as Docker allocates at start and releases at stop.
   */
  request?: AttachRequest;
  /** Bridge mode: whether the netns, addresses and ports are held now. Undefined in a state
   * written before attachments were per run, which attached at create and held until rm. */
  attached?: boolean;
  /** The berth process that set it up: a state whose container never got created is an orphan
   * once that process is gone (see orphanedNetworkStates). */
  pid?: number;
  hostsPath?: string;
  resolvPath?: string;
  hostnamePath?: string;
}

/** The create-time inputs each start attaches the container's networks with. */
interface AttachRequest {
  /** The networks as they were at create (a network cannot change; a removed one is refused). */
  nets: StoredNetwork[];
  ports: PortMapping[];
  /** `--add-host`, with `host-gateway` still to be resolved against the first network. */
  extraHosts: ExtraHost[];
  hostGatewayIp?: string;
  ip?: string;
  mac?: string;
  /** The container's name, its short ID and its aliases: its names on user networks. */
  endpointNames: string[];
  /** Names on one network only, by network name. */
  networkNames?: Record<string, string[]>;
}

interface CacheEntry {
  conflist: CniConfList;
  runtime: CniRuntime;
  result?: CniResult;
}

const key = (namespace: string, id: string): string => `${namespace}-${id}`;

function containerDir(dataRoot: string, namespace: string, id: string): string {
  return join(dataRoot, 'network', 'containers', key(namespace, id));
}

function saveState(dir: string, s: ContainerState): void {
  mkdirSync(dir, { recursive: true });
  writeNew(join(dir, 'state.json'), JSON.stringify(s));
}

function loadState(dir: string): ContainerState | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as ContainerState;
  } catch {
    return undefined;
  }
}

/**
 * Containers in `namespace` whose network was set up by a berth process that died before the
 * containerd container existed (killed between CNI ADD and Containers.Create): nothing names
 * them, so `rm` and `container prune` tear them down.
 */
export function orphanedNetworkStates(
  dataRoot: string,
  namespace: string,
  existing: ReadonlySet<string>,
): string[] {
  const base = join(dataRoot, 'network', 'containers');
  let entries: string[] = [];
  try {
    entries = readdirSync(base).filter((e) => e.startsWith(key(namespace, '')));
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const id = e.slice(key(namespace, '').length);
    if (!/^[0-9a-f]{64}$/.test(id) || existing.has(id)) continue;
    const state = loadState(join(base, e));
    if (state?.pid && !processAlive(state.pid)) out.push(id);
  }
  return out;
}

export class NetworkSetupError extends Error {}

function classify(networks: string[]): { mode: NetworkMode; target?: string; names: string[] } {
  const list = networks.length === 0 ? [DEFAULT_NETWORK] : networks;
  const special = list.find((n) => n === 'host' || n === 'none' || n.startsWith('container:'));
  if (special && list.length > 1) {
    throw new NetworkSetupError(
      `conflicting options: cannot attach both user-defined and non-user-defined network-modes`,
    );
  }
  if (special === 'host') return { mode: 'host', names: ['host'] };
  if (special === 'none') return { mode: 'none', names: ['none'] };
  if (special) {
    const target = special.slice('container:'.length);
    if (!target) throw new NetworkSetupError(`invalid network mode: ${special}`);
    return { mode: 'container', target, names: [special] };
  }
  return { mode: 'bridge', names: list };
}

/**
 * Sets up the container's network before the task is created. On failure everything it did is
 * undone before the error propagates.
 */
export async function setupContainerNetwork(o: SetupOptions): Promise<SetupResult> {
  const { settings, namespace, containerId } = o;
  const dir = containerDir(settings.dataRoot, namespace, containerId);
  const owner = key(namespace, containerId);
  const { mode, target, names } = classify(o.networks);
  const ports = o.ports ?? [];
  if (ports.length && (mode === 'none' || mode === 'container')) {
    // Docker ignores -p with these modes (with a warning); berth refuses rather than lie.
    throw new NetworkSetupError(
      `conflicting options: port publishing and the container type network mode`,
    );
  }
  if (ports.length && mode === 'host') ports.length = 0; // Docker: published ports are discarded
  // Resolve networks before touching anything.
  const stored: StoredNetwork[] = [];
  if (mode === 'bridge') {
    for (const n of names) {
      const net = findNetwork(settings, n);
      if (!net) throw new NetworkSetupError(`network ${n} not found`);
      if (stored.some((s) => s.name === net.name)) continue;
      stored.push(net);
    }
    if (o.ip && !stored.some((s) => s.name !== DEFAULT_NETWORK)) {
      throw new NetworkSetupError(
        'user specified IP address is supported on user defined networks only',
      );
    }
  }
  if (existsSync(join(dir, 'state.json'))) {
    throw new NetworkSetupError(`network of container ${containerId} is already set up`);
  }
  mkdirSync(o.stateDir, { recursive: true });
  const state: ContainerState = {
    mode,
    // `none` needs no namespace of berth's: runc makes a new one with only lo, brought up (as
    // `ctr run` does), which saves the two processes and the unmount a persistent one costs.
    ownsNetns: mode === 'bridge',
    netnsPath: mode === 'bridge' ? netnsPath(namespace, containerId) : undefined,
    networks: stored.length ? stored.map((s) => s.name) : names,
    attachments: [],
    ports: [],
    pid: process.pid,
  };
  saveState(dir, state);
  try {
    return await doSetup(o, dir, owner, state, stored, target);
  } catch (e) {
    await teardownContainerNetwork({ settings, namespace, containerId }).catch(() => undefined);
    throw e;
  }
}

async function doSetup(
  o: SetupOptions,
  dir: string,
  owner: string,
  state: ContainerState,
  stored: StoredNetwork[],
  target: string | undefined,
): Promise<SetupResult> {
  const { settings, namespace, containerId } = o;
  const specOpts: SpecOpt[] = [];
  const networkSettings: NetworkSettings = {
    SandboxKey: state.netnsPath ?? '',
    Ports: {},
    Networks: {},
  };
  const hostsPath = join(o.stateDir, 'hosts');
  const resolvPath = join(o.stateDir, 'resolv.conf');
  const hostnamePath = join(o.stateDir, 'hostname');
  const hostResolv = readOr('/etc/resolv.conf', '');

  if (state.mode === 'container') {
    const found = findContainerState(settings.dataRoot, namespace, target!);
    if (!found)
      throw new NetworkSetupError(`cannot join network of a non running container: ${target}`);
    const [targetId, tstate] = found;
    // Docker joins running containers only (a stopped one's persistent netns would still exist).
    const pid = o.taskPid ? await o.taskPid(targetId) : undefined;
    if (o.taskPid && !pid)
      throw new NetworkSetupError(`cannot join network of a non running container: ${target}`);
    if (tstate.mode === 'host') specOpts.push(withHostNamespace('network'));
    else if (tstate.netnsPath) specOpts.push(withNamespacePath('network', tstate.netnsPath));
    else if (tstate.mode === 'none' && pid)
      specOpts.push(withNamespacePath('network', `/proc/${pid}/ns/net`));
    else throw new NetworkSetupError(`cannot join network namespace of container ${target}`);
    // Docker shares the target's hosts and resolv.conf; the hostname file stays the target's too.
    if (tstate.hostsPath) specOpts.push(withHostsFile(tstate.hostsPath, o.readonlyFiles));
    if (tstate.resolvPath) specOpts.push(withResolvConf(tstate.resolvPath, o.readonlyFiles));
    if (tstate.hostnamePath) specOpts.push(withHostnameFile(tstate.hostnamePath, o.readonlyFiles));
    saveState(dir, state);
    return {
      specOpts,
      labels: { [LABEL.networks]: JSON.stringify(state.networks), [LABEL.ports]: '[]' },
      networkSettings,
    };
  }

  if (state.mode === 'host') {
    specOpts.push(withHostNamespace('network'));
    writeNew(
      hostsPath,
      renderHosts({
        base: readOr('/etc/hosts', ''),
        extraHosts: gatewayHosts(o.extraHosts ?? [], settings.hostGatewayIp, ''),
        self: [],
        peers: [],
      }),
    );
    writeNew(
      resolvPath,
      renderResolvConf({
        hostResolv,
        dns: o.dns ?? [],
        dnsSearch: o.dnsSearch ?? [],
        dnsOptions: o.dnsOptions ?? [],
        keepLoopback: true,
      }),
    );
    writeNew(hostnamePath, `${o.hostname || osHostname()}\n`);
  } else {
    if (state.netnsPath) specOpts.push(withNamespacePath('network', state.netnsPath));
    specOpts.push(withSysctl({ 'net.ipv4.ip_unprivileged_port_start': '0' }));
    const endpointNames = [o.name, truncateId(containerId), ...(o.aliases ?? [])].filter(
      Boolean,
    ) as string[];
    if (state.mode === 'bridge') {
      state.request = {
        nets: stored,
        ports: o.ports ?? [],
        extraHosts: o.extraHosts ?? [],
        hostGatewayIp: settings.hostGatewayIp,
        ip: o.ip,
        mac: o.mac,
        endpointNames,
        ...(o.networkAliases ? { networkNames: o.networkAliases } : {}),
      };
      state.attached = false;
    }
    for (const net of stored) {
      networkSettings.Networks[net.name] = endpointOf(net, { user: net.name !== DEFAULT_NETWORK }, [
        ...endpointNames,
        ...(o.networkAliases?.[net.name] ?? []),
      ]);
    }
    if (state.mode === 'none') networkSettings.Networks.none = emptyEndpoint();

    // Files: the container's own address goes into its hosts file when it is attached.
    state.hostsInputs = {
      hostname: o.hostname,
      memberNames: [o.name, o.hostname, ...(o.aliases ?? [])].filter(Boolean) as string[],
      ...(o.networkAliases ? { networkNames: o.networkAliases } : {}),
      extraHosts: gatewayHosts(o.extraHosts ?? [], settings.hostGatewayIp, ''),
    };
    state.hostsPath = hostsPath;
    writeHostsAndMembers(settings.dataRoot, owner, state, []);
    writeNew(
      resolvPath,
      renderResolvConf({
        hostResolv,
        dns: o.dns ?? [],
        dnsSearch: o.dnsSearch ?? [],
        dnsOptions: o.dnsOptions ?? [],
      }),
    );
    writeNew(hostnamePath, `${o.hostname}\n`);
  }
  specOpts.push(withHostsFile(hostsPath, o.readonlyFiles));
  specOpts.push(withResolvConf(resolvPath, o.readonlyFiles));
  specOpts.push(withHostnameFile(hostnamePath, o.readonlyFiles));
  state.hostsPath = hostsPath;
  state.resolvPath = resolvPath;
  state.hostnamePath = hostnamePath;
  saveState(dir, state);
  if (state.mode === 'host') networkSettings.Networks.host = emptyEndpoint();
  const labels: Record<string, string> = {
    [LABEL.networks]: JSON.stringify(state.networks),
    [LABEL.ports]: '[]',
  };
  if (state.netnsPath) labels[NETNS_LABEL] = state.netnsPath;
  if (o.attach && state.mode === 'bridge') {
    const attached = await attachState(settings, dir, owner, state);
    Object.assign(labels, attached.labels);
    return { specOpts, labels, networkSettings: attached.networkSettings };
  }
  return { specOpts, labels, networkSettings };
}

function emptyEndpoint(): EndpointSettings {
  return {
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    MacAddress: '',
    Aliases: null,
  };
}

function gatewayHosts(
  extraHosts: readonly ExtraHost[],
  hostGatewayIp: string | undefined,
  networkGateway: string,
): ExtraHost[] {
  return extraHosts.map((h) =>
    h.ip === 'host-gateway'
      ? { host: h.host, ip: hostGatewayIp || networkGateway || hostGatewayFallback() }
      : h,
  );
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** host-local keeps its leases under berth's data root, so test and real roots never mix. */
/** CNI ADD of one network as eth<index>, with its cache entry written first (for DEL). */
async function attachNetwork(
  settings: Pick<Settings, 'cniPath' | 'dataRoot'>,
  dir: string,
  owner: string,
  state: ContainerState,
  net: StoredNetwork,
  index: number,
  capabilityArgs: Record<string, unknown>,
): Promise<AttachmentState> {
  const ifName = `eth${index}`;
  // portmap costs ~35 ms on ADD and ~100 ms on DEL (iptables-nft); skip it when nothing is
  // published. The cache keeps the conflist actually used, so DEL mirrors ADD.
  const used = state.ports.length
    ? net.conflist
    : { ...net.conflist, plugins: net.conflist.plugins.filter((p) => p.type !== 'portmap') };
  const conflist = withDataDir(withNetworkRules(used), settings.dataRoot);
  const runtime: CniRuntime = {
    containerId: owner,
    netns: state.netnsPath!,
    ifName,
    args: { IgnoreUnknown: '1' },
    capabilityArgs,
  };
  const cniDir = join(dir, 'cni');
  mkdirSync(cniDir, { recursive: true });
  const cacheFile = join(cniDir, `${String(index).padStart(2, '0')}-${net.name}.json`);
  // Intent first: a crash during ADD still leaves enough for DEL.
  writeNew(cacheFile, JSON.stringify({ conflist, runtime } satisfies CacheEntry));
  const bridge = bridgeOf(conflist);
  if (bridge) {
    await ensureBridgeRules({ bridge, subnet: net.meta.subnet, internal: net.meta.internal });
  }
  const result = await addNetworkList(settings.cniPath, conflist, runtime).catch((err: unknown) => {
    throw bridgeAddressHint(err, bridge, net.name);
  });
  writeNew(cacheFile, JSON.stringify({ conflist, runtime, result } satisfies CacheEntry));
  const att = attachmentFrom(net, ifName, result);
  state.attachments.push(att);
  saveState(dir, state);
  return att;
}

/**
 * The bridge plugin refuses a bridge that already has another address, e.g. `berth0` made before
 * `bridge_ip` changed. Its words do not say what to do; these do.
 */
export function bridgeAddressHint(
  err: unknown,
  bridge: string | undefined,
  network: string,
): unknown {
  if (
    !(err instanceof CniError) ||
    !bridge ||
    !/already has an IP address different/.test(err.message)
  )
    return err;
  const setting = network === DEFAULT_NETWORK ? ' (bridge_ip in the configuration)' : '';
  return new CniError(
    err.plugin,
    err.command,
    `${err.message}: the bridge ${bridge} has another address than network "${network}" uses${setting}; ` +
      `delete it with 'ip link delete ${bridge}' when no container uses it, or use its subnet`,
    err.code,
  );
}

function endpointOf(
  net: StoredNetwork,
  att: Partial<AttachmentState> & { user: boolean },
  names: (string | undefined)[],
): EndpointSettings {
  return {
    NetworkID: net.meta.id,
    EndpointID: '',
    Gateway: att.gateway ?? '',
    IPAddress: att.ip ?? '',
    IPPrefixLen: att.prefixLen ?? 0,
    MacAddress: att.mac ?? '',
    Aliases: att.user ? [...new Set(names.filter(Boolean) as string[])] : null,
  };
}

/**
 * Writes the container's hosts file (itself, peers on its user networks, extra hosts) and its
 * membership records, then re-renders the other members' files on those networks and on
 * `leftNets` (networks it just left).
 */
function writeHostsAndMembers(
  dataRoot: string,
  owner: string,
  state: ContainerState,
  leftNets: readonly string[],
): void {
  const inputs = state.hostsInputs;
  if (!inputs || !state.hostsPath) return;
  const self = state.attachments
    .filter((a) => a.ip)
    .slice(0, 1)
    .map((a) => ({ ip: a.ip!, names: [inputs.hostname] }));
  const userNets = state.attachments.filter((a) => a.user).map((a) => a.network);
  const content = renderHosts({
    extraHosts: inputs.extraHosts,
    self,
    peers: peersOf(dataRoot, userNets, owner),
  });
  // A running container has the file bind-mounted: change it in place, keeping its inode.
  if (existsSync(state.hostsPath)) rewriteInPlace(state.hostsPath, content);
  else writeNew(state.hostsPath, content);
  for (const a of state.attachments.filter((x) => x.user && x.ip)) {
    addMember(dataRoot, a.network, {
      key: owner,
      ip: a.ip!,
      names: [...inputs.memberNames, ...(inputs.networkNames?.[a.network] ?? [])],
      hostsPath: state.hostsPath,
      extraHosts: inputs.extraHosts,
      self,
      networks: userNets,
    });
  }
  refreshMembers(dataRoot, [...new Set([...userNets, ...leftNets])], owner);
}

const ipamDir = (dataRoot: string): string => join(dataRoot, 'network', 'ipam');

function withDataDir(list: CniConfList, dataRoot: string): CniConfList {
  return {
    ...list,
    plugins: list.plugins.map((p) =>
      p.ipam && p.ipam.type === 'host-local' && p.ipam.dataDir === undefined
        ? { ...p, ipam: { ...p.ipam, dataDir: ipamDir(dataRoot) } }
        : p,
    ),
  };
}

/**
 * Masquerading and forwarding come from the network's own rules (./rules.ts), not per container:
 * conflists written before berth did that still name `ipMasq` and `firewall`, which are dropped.
 */
function withNetworkRules(list: CniConfList): CniConfList {
  if (!list.plugins.some((p) => p.type === 'bridge' && typeof p.bridge === 'string')) return list;
  return {
    ...list,
    plugins: list.plugins
      .filter((p) => p.type !== 'firewall')
      .map((p) => (p.type === 'bridge' ? { ...p, ipMasq: false } : p)),
  };
}

/** The bridge device of a berth bridge network whose rules berth keeps (see withNetworkRules). */
function bridgeOf(list: CniConfList): string | undefined {
  const b = list.plugins.find((p) => p.type === 'bridge');
  if (!b || b.ipMasq || list.plugins.some((p) => p.type === 'firewall')) return undefined;
  return typeof b.bridge === 'string' ? b.bridge : undefined;
}

function attachmentFrom(net: StoredNetwork, ifName: string, r: CniResult): AttachmentState {
  const ifIndex = (r.interfaces ?? []).findIndex((i) => i.name === ifName && i.sandbox);
  const ipEntry =
    (r.ips ?? []).find((ip) => ip.interface === ifIndex && ip.address.includes('.')) ??
    (r.ips ?? []).find((ip) => ip.address.includes('.'));
  const [ip, prefix] = ipEntry ? ipEntry.address.split('/') : [];
  return {
    network: net.name,
    networkId: net.meta.id,
    ifName,
    ip,
    prefixLen: prefix ? Number(prefix) : undefined,
    gateway: ipEntry?.gateway,
    mac: ifIndex >= 0 ? r.interfaces![ifIndex]!.mac : undefined,
    user: net.name !== DEFAULT_NETWORK,
  };
}

/** The container's full ID and network state, by ID or unique ID prefix. */
function findContainerState(
  dataRoot: string,
  namespace: string,
  idOrPrefix: string,
): [string, ContainerState] | undefined {
  const base = join(dataRoot, 'network', 'containers');
  const exact = loadState(join(base, key(namespace, idOrPrefix)));
  if (exact) return [idOrPrefix, exact];
  let entries: string[] = [];
  try {
    entries = readdirSync(base).filter((e) => e.startsWith(key(namespace, idOrPrefix)));
  } catch {
    return undefined;
  }
  if (entries.length !== 1) return undefined;
  const state = loadState(join(base, entries[0]!));
  return state ? [entries[0]!.slice(key(namespace, '').length), state] : undefined;
}

/**
 * Undoes setupContainerNetwork: CNI DEL for each attached network in reverse (with the cached
 * ADD result), port reservations released, peers' hosts files updated, netns unmounted and
 * removed, state removed. Idempotent, and safe on a half-done setup. Throws only after doing
 * all it can, with the first failure.
 */
export async function teardownContainerNetwork(o: TeardownOptions): Promise<void> {
  const { settings, namespace, containerId } = o;
  const dir = containerDir(settings.dataRoot, namespace, containerId);
  const state = loadState(dir);
  const path =
    state?.ownsNetns === false
      ? undefined
      : (state?.netnsPath ?? o.labels?.[NETNS_LABEL] ?? netnsPath(namespace, containerId));
  const firstErr = await releaseAttachments(
    settings,
    dir,
    key(namespace, containerId),
    state,
    path,
  );
  rmSync(dir, { recursive: true, force: true });
  if (firstErr) throw firstErr;
}

/**
 * What an attached container holds, given back: CNI DEL of each network in reverse ADD order
 * (with the cached result), its peers' hosts files, host port reservations, the netns. Does all
 * it can and returns the first failure.
 */
async function releaseAttachments(
  settings: Pick<Settings, 'cniPath' | 'dataRoot'>,
  dir: string,
  owner: string,
  state: ContainerState | undefined,
  netns: string | undefined,
): Promise<unknown> {
  let firstErr: unknown;
  for (const cached of readCache(dir).reverse()) {
    const f = cached.path;
    let entry = cached.entry;
    if (!entry) {
      rmSync(f, { force: true });
      continue;
    }
    if (state?.portsReleased) {
      // Its rules went at stop; portmap's DEL would only spend ~100 ms finding nothing.
      entry = {
        ...entry,
        conflist: {
          ...entry.conflist,
          plugins: entry.conflist.plugins.filter((p) => p.type !== 'portmap'),
        },
      };
    }
    try {
      await delNetworkList(settings.cniPath, entry.conflist, entry.runtime, entry.result);
    } catch (e) {
      // Retry without prevResult: a plugin may reject a partial/mismatched one.
      try {
        await delNetworkList(settings.cniPath, entry.conflist, entry.runtime);
      } catch {
        firstErr ??= e;
      }
    }
    rmSync(f, { force: true });
  }
  const userNets = (state?.attachments ?? []).filter((a) => a.user).map((a) => a.network);
  for (const n of userNets) removeMember(settings.dataRoot, n, owner);
  try {
    refreshMembers(settings.dataRoot, userNets);
  } catch (e) {
    firstErr ??= e;
  }
  portRegistry(settings.dataRoot).releaseAll(owner);
  if (netns) {
    try {
      await removeNetns(netns);
    } catch (e) {
      firstErr ??= e;
    }
  }
  return firstErr;
}

export interface AttachResult {
  /** The `berth/ports` label and the endpoints, for the container's labels. */
  labels: Record<string, string>;
  networkSettings: NetworkSettings;
}

/**
 * Start: the container's network namespace, an address on each of its networks and its
 * published ports (Docker allocates at start; host ports given as 0 are chosen again). Undefined
 * when there is nothing to attach (host, none, container:, or no berth network state). A
 * container already attached (a task running) is left as it is. On failure nothing is held.
 */
export async function attachContainerNetwork(
  o: TeardownOptions,
): Promise<AttachResult | undefined> {
  const { settings, namespace, containerId } = o;
  const dir = containerDir(settings.dataRoot, namespace, containerId);
  const state = loadState(dir);
  if (!state || state.mode !== 'bridge') return undefined;
  // Set up at create by an earlier berth, held until rm: only its ports come and go.
  if (state.attached === undefined) {
    await reclaimContainerPorts(o);
    return undefined;
  }
  if (state.attached) return undefined;
  return attachState(settings, dir, key(namespace, containerId), state);
}

async function attachState(
  settings: Pick<Settings, 'cniPath' | 'dataRoot'>,
  dir: string,
  owner: string,
  state: ContainerState,
): Promise<AttachResult> {
  const req = state.request!;
  const nets = req.nets.filter((n) => state.networks.includes(n.name));
  for (const n of nets) {
    if (n.name !== DEFAULT_NETWORK && !existsSync(n.file)) {
      throw new NetworkSetupError(`network ${n.name} not found`);
    }
  }
  const networkSettings: NetworkSettings = {
    SandboxKey: state.netnsPath ?? '',
    Ports: {},
    Networks: {},
  };
  try {
    await createNetns(state.netnsPath!);
    // Ports first: a busy host port is refused before any CNI work.
    state.ports = req.ports.length
      ? await allocatePorts(req.ports, portRegistry(settings.dataRoot), owner)
      : [];
    state.portsReleased = false;
    state.attachments = [];
    state.attached = true;
    saveState(dir, state);
    for (const [i, net] of nets.entries()) {
      const capabilityArgs: Record<string, unknown> = {};
      // `-p 8080:0` is accepted by Docker (the host port is held, nothing is forwarded); the
      // portmap plugin refuses container port 0, so such a mapping is recorded but not given to it.
      const mapped = state.ports.filter((p) => p.ContainerPort !== 0);
      if (mapped.length) {
        capabilityArgs.portMappings = mapped.map((p) => ({
          hostPort: p.HostPort,
          containerPort: p.ContainerPort,
          protocol: p.Protocol,
          hostIP: p.HostIp,
        }));
      }
      if (req.ip && net.name !== DEFAULT_NETWORK)
        capabilityArgs.ips = [`${req.ip}/${net.meta.subnet.split('/')[1]}`];
      if (req.mac && i === 0) capabilityArgs.mac = req.mac;
      const att = await attachNetwork(settings, dir, owner, state, net, i, capabilityArgs);
      networkSettings.Networks[net.name] = endpointOf(net, att, [
        ...req.endpointNames,
        ...(req.networkNames?.[net.name] ?? []),
      ]);
    }
    if (state.hostsInputs) {
      state.hostsInputs.extraHosts = gatewayHosts(
        req.extraHosts,
        req.hostGatewayIp,
        state.attachments[0]?.gateway ?? '',
      );
    }
    writeHostsAndMembers(settings.dataRoot, owner, state, []);
    saveState(dir, state);
  } catch (e) {
    await detachState(settings, dir, owner, state).catch(() => undefined);
    throw e;
  }
  networkSettings.Ports = dockerPorts(state.ports);
  return {
    labels: {
      [LABEL.ports]: JSON.stringify(state.ports),
      [LABEL.networkSettings]: JSON.stringify(networkSettings),
    },
    networkSettings,
  };
}

async function detachState(
  settings: Pick<Settings, 'cniPath' | 'dataRoot'>,
  dir: string,
  owner: string,
  state: ContainerState,
): Promise<void> {
  const firstErr = await releaseAttachments(settings, dir, owner, state, state.netnsPath);
  state.attachments = [];
  state.ports = [];
  state.portsReleased = false;
  state.attached = false;
  saveState(dir, state);
  if (firstErr) throw firstErr;
}

/**
 * Stop, or the exit seen by the container's watcher: the addresses, published ports and the
 * network namespace go, as in Docker; the next start attaches again. Idempotent.
 */
export async function detachContainerNetwork(o: TeardownOptions): Promise<void> {
  const { settings, namespace, containerId } = o;
  const dir = containerDir(settings.dataRoot, namespace, containerId);
  const state = loadState(dir);
  if (!state || state.mode !== 'bridge') return;
  if (state.attached === undefined) return releaseContainerPorts(o);
  if (!state.attached && !existsSync(state.netnsPath ?? '') && readCache(dir).length === 0) return;
  await detachState(settings, dir, key(namespace, containerId), state);
}

/**
 * The container's CNI cache, one entry per attached network in ADD order (`NN-<network>.json`);
 * an entry whose file is torn (a crash mid-write) comes back without `entry`.
 */
function readCache(dir: string): { path: string; index: number; entry?: CacheEntry }[] {
  const cniDir = join(dir, 'cni');
  let files: string[] = [];
  try {
    files = readdirSync(cniDir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.sort().map((f) => {
    const path = join(cniDir, f);
    try {
      return {
        path,
        index: Number(f.slice(0, 2)),
        entry: JSON.parse(readFileSync(path, 'utf8')) as CacheEntry,
      };
    } catch {
      return { path, index: Number(f.slice(0, 2)) };
    }
  });
}

/** Runs the portmap plugin alone (ADD or DEL) for each attached network that has it. */
async function portmapEach(cniPath: string, dir: string, command: 'ADD' | 'DEL'): Promise<void> {
  for (const { entry: e } of readCache(dir)) {
    const pm = e?.conflist.plugins.find((p) => p.type === 'portmap');
    if (e && pm)
      await execPlugin(
        cniPath,
        command,
        pluginStdin(e.conflist, pm, e.runtime, e.result),
        e.runtime,
      );
  }
}

/**
 * Docker releases a container's published ports when it stops: the portmap plugin's rules go
 * (CNI DEL of that plugin only, with the cached result) and the host ports are free for others.
 * The address and the namespace stay, so reclaimContainerPorts can bring the ports back on start.
 */
export async function releaseContainerPorts(o: TeardownOptions): Promise<void> {
  const { settings, namespace, containerId } = o;
  const dir = containerDir(settings.dataRoot, namespace, containerId);
  const state = loadState(dir);
  if (!state || state.ports.length === 0 || state.portsReleased) return;
  // Only once the rules are gone: a failed DEL keeps the reservation, and rm retries the DEL.
  await portmapEach(settings.cniPath, dir, 'DEL');
  portRegistry(settings.dataRoot).releaseAll(key(namespace, containerId));
  state.portsReleased = true;
  saveState(dir, state);
}

/** Publishes the ports released at stop again (the same host ports), or refuses as Docker does. */
export async function reclaimContainerPorts(o: TeardownOptions): Promise<void> {
  const { settings, namespace, containerId } = o;
  const dir = containerDir(settings.dataRoot, namespace, containerId);
  const state = loadState(dir);
  if (!state?.portsReleased) return;
  const owner = key(namespace, containerId);
  const registry = portRegistry(settings.dataRoot);
  const reserved: PortBinding[] = [];
  try {
    for (const b of state.ports) {
      await registry.reserve(b, owner);
      reserved.push(b);
      if (!(await portIsFree(b.HostIp, b.HostPort, b.Protocol))) {
        throw new PortInUseError(portInUseMessage(b));
      }
    }
    await portmapEach(settings.cniPath, dir, 'ADD');
  } catch (err) {
    // A network whose ADD went through before another failed: its rules go again.
    await portmapEach(settings.cniPath, dir, 'DEL').catch(() => undefined);
    for (const b of reserved) registry.release(b, owner);
    throw err;
  }
  state.portsReleased = false;
  saveState(dir, state);
}

export interface ConnectOptions {
  settings: Pick<Settings, 'cniPath' | 'dataRoot'>;
  namespace: string;
  containerId: string;
  network: StoredNetwork;
  /** The container's name and the 12-hex ID, for the endpoint's aliases. */
  aliases?: string[];
}

/**
 * `network connect` for a container whose network berth set up (bridge mode): CNI ADD of the
 * network into the running container's netns as the next ethN, and its /etc/hosts and the
 * network's members updated. Returns the endpoint for NetworkSettings. A stopped container holds
 * no netns: the network is recorded and attached with the others at its next start.
 */
export async function connectContainerNetwork(o: ConnectOptions): Promise<EndpointSettings> {
  const { settings, namespace, containerId, network } = o;
  const dir = containerDir(settings.dataRoot, namespace, containerId);
  const owner = key(namespace, containerId);
  const state = loadState(dir);
  if (!state || state.mode !== 'bridge' || !state.netnsPath) {
    throw new NetworkSetupError(
      'container sharing network namespace with another container or host cannot be connected to any other network',
    );
  }
  if (state.attached === false) {
    // Stopped: nothing is held; the network is attached with the others at the next start.
    rememberNetwork(state, network);
    saveState(dir, state);
    return endpointOf(network, { user: network.name !== DEFAULT_NETWORK }, [
      ...(o.aliases ?? []),
      ...(state.hostsInputs?.memberNames ?? []),
    ]);
  }
  const used = readCache(dir).map((c) => c.index);
  const index = used.length ? Math.max(...used) + 1 : 0;
  const att = await attachNetwork(settings, dir, owner, state, network, index, {});
  rememberNetwork(state, network);
  saveState(dir, state);
  writeHostsAndMembers(settings.dataRoot, owner, state, []);
  return endpointOf(network, att, [
    ...(o.aliases ?? []),
    ...(state.hostsInputs?.memberNames ?? []),
  ]);
}

/** The container is on `network` from now on, this run and the next ones. */
function rememberNetwork(state: ContainerState, network: StoredNetwork): void {
  state.networks = [...state.networks.filter((n) => n !== network.name), network.name];
  if (state.request) {
    state.request.nets = [...state.request.nets.filter((n) => n.name !== network.name), network];
  }
}

/** `network disconnect`: CNI DEL of that network's interface, hosts files and members updated. */
export async function disconnectContainerNetwork(
  o: Omit<ConnectOptions, 'network' | 'aliases'> & { network: string },
): Promise<void> {
  const { settings, namespace, containerId, network } = o;
  const dir = containerDir(settings.dataRoot, namespace, containerId);
  const owner = key(namespace, containerId);
  const state = loadState(dir);
  if (!state) return;
  if (state.request) state.request.nets = state.request.nets.filter((n) => n.name !== network);
  for (const { path, entry } of readCache(dir)) {
    if (entry?.conflist.name !== network) continue;
    await delNetworkList(settings.cniPath, entry.conflist, entry.runtime, entry.result);
    rmSync(path, { force: true });
  }
  state.attachments = state.attachments.filter((a) => a.network !== network);
  state.networks = state.networks.filter((n) => n !== network);
  saveState(dir, state);
  removeMember(settings.dataRoot, network, owner);
  writeHostsAndMembers(settings.dataRoot, owner, state, [network]);
}

/** True while setup state exists for the container (set up and not torn down). */
export function hasNetworkState(dataRoot: string, namespace: string, containerId: string): boolean {
  return existsSync(join(containerDir(dataRoot, namespace, containerId), 'state.json'));
}
