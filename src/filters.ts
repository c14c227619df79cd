/**
 * Docker's `--filter key=value`, shared by ps, images, network ls, volume ls and the prunes:
 * docker/cli's parsing of the flag, the daemon's check of keys and values, `until` times and
 * `label` / `label!` matching, with the messages Docker prints for each mistake.
 */
import { BerthError, DaemonError, UsageError } from './errors.js';

/** Values per key. Most keys OR their values; different keys are ANDed. */
export type Filters = Map<string, string[]>;

export interface FilterSpec {
  /** The keys the command's daemon endpoint accepts. */
  keys: readonly string[];
  /** Checks of a key's values, for keys whose values the daemon parses (`until` is built in). */
  values?: Readonly<Record<string, (value: string) => boolean>>;
  /** How docker/cli names the flag in its parse error: prunes have no `-f` (it means --force). */
  flag?: '-f, --filter' | '--filter';
}

/** The daemon's answer to a filter it cannot use. */
function invalidFilter(key: string, value?: string): BerthError {
  const what = value === undefined ? key : `${key}=${value}`;
  return new DaemonError(`invalid filter '${what}'`);
}

/**
 * Parses `--filter` values. A value without `=` is the CLI's usage error (125); an unknown key
 * or a value the daemon cannot use is its error (1). `label!=k` parses as key `label!`.
 */
export function parseFilterFlags(list: readonly string[], spec: FilterSpec): Filters {
  const out: Filters = new Map();
  for (const item of list) {
    // docker/cli skips an empty --filter "" rather than failing on it.
    if (item === '') continue;
    const i = item.indexOf('=');
    if (i < 0) {
      throw new UsageError(
        `invalid argument "${item}" for "${spec.flag ?? '-f, --filter'}" flag: bad format of filter (expected name=value)`,
      );
    }
    const key = item.slice(0, i).trim().toLowerCase();
    out.set(key, [...(out.get(key) ?? []), item.slice(i + 1).trim()]);
  }
  // The daemon sees the filters only once the CLI has parsed all of them.
  for (const [key, values] of out) {
    if (!spec.keys.includes(key)) throw invalidFilter(key);
    const valid = key === 'until' ? isTimestamp : spec.values?.[key];
    for (const v of values) if (valid && !valid(v)) throw invalidFilter(key, v);
  }
  return out;
}

/** The values the daemon takes for a boolean filter such as `dangling`. */
export function isBoolValue(value: string): boolean {
  return ['true', 'false', '1', '0'].includes(value.toLowerCase());
}

export function boolValue(value: string): boolean {
  return value.toLowerCase() === 'true' || value === '1';
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  // Go accepts both micro signs. Escaped: one character above U+00FF in the bundle makes V8 hold
  // its whole source as UTF-16, 2 MB more heap for every command to load.
  '\u00b5s': 1e-3,
  '\u03bcs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const DURATION_PART = /(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/gy;

/** Go's time.ParseDuration (`24h`, `1h30m`, `1.5s`, `-10m`) in milliseconds, or undefined. */
export function parseGoDuration(value: string): number | undefined {
  const sign = value.startsWith('-') ? -1 : 1;
  const body = /^[-+]/.test(value) ? value.slice(1) : value;
  if (body === '0') return 0;
  if (body === '') return undefined;
  let ms = 0;
  let end = 0;
  for (const m of body.matchAll(DURATION_PART)) {
    ms += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    end = m.index + m[0].length;
  }
  return end === body.length ? sign * ms : undefined;
}

// `YYYY-MM-DD`, optionally `THH`, `THH:MM`, `THH:MM:SS[.frac]`, optionally `Z` or `±HH:MM`.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?)?(Z|[+-]\d{2}:\d{2})?$/;

function parseDateTime(value: string): number | undefined {
  const m = DATE_TIME.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0)) as number[];
  const ms = Math.floor(Number(m[7] ?? 0) * 1000);
  const zone = m[8];
  const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms);
  // Date.UTC rolls over (Feb 30 -> Mar 2); Go rejects such dates, so must we.
  const check = new Date(wall);
  if (
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo! - 1 ||
    check.getUTCDate() !== d ||
    check.getUTCHours() !== h ||
    check.getUTCMinutes() !== mi ||
    check.getUTCSeconds() !== s
  ) {
    return undefined;
  }
  // Without a zone Docker reads the time in the local zone.
  if (zone === undefined) return new Date(y!, mo! - 1, d!, h!, mi!, s!, ms).getTime();
  if (zone === 'Z') return wall;
  const offset = (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  return zone.startsWith('-') ? wall + offset : wall - offset;
}

/**
 * Docker's GetTimestamp as filters' `until` and logs' --since/--until read it: a Go duration
 * before `now`, an RFC 3339 date or date-time (local without a zone), or Unix seconds[.fraction].
 * Milliseconds since the epoch, or undefined when the value is none of those.
 */
export function parseTimestamp(value: string, now = Date.now()): number | undefined {
  // A lone "0" is the Unix epoch, not a zero duration.
  const dur = value === '0' ? undefined : parseGoDuration(value);
  if (dur !== undefined) return now - dur;
  const t = parseDateTime(value);
  if (t !== undefined) return t;
  // A value with a `-` that failed above was a malformed date, never a Unix time.
  if (/^\+?\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  return undefined;
}

function isTimestamp(value: string): boolean {
  return parseTimestamp(value) !== undefined;
}

/** The `until` values as cut-off times in ms; each caller decides what "created before" means. */
export function untilTimes(filters: Filters, now = Date.now()): number[] {
  // parseFilterFlags has refused values that are no time.
  return (filters.get('until') ?? []).map((v) => parseTimestamp(v, now)!);
}

/**
 * The prunes' `until`: at most one cut-off, as the daemon allows. Docker prunes what was created
 * up to and including it (`Created.After(until)` is what is kept).
 */
export function pruneUntil(filters: Filters, now = Date.now()): number | undefined {
  const times = untilTimes(filters, now);
  if (times.length > 1) {
    throw new DaemonError('more than one until filter specified');
  }
  return times[0];
}

/** One `label` value against labels: `k` wants the key present, `k=v` wants that value. */
export function labelMatches(labels: Readonly<Record<string, string>>, spec: string): boolean {
  const i = spec.indexOf('=');
  if (i < 0) return Object.hasOwn(labels, spec);
  const key = spec.slice(0, i);
  return Object.hasOwn(labels, key) && labels[key] === spec.slice(i + 1);
}

/** `label` values must all match; any matching `label!` value rules the object out. */
export function labelsMatch(filters: Filters, labels: Readonly<Record<string, string>>): boolean {
  return (
    (filters.get('label') ?? []).every((l) => labelMatches(labels, l)) &&
    !(filters.get('label!') ?? []).some((l) => labelMatches(labels, l))
  );
}
