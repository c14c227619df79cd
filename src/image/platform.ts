/**
 * Platform specifiers (`linux/arm64/v8`), normalisation and matching, behaving like containerd's
 * platforms package (github.com/containerd/platforms v1.0.0-rc: platforms.go, database.go,
 * compare.go) so that `--platform` and manifest selection agree with Docker and nerdctl.
 */
import { BerthError } from '../errors.js';
import {
  isIndexMediaType,
  isManifestMediaType,
  type Descriptor,
  type ImageIndex,
  type OciPlatform,
} from '../registry/media-types.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
  osFeatures?: string[];
}

/** A bad `--platform` value. The wording is containerd's, which Docker passes through. */
export class InvalidPlatformError extends BerthError {
  constructor(message: string) {
    super(message);
  }
}

/** No entry of an index fits the wanted platform; Docker's wording. */
export class NoMatchingManifestError extends BerthError {
  readonly platform: Platform;

  constructor(platform: Platform) {
    super(`no matching manifest for ${formatPlatform(platform)} in the manifest list entries`);
    this.platform = platform;
  }
}

const SPECIFIER_RE = /^[A-Za-z0-9_.-]+$/;
const OS_RE = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$/;
// The patterns exactly as Go prints them, for error messages identical to containerd's.
const SPECIFIER_RE_SRC = '^[A-Za-z0-9_.-]+$';
const OS_RE_SRC = '^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?$';

const KNOWN_OS = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux',
  'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos',
]); // prettier-ignore

const KNOWN_ARCH = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64',
  'mips', 'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64',
  's390', 's390x', 'sparc', 'sparc64', 'wasm',
]); // prettier-ignore

/** Go's %q for the ASCII strings that can reach these messages. */
function quote(s: string): string {
  return JSON.stringify(s);
}

function invalid(message: string): InvalidPlatformError {
  return new InvalidPlatformError(`${message}: invalid argument`);
}

function hostOS(): string {
  switch (process.platform) {
    case 'win32':
      return 'windows';
    case 'sunos':
      return 'solaris';
    default:
      return process.platform;
  }
}

function armVersion(): string {
  // Node records the ARM level it was built for; a v6 build is what runs on v6 boards.
  const vars = process.config.variables as unknown as Record<string, unknown>;
  const v = vars['arm_version'];
  return typeof v === 'string' || typeof v === 'number' ? `v${v}` : 'v7';
}

/**
 * The platform berth runs on, as containerd's DefaultSpec reports it: arm64 carries variant v8
 * (so it formats as `linux/arm64/v8`, as in Docker's messages), arm its ARM level.
 */
export function hostPlatform(): Platform {
  const os = hostOS();
  switch (process.arch) {
    case 'x64':
      return { os, architecture: 'amd64' };
    case 'arm64':
      return { os, architecture: 'arm64', variant: 'v8' };
    case 'arm':
      return { os, architecture: 'arm', variant: armVersion() };
    case 'ia32':
      return { os, architecture: '386' };
    case 'ppc64':
      // Node says ppc64 for both byte orders; Linux container images exist only for ppc64le.
      return { os, architecture: hostIsLittleEndian() ? 'ppc64le' : 'ppc64' };
    case 'mipsel':
      return { os, architecture: 'mipsle' };
    default:
      return { os, architecture: process.arch };
  }
}

function hostIsLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

function normalizeOS(os: string): string {
  if (os === '') return hostOS();
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

function normalizeArch(arch: string, variant: string): [string, string] {
  let a = arch.toLowerCase();
  let v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      a = '386';
      v = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      a = 'amd64';
      if (v === 'v1') v = '';
      break;
    case 'aarch64':
    case 'arm64':
      a = 'arm64';
      // v8 is the baseline and is canonically left out, as v1 is for amd64.
      if (v === '8' || v === 'v8') v = '';
      break;
    case 'armhf':
      a = 'arm';
      v = 'v7';
      break;
    case 'armel':
      a = 'arm';
      v = 'v6';
      break;
    case 'arm':
      if (v === '' || v === '7') v = 'v7';
      else if (v === '5' || v === '6' || v === '8') v = `v${v}`;
      break;
  }
  return [a, v];
}

function build(
  os: string,
  architecture: string,
  variant: string,
  osVersion = '',
  osFeatures?: string[],
): Platform {
  const p: Platform = { os, architecture };
  if (variant !== '') p.variant = variant;
  if (osVersion !== '') p.osVersion = osVersion;
  if (osFeatures !== undefined && osFeatures.length > 0) p.osFeatures = osFeatures;
  return p;
}

function decodeOSOption(v: string): string {
  if (!v.includes('%')) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    throw new InvalidPlatformError(`invalid URL escape in ${quote(v)}`);
  }
}

/**
 * Parses `os[(version[+feature…])]`, `arch`, `os/arch` or `os/arch/variant`. A lone word is an OS
 * if known (arch then defaults to the host's), else an architecture (os defaults to the host's).
 */
