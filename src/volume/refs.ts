/**
 * Which containers use which volumes. There is no daemon keeping reference counts, so the truth is
 * the containers' labels: berth's (and nerdctl's) Docker-shaped mounts, and the anonymous volume
 * list. The container records come from the caller (src/container/volume-users.ts lists them).
 */
import { LABEL } from '../labels.js';
import { DaemonError } from '../errors.js';
import {
  DATA_DIR,
  deleteVolumeDir,
  getVolume,
  NoSuchVolumeError,
  VOLUME_NAME_PATTERN,
  volumesDir,
  type VolumeSettings,
} from './store.js';

/** nerdctl writes the same Docker-shaped JSON under its own key. */
const NERDCTL_MOUNTS_LABEL = 'nerdctl/mounts';
const NERDCTL_ANONYMOUS_LABEL = 'nerdctl/anonymous-volumes';

/** A mount as `docker inspect` shows it (`.Mounts[]`), the shape of the LABEL.mounts array. */
export interface DockerMount {
  Type: 'bind' | 'volume' | 'tmpfs' | string;
  /** Volume name; absent for binds and tmpfs. */
  Name?: string;
  Source: string;
  Destination: string;
  /** `local` for volumes. */
  Driver?: string;
  /** The mode text the user gave (`z`, `ro,Z`, ...); usually empty. */
  Mode: string;
  RW: boolean;
  Propagation: string;
}

function parseArray(text: string | undefined): unknown[] {
  if (!text) return [];
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

/** The Docker-shaped mounts recorded on a container (berth's label, else nerdctl's). */
export function containerMounts(labels: Record<string, string> | undefined): DockerMount[] {
  const raw = labels?.[LABEL.mounts] ?? labels?.[NERDCTL_MOUNTS_LABEL];
  return parseArray(raw).filter(
    (m): m is DockerMount =>
      typeof m === 'object' &&
      m !== null &&
      typeof (m as DockerMount).Type === 'string' &&
      typeof (m as DockerMount).Destination === 'string',
  );
}

/** Names of the volumes a container uses, according to its labels. */
export function volumeNamesOf(
  settings: VolumeSettings,
  labels: Record<string, string> | undefined,
): Set<string> {
  const names = new Set<string>();
  for (const m of containerMounts(labels)) {
    if (m.Type === 'volume' && typeof m.Name === 'string' && m.Name !== '') names.add(m.Name);
    // A bind of a volume's data directory (nerdctl records some that way) counts too.
    else if (typeof m.Source === 'string') {
      const base = `${volumesDir(settings)}/`;
      const tail = `/${DATA_DIR}`;
      if (m.Source.startsWith(base) && m.Source.endsWith(tail)) {
        const name = m.Source.slice(base.length, -tail.length);
        if (VOLUME_NAME_PATTERN.test(name)) names.add(name);
      }
    }
  }
  for (const key of [LABEL.anonymousVolumes, NERDCTL_ANONYMOUS_LABEL]) {
    for (const n of parseArray(labels?.[key])) if (typeof n === 'string') names.add(n);
  }
  return names;
}

/** A container record as far as volume references go. */
export interface VolumeUser {
  id: string;
  labels?: Record<string, string> | null;
}

/** volume name -> sorted ids of the given containers that use it. */
export function volumeUsersOf(
  settings: VolumeSettings,
  containers: Iterable<VolumeUser>,
): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const c of containers) {
    for (const name of volumeNamesOf(settings, c.labels ?? undefined)) {
      const list = users.get(name);
      if (list) list.push(c.id);
      else users.set(name, [c.id]);
    }
  }
  for (const ids of users.values()) ids.sort();
  return users;
}

/** dockerd's refusal to remove a volume a container still references. */
export class VolumeInUseError extends DaemonError {
  constructor(
    readonly volumeName: string,
    readonly containerIds: string[],
  ) {
    // Go's %v of a []string: `[a b]`.
    super(`remove ${volumeName}: volume is in use - [${containerIds.join(' ')}]`, {
      kind: 'conflict',
    });
  }
}

export interface RemoveVolumeOptions {
  /** `volume rm -f`: a missing volume is not an error. It does not override the in-use check (nor does Docker's). */
  force?: boolean;
  /** volumeUsersOf() the namespace's containers: the in-use check needs all of them. */
  users: ReadonlyMap<string, readonly string[]>;
}

/**
 * `docker volume rm NAME`: refuses (VolumeInUseError, exit 1) while a container uses the volume,
 * fails with NoSuchVolumeError for a missing one unless `force`. Returns whether it removed it.
 */
export async function removeVolume(
  settings: VolumeSettings,
  name: string,
  options: RemoveVolumeOptions,
): Promise<boolean> {
  const vol = await getVolume(settings, name);
  if (!vol) {
    if (options.force) return false;
    throw new NoSuchVolumeError(name);
  }
  const ids = options.users.get(name);
  if (ids && ids.length > 0) throw new VolumeInUseError(name, [...ids]);
  return deleteVolumeDir(settings, name);
}

export interface RemoveAnonymousResult {
  removed: string[];
  /** Still used by another container (e.g. through --volumes-from): kept, as dockerd keeps them. */
  kept: string[];
}

/**
 * `rm -v` and `--rm`: removes the container's anonymous volumes (LABEL.anonymousVolumes). Call it
 * after the container record is deleted; volumes that `users` (volumeUsersOf) says another
 * container still uses are kept. Missing volumes are ignored. Named volumes are never removed by
 * this.
 */
export async function removeAnonymousVolumes(
  settings: VolumeSettings,
  names: readonly string[],
  options: { users?: ReadonlyMap<string, readonly string[]> } = {},
): Promise<RemoveAnonymousResult> {
  const result: RemoveAnonymousResult = { removed: [], kept: [] };
  const users = options.users ?? new Map<string, string[]>();
  for (const name of names) {
    if ((users.get(name)?.length ?? 0) > 0) {
      result.kept.push(name);
      continue;
    }
    if (await deleteVolumeDir(settings, name)) result.removed.push(name);
  }
  return result;
}

/** The anonymous volume names recorded on a container, for removeAnonymousVolumes. */
export function anonymousVolumesOf(labels: Record<string, string> | undefined): string[] {
  return parseArray(labels?.[LABEL.anonymousVolumes] ?? labels?.[NERDCTL_ANONYMOUS_LABEL]).filter(
    (n): n is string => typeof n === 'string',
  );
}
