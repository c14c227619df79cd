/**
 * Composable spec options, in the style of containerd's `oci.SpecOpts`.
 *
 * Order matters, as in containerd: each option sees the spec the previous ones produced. The
 * Docker-compatible order is: withImageConfig, withProcessArgs/withInit, withEnv, withCwd,
 * withUser, withHostname, withTTY, withReadonlyRootfs, withMounts and network files, then
 * security and resource options. Options that emulate daemon defaults (HOSTNAME, TERM) only fill
 * values nobody set, so image and user values win regardless of order.
 */
import type { ImageRuntimeConfig } from '../registry/media-types.js';
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import os from 'node:os';

import { allCapabilities, tweakCapabilities } from './capabilities.js';
import { hostDevices } from './devices.js';
import {
  bindSpecMount,
  cleanPath,
  mountDepth,
  tmpfsSpecMount,
  type MountRequest,
  type VolumeMountRequest,
} from './mounts.js';
import {
  defaultSpec,
  type Linux,
  type LinuxDevice,
  type LinuxNamespaceType,
  type LinuxResources,
  type LinuxSeccomp,
  type Mount,
  type Process,
  type Spec,
  RLIM_INFINITY,
} from './spec.js';
import { resolveUser, type RootfsLookup } from './user.js';

export interface SpecContext {
  /** containerd namespace; part of the default cgroups path. */
  namespace: string;
  /** Container id. */
  id: string;
  /** The container's root filesystem, for /etc/passwd and /etc/group lookups. */
  rootfs?: RootfsLookup;
}

export type SpecOpt = (spec: Spec, ctx: SpecContext) => void | Promise<void>;

/** Runs options in order as one option. */
export function compose(...opts: readonly SpecOpt[]): SpecOpt {
  return async (spec, ctx) => {
    for (const opt of opts) await opt(spec, ctx);
  };
}

/** containerd's default spec for `ctx`, with `opts` applied in order. */
export async function buildSpec(ctx: SpecContext, opts: readonly SpecOpt[]): Promise<Spec> {
  const spec = defaultSpec(ctx.namespace, ctx.id);
  await compose(...opts)(spec, ctx);
  return spec;
}

// ---------------------------------------------------------------------------------------------
// helpers

function proc(spec: Spec): Process {
  spec.process ??= { user: { uid: 0, gid: 0 }, cwd: '/' };
  return spec.process;
}

function linux(spec: Spec): Linux {
  spec.linux ??= {};
  return spec.linux;
}

function resources(spec: Spec): LinuxResources {
  const l = linux(spec);
  l.resources ??= {};
  return l.resources;
}

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/**
 * containerd's/moby's `ReplaceOrAppendEnvValues`: overrides replace entries with the same key or
 * are appended; an override without `=` removes the key.
 */
export function replaceOrAppendEnv(
  defaults: readonly string[],
  overrides: readonly string[],
): string[] {
  const result: (string | undefined)[] = [...defaults];
  const index = new Map<string, number>();
  defaults.forEach((e, i) => index.set(envKey(e), i));
  for (const value of overrides) {
    const key = envKey(value);
    const at = index.get(key);
    if (!value.includes('=')) {
      if (at !== undefined) result[at] = undefined;
      continue;
    }
    if (at !== undefined && result[at] !== undefined) {
      result[at] = value;
    } else {
      index.set(key, result.length);
      result.push(value);
    }
  }
  return result.filter((e): e is string => e !== undefined);
}

function setEnvIfAbsent(spec: Spec, entry: string): void {
  const p = proc(spec);
  const env = p.env ?? [];
  const key = envKey(entry);
  if (!env.some((e) => envKey(e) === key)) p.env = [...env, entry];
}

// ---------------------------------------------------------------------------------------------
// image config and process

export interface CommandOverrides {
  /** `--entrypoint`: undefined if not given; `''` resets the image's entrypoint. */
  entrypoint?: string;
  /** Arguments after the image name. */
  args?: readonly string[];
}

/**
 * Docker's command resolution (CLI `parse` + daemon `merge` + `mergeAndVerifyConfig`):
 * - no `--entrypoint`: image Entrypoint + (user args, or image Cmd if there are none);
 * - `--entrypoint X`: `[X, ...args]`; the image Cmd is dropped;
 * - `--entrypoint ''`: just the user args (image Entrypoint and Cmd both dropped).
 * Throws Docker's `No command specified` when nothing is left to run.
 */
