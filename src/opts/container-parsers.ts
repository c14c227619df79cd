/**
 * Pure parsers for `run`/`create` flag values. Each returns a typed value or throws an Error whose
 * message is Docker's (CLI-side and daemon-side validation combined, since berth has no daemon).
 * The flag layer adds Docker's `invalid argument "…" for "…" flag: ` prefix where Docker does.
 *
 * Mirrors docker/cli `opts/` + `cli/command/container/opts.go`, moby `volume/mounts/linux_parser.go`,
 * docker/go-units and docker/go-connections `nat`.
 */
import { isIP } from 'node:net';
import path from 'node:path';

import { normalizeCapability } from '../oci/capabilities.js';
import {
  PROPAGATIONS,
  mergeTmpfsOptions,
  type BindMountRequest,
  type MountRequest,
  type Propagation,
  type TmpfsMountRequest,
  type VolumeMountRequest,
} from '../oci/mounts.js';
import type { Ulimit } from '../oci/opts.js';
import { LINUX_SIGNALS, MAX_SIGNAL } from '../oci/signals.js';

// ---------------------------------------------------------------------------------------------
// Go standard-library error texts

function quoteGo(s: string): string {
  return JSON.stringify(s);
}

function syntaxError(fn: string, s: string): Error {
  return new Error(`strconv.${fn}: parsing ${quoteGo(s)}: invalid syntax`);
}

function rangeError(fn: string, s: string): Error {
  return new Error(`strconv.${fn}: parsing ${quoteGo(s)}: value out of range`);
}

/** strconv.ParseInt(s, base, 64); base 0 honours 0x/0o/0b/0 prefixes like pflag's int flags. */
function goParseInt(s: string, base: 0 | 10, fn = 'ParseInt'): number {
  const m = /^([+-]?)(.+)$/.exec(s);
  if (!m || s === '') throw syntaxError(fn, s);
  const sign = m[1] === '-' ? -1n : 1n;
  let body = m[2] as string;
  let radix = 10;
  if (base === 0) {
    if (/^0[xX]/.test(body)) [radix, body] = [16, body.slice(2)];
    else if (/^0[bB]/.test(body)) [radix, body] = [2, body.slice(2)];
    else if (/^0[oO]/.test(body)) [radix, body] = [8, body.slice(2)];
    else if (/^0\d/.test(body)) [radix, body] = [8, body.slice(1)];
  }
  const digits = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^\d+$/, 16: /^[0-9a-fA-F]+$/ }[radix];
  if (!digits || !digits.test(body)) throw syntaxError(fn, s);
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '';
  const v = sign * BigInt(prefix + body);
  if (v > 9223372036854775807n || v < -9223372036854775808n) throw rangeError(fn, s);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    // Representable in Go but not exactly in JS; no flag value needs that much.
    throw rangeError(fn, s);
  }
  return Number(v);
}

/** strconv.Atoi. */
function goAtoi(s: string): number {
  return goParseInt(s, 10, 'Atoi');
}

/** strconv.ParseBool. */
function goParseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// sizes

