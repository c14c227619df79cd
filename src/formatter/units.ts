/**
 * docker/go-units: the size and duration wording Docker prints (`1.98MB`, `2 hours ago`) and the
 * size parsers behind flags such as `--memory 512m`.
 */
import { formatFloat } from './gofmt.js';

const decimalAbbrs = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const binaryAbbrs = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function sizeAndUnit(size: number, base: number, units: readonly string[]): [number, string] {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return [size, units[i]!];
}

/** units.HumanSizeWithPrecision: decimal units, `precision` significant digits (Go's `%.*g`). */
export function humanSizeWithPrecision(size: number, precision: number): string {
  const [value, unit] = sizeAndUnit(size, 1000, decimalAbbrs);
  return formatFloat(value, 'g', precision) + unit;
}

/** units.HumanSize: `1.98MB`, `16.4kB`, `0B`. */
export function humanSize(size: number): string {
  return humanSizeWithPrecision(size, 4);
}

/** units.BytesSize: binary units, 4 significant digits (`1.5MiB`, `44KiB`). */
export function bytesSize(size: number): string {
  const [value, unit] = sizeAndUnit(size, 1024, binaryAbbrs);
  return formatFloat(value, 'g', 4) + unit;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * units.HumanDuration for a duration in milliseconds. Hours are rounded (Go adds 0.5 before
 * truncating) while seconds and minutes are truncated, which is why 90 minutes reads "2 hours".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / HOUR + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / HOUR) / 24 / 365)} years`;
}

/** Docker's CREATED column: `3 seconds ago`. */
export function formatAge(date: Date | number, now: Date | number = Date.now()): string {
  const then = typeof date === 'number' ? date : date.getTime();
  const current = typeof now === 'number' ? now : now.getTime();
  return `${humanDuration(current - then)} ago`;
}

/** A go-units parse failure; the message is Go's, e.g. `invalid suffix: 'x'`. */
export class SizeParseError extends Error {
  override readonly name = 'SizeParseError';
}

const KB = 1000;
const KiB = 1024;
const decimalMap: Record<string, number> = {
  k: KB,
  m: KB ** 2,
  g: KB ** 3,
  t: KB ** 4,
  p: KB ** 5,
};
const binaryMap: Record<string, number> = {
  k: KiB,
  m: KiB ** 2,
  g: KiB ** 3,
  t: KiB ** 4,
  p: KiB ** 5,
};

// strconv.ParseFloat's decimal syntax (hex floats and Inf/NaN are not reachable here because the
// number part must end in a digit, a dot or a space).
const GO_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseSize(sizeStr: string, map: Record<string, number>): number {
  let sep = -1;
  for (let i = sizeStr.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(sizeStr[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep === -1) throw new SizeParseError(`invalid size: '${sizeStr}'`);
  const num = sizeStr[sep] === ' ' ? sizeStr.slice(0, sep) : sizeStr.slice(0, sep + 1);
  let sfx = sizeStr.slice(sep + 1);
  if (!GO_FLOAT.test(num)) {
    throw new SizeParseError(`strconv.ParseFloat: parsing ${JSON.stringify(num)}: invalid syntax`);
  }
  let size = Number(num);
  if (size < 0) throw new SizeParseError(`invalid size: '${sizeStr}'`);
  if (sfx.length === 0) return Math.trunc(size);
  const badSuffix = (): SizeParseError => new SizeParseError(`invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw badSuffix();
  sfx = sfx.toLowerCase();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw badSuffix();
    return Math.trunc(size);
  }
  const mul = map[sfx[0]!];
  if (mul === undefined) throw badSuffix();
  size *= mul;
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) {
    throw badSuffix();
  }
  return Math.trunc(size);
}

/** units.FromHumanSize: SI multipliers whatever the spelling (`1KiB` is 1000 here, as in Go). */
export function fromHumanSize(size: string): number {
  return parseSize(size, decimalMap);
}

/** units.RAMInBytes: binary multipliers, case-insensitive, optional `b` (`512m`, `1g`, `1.5GiB`). */
export function ramInBytes(size: string): number {
  return parseSize(size, binaryMap);
}