export function resolveCommand(
  image: ImageRuntimeConfig,
  overrides: CommandOverrides = {},
): string[] {
  let entrypoint: string[] | undefined =
    overrides.entrypoint === undefined ? undefined : [overrides.entrypoint];
  let cmd = [...(overrides.args ?? [])];
  if (entrypoint === undefined) {
    if (cmd.length === 0) cmd = [...(image.Cmd ?? [])];
    entrypoint = [...(image.Entrypoint ?? [])];
  }
  if (entrypoint.length === 1 && entrypoint[0] === '') entrypoint = [];
  if (entrypoint.length === 0 && cmd.length === 0) throw new Error('No command specified');
  return [...entrypoint, ...cmd];
}

/**
 * Applies an image config: Env merged over the current env (so the default PATH survives only if
 * the image sets none), the resolved command, WorkingDir (default `/`) and User (default root),
 * with uid/gid/supplementary groups resolved in `ctx.rootfs`.
 */
export function withImageConfig(
  image: ImageRuntimeConfig,
  overrides: CommandOverrides = {},
): SpecOpt {
  return async (spec, ctx) => {
    const p = proc(spec);
    p.env = replaceOrAppendEnv(p.env ?? [], image.Env ?? []);
    p.args = resolveCommand(image, overrides);
    p.cwd = image.WorkingDir ? image.WorkingDir : '/';
    const u = await resolveUser(image.User ?? '', ctx.rootfs);
    p.user = { uid: u.uid, gid: u.gid, additionalGids: u.additionalGids };
  };
}

/** Replaces the process arguments. */
export function withProcessArgs(...args: string[]): SpecOpt {
  return (spec) => {
    const p = proc(spec);
    p.args = args;
    delete p.commandLine;
  };
}

export type EnvLookup = (key: string) => string | undefined;

const hostEnv: EnvLookup = (key) => process.env[key];

/**
 * Docker's `-e`: `K=V` sets, `K` copies the host's value (and, if the host has none, removes K
 * from the image env, as dockerd does). Later entries win. Env-file entries go first, then `-e`.
 */
export function withEnv(entries: readonly string[], lookupEnv: EnvLookup = hostEnv): SpecOpt {
  const resolved = entries.map((e) => {
    const eq = e.indexOf('=');
    const key = eq < 0 ? e : e.slice(0, eq);
    if (key === '') throw new Error(`invalid environment variable: ${e}`);
    if (eq >= 0) return e;
    const v = lookupEnv(key);
    return v === undefined ? key : `${key}=${v}`;
  });
  return (spec) => {
    const p = proc(spec);
    p.env = replaceOrAppendEnv(p.env ?? [], resolved);
  };
}

/** `-w`: must be absolute, like dockerd requires. */
export function withCwd(cwd: string): SpecOpt {
  if (!cwd.startsWith('/')) {
    throw new Error(`the working directory '${cwd}' is invalid, it needs to be an absolute path`);
  }
  return (spec) => {
    proc(spec).cwd = cwd;
  };
}

/**
 * `-u uid|uid:gid|name|name:group` (plus `--group-add`), resolved in `ctx.rootfs` with runc's
 * rules; see `resolveUser`.
 */
export function withUser(userSpec: string, groupAdd: readonly string[] = []): SpecOpt {
  return async (spec, ctx) => {
    const u = await resolveUser(userSpec, ctx.rootfs, groupAdd);
    proc(spec).user = { uid: u.uid, gid: u.gid, additionalGids: u.additionalGids };
  };
}

/** Sets the UTS hostname and, like dockerd, a HOSTNAME variable unless one is set already. */
export function withHostname(hostname: string): SpecOpt {
  return (spec) => {
    spec.hostname = hostname;
    setEnvIfAbsent(spec, `HOSTNAME=${hostname}`);
  };
}

/** `-t`: a terminal, and TERM=xterm unless the image or user set TERM (dockerd's default). */
export function withTTY(): SpecOpt {
  return (spec) => {
    proc(spec).terminal = true;
    setEnvIfAbsent(spec, 'TERM=xterm');
  };
}

// ---------------------------------------------------------------------------------------------
// mounts

export interface WithMountsOptions {
  /**
   * Maps a volume mount to the host directory to bind (creating the volume, copying image content
   * for a fresh one, …). Required if any request is a volume.
   */
  resolveVolume?: (req: VolumeMountRequest) => string | Promise<string>;
}