export function parsePlatform(specifier: string): Platform {
  if (specifier.includes('*')) {
    throw invalid(`${quote(specifier)}: wildcards not yet supported`);
  }
  // At most 4 pieces, so a pathological string is not split without bound.
  const parts = splitN(specifier, '/', 4);
  const m = OS_RE.exec(parts[0] ?? '');
  if (m === null) {
    throw invalid(
      `${quote(parts[0] ?? '')} is an invalid OS component of ${quote(specifier)}: ` +
        `OSAndVersion specifier component must match ${quote(OS_RE_SRC)}`,
    );
  }
  for (const part of parts.slice(1)) {
    if (!SPECIFIER_RE.test(part)) {
      throw invalid(
        `${quote(part)} is an invalid component of ${quote(specifier)}: ` +
          `platform specifier component must match ${quote(SPECIFIER_RE_SRC)}`,
      );
    }
  }
  const os = normalizeOS(m[1] ?? '');
  const osVersion = decodeOSOption(m[2] ?? '');
  const osFeatures = m[3] ? m[3].slice(1).split('+').map(decodeOSOption) : undefined;

  switch (parts.length) {
    case 1: {
      if (KNOWN_OS.has(os)) {
        const host = hostPlatform();
        // containerd leaves arm's v7 implicit here but names any other ARM level.
        const variant = host.architecture === 'arm' && host.variant !== 'v7' ? host.variant : '';
        return build(os, host.architecture, variant ?? '', osVersion, osFeatures);
      }
      const [arch, v] = normalizeArch(parts[0] ?? '', '');
      const variant = arch === 'arm' && v === 'v7' ? '' : v;
      if (KNOWN_ARCH.has(arch)) return build(hostOS(), arch, variant);
      throw invalid(`${quote(specifier)}: unknown operating system or architecture`);
    }
    case 2: {
      const [arch, v] = normalizeArch(parts[1] ?? '', '');
      // arm's v7 is the default and stays implicit, as upstream.
      const variant = arch === 'arm' && v === 'v7' ? '' : v;
      return build(os, arch, variant, osVersion, osFeatures);
    }
    case 3: {
      const [arch, v] = normalizeArch(parts[1] ?? '', parts[2] ?? '');
      // An explicit variant is kept explicit, even arm64's default v8.
      const variant = arch === 'arm64' && v === '' ? 'v8' : v;
      return build(os, arch, variant, osVersion, osFeatures);
    }
    default:
      throw invalid(`${quote(specifier)}: cannot parse platform specifier`);
  }
}

function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i === -1) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

/** The canonical form: lower case, aliases resolved, default variants (arm64 v8, amd64 v1) dropped. */
export function normalizePlatform(p: Platform): Platform {
  const [arch, variant] = normalizeArch(p.architecture, p.variant ?? '');
  const features =
    p.osFeatures && p.osFeatures.length > 0 ? [...new Set(p.osFeatures)].sort() : undefined;
  return build(normalizeOS(p.os), arch, variant, p.osVersion ?? '', features);
}

/** `os/arch[/variant]`, as containerd's platforms.Format and Docker's messages print it. */
export function formatPlatform(p: Platform): string {
  if (p.os === '') return 'unknown';
  return [p.os, p.architecture, p.variant ?? ''].filter((s) => s !== '').join('/');
}

export function fromOciPlatform(p: OciPlatform): Platform {
  return build(p.os, p.architecture, p.variant ?? '', p['os.version'] ?? '', p['os.features']);
}

export function toOciPlatform(p: Platform): OciPlatform {
  const o: OciPlatform = { architecture: p.architecture, os: p.os };
  if (p.osVersion) o['os.version'] = p.osVersion;
  if (p.osFeatures && p.osFeatures.length > 0) o['os.features'] = [...p.osFeatures];
  if (p.variant) o.variant = p.variant;
  return o;
}

/** containerd's NewMatcher(want).Match(candidate): equality after normalising both sides. */
function exactMatch(want: Platform, candidate: Platform): boolean {
  const w = normalizePlatform(want);
  const c = normalizePlatform(candidate);
  if (
    w.os !== c.os ||
    w.architecture !== c.architecture ||
    (w.variant ?? '') !== (c.variant ?? '')
  ) {
    return false;
  }
  if (w.os === 'windows' && !windowsVersionMatches(want.osVersion, candidate.osVersion)) {
    return false;
  }
  // The candidate may require only OS features the wanted platform provides.
  const have = new Set(w.osFeatures ?? []);
  return (c.osFeatures ?? []).every((f) => have.has(f));
}

/** Windows images only run on the same build (major.minor.build); an unversioned side matches. */
function windowsVersionMatches(want: string | undefined, candidate: string | undefined): boolean {
  if (!want || !candidate) return true;
  const key = (v: string): string => v.split('.').slice(0, 3).join('.');
  return key(want) === key(candidate);
}