const SIZE_RE = /^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const BINARY_UNITS: Readonly<Record<string, number>> = {
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

/**
 * go-units `RAMInBytes`: `512m`, `1g`, `1.5GiB`, `100` (bytes). Units are binary whatever the
 * spelling (`1kb` = 1024). Throws Docker's `invalid size: '…'`.
 */
export function parseMemory(value: string): number {
  const m = SIZE_RE.exec(value);
  if (!m) throw new Error(`invalid size: '${value}'`);
  const num = m[1] as string;
  // `1.2.3` passes the regexp but not Go's ParseFloat.
  if (!/^\d+(\.\d+)?$/.test(num))
    throw new Error(`strconv.ParseFloat: parsing ${quoteGo(num)}: invalid syntax`);
  const mul = m[3] ? (BINARY_UNITS[m[3].toLowerCase()] as number) : 1;
  return Math.trunc(Number(num) * mul);
}

/** `--memory-swap`: like parseMemory, plus `-1` for unlimited. */
export function parseMemorySwap(value: string): number {
  return value === '-1' ? -1 : parseMemory(value);
}

/**
 * `--cpus`: a rational number (`1.5`, `0.25`, `3/2`, `1e-2`) with at most nanosecond precision,
 * as docker/cli's NanoCPUs. Returns the CPU count.
 */
export function parseCpus(value: string): number {
  const rat = parseRational(value);
  if (!rat) throw new Error(`failed to parse ${value} as a rational number`);
  const [num, den] = rat;
  const scaled = num * 1000000000n;
  if (scaled % den !== 0n) throw new Error('value is too precise');
  return Number(scaled / den) / 1e9;
}

function parseRational(value: string): [bigint, bigint] | undefined {
  const frac = /^([+-]?\d+)\/(\d+)$/.exec(value);
  if (frac) {
    const den = BigInt(frac[2] as string);
    return den === 0n ? undefined : [BigInt(frac[1] as string), den];
  }
  const dec = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(value);
  if (!dec) return undefined;
  const intPart = dec[2] ?? '';
  const fracPart = dec[3] ?? '';
  if (intPart === '' && fracPart === '') return undefined;
  const exp = Number(dec[4] ?? '0') - fracPart.length;
  if (Math.abs(exp) > 400) return undefined;
  let num = BigInt((intPart || '0') + fracPart);
  let den = 1n;
  if (exp >= 0) num *= 10n ** BigInt(exp);
  else den = 10n ** BigInt(-exp);
  if (dec[1] === '-') num = -num;
  return [num, den];
}

// ---------------------------------------------------------------------------------------------
// ulimit, restart, signals, timeouts, capabilities

const ULIMIT_NAMES = new Set([
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
]);

/** go-units `ParseUlimit`: `nofile=1024:2048`, `core=-1` (hard defaults to soft). */
export function parseUlimit(value: string): Ulimit {
  const eq = value.indexOf('=');
  if (eq < 0) throw new Error(`invalid ulimit argument: ${value}`);
  const name = value.slice(0, eq);
  const limits = value.slice(eq + 1);
  if (!ULIMIT_NAMES.has(name)) throw new Error(`invalid ulimit type: ${name}`);
  const parts = limits.split(':');
  if (parts.length > 2) {
    throw new Error(
      `too many limit value arguments - ${limits}, can only have up to two, \`soft[:hard]\``,
    );
  }
  // Go parses the hard limit first when both are given, so its error wins.
  const hard = parts.length === 2 ? goParseInt(parts[1] as string, 10) : undefined;
  const soft = goParseInt(parts[0] as string, 10);
  const effectiveHard = hard ?? soft;
  if (effectiveHard !== -1) {
    if (soft === -1) {
      throw new Error(
        `ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${effectiveHard}`,
      );
    }
    if (soft > effectiveHard) {
      throw new Error(
        `ulimit soft limit must be less than or equal to hard limit: ${soft} > ${effectiveHard}`,
      );
    }
  }
  return { name, soft, hard: effectiveHard };
}

export type RestartPolicyName = 'no' | 'always' | 'on-failure' | 'unless-stopped';

export interface RestartPolicy {
  name: RestartPolicyName;
  maximumRetryCount: number;
}

/** `--restart no|always|on-failure[:N]|unless-stopped`; empty means `no`. */
export function parseRestartPolicy(value: string): RestartPolicy {
  if (value === '') return { name: 'no', maximumRetryCount: 0 };
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  const count = colon < 0 ? '' : value.slice(colon + 1);
  if (colon >= 0 && name === '') {
    throw new Error('invalid restart policy format: no policy provided before colon');
  }
  let maximumRetryCount = 0;
  if (count !== '') {
    try {
      maximumRetryCount = goAtoi(count);
    } catch {
      throw new Error('invalid restart policy format: maximum retry count must be an integer');
    }
  }
  switch (name) {
    case 'always':
    case 'unless-stopped':
    case 'no':
      if (maximumRetryCount !== 0) {
        throw new Error(
          "invalid restart policy: maximum retry count can only be used with 'on-failure'" +
            (maximumRetryCount < 0 ? ' and cannot be negative' : ''),
        );
      }
      return { name, maximumRetryCount };
    case 'on-failure':
      if (maximumRetryCount < 0) {
        throw new Error('invalid restart policy: maximum retry count cannot be negative');
      }
      return { name, maximumRetryCount };
    default:
      throw new Error(
        `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`,
      );
  }
}

/**
 * moby's `ParseSignal`: `SIGTERM`, `term`, `TERM`, `15`, `RTMIN+3` → the Linux signal number.
 * Numbers outside 1..64 are rejected too (moby defers that to the daemon).
 */
export function parseSignal(value: string): number {
  if (/^[+-]?\d+$/.test(value)) {
    const n = Number(value);
    if (n < 1 || n > MAX_SIGNAL) throw new Error(`invalid signal: ${value}`);
    return n;
  }
  const upper = value.toUpperCase();
  const name = upper.startsWith('SIG') ? upper.slice(3) : upper;
  const n = LINUX_SIGNALS[name];
  if (n === undefined) throw new Error(`invalid signal: ${value}`);
  return n;
}

/** `--stop-timeout` (seconds; pflag int syntax, so `0x10` works and `1.5` doesn't). */
export function parseStopTimeout(value: string): number {
  return goParseInt(value, 0);
}

/** `--cap-add`/`--cap-drop` value: `NET_ADMIN`, `cap_net_admin` → `CAP_NET_ADMIN`; `ALL`. */
export function parseCapability(value: string): string {
  return normalizeCapability(value);
}

export type SecurityOpt =
  | { kind: 'no-new-privileges'; value: boolean }
  /** `unconfined`, `builtin`, or a profile path for the caller to load. */
  | { kind: 'seccomp'; profile: string }
  | { kind: 'apparmor'; profile: string }
  | { kind: 'label'; value: string }
  | { kind: 'systempaths'; value: 'unconfined' };

/** `--security-opt`: docker/cli's `parseSecurityOpts` followed by dockerd's `parseSecurityOpt`. */
export function parseSecurityOpt(value: string): SecurityOpt {
  if (value === 'systempaths=unconfined') return { kind: 'systempaths', value: 'unconfined' };
  if (value === 'no-new-privileges') return { kind: 'no-new-privileges', value: true };
  let sep = value.indexOf('=');
  if (sep < 0) sep = value.indexOf(':');
  if (sep < 0 || sep === value.length - 1) {
    throw new Error(`Invalid --security-opt: ${quoteGo(value)}`);
  }
  const key = value.slice(0, sep);
  const v = value.slice(sep + 1);
  switch (key) {
    case 'label':
      return { kind: 'label', value: v };
    case 'apparmor':
      return { kind: 'apparmor', profile: v };
    case 'seccomp':
      return { kind: 'seccomp', profile: v };
    case 'no-new-privileges': {
      const b = goParseBool(v);
      if (b === undefined) throw new Error(`invalid --security-opt 2: ${quoteGo(value)}`);
      return { kind: 'no-new-privileges', value: b };
    }
    default:
      throw new Error(`invalid --security-opt 2: ${quoteGo(value)}`);
  }
}

const SYSCTL_NAMES = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

/** `--sysctl k=v`, restricted to namespaced sysctls like docker/cli's `ValidateSysctl`. */
export function parseSysctl(value: string): [string, string] {
  const eq = value.indexOf('=');
  const key = eq < 0 ? value : value.slice(0, eq);
  if (
    eq >= 0 &&
    (SYSCTL_NAMES.has(key) || key.startsWith('fs.mqueue.') || key.startsWith('net.'))
  ) {
    return [key, value.slice(eq + 1)];
  }
  throw new Error(`sysctl '${value}' is not whitelisted`);
}

// ---------------------------------------------------------------------------------------------
// env and label files

export type EnvLookup = (key: string) => string | undefined;

export interface KeyValueFileOptions {
  /** Used in error messages. */
  filename?: string;
}

const GO_SPACE_START =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

function splitLines(content: string | Uint8Array, filename: string): string[] {
  let lines: string[];
  if (typeof content === 'string') {
    lines = content.split('\n');
  } else {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    lines = [];
    let start = 0;
    const chunks: Uint8Array[] = [];
    for (let i = 0; i <= content.length; i++) {
      if (i === content.length || content[i] === 0x0a) {
        chunks.push(content.subarray(start, i));
        start = i + 1;
      }
    }
    chunks.forEach((chunk, idx) => {
      const noCR = chunk[chunk.length - 1] === 0x0d ? chunk.subarray(0, -1) : chunk;
      try {
        lines.push(decoder.decode(noCR));
      } catch {
        throw new Error(
          `env file ${filename} contains invalid utf8 bytes at line ${idx + 1}: [${[...noCR].join(' ')}]`,
        );
      }
    });
  }
  // bufio.ScanLines: no token after a final newline, and a trailing \r is dropped.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function parseKeyValueFile(
  content: string | Uint8Array,
  filename: string,
  lookup: EnvLookup | undefined,
): string[] {
  const out: string[] = [];
  splitLines(content, filename).forEach((raw, idx) => {
    const scanned = idx === 0 ? raw.replace(/^\ufeff/, '') : raw;
    const line = scanned.replace(GO_SPACE_START, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const variable = (eq < 0 ? line : line.slice(0, eq)).replace(/^[ \t]+/, '');
    if (/[ \t]/.test(variable)) {
      throw new Error(`poorly formatted environment: variable '${variable}' contains whitespaces`);
    }
    if (variable === '') {
      throw new Error(`poorly formatted environment: no variable name on line '${line}'`);
    }
    if (eq >= 0) {
      out.push(`${variable}=${line.slice(eq + 1)}`);
      return;
    }
    const value = lookup?.(line);
    out.push(value === undefined ? line.trim() : `${line.trim()}=${value}`);
  });
  return out;
}

/**
 * `--env-file` content (docker/cli `ParseEnvFile`): `#` comments and blank lines skipped, leading
 * whitespace trimmed, values kept verbatim (no quotes processing), and a bare `K` takes the host's
 * value (or stays bare, which removes K from the image env, if the host has none).
 */
export function parseEnvFile(
  content: string | Uint8Array,
  options: KeyValueFileOptions & { lookupEnv?: EnvLookup } = {},
): string[] {
  const lookup = options.lookupEnv ?? ((k: string) => process.env[k]);
  return parseKeyValueFile(content, options.filename ?? '', lookup);
}

/** `--label-file` content: same syntax as env files, but a bare `K` stays a `K` (empty value). */
export function parseLabelFile(
  content: string | Uint8Array,
  options: KeyValueFileOptions = {},
): string[] {
  return parseKeyValueFile(content, options.filename ?? '', undefined);
}

// ---------------------------------------------------------------------------------------------
// --add-host

export interface ExtraHost {
  host: string;
  /** An IP address, or `host-gateway` for the caller to substitute. */
  ip: string;
}

export const HOST_GATEWAY = 'host-gateway';

function isGoIP(s: string): boolean {
  return !s.includes('%') && isIP(s) !== 0;
}

/** `--add-host host:ip` / `host=ip`, IPv6 optionally in brackets, or `host:host-gateway`. */
export function parseAddHost(value: string): ExtraHost {
  let sep = value.indexOf('=');
  if (sep < 0) sep = value.indexOf(':');
  const host = sep < 0 ? '' : value.slice(0, sep);
  let ip = sep < 0 ? '' : value.slice(sep + 1);
  if (sep < 0 || host === '' || host.includes(':')) {
    throw new Error(`bad format for add-host: ${quoteGo(value)}`);
  }
  if (ip !== HOST_GATEWAY) {
    if (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    if (!isGoIP(ip)) throw new Error(`invalid IP address in add-host: ${quoteGo(ip)}`);
  }
  return { host, ip };
}

// ---------------------------------------------------------------------------------------------
// -p / --publish

export type PortProtocol = 'tcp' | 'udp' | 'sctp';

export interface PortMapping {
  /** '' means all addresses. */
  hostIP: string;
  /** 0 means "pick a free port". */
  hostPort: number;
  /** Equal to hostPort, except for one container port with a host range to pick from. */
  hostPortEnd: number;
  containerPort: number;
  protocol: PortProtocol;
}

function parsePortRange(ports: string): [number, number] | undefined {
  if (ports === '') return undefined;
  const u16 = (s: string | undefined): number | undefined =>
    s !== undefined && /^\d+$/.test(s) && Number(s) <= 65535 ? Number(s) : undefined;
  if (!ports.includes('-')) {
    const n = u16(ports);
    return n === undefined ? undefined : [n, n];
  }
  const parts = ports.split('-');
  const start = u16(parts[0]);
  const end = u16(parts[1]);
  if (start === undefined || end === undefined || end < start) return undefined;
  return [start, end];
}

// docker/cli's convertToStandardNotation for `-p target=80,published=8080,protocol=udp`.
function standardPortNotation(value: string): string {
  if (!value.includes('=')) return value;
  const params: Record<string, string> = { protocol: 'tcp' };
  for (const param of value.split(',')) {
    const eq = param.indexOf('=');
    if (eq <= 0) {
      throw new Error(`invalid publish opts format (should be name=value but got '${param}')`);
    }
    params[param.slice(0, eq)] = param.slice(eq + 1);
  }
  return `${params.published ?? ''}:${params.target ?? ''}/${params.protocol}`;
}

/**
 * `-p [ip:][hostPort:]containerPort[/proto]` (go-connections `ParsePortSpec`): ranges on both
 * sides (`8000-8001:80-81`), a host range for one container port, IPv6 addresses in brackets,
 * and Docker's long `target=…,published=…` syntax. One entry per container port.
 */
export function parsePublish(value: string): PortMapping[] {
  const raw = standardPortNotation(value);
  const parts = raw.split(':');
  const n = parts.length;
  let ip = n >= 3 ? parts.slice(0, n - 2).join(':') : '';
  const hostPortRaw = n >= 2 ? (parts[n - 2] as string) : '';
  const slash = (parts[n - 1] as string).split('/');
  let proto = '';
  let containerRaw = '';
  const last = parts[n - 1] as string;
  if (last !== '' && slash[0] !== '') {
    containerRaw = slash[0] as string;
    proto = slash.length === 1 || slash[1] === '' ? 'tcp' : (slash[1] as string);
  }

  if (ip.startsWith('[')) {
    if (!ip.endsWith(']') || ip.indexOf(']') !== ip.length - 1) {
      throw new Error(`Invalid ip address ${ip}: address ${ip}:: missing ']' in address`);
    }
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && !isGoIP(ip)) throw new Error(`Invalid ip address: ${ip}`);
  if (containerRaw === '') throw new Error(`No port specified: ${raw}<empty>`);

  const cRange = parsePortRange(containerRaw);
  if (!cRange) throw new Error(`Invalid containerPort: ${containerRaw}`);
  let hRange: [number, number] = [0, 0];
  if (hostPortRaw !== '') {
    const h = parsePortRange(hostPortRaw);
    if (!h) throw new Error(`Invalid hostPort: ${hostPortRaw}`);
    hRange = h;
  }
  const [cStart, cEnd] = cRange;
  const [hStart, hEnd] = hRange;
  if (hostPortRaw !== '' && cEnd - cStart !== hEnd - hStart && cEnd !== cStart) {
    throw new Error(
      `Invalid ranges specified for container and host Ports: ${containerRaw} and ${hostPortRaw}`,
    );
  }
  const protocol = proto.toLowerCase();
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') {
    throw new Error(`Invalid proto: ${proto}`);
  }

  const out: PortMapping[] = [];
  for (let i = 0; i <= cEnd - cStart; i++) {
    const dynamicRange = cStart === cEnd && hStart !== hEnd;
    const hostPort = hostPortRaw === '' ? 0 : hStart + i;
    out.push({
      hostIP: ip,
      hostPort,
      hostPortEnd: dynamicRange ? hEnd : hostPort,
      containerPort: cStart + i,
      protocol,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// -v, --mount, --tmpfs

const RW_MODES = new Set(['rw', 'ro']);
const LABEL_MODES = new Set(['z', 'Z']);
const COPY_MODES = new Set(['nocopy']);
const CONSISTENCY_MODES = new Set(['consistent', 'cached', 'delegated']);

function validMountMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = { rw: 0, label: 0, propagation: 0, copy: 0, consistency: 0 };
  for (const o of mode.split(',')) {
    if (RW_MODES.has(o)) counts.rw++;
    else if (LABEL_MODES.has(o)) counts.label++;
    else if ((PROPAGATIONS as readonly string[]).includes(o)) counts.propagation++;
    else if (COPY_MODES.has(o)) counts.copy++;
    else if (CONSISTENCY_MODES.has(o)) counts.consistency++;
    else return false;
  }
  return Object.values(counts).every((c) => c <= 1);
}

function mountConfigError(type: string, msg: string): Error {
  return new Error(`invalid mount config for type ${quoteGo(type)}: ${msg}`);
}

function cleanTarget(p: string): string {
  return path.posix.normalize(p.replace(/\\/g, '/')).replace(/(.)\/+$/, '$1');
}

// moby's linuxValidateNotRoot + linuxValidateAbsolute.
function validateTarget(target: string): string | undefined {
  if (cleanTarget(target) === '/') return "invalid specification: destination can't be '/'";
  if (!target.replace(/\\/g, '/').startsWith('/')) {
    return `invalid mount path: '${target}' mount path must be absolute`;
  }
  return undefined;
}

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function validateVolumeName(name: string): void {
  if (!VOLUME_NAME.test(name)) {
    throw new Error(
      `create ${name}: ${quoteGo(name)} includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

function absFromDot(source: string, cwd: string): string {
  return source === '.' || source.startsWith('./') ? path.resolve(cwd, source) : source;
}

/**
 * `-v [source:]target[:mode]`: an absolute source is a bind (host dir created if missing,
 * `rprivate` unless a propagation mode is given), a name is a named volume, no source an
 * anonymous volume. `.`/`./x` sources are made absolute against `cwd`, as docker/cli does.
 */
export function parseVolume(value: string, cwd: string = process.cwd()): MountRequest {
  const invalidSpec = `invalid volume specification: '${value}'`;
  if ((value.match(/:/g) ?? []).length > 2) throw new Error(invalidSpec);
  const arr = value.split(':');
  if (arr[0] === '') throw new Error(invalidSpec);
  let source = '';
  let target: string;
  let mode = '';
  if (arr.length === 1) {
    target = arr[0] as string;
  } else if (arr.length === 2) {
    if (validMountMode(arr[1] as string)) throw new Error(invalidSpec);
    source = arr[0] as string;
    target = arr[1] as string;
  } else {
    source = arr[0] as string;
    target = arr[1] as string;
    mode = arr[2] as string;
  }
  if (!validMountMode(mode)) throw new Error(`invalid mode: ${mode}`);
  source = absFromDot(source, cwd);

  const modes = mode === '' ? [] : mode.split(',');
  const readonly = modes.includes('ro');
  const propagation = modes.find((m) => (PROPAGATIONS as readonly string[]).includes(m)) as
    Propagation | undefined;
  const isBind = source.startsWith('/');
  const type = isBind ? 'bind' : 'volume';
  const wrap = (msg: string) => new Error(`${invalidSpec}: ${mountConfigError(type, msg).message}`);

  if (target === '') throw wrap('field Target must not be empty');
  const targetErr = validateTarget(target);
  if (targetErr) throw wrap(targetErr);

  if (isBind) {
    const req: BindMountRequest = { type: 'bind', source, target, readonly, createHostPath: true };
    if (propagation) req.propagation = propagation;
    const relabel = modes.find((m) => m === 'z' || m === 'Z');
    if (relabel === 'z' || relabel === 'Z') req.relabel = relabel;
    return req;
  }
  if (propagation) throw wrap('field BindOptions must not be specified');
  if (source === '' && readonly) {
    throw wrap('must not set ReadOnly mode when using anonymous volumes');
  }
  const req: VolumeMountRequest = { type: 'volume', target, readonly };
  if (source !== '') {
    validateVolumeName(source);
    req.name = source;
  }
  if (modes.includes('nocopy')) req.noCopy = true;
  return req;
}

/** Splits one CSV record the way Go's encoding/csv does for `--mount`. */
function splitCsv(value: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (value[i] === '"') {
      i++;
      for (;;) {
        if (i >= value.length) {
          throw new Error(
            `parse error on line 1, column ${value.length + 1}: extraneous or missing " in quoted-field`,
          );
        }
        if (value[i] === '"') {
          if (value[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += value[i++];
      }
      if (i < value.length && value[i] !== ',') {
        throw new Error(
          `parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`,
        );
      }
    } else {
      const end = value.indexOf(',', i);
      field = end < 0 ? value.slice(i) : value.slice(i, end);
      const quote = field.indexOf('"');
      if (quote >= 0) {
        throw new Error(
          `parse error on line 1, column ${i + quote + 1}: bare " in non-quoted field`,
        );
      }
      i = end < 0 ? value.length : end;
    }
    fields.push(field);
    if (i >= value.length) return fields;
    i++; // the comma
  }
}

function setOnMap(target: Record<string, string>, value: string): void {
  const eq = value.indexOf('=');
  const k = eq < 0 ? value : value.slice(0, eq);
  if (k !== '') target[k] = eq < 0 ? '' : value.slice(eq + 1);
}

/** Docker's tmpfs size rendering: the largest of g/m/k that divides evenly, else bytes. */
function tmpfsSizeOption(bytes: number): string {
  for (const [suffix, div] of [
    ['g', 1024 ** 3],
    ['m', 1024 ** 2],
    ['k', 1024],
  ] as const) {
    if (bytes % div === 0) return `size=${bytes / div}${suffix}`;
  }
  return `size=${bytes}`;
}

/**
 * `--mount type=bind|volume|tmpfs,src=…,dst=…[,readonly][,bind-propagation=…]…` (docker/cli's
 * MountOpt plus dockerd's mount validation). Type defaults to volume; `.`/`./x` sources are made
 * absolute against `cwd`. A bind source must exist (checked when the spec is built).
 */
export function parseMount(value: string, cwd: string = process.cwd()): MountRequest {
  const fields = splitCsv(value);
  let type = 'volume';
  let source = '';
  let target = '';
  let readonly = false;
  let bindOpts: { propagation?: string; nonRecursive?: boolean } | undefined;
  let volumeOpts:
    | {
        noCopy?: boolean;
        driver?: string;
        subpath?: string;
        labels: Record<string, string>;
        driverOptions: Record<string, string>;
      }
    | undefined;
  let tmpfsOpts: { sizeBytes?: number; mode?: number } | undefined;
  const vol = () => (volumeOpts ??= { labels: {}, driverOptions: {} });
  const bind = () => (bindOpts ??= {});
  const tmpfs = () => (tmpfsOpts ??= {});
  const parseBoolField = (key: string, val: string, msg?: string): boolean => {
    const b = goParseBool(val);
    if (b === undefined) throw new Error(msg ?? `invalid value for ${key}: ${val}`);
    return b;
  };

  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') readonly = true;
      else if (key === 'volume-nocopy') vol().noCopy = true;
      else if (key === 'bind-nonrecursive') bind().nonRecursive = true;
      else throw new Error(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    switch (key) {
      case 'type':
        type = val.toLowerCase();
        break;
      case 'source':
      case 'src':
        source = absFromDot(val, cwd);
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = val;
        break;
      case 'readonly':
      case 'ro':
        readonly = parseBoolField(key, val);
        break;
      case 'consistency':
        break; // macOS-only hint; Docker on Linux accepts and ignores it
      case 'bind-propagation':
        bind().propagation = val.toLowerCase();
        break;
      case 'bind-nonrecursive':
        bind().nonRecursive = parseBoolField(key, val);
        break;
      case 'volume-driver':
        vol().driver = val;
        break;
      case 'volume-subpath':
        vol().subpath = val;
        break;
      case 'volume-nocopy':
        vol().noCopy = parseBoolField(key, val, `invalid value for volume-nocopy: ${val}`);
        break;
      case 'volume-label':
        setOnMap(vol().labels, val);
        break;
      case 'volume-opt':
        setOnMap(vol().driverOptions, val);
        break;
      case 'tmpfs-size': {
        try {
          tmpfs().sizeBytes = parseMemory(val);
        } catch {
          throw new Error(`invalid value for ${key}: ${val}`);
        }
        break;
      }
      case 'tmpfs-mode': {
        if (!/^[0-7]+$/.test(val) || Number.parseInt(val, 8) > 0xffffffff) {
          throw new Error(`invalid value for ${key}: ${val}`);
        }
        tmpfs().mode = Number.parseInt(val, 8);
        break;
      }
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }

  if (type === '') throw new Error('type is required');
  if (target === '') throw new Error('target is required');
  if (volumeOpts && type !== 'volume') {
    throw new Error(`cannot mix 'volume-*' options with mount type '${type}'`);
  }
  if (bindOpts && type !== 'bind') {
    throw new Error(`cannot mix 'bind-*' options with mount type '${type}'`);
  }
  if (tmpfsOpts && type !== 'tmpfs') {
    throw new Error(`cannot mix 'tmpfs-*' options with mount type '${type}'`);
  }

  // dockerd's validateMountConfig
  const targetErr = validateTarget(target);
  if (targetErr) throw mountConfigError(type, targetErr);
  switch (type) {
    case 'bind': {
      if (source === '') throw mountConfigError(type, 'field Source must not be empty');
      const propagation = bindOpts?.propagation;
      if (propagation && !(PROPAGATIONS as readonly string[]).includes(propagation)) {
        throw mountConfigError(type, `invalid propagation mode: ${propagation}`);
      }
      if (!source.startsWith('/')) {
        throw mountConfigError(type, `invalid mount path: '${source}' mount path must be absolute`);
      }
      const req: BindMountRequest = {
        type: 'bind',
        source,
        target,
        readonly,
        createHostPath: false,
      };
      if (propagation) req.propagation = propagation as Propagation;
      if (bindOpts?.nonRecursive) req.nonRecursive = true;
      return req;
    }
    case 'volume': {
      if (source === '' && readonly) {
        throw mountConfigError(type, 'must not set ReadOnly mode when using anonymous volumes');
      }
      const req: VolumeMountRequest = { type: 'volume', target, readonly };
      if (source !== '') {
        validateVolumeName(source);
        req.name = source;
      }
      if (volumeOpts?.noCopy) req.noCopy = true;
      if (volumeOpts?.driver) req.driver = volumeOpts.driver;
      if (volumeOpts?.subpath) req.subpath = volumeOpts.subpath;
      if (volumeOpts && Object.keys(volumeOpts.labels).length > 0) req.labels = volumeOpts.labels;
      if (volumeOpts && Object.keys(volumeOpts.driverOptions).length > 0) {
        req.driverOptions = volumeOpts.driverOptions;
      }
      return req;
    }
    case 'tmpfs': {
      if (source !== '') throw mountConfigError(type, 'field Source must not be specified');
      const options: string[] = [];
      if (readonly) options.push('ro');
      if (tmpfsOpts?.mode) options.push(`mode=${tmpfsOpts.mode.toString(8)}`);
      if (tmpfsOpts?.sizeBytes) options.push(tmpfsSizeOption(tmpfsOpts.sizeBytes));
      const req: TmpfsMountRequest = { type: 'tmpfs', target, readonly, options };
      return req;
    }
    default:
      throw mountConfigError(type, 'mount type unknown');
  }
}

/** `--tmpfs /path[:opts]`, options validated like dockerd (`invalid tmpfs option …`). */
export function parseTmpfs(value: string): TmpfsMountRequest {
  const colon = value.indexOf(':');
  const target = colon < 0 ? value : value.slice(0, colon);
  const data = colon < 0 ? '' : value.slice(colon + 1);
  const targetErr = validateTarget(target);
  if (targetErr) throw new Error(targetErr);
  const options = data === '' ? [] : data.split(',');
  mergeTmpfsOptions(options);
  return { type: 'tmpfs', target, readonly: false, options };
}