/**
 * User mounts, as dockerd adds them: a user mount replaces the default mount at the same
 * destination, a user `/dev` drops every default under /dev, user mounts are sorted parents
 * first, and two user mounts on one destination are an error.
 */
export function withMounts(
  requests: readonly MountRequest[],
  options: WithMountsOptions = {},
): SpecOpt {
  return async (spec) => {
    const seen = new Set<string>();
    const added: Mount[] = [];
    for (const req of requests) {
      const target = cleanPath(req.target);
      if (seen.has(target)) throw new Error(`Duplicate mount point: ${target}`);
      seen.add(target);
      added.push(await toSpecMount({ ...req, target }, options));
    }
    const userDev = seen.has('/dev');
    const kept = (spec.mounts ?? []).filter(
      (m) => !seen.has(cleanPath(m.destination)) && !(userDev && m.destination.startsWith('/dev/')),
    );
    // Stable sort keeps the user's order among mounts of equal depth.
    added.sort((a, b) => mountDepth(a.destination) - mountDepth(b.destination));
    spec.mounts = [...kept, ...added];
  };
}

async function toSpecMount(req: MountRequest, options: WithMountsOptions): Promise<Mount> {
  switch (req.type) {
    case 'bind': {
      await ensureBindSource(req.source, req.createHostPath);
      return bindSpecMount(req.source, req.target, {
        readonly: req.readonly,
        propagation: req.propagation ?? 'rprivate',
        nonRecursive: req.nonRecursive,
      });
    }
    case 'volume': {
      if (!options.resolveVolume) {
        throw new Error(`no volume resolver for volume mount at ${req.target}`);
      }
      const source = await options.resolveVolume(req);
      return bindSpecMount(source, req.target, { readonly: req.readonly });
    }
    case 'tmpfs':
      return tmpfsSpecMount(req);
  }
}

async function ensureBindSource(source: string, create: boolean): Promise<void> {
  try {
    await stat(source);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!create) {
    throw new Error(
      `invalid mount config for type "bind": bind source path does not exist: ${source}`,
    );
  }
  // dockerd creates a missing `-v` host path as a directory.
  await mkdir(source, { recursive: true, mode: 0o755 });
}

// Default mounts that --read-only leaves writable (dockerd's list).
const READONLY_EXEMPT = new Set(['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue']);

/**
 * `--read-only`: read-only rootfs, and every non-bind mount present so far except dockerd's exempt
 * list becomes read-only too. Apply it before withMounts so user tmpfs mounts stay as requested,
 * and before the network files so they pick up the read-only mode.
 */
export function withReadonlyRootfs(): SpecOpt {
  return (spec) => {
    spec.root = { ...(spec.root ?? { path: 'rootfs' }), readonly: true };
    for (const m of spec.mounts ?? []) {
      // Binds are always user-requested (dockerd keeps their mode); defaults are never binds.
      if (READONLY_EXEMPT.has(m.destination) || m.type === 'bind') continue;
      const opts = m.options ?? [];
      if (!opts.includes('ro')) m.options = [...opts.filter((o) => o !== 'rw'), 'ro'];
    }
  };
}

/** Drops containerd's default /run tmpfs, which neither Docker nor nerdctl mount. */
export function withoutRunMount(): SpecOpt {
  return (spec) => {
    spec.mounts = (spec.mounts ?? []).filter((m) => m.destination !== '/run');
  };
}

/** dockerd's default /dev/shm size, which `--shm-size 0` asks for. */
const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** `--shm-size` (bytes): dockerd writes the size in bytes onto the default /dev/shm tmpfs. */
export function withShmSize(bytes: number): SpecOpt {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new Error('SHM size can not be less than 0');
  }
  // dockerd turns 0 into its default rather than refusing it (or mounting a 0-byte limit).
  const size = bytes === 0 ? DEFAULT_SHM_SIZE : bytes;
  return (spec) => {
    const shm = (spec.mounts ?? []).find(
      (m) => m.destination === '/dev/shm' && m.type === 'tmpfs' && m.source === 'shm',
    );
    // A user-supplied /dev/shm replaced the default; dockerd ignores --shm-size then.
    if (!shm) return;
    shm.options = [...(shm.options ?? []).filter((o) => !o.startsWith('size=')), `size=${size}`];
  };
}

