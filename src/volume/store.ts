/**
 * Local volumes as plain directories, laid out as nerdctl does so either tool sees the other's
 * volumes: `<dataRoot>/volumes/<namespace>/<name>/_data` holds the data and
 * `<dataRoot>/volumes/<namespace>/<name>/volume.json` the labels (plus berth's creation time).
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Settings } from '../config/index.js';
import { DaemonError } from '../errors.js';

/** What the volume functions need from the settings. */
export type VolumeSettings = Pick<Settings, 'dataRoot' | 'namespace'>;

/** dockerd's rule for local volume names (volume/local/local.go). */
export const VOLUME_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Label dockerd (≥23) puts on anonymous volumes; `volume prune` without `-a` removes only these. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

/** The data directory inside a volume's directory (nerdctl and dockerd both call it `_data`). */
export const DATA_DIR = '_data';
/** nerdctl's metadata file name; its `labels` key is what nerdctl reads. */
export const META_FILE = 'volume.json';

export interface Volume {
  name: string;
  /** The host directory the volume's data lives in (`…/<name>/_data`). */
  mountpoint: string;
  labels: Record<string, string>;
  createdAt: Date;
  /** Created without a name (by `volume create`, `-v /path` or an image VOLUME). */
  anonymous: boolean;
}

interface VolumeMeta {
  labels?: Record<string, string> | null;
  createdAt?: string;
}

/** `<dataRoot>/volumes/<namespace>`. */
export function volumesDir(settings: VolumeSettings): string {
  return join(settings.dataRoot, 'volumes', settings.namespace);
}

function volumeDir(settings: VolumeSettings, name: string): string {
  return join(volumesDir(settings), name);
}

/** The host path of a volume's data, whether or not the volume exists. */
export function volumeMountpoint(settings: VolumeSettings, name: string): string {
  return join(volumeDir(settings, name), DATA_DIR);
}

/** A fresh anonymous volume name: 64 hex digits, like dockerd's stringid.GenerateRandomID. */
export function newAnonymousName(): string {
  return randomBytes(32).toString('hex');
}

