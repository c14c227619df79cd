/**
 * The `volume` commands' logic: rows for `ls`, Docker's inspect shape, filters and prune.
 */
import { publishEvent } from '../../events/index.js';
import type { Client } from '../../containerd/client.js';
import { BerthError, errorText } from '../../errors.js';
import {
  createVolume,
  deleteVolumeDir,
  getVolume,
  listVolumes,
  removeVolume,
  volumeSize,
  type Volume,
  type VolumeSettings,
} from '../../volume/index.js';
import { rfc3339Local } from '../../volume/store.js';
import { liveClaims, withVolumeLock } from '../../volume/claims.js';
import { volumeUsers } from '../../container/volume-users.js';
import { VolumeRow } from '../../formatter/volume.js';
import {
  boolValue,
  isBoolValue,
  labelsMatch,
  parseFilterFlags,
  type Filters,
} from '../../filters.js';

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

/** `-f k=v` flags, grouped by key (several values of one key are ORed, keys are ANDed). */

/** Parses `volume ls --filter` values; bad syntax is a usage error (125), an unknown key a daemon error (1). */
export function parseVolumeFilters(list: readonly string[]): Filters {
  return parseFilterFlags(list, {
    keys: ['dangling', 'driver', 'label', 'label!', 'name'],
    values: { dangling: isBoolValue },
  });
}

/** `volume prune --filter`: only labels; `all` and `dangling` are flags or implied there. */
export function parseVolumePruneFilters(list: readonly string[]): Filters {
  return parseFilterFlags(list, { keys: ['label', 'label!'], flag: '--filter' });
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
export function needsUsers(filters: Filters): boolean {
  return filters.has('dangling');
}

export function matchVolume(v: Volume, filters: Filters, users?: Map<string, string[]>): boolean {
  const names = filters.get('name');
  if (names && !names.some((p) => nameMatches(v.name, p))) return false;
  const drivers = filters.get('driver');
  if (drivers && !drivers.some((d) => nameMatches('local', d))) return false;
  if (!labelsMatch(filters, v.labels)) return false;
  const dangling = filters.get('dangling');
  if (dangling) {
    const inUse = (users?.get(v.name)?.length ?? 0) > 0;
    const want = dangling.map(boolValue);
    if (!want.some((w) => w === !inUse)) return false;
  }
  return true;
}

/** `volume ls`: the volumes matching the filters, natural-sorted by name. */
export async function volumeLs(
  settings: VolumeSettings,
  client: () => Promise<Client>,
  filters: Filters,
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
  client?: Client,
): Promise<string> {
  const created = (await createVolume(settings, name, labels)).name;
  if (client) await publishEvent(client, 'volume', 'create', created, { driver: 'local' });
  return created;
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
  const errors: string[] = [];
  for (const name of names) {
    try {
      // Under the volume's lock, claims of containers being created first, then the records: a
      // `run -v` racing this sees either the volume removed (and makes it again) or it in use.
      const removed = await withVolumeLock(settings, name, async () => {
        const claims = liveClaims(settings, name);
        const users = new Map(await volumeUsers(settings, client));
        if (claims.length) users.set(name, [...(users.get(name) ?? []), ...claims]);
        return removeVolume(settings, name, { force: opts.force, users });
      });
      if (removed) await publishEvent(client, 'volume', 'destroy', name, { driver: 'local' });
      // Docker prints the name even when -f skipped a missing volume.
      onRemoved(name);
    } catch (err) {
      if (!(err instanceof BerthError)) throw err;
      errors.push(errorText(err));
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
 * (Docker ≥23). The filters come from parseVolumePruneFilters.
 */
export async function volumePrune(
  settings: VolumeSettings,
  client: Client,
  opts: { all: boolean; filters: Filters },
): Promise<PruneReport> {
  const vols = await listVolumes(settings);
  const users = await volumeUsers(settings, client);
  const report: PruneReport = { deleted: [], spaceReclaimed: 0 };
  for (const v of vols) {
    if ((users.get(v.name)?.length ?? 0) > 0) continue;
    if (!opts.all && !v.anonymous) continue;
    if (!matchVolume(v, opts.filters)) continue;
    const size = await volumeSize(v.mountpoint);
    if (await deleteVolumeDir(settings, v.name)) {
      await publishEvent(client, 'volume', 'destroy', v.name, { driver: 'local' });
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