function networkFileOpt(destination: string, hostPath: string, readonly?: boolean): SpecOpt {
  return (spec) => {
    const ro = readonly ?? spec.root?.readonly === true;
    const mounts = (spec.mounts ?? []).filter((m) => m.destination !== destination);
    mounts.push(bindSpecMount(hostPath, destination, { readonly: ro, propagation: 'rprivate' }));
    spec.mounts = mounts;
  };
}

/**
 * Bind-mounts a prepared hosts file at /etc/hosts (`rbind,rprivate`, read-only if the rootfs is,
 * as dockerd does for its network files).
 */
export function withHostsFile(hostPath: string, readonly?: boolean): SpecOpt {
  return networkFileOpt('/etc/hosts', hostPath, readonly);
}

/** Bind-mounts a prepared resolv.conf at /etc/resolv.conf. */
export function withResolvConf(hostPath: string, readonly?: boolean): SpecOpt {
  return networkFileOpt('/etc/resolv.conf', hostPath, readonly);
}

/** Bind-mounts a prepared hostname file at /etc/hostname. */
export function withHostnameFile(hostPath: string, readonly?: boolean): SpecOpt {
  return networkFileOpt('/etc/hostname', hostPath, readonly);
}

/** Debian's tini packages; the static build first because the image's libc may not fit. */
export const TINI_CANDIDATES: readonly string[] = ['/usr/bin/tini-static', '/usr/bin/tini'];

/** Where the init binary appears inside the container (nerdctl's choice). */
export const INIT_PATH = '/sbin/tini';

/**
 * `--init`: bind-mounts the host's tini read-only at /sbin/tini and runs the command under it.
 * Apply after the process args are final.
 */
export function withInit(hostPath?: string): SpecOpt {
  return (spec) => {
    const source = hostPath ?? TINI_CANDIDATES.find((p) => existsSync(p));
    if (source === undefined || !existsSync(source)) {
      throw new Error('init binary "tini" not found');
    }
    const mounts = (spec.mounts ?? []).filter((m) => m.destination !== INIT_PATH);
    mounts.push({ destination: INIT_PATH, type: 'bind', source, options: ['bind', 'ro'] });
    spec.mounts = mounts;
    const p = proc(spec);
    p.args = [INIT_PATH, '--', ...(p.args ?? [])];
  };
}

// ---------------------------------------------------------------------------------------------
// security

export interface PrivilegedOptions {
  /** Host devices to expose; defaults to a scan of /dev. */
  devices?: readonly LinuxDevice[];
  /** Highest capability number; defaults to the capabilities berth itself holds. */
  lastCap?: number;
}

/**
 * `--privileged`: every capability (see `allCapabilities`), all devices allowed (rwm) and the host's
 * devices created, no masked or read-only paths, writable /sys, no AppArmor and no seccomp.
 */
export function withPrivileged(options: PrivilegedOptions = {}): SpecOpt {
  return async (spec) => {
    const caps = allCapabilities(options.lastCap);
    const p = proc(spec);
    p.capabilities = { bounding: [...caps], effective: [...caps], permitted: [...caps] };
    delete p.apparmorProfile;
    const l = linux(spec);
    delete l.maskedPaths;
    delete l.readonlyPaths;
    delete l.seccomp;
    resources(spec).devices = [{ allow: true, access: 'rwm' }];
    const devices = options.devices ?? (await hostDevices());
    const byPath = new Map((l.devices ?? []).map((d) => [d.path, d]));
    for (const d of devices) byPath.set(d.path, d);
    l.devices = [...byPath.values()];
    for (const m of spec.mounts ?? []) {
      if (m.destination === '/sys' || m.type === 'cgroup') {
        m.options = (m.options ?? []).filter((o) => o !== 'ro');
      }
    }
  };
}

/** `--cap-add` and `--cap-drop` together, with Docker's semantics (see `tweakCapabilities`). */
export function withCapabilityChanges(
  add: readonly string[],
  drop: readonly string[],
  lastCap?: number,
): SpecOpt {
  return (spec) => {
    const p = proc(spec);
    const c = p.capabilities ?? {};
    const next = (set: string[] | undefined) => tweakCapabilities(set ?? [], add, drop, lastCap);
    p.capabilities = {
      ...c,
      bounding: next(c.bounding),
      effective: next(c.effective),
      permitted: next(c.permitted),
    };
  };
}

/** `--cap-add` alone (names with or without `CAP_`, or `ALL`). */
export function withCapAdd(caps: readonly string[], lastCap?: number): SpecOpt {
  return withCapabilityChanges(caps, [], lastCap);
}

