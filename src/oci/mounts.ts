import type { Mount } from './spec.js';

export type Propagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';

export const PROPAGATIONS: readonly Propagation[] = [
  'private',
  'rprivate',
  'shared',
  'rshared',
  'slave',
  'rslave',
];

/** A host path bind-mounted into the container (`-v /h:/c`, `--mount type=bind`). */
export interface BindMountRequest {
  type: 'bind';
  source: string;
  target: string;
  readonly: boolean;
  /** Unset means Docker's default for binds, `rprivate`. */
  propagation?: Propagation;
  /** `bind-nonrecursive`: `bind` instead of `rbind`. */
  nonRecursive?: boolean;
  /** `-v` creates a missing host directory; `--mount` refuses it. */
  createHostPath: boolean;
  /** SELinux relabel request (`z`/`Z`); accepted and carried for inspect, not acted upon. */
  relabel?: 'z' | 'Z';
}

/** A named or anonymous volume; the caller maps it to a host directory. */
export interface VolumeMountRequest {
  type: 'volume';
  /** Undefined for an anonymous volume. */
  name?: string;
  target: string;
  readonly: boolean;
  noCopy?: boolean;
  driver?: string;
  subpath?: string;
  labels?: Record<string, string>;
  driverOptions?: Record<string, string>;
}

/** A tmpfs (`--tmpfs`, `--mount type=tmpfs`). */
export interface TmpfsMountRequest {
  type: 'tmpfs';
  target: string;
  readonly: boolean;
  /** Raw mount data/flags as Docker passes them (`size=64m`, `mode=1777`, `exec`, …). */
  options: string[];
}

export type MountRequest = BindMountRequest | VolumeMountRequest | TmpfsMountRequest;

/**
 * The runtime-spec mount dockerd produces for a bind or volume (daemon/oci_linux.go): `rbind` (or
 * `bind`), then `ro` if read-only, then the propagation mode; binds default to `rprivate`,
 * volumes carry no propagation option.
 */
export function bindSpecMount(
  source: string,
  target: string,
  opts: { readonly: boolean; propagation?: Propagation; nonRecursive?: boolean },
): Mount {
  const options = [opts.nonRecursive ? 'bind' : 'rbind'];
  if (opts.readonly) options.push('ro');
  if (opts.propagation) options.push(opts.propagation);
  return { destination: target, type: 'bind', source, options };
}

/**
 * The spec mount dockerd produces for a tmpfs: `noexec,nosuid,nodev,rprivate` followed by the
 * user's options, merged so later options win (`exec` cancels `noexec`).
 */
export function tmpfsSpecMount(req: TmpfsMountRequest): Mount {
  const user = req.readonly && !req.options.includes('ro') ? [...req.options, 'ro'] : req.options;
  const options = mergeTmpfsOptions(['noexec', 'nosuid', 'nodev', 'rprivate', ...user]);
  return { destination: req.target, type: 'tmpfs', source: 'tmpfs', options };
}

// Flags that set/clear the same mount flag collide, so only the last of them survives.
const FLAG_GROUPS: Readonly<Record<string, string>> = {
  ro: 'rdonly',
  rw: 'rdonly',
  suid: 'nosuid',
  nosuid: 'nosuid',
  dev: 'nodev',
  nodev: 'nodev',
  exec: 'noexec',
  noexec: 'noexec',
  sync: 'sync',
  async: 'sync',
  dirsync: 'dirsync',
  remount: 'remount',
  mand: 'mand',
  nomand: 'mand',
  atime: 'noatime',
  noatime: 'noatime',
  diratime: 'nodiratime',
  nodiratime: 'nodiratime',
  relatime: 'relatime',
  norelatime: 'relatime',
  strictatime: 'strictatime',
  nostrictatime: 'strictatime',
  // All propagation/bind flags are one group: only one of them can apply.
  bind: 'propagation',
  rbind: 'propagation',
  unbindable: 'propagation',
  runbindable: 'propagation',
  private: 'propagation',
  rprivate: 'propagation',
  shared: 'propagation',
  rshared: 'propagation',
  slave: 'propagation',
  rslave: 'propagation',
};

const TMPFS_DATA_KEYS = new Set([
  '',
  'size',
  'mode',
  'uid',
  'gid',
  'nr_inodes',
  'nr_blocks',
  'mpol',
]);

/** Port of moby/sys/mount `MergeTmpfsOptions`, including its error text. */
export function mergeTmpfsOptions(options: readonly string[]): string[] {
  const seenFlags = new Set<string>();
  const seenData = new Set<string>();
  const out: string[] = [];
  for (let i = options.length - 1; i >= 0; i--) {
    const option = options[i] as string;
    if (option === 'defaults') continue;
    const group = FLAG_GROUPS[option];
    if (group !== undefined) {
      if (!seenFlags.has(group)) {
        out.unshift(option);
        seenFlags.add(group);
      }
      continue;
    }
    const eq = option.indexOf('=');
    const key = eq < 0 ? option : option.slice(0, eq);
    if (eq < 0 || !TMPFS_DATA_KEYS.has(key)) {
      const parts = eq < 0 ? [option] : [key, option.slice(eq + 1)];
      throw new Error(`invalid tmpfs option [${parts.map((p) => JSON.stringify(p)).join(' ')}]`);
    }
    if (!seenData.has(key)) {
      out.unshift(option);
      seenData.add(key);
    }
  }
  return out;
}

/** Number of path components, used to mount parents before children (dockerd sorts the same). */
export function mountDepth(destination: string): number {
  return destination.split('/').filter((s) => s !== '' && s !== '.').length;
}

/** `path.Clean` for container paths. */
export function cleanPath(p: string): string {
  const abs = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!abs) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  const joined = parts.join('/');
  if (abs) return '/' + joined;
  return joined === '' ? '.' : joined;
}
