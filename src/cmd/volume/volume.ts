/**
 * The `volume` commands' logic: rows for `ls`, Docker's inspect shape, filters and prune.
 */
import type { Client } from '../../containerd/client.js';
import { BerthError, UsageError } from '../../errors.js';
import {
  createVolume,
  deleteVolumeDir,
  getVolume,
  listVolumes,
  removeVolume,
  volumeSize,
  volumeUsers,
  type Volume,
  type VolumeSettings,
} from '../../volume/index.js';
import { rfc3339Local } from '../../volume/store.js';

/** `docker volume inspect` for a local volume, keys in dockerd's order. */
export interface DockerVolume {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string>;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string>;
  Scope: string;
}

export function toDockerVolume(v: Volume): DockerVolume {
  return {
    CreatedAt: rfc3339Local(v.createdAt),
    Driver: 'local',
    Labels: { ...v.labels },
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: {},
    Scope: 'local',
  };
}

function labelsText(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** A `volume ls` row: docker/cli's volumeContext (fields, and `{{.Label "k"}}`). */
export class VolumeRow {
  readonly Availability = 'N/A';
  readonly Driver = 'local';
  readonly Group = 'N/A';
  readonly Labels: string;
  readonly Links = 'N/A';
  readonly Mountpoint: string;
  readonly Name: string;
  readonly Scope = 'local';
  readonly Size = 'N/A';
  readonly Status = 'N/A';

  readonly #labels: Record<string, string>;

  constructor(volume: Volume) {
    this.#labels = volume.labels;
    this.Labels = labelsText(volume.labels);
    this.Mountpoint = volume.mountpoint;
    this.Name = volume.name;
  }

  Label(name: string): string {
    return this.#labels[name] ?? '';
  }
}

export const VOLUME_LS_TABLE = 'table {{.Driver}}\t{{.Name}}';
export const VOLUME_LS_HEADERS = {
  Availability: 'AVAILABILITY',
  Driver: 'DRIVER',
  Group: 'GROUP',
  Labels: 'LABELS',
  Links: 'LINKS',
  Mountpoint: 'MOUNTPOINT',
  Name: 'VOLUME NAME',
  Scope: 'SCOPE',
  Size: 'SIZE',
  Status: 'STATUS',
} as const;

/** `-f k=v` flags, grouped by key (several values of one key are ORed, keys are ANDed). */
export type VolumeFilters = Map<string, string[]>;

const FILTER_KEYS = new Set(['dangling', 'driver', 'label', 'label!', 'name']);

/** Parses `--filter` values; bad syntax is a usage error (125), an unknown key a daemon error (1). */
export function parseVolumeFilters(list: readonly string[]): VolumeFilters {
  const out: VolumeFilters = new Map();
  for (const item of list) {
    const i = item.indexOf('=');
    if (i < 0) {
      throw new UsageError(
        `invalid argument "${item}" for "-f, --filter" flag: bad format of filter (expected name=value)`,
      );
    }
    // `label!=k` parses as key `label!`.
    const key = item.slice(0, i).trim().toLowerCase();
    const value = item.slice(i + 1).trim();
    if (!FILTER_KEYS.has(key))
      throw new BerthError(`Error response from daemon: invalid filter '${key}'`);
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  const dangling = out.get('dangling');
  if (dangling) {
    for (const v of dangling) {
      if (!['true', 'false', '1', '0'].includes(v.toLowerCase())) {
        throw new BerthError(`Error response from daemon: invalid filter 'dangling=${v}'`);
      }
    }
  }
  return out;
}

function labelMatches(labels: Record<string, string>, spec: string): boolean {
  const i = spec.indexOf('=');
  if (i < 0) return Object.hasOwn(labels, spec);
  const k = spec.slice(0, i);
  return Object.hasOwn(labels, k) && labels[k] === spec.slice(i + 1);
}

/** dockerd's filters.Match: exact, else the value as a regular expression. */
function nameMatches(name: string, pattern: string): boolean {
  if (name === pattern) return true;
  try {
    return new RegExp(pattern).test(name);
  } catch {
    return false;
  }
}

/** Whether the filters need the container scan (only `dangling` does). */
export function needsUsers(filters: VolumeFilters): boolean {
  return filters.has('dangling');
}

export function matchVolume(
  v: Volume,
  filters: VolumeFilters,
  users?: Map<string, string[]>,
): boolean {
  const names = filters.get('name');
  if (names && !names.some((p) => nameMatches(v.name, p))) return false;
  const drivers = filters.get('driver');
  if (drivers && !drivers.some((d) => nameMatches('local', d))) return false;
  const labels = filters.get('label');
  if (labels && !labels.every((l) => labelMatches(v.labels, l))) return false;
  const notLabels = filters.get('label!');
  if (notLabels && notLabels.some((l) => labelMatches(v.labels, l))) return false;
  const dangling = filters.get('dangling');
  if (dangling) {
    const inUse = (users?.get(v.name)?.length ?? 0) > 0;
    const want = dangling.map((d) => d === 'true' || d === '1');
    if (!want.some((w) => w === !inUse)) return false;
  }
  return true;
}

/** `volume ls`: the volumes matching the filters, natural-sorted by name. */
export async function volumeLs(
  settings: VolumeSettings,
  client: () => Promise<Client>,
  filters: VolumeFilters,
): Promise<VolumeRow[]> {
  const vols = await listVolumes(settings);
  const users =
    needsUsers(filters) && vols.length > 0
      ? await volumeUsers(settings, await client())
      : undefined;
  return vols.filter((v) => matchVolume(v, filters, users)).map((v) => new VolumeRow(v));
}

/** `volume create [NAME]`: returns the name (a new 64-hex one without NAME). */
export async function volumeCreate(
  settings: VolumeSettings,
  name: string | undefined,
  labels: Record<string, string>,
): Promise<string> {
  return (await createVolume(settings, name, labels)).name;
}

/** `volume inspect NAME`. */
export async function volumeInspect(settings: VolumeSettings, name: string): Promise<DockerVolume> {
  const v = await getVolume(settings, name);
  if (!v) throw new BerthError(`No such volume: ${name}`);
  return toDockerVolume(v);
}

/**
 * `volume rm NAME...`: removes each, calling onRemoved for each success; returns the error
 * messages (Docker prints them all and exits 1).
 */
export async function volumeRm(
  settings: VolumeSettings,
  client: Client,
  names: readonly string[],
  opts: { force: boolean },
  onRemoved: (name: string) => void,
): Promise<string[]> {
  const users = await volumeUsers(settings, client);
  const errors: string[] = [];
  for (const name of names) {
    try {
      const removed = await removeVolume(settings, client, name, { force: opts.force, users });
      // Docker prints the name even when -f skipped a missing volume.
      void removed;
      onRemoved(name);
    } catch (err) {
      if (!(err instanceof BerthError)) throw err;
      errors.push(err.message);
    }
  }
  return errors;
}

export interface PruneReport {
  deleted: string[];
  spaceReclaimed: number;
}

/**
 * `volume prune`: removes unused volumes matching the filters; only anonymous ones unless `all`
 * (Docker ≥23). A `label` filter is allowed as in Docker; `all` and `dangling` are not filters here.
 */
export async function volumePrune(
  settings: VolumeSettings,
  client: Client,
  opts: { all: boolean; filters: VolumeFilters },
): Promise<PruneReport> {
  for (const key of opts.filters.keys()) {
    if (key !== 'label' && key !== 'label!')
      throw new BerthError(`Error response from daemon: invalid filter '${key}'`);
  }
  const vols = await listVolumes(settings);
  const users = await volumeUsers(settings, client);
  const report: PruneReport = { deleted: [], spaceReclaimed: 0 };
  for (const v of vols) {
    if ((users.get(v.name)?.length ?? 0) > 0) continue;
    if (!opts.all && !v.anonymous) continue;
    if (!matchVolume(v, opts.filters)) continue;
    const size = await volumeSize(v.mountpoint);
    if (await deleteVolumeDir(settings, v.name)) {
      report.deleted.push(v.name);
      report.spaceReclaimed += size;
    }
  }
  return report;
}

/** The text `volume prune` prints after pruning (docker/cli's layout, blank line included). */
export function pruneOutput(report: PruneReport, humanSize: (n: number) => string): string {
  let out = '';
  if (report.deleted.length > 0)
    out = `Deleted Volumes:\n${report.deleted.map((n) => `${n}\n`).join('')}\n`;
  return `${out}Total reclaimed space: ${humanSize(report.spaceReclaimed)}\n`;
}

export function pruneWarning(all: boolean): string {
  return all
    ? 'WARNING! This will remove all local volumes not used by at least one container.'
    : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
}