/** `--cap-drop` alone (names with or without `CAP_`, or `ALL`). */
export function withCapDrop(caps: readonly string[]): SpecOpt {
  return withCapabilityChanges([], caps);
}

/** Sets `process.noNewPrivileges` (containerd's default is true, Docker's false). */
export function withNoNewPrivileges(value = true): SpecOpt {
  return (spec) => {
    const p = proc(spec);
    if (value) p.noNewPrivileges = true;
    else delete p.noNewPrivileges; // omitempty: false is simply absent
  };
}

/** `--security-opt apparmor=…`; an empty name removes the profile. */
export function withApparmorProfile(profile: string): SpecOpt {
  return (spec) => {
    const p = proc(spec);
    if (profile === '') delete p.apparmorProfile;
    else p.apparmorProfile = profile;
  };
}

/** `--security-opt seccomp=unconfined`. */
export function withSeccompUnconfined(): SpecOpt {
  return (spec) => {
    delete linux(spec).seccomp;
  };
}

/** A seccomp profile already converted to runtime-spec form. */
export function withSeccompProfile(profile: LinuxSeccomp): SpecOpt {
  return (spec) => {
    linux(spec).seccomp = profile;
  };
}

/** `--security-opt systempaths=unconfined`: no masked or read-only /proc and /sys paths. */
export function withUnconfinedSystemPaths(): SpecOpt {
  return (spec) => {
    const l = linux(spec);
    delete l.maskedPaths;
    delete l.readonlyPaths;
  };
}

/** Joins an existing namespace (`--network container:X`, `--network ns:/path`, …). */
export function withNamespacePath(type: LinuxNamespaceType, path: string): SpecOpt {
  return (spec) => {
    const l = linux(spec);
    const rest = (l.namespaces ?? []).filter((n) => n.type !== type);
    const at = (l.namespaces ?? []).findIndex((n) => n.type === type);
    const entry = { type, path };
    if (at < 0) rest.push(entry);
    else rest.splice(at, 0, entry);
    l.namespaces = rest;
  };
}

/** Shares a host namespace (`--network host`, `--pid host`, …) by not creating one. */
export function withHostNamespace(type: LinuxNamespaceType): SpecOpt {
  return (spec) => {
    const l = linux(spec);
    l.namespaces = (l.namespaces ?? []).filter((n) => n.type !== type);
  };
}

/** Merges annotations (later keys win). */
export function withAnnotations(annotations: Readonly<Record<string, string>>): SpecOpt {
  return (spec) => {
    spec.annotations = { ...(spec.annotations ?? {}), ...annotations };
  };
}

/** The container label/annotation containerd's client uses for an image's stop signal. */
export const STOP_SIGNAL_ANNOTATION = 'io.containerd.image.config.stop-signal';

/** `--stop-signal`: recorded only; `stop` reads it back. The runtime never sees it. */
export function withStopSignal(signal: string): SpecOpt {
  return withAnnotations({ [STOP_SIGNAL_ANNOTATION]: signal });
}

/** `--sysctl`: merged into `linux.sysctl`. */
export function withSysctl(sysctls: Readonly<Record<string, string>>): SpecOpt {
  return (spec) => {
    const l = linux(spec);
    l.sysctl = { ...(l.sysctl ?? {}), ...sysctls };
  };
}

// ---------------------------------------------------------------------------------------------
// resources

/** CFS period dockerd uses for `--cpus`. */
export const CPU_PERIOD = 100000;

/**
 * `--cpus`: CFS quota = cpus × 100000 µs per 100000 µs period, computed from nano-CPUs with
 * integer division like dockerd. Range-checked against the host's CPU count with dockerd's error.
 */
export function withCpus(cpus: number, hostCpus: number = os.availableParallelism()): SpecOpt {
  const nano = Math.round(cpus * 1e9);
  if (!Number.isFinite(cpus) || nano < 1e7 || nano > hostCpus * 1e9) {
    throw new Error(
      `Range of CPUs is from 0.01 to ${hostCpus}.00, as there are only ${hostCpus} CPUs available`,
    );
  }
  return (spec) => {
    const r = resources(spec);
    r.cpu = { ...(r.cpu ?? {}), quota: Math.floor((nano * CPU_PERIOD) / 1e9), period: CPU_PERIOD };
  };
}

