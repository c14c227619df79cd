/** `volume ls` and `volume prune` filters (`-f k=v`), as dockerd's volume service reads them. */
import { type Volume } from './index.js';
import { boolValue, isBoolValue, labelsMatch, parseFilterFlags, type Filters } from '../filters.js';

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
