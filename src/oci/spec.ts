/**
 * OCI runtime-spec types (the subset berth produces) and the default Linux spec.
 *
 * Field names and JSON shape follow opencontainers/runtime-spec `specs-go/config.go`; optional
 * fields mirror Go's `omitempty` so the JSON we send equals what containerd's Go client sends.
 */

/** runtime-spec version vendored by containerd 1.6 (`specs.Version`). */
export const OCI_VERSION = '1.0.2-dev';

/** containerd's `defaultUnixEnv`; Docker uses the same PATH when the image sets none. */
export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface User {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
  username?: string;
}

export interface LinuxCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

/** RLIM_INFINITY; a bigint because 2^64-1 has no exact JS number. */
export const RLIM_INFINITY = 18446744073709551615n;

export interface POSIXRlimit {
  type: string;
  /** uint64 in the spec; bigint only for values above 2^53 (see `specToJSON`). */
  hard: number | bigint;
  soft: number | bigint;
}

export interface Box {
  height: number;
  width: number;
}

export interface Process {
  terminal?: boolean;
  consoleSize?: Box;
  user: User;
  args?: string[];
  commandLine?: string;
  env?: string[];
  cwd: string;
  capabilities?: LinuxCapabilities;
  rlimits?: POSIXRlimit[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  oomScoreAdj?: number;
  selinuxLabel?: string;
}

export interface Root {
  path: string;
  readonly?: boolean;
}

export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface Hook {
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

export interface Hooks {
  prestart?: Hook[];
  createRuntime?: Hook[];
  createContainer?: Hook[];
  startContainer?: Hook[];
  poststart?: Hook[];
  poststop?: Hook[];
}

export type LinuxNamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface LinuxNamespace {
  type: LinuxNamespaceType;
  path?: string;
}

export interface LinuxIDMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface LinuxDevice {
  path: string;
  type: 'c' | 'b' | 'u' | 'p';
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface LinuxDeviceCgroup {
  allow: boolean;
  type?: string;
  major?: number;
  minor?: number;
  access?: string;
}

export interface LinuxMemory {
  limit?: number;
  reservation?: number;
  swap?: number;
  kernel?: number;
  kernelTCP?: number;
  swappiness?: number;
  disableOOMKiller?: boolean;
}

export interface LinuxCPU {
  shares?: number;
  quota?: number;
  period?: number;
  realtimeRuntime?: number;
  realtimePeriod?: number;
  cpus?: string;
  mems?: string;
}

export interface LinuxPids {
  limit: number;
}

export interface LinuxResources {
  devices?: LinuxDeviceCgroup[];
  memory?: LinuxMemory;
  cpu?: LinuxCPU;
  pids?: LinuxPids;
}

export interface LinuxSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export interface LinuxSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: LinuxSeccompArg[];
}

export interface LinuxSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  syscalls?: LinuxSyscall[];
}

export interface Linux {
  uidMappings?: LinuxIDMapping[];
  gidMappings?: LinuxIDMapping[];
  sysctl?: Record<string, string>;
  resources?: LinuxResources;
  cgroupsPath?: string;
  namespaces?: LinuxNamespace[];
  devices?: LinuxDevice[];
  seccomp?: LinuxSeccomp;
  rootfsPropagation?: string;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  mountLabel?: string;
}

export interface Spec {
  ociVersion: string;
  process?: Process;
  root?: Root;
  hostname?: string;
  mounts?: Mount[];
  hooks?: Hooks;
  annotations?: Record<string, string>;
  linux?: Linux;
}

/** containerd's `defaultUnixCaps()`, in containerd's order (the order shows up in `ctr c info`). */
export function defaultCapabilities(): string[] {
  return [
    'CAP_CHOWN',
    'CAP_DAC_OVERRIDE',
    'CAP_FSETID',
    'CAP_FOWNER',
    'CAP_MKNOD',
    'CAP_NET_RAW',
    'CAP_SETGID',
    'CAP_SETUID',
    'CAP_SETFCAP',
    'CAP_SETPCAP',
    'CAP_NET_BIND_SERVICE',
    'CAP_SYS_CHROOT',
    'CAP_KILL',
    'CAP_AUDIT_WRITE',
  ];
}

/** containerd's `defaultMounts()` for Linux. */
export function defaultMounts(): Mount[] {
  return [
    {
      destination: '/proc',
      type: 'proc',
      source: 'proc',
      options: ['nosuid', 'noexec', 'nodev'],
    },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
    },
    {
      destination: '/dev/mqueue',
      type: 'mqueue',
      source: 'mqueue',
      options: ['nosuid', 'noexec', 'nodev'],
    },
    {
      destination: '/sys',
      type: 'sysfs',
      source: 'sysfs',
      options: ['nosuid', 'noexec', 'nodev', 'ro'],
    },
    {
      destination: '/run',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
  ];
}

export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/sys/firmware',
  '/proc/scsi',
];

export const DEFAULT_READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/**
 * The spec containerd 1.6's `oci.populateDefaultUnixSpec` builds for `(ns, id)`, plus the default
 * PATH that containerd only adds later in `WithImageConfig` (we add it up front so a spec built
 * without an image config is still runnable).
 *
 * Note `noNewPrivileges: true`: that is containerd's default. Docker's default is false, so the
 * Docker-compatible flow applies `withNoNewPrivileges(false)` unless `--security-opt
 * no-new-privileges` is given (nerdctl does the same with `oci.WithNewPrivileges`).
 *
 * Every call returns fresh arrays/objects, so options may mutate the result freely.
 */
export function defaultSpec(ns: string, id: string): Spec {
  return {
    ociVersion: OCI_VERSION,
    process: {
      user: { uid: 0, gid: 0 },
      env: [DEFAULT_PATH_ENV],
      cwd: '/',
      capabilities: {
        bounding: defaultCapabilities(),
        effective: defaultCapabilities(),
        permitted: defaultCapabilities(),
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs' },
    mounts: defaultMounts(),
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      // containerd uses filepath.Join("/", ns, id), which also cleans the path.
      cgroupsPath: joinCgroupsPath(ns, id),
      namespaces: [
        { type: 'pid' },
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'mount' },
        { type: 'network' },
      ],
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
    },
  };
}

function joinCgroupsPath(ns: string, id: string): string {
  const parts: string[] = [];
  for (const seg of `${ns}/${id}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return '/' + parts.join('/');
}

const BIGINT_MARK = '\u0000bigint:';

/**
 * Serialises a spec for containerd (the `Any` value of `Containers.Create`). Unlike
 * `JSON.stringify` this writes bigint fields (RLIM_INFINITY) as exact JSON integers, which Go
 * decodes into uint64.
 */
export function specToJSON(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? BIGINT_MARK + v.toString() : v,
  );
  return json.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

/**
 * Parses a stored spec so that `specToJSON` writes it back unchanged: integers beyond 2^53 (an
 * RLIM_INFINITY rlimit) come back as bigints instead of rounded numbers Go would refuse.
 */
export function specFromJSON<T = Spec>(text: string): T {
  // Walk the text so that digits inside strings are never touched.
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      const m = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
      m.lastIndex = i;
      const num = m.exec(text)?.[0] ?? ch;
      out +=
        /^-?\d+$/.test(num) && !Number.isSafeInteger(Number(num)) ? `"\\u0000bigint:${num}"` : num;
      i += num.length;
    } else {
      out += ch;
      i++;
    }
  }
  return JSON.parse(out, (_key, v: unknown) =>
    typeof v === 'string' && v.startsWith(BIGINT_MARK) ? BigInt(v.slice(BIGINT_MARK.length)) : v,
  ) as T;
}