/** `--cpu-shares` (relative weight). */
export function withCpuShares(shares: number): SpecOpt {
  return (spec) => {
    const r = resources(spec);
    r.cpu = { ...(r.cpu ?? {}), shares };
  };
}

const CPU_LIST = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

function validCpuList(list: string): boolean {
  if (!CPU_LIST.test(list)) return false;
  return list.split(',').every((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined || (a as number) <= b;
  });
}

/** `--cpuset-cpus` (`0-3`, `0,2`); validated with dockerd's message. */
export function withCpusetCpus(cpus: string): SpecOpt {
  if (!validCpuList(cpus)) throw new Error(`Invalid value ${cpus} for cpuset cpus`);
  return (spec) => {
    const r = resources(spec);
    r.cpu = { ...(r.cpu ?? {}), cpus };
  };
}

/** `--cpuset-mems`; validated with dockerd's message. */
export function withCpusetMems(mems: string): SpecOpt {
  if (!validCpuList(mems)) throw new Error(`Invalid value ${mems} for cpuset mems`);
  return (spec) => {
    const r = resources(spec);
    r.cpu = { ...(r.cpu ?? {}), mems };
  };
}

/** dockerd's lower bound for `--memory`. */
export const MIN_MEMORY = 6 * 1024 * 1024;

let cachedSwapSupport: boolean | undefined;

/** Whether the host can limit swap (cgroup v1 memsw accounting, or cgroup v2). */
export function swapLimitSupported(): boolean {
  cachedSwapSupport ??=
    existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes') ||
    existsSync('/sys/fs/cgroup/cgroup.controllers');
  return cachedSwapSupport;
}

/**
 * `--memory` (bytes; 0 = unlimited). Like dockerd, memory+swap defaults to twice the limit when
 * the host can limit swap and withMemorySwap hasn't set it.
 */
export function withMemory(bytes: number, swapSupported?: boolean): SpecOpt {
  if (bytes !== 0 && bytes < MIN_MEMORY) {
    throw new Error('Minimum memory limit allowed is 6MB');
  }
  return (spec) => {
    if (bytes === 0) return;
    const r = resources(spec);
    const mem = { ...(r.memory ?? {}), limit: bytes };
    if (mem.swap === undefined && (swapSupported ?? swapLimitSupported())) mem.swap = bytes * 2;
    r.memory = mem;
  };
}

/**
 * `--memory-swap` (memory+swap in bytes, -1 = unlimited). Apply after withMemory; without swap
 * accounting on the host the setting is dropped, as dockerd does with a warning.
 */
export function withMemorySwap(bytes: number, swapSupported?: boolean): SpecOpt {
  return (spec) => {
    const r = resources(spec);
    const limit = r.memory?.limit;
    if (bytes === 0) return;
    if (limit === undefined || limit === 0) {
      throw new Error(
        'You should always set the Memory limit when using Memoryswap limit, see usage',
      );
    }
    if (bytes > 0 && bytes < limit) {
      throw new Error('Minimum memoryswap limit should be larger than memory limit, see usage');
    }
    const mem = { ...(r.memory ?? {}) };
    if (swapSupported ?? swapLimitSupported()) mem.swap = bytes;
    else delete mem.swap;
    r.memory = mem;
  };
}

/** `--pids-limit`: zero or negative means unlimited (runc writes `max` for -1). */
export function withPidsLimit(limit: number): SpecOpt {
  return (spec) => {
    resources(spec).pids = { limit: limit > 0 ? limit : -1 };
  };
}

/** One `--ulimit` value; -1 means unlimited. */
export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

/** `--ulimit`: replaces the rlimit of the same type, e.g. containerd's default RLIMIT_NOFILE. */
export function withUlimits(ulimits: readonly Ulimit[]): SpecOpt {
  return (spec) => {
    const p = proc(spec);
    const rlimits = [...(p.rlimits ?? [])];
    for (const u of ulimits) {
      const type = `RLIMIT_${u.name.toUpperCase()}`;
      const entry = { type, soft: toRlim(u.soft), hard: toRlim(u.hard) };
      const at = rlimits.findIndex((r) => r.type === type);
      if (at >= 0) rlimits[at] = entry;
      else rlimits.push(entry);
    }
    p.rlimits = rlimits;
  };
}

// runc reads uint64; -1 means unlimited, i.e. RLIM_INFINITY (2^64-1), which needs a bigint.
function toRlim(v: number): number | bigint {
  return v < 0 ? RLIM_INFINITY : v;
}