/**
 * The platforms `p` can run, best first (containerd's platformVector): amd64/vN also runs lower
 * levels and 386; arm/vN runs down to v5; arm64 runs lower arm64 levels, then 32-bit arm.
 */
export function compatiblePlatforms(want: Platform): Platform[] {
  return platformVector(normalizePlatform(want));
}

function platformVector(p: Platform): Platform[] {
  const vector: Platform[] = [p];
  const like = (architecture: string, variant = ''): Platform =>
    build(p.os, architecture, variant, p.osVersion ?? '', p.osFeatures);
  const variantNumber = (v: string | undefined): number => {
    const s = (v ?? '').replace(/^v/, '');
    return /^\d+$/.test(s) ? Number(s) : NaN;
  };

  switch (p.architecture) {
    case 'amd64': {
      const level = variantNumber(p.variant);
      if (level > 1) for (let l = level - 1; l >= 1; l--) vector.push(like('amd64', `v${l}`));
      vector.push(like('386'));
      break;
    }
    case 'arm': {
      const level = variantNumber(p.variant);
      if (level > 5) for (let l = level - 1; l >= 5; l--) vector.push(like('arm', `v${l}`));
      break;
    }
    case 'arm64': {
      let variant = p.variant ?? '';
      if (variant === '') variant = 'v8';
      const [majorPart = '', minorPart] = variant.split('.', 2);
      let major = variantNumber(majorPart);
      if (major >= 8) {
        let minor = 0;
        // Upstream only reads a single-digit minor ("v8.2"); kept identical on purpose.
        if (variant.length === 4 && minorPart !== undefined && /^\d+$/.test(minorPart)) {
          minor = Number(minorPart);
        }
        const versioned = (maj: number, min: number): string =>
          min === 0 ? `v${maj}` : `v${maj}.${min}`;
        if (major === 9) {
          for (let m = minor - 1; m >= 0; m--) vector.push(like('arm64', versioned(9, m)));
          // v9.0 branched from v8.5, so v9.x also runs v8.(x+5) and below.
          minor += 5;
          major = 8;
          vector.push(like('arm64', `v8.${minor}`));
        }
        for (let m = minor - 1; m >= 0; m--) vector.push(like('arm64', versioned(major, m)));
      }
      if (variant.startsWith('v8.') || variant.startsWith('v9.')) variant = 'v8';
      vector.push(...platformVector(like('arm', variant)));
      break;
    }
  }
  return vector;
}

export interface PlatformMatcher {
  match(candidate: Platform): boolean;
  /** Position in the preference order; Infinity when the candidate does not match. */
  rank(candidate: Platform): number;
}

/**
 * A matcher like containerd's platforms.Only (default) or OnlyStrict (`strict`): the first
 * accepts anything `want` can run and ranks exact matches first.
 */
export function platformMatcher(want: Platform, opts: { strict?: boolean } = {}): PlatformMatcher {
  const vector = opts.strict ? [normalizePlatform(want)] : compatiblePlatforms(want);
  // Windows version matching needs the un-normalised version, which normalisation keeps.
  const rank = (candidate: Platform): number => {
    const i = vector.findIndex((w) => exactMatch(w, candidate));
    return i === -1 ? Infinity : i;
  };
  return { match: (c) => rank(c) !== Infinity, rank };
}

/** True if an image built for `candidate` runs on `want` (containerd's platforms.Only). */
export function matchPlatform(want: Platform, candidate: Platform): boolean {
  return platformMatcher(want).match(candidate);
}

/**
 * The entries of an index that fit `want`, best first, as containerd's images.Manifest orders
 * them. Entries without a platform come last: they may be nested indexes, and whoever fetches one
 * must check its config's platform. Non-image entries (signatures, unknown types) are skipped.
 */
export function selectManifests(
  index: Pick<ImageIndex, 'manifests'>,
  want: Platform,
  opts: { strict?: boolean } = {},
): Descriptor[] {
  const matcher = platformMatcher(want, opts);
  const ranked: { desc: Descriptor; rank: number }[] = [];
  for (const desc of index.manifests) {
    if (!isManifestMediaType(desc.mediaType) && !isIndexMediaType(desc.mediaType)) continue;
    const rank = desc.platform ? matcher.rank(fromOciPlatform(desc.platform)) : Number.MAX_VALUE;
    if (rank !== Infinity) ranked.push({ desc, rank });
  }
  // Array.prototype.sort is stable, so equal ranks keep the index's own order, as upstream.
  ranked.sort((a, b) => a.rank - b.rank);
  return ranked.map((r) => r.desc);
}

/** The best entry of an index for `want`; throws Docker's "no matching manifest" error if none. */
export function selectManifest(
  index: Pick<ImageIndex, 'manifests'>,
  want: Platform,
  opts: { strict?: boolean } = {},
): Descriptor {
  const [best] = selectManifests(index, want, opts);
  if (best === undefined) throw new NoMatchingManifestError(want);
  return best;
}