export function validateVolumeName(name: string): void {
  if (!VOLUME_NAME_PATTERN.test(name)) {
    throw new DaemonError(
      `create ${name}: "${name}" includes invalid characters for a local volume name, ` +
        `only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

/** The error Docker prints for a volume that does not exist (`volume rm`, `run -v` never sees it). */
export class NoSuchVolumeError extends DaemonError {
  constructor(readonly volumeName: string) {
    super(`get ${volumeName}: no such volume`, { kind: 'not-found' });
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

async function readMeta(dir: string): Promise<VolumeMeta> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, META_FILE), 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as VolumeMeta) : {};
  } catch {
    // A volume made by hand (or by an old nerdctl) may have no metadata: no labels then.
    return {};
  }
}

async function writeMeta(dir: string, meta: VolumeMeta): Promise<void> {
  const tmp = join(dir, `.${META_FILE}.${randomBytes(4).toString('hex')}`);
  await writeFile(tmp, `${JSON.stringify(meta, null, 4)}\n`, { mode: 0o644 });
  await rename(tmp, join(dir, META_FILE));
}

/** The volume `name`, or undefined when it does not exist. */
export async function getVolume(
  settings: VolumeSettings,
  name: string,
): Promise<Volume | undefined> {
  if (!VOLUME_NAME_PATTERN.test(name)) return undefined;
  const dir = volumeDir(settings, name);
  let st;
  try {
    st = await stat(dir);
  } catch (err) {
    if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return undefined;
    throw err;
  }
  if (!st.isDirectory()) return undefined;
  const meta = await readMeta(dir);
  const labels = meta.labels ?? {};
  const created = meta.createdAt ? new Date(meta.createdAt) : st.mtime;
  return {
    name,
    mountpoint: join(dir, DATA_DIR),
    labels,
    createdAt: Number.isNaN(created.getTime()) ? st.mtime : created,
    anonymous: Object.hasOwn(labels, ANONYMOUS_LABEL),
  };
}

/**
 * Creates the volume, or returns the existing one unchanged when the name is taken (dockerd's
 * `volume create` is idempotent too, and keeps the first labels). Without a name the volume is
 * anonymous: a 64-hex name and the anonymous label.
 */
export async function createVolume(
  settings: VolumeSettings,
  name?: string,
  labels: Record<string, string> = {},
): Promise<Volume & { created: boolean }> {
  let volLabels = labels;
  if (name === undefined || name === '') {
    name = newAnonymousName();
    volLabels = { ...labels, [ANONYMOUS_LABEL]: '' };
  } else {
    validateVolumeName(name);
  }
  const dir = volumeDir(settings, name);
  await mkdir(volumesDir(settings), { recursive: true, mode: 0o700 });
  let created = true;
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (err) {
    if (errno(err) !== 'EEXIST') throw err;
    created = false;
  }
  if (created) {
    await writeMeta(dir, { labels: volLabels, createdAt: new Date().toISOString() });
  }
  // Also for an existing volume: a concurrent creator may not have made _data yet.
  await mkdir(join(dir, DATA_DIR), { mode: 0o755 }).catch((err: unknown) => {
    if (errno(err) !== 'EEXIST') throw err;
  });
  const vol = await getVolume(settings, name);
  if (!vol) throw new DaemonError(`create ${name}: volume vanished while being created`);
  return { ...vol, created };
}

/** Every volume of the namespace, sorted by name. */
export async function listVolumes(settings: VolumeSettings): Promise<Volume[]> {
  let names: string[];
  try {
    names = await readdir(volumesDir(settings));
  } catch (err) {
    if (errno(err) === 'ENOENT') return [];
    throw err;
  }
  const vols = await Promise.all(
    names.filter((n) => VOLUME_NAME_PATTERN.test(n)).map((n) => getVolume(settings, n)),
  );
  return vols
    .filter((v): v is Volume => v !== undefined)
    .sort((a, b) => naturalCompare(a.name, b.name));
}

/**
 * Deletes the volume's directory, with no in-use check (see removeVolume). The directory is first
 * renamed aside so a half-deleted volume is never listed. Returns false if it did not exist.
 */
export async function deleteVolumeDir(settings: VolumeSettings, name: string): Promise<boolean> {
  if (!VOLUME_NAME_PATTERN.test(name)) return false;
  const dir = volumeDir(settings, name);
  // Names cannot start with '.', so the trash entry can never be mistaken for a volume.
  const trash = join(volumesDir(settings), `.rm-${name}-${randomBytes(4).toString('hex')}`);
  try {
    await rename(dir, trash);
  } catch (err) {
    if (errno(err) === 'ENOENT') return false;
    throw err;
  }
  await rm(trash, { recursive: true, force: true });
  return true;
}

/**
 * Bytes in the volume: regular files and symlinks, each hard-linked inode once, directories not
 * counted (moby's pkg/directory.Size, which `volume prune` reports).
 */
export async function volumeSize(mountpoint: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        await walk(p);
        continue;
      }
      try {
        const st = await lstat(p);
        const key = `${st.dev}:${st.ino}`;
        if (st.nlink > 1) {
          if (seen.has(key)) continue;
          seen.add(key);
        }
        total += st.size;
      } catch {
        // Gone meanwhile: nothing to count.
      }
    }
  };
  await walk(mountpoint);
  return total;
}

/** RFC 3339 in the local time zone with seconds precision, as Go's time.RFC3339 prints (CreatedAt). */
export function rfc3339Local(date: Date): string {
  const pad = (n: number): string => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const off = -date.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(off / 60)}:${pad(off % 60)}`;
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${zone}`
  );
}

/** docker/cli's sortorder.NaturalLess: digit runs compare as numbers. */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+|\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = BigInt(x);
      const ny = BigInt(y);
      if (nx !== ny) return nx < ny ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
