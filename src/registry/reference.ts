/**
 * Image references, parsed and normalised exactly as Docker does, so that every name a user types
 * means the same image in berth as in `docker`, and every error reads the same.
 *
 * Mirrors github.com/distribution/reference v0.6.0 (regexp.go, reference.go, normalize.go) and the
 * digest validation of github.com/opencontainers/go-digest v1.0.0.
 */
import { BerthError } from '../errors.js';

export const DEFAULT_DOMAIN = 'docker.io';
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
export const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
export const NAME_TOTAL_LENGTH_MAX = 255;

// The grammar, piece by piece, as in distribution/reference's regexp.go. Go's RE2 and JS agree on
// every construct used here; \w is ASCII-only in both without the `u` flag.
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;

const REFERENCE_RE = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const ANCHORED_NAME_RE = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const ANCHORED_TAG_RE = new RegExp(`^${tagPat}$`);
const ANCHORED_DIGEST_RE = new RegExp(`^${digestPat}$`);
const ANCHORED_IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const GO_DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Hex lengths of the algorithms Docker's binary links in; anything else is "unsupported". */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** A reference that does not follow Docker's grammar. The message is Docker's, word for word. */
export class InvalidReferenceError extends BerthError {
  constructor(message: string) {
    super(message);
  }
}

/** A parsed, normalised image reference. Immutable; derive new ones with withTag/withDigest. */
export interface ImageReference {
  /** Registry domain, possibly with a port: `docker.io`, `localhost:5000`, `[::1]:5000`. */
  readonly domain: string;
  /** Repository path inside the registry: `library/busybox`. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
  /** `domain/path`, the repository's full name. */
  readonly name: string;
  /** The full normalised form: `docker.io/library/busybox:latest`. */
  readonly full: string;
  /** The name as Docker displays it: `busybox`, `user/app`, `localhost:5000/a/b`. */
  readonly familiarName: string;
  /** The reference as Docker displays it: `busybox:latest`, `busybox@sha256:…`. */
  readonly familiar: string;
  toString(): string;
}

function makeReference(
  domain: string,
  path: string,
  tag?: string,
  digest?: string,
): ImageReference {
  const name = domain === '' ? path : `${domain}/${path}`;
  const suffix = (tag === undefined ? '' : `:${tag}`) + (digest === undefined ? '' : `@${digest}`);
  const famName = familiarizeName(domain, path);
  const full = name + suffix;
  const ref: ImageReference = {
    domain,
    path,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
    name,
    full,
    familiarName: famName,
    familiar: famName + suffix,
    toString: () => full,
  };
  return Object.freeze(ref);
}

function familiarizeName(domain: string, path: string): string {
  if (domain !== DEFAULT_DOMAIN) return domain === '' ? path : `${domain}/${path}`;
  // Only one level under library/ is folded, as upstream: `library/a/b` keeps its prefix.
  if (path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return path;
}

/**
 * Checks a digest string as go-digest's Digest.Validate does and throws its error text:
 * `invalid checksum digest format`, `invalid checksum digest length`, `unsupported digest algorithm`.
 */
export function validateDigest(digest: string): void {
  const i = digest.indexOf(':');
  if (i <= 0 || i + 1 === digest.length)
    throw new InvalidReferenceError('invalid checksum digest format');
  const algorithm = digest.slice(0, i);
  const encoded = digest.slice(i + 1);
  const hexLength = DIGEST_HEX_LENGTH[algorithm];
  if (hexLength === undefined) {
    if (!GO_DIGEST_RE.test(digest))
      throw new InvalidReferenceError('invalid checksum digest format');
    throw new InvalidReferenceError('unsupported digest algorithm');
  }
  if (encoded.length !== hexLength)
    throw new InvalidReferenceError('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(encoded))
    throw new InvalidReferenceError('invalid checksum digest format');
}

/** True if `s` is a well-formed digest of a supported algorithm. */
export function isDigest(s: string): boolean {
  try {
    validateDigest(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses a reference without any normalisation (distribution's `reference.Parse`): no default
 * domain, no `library/`, no default tag. Use parseReference for anything a user typed.
 */
export function parseExactReference(s: string): ImageReference {
  const m = REFERENCE_RE.exec(s);
  if (m === null) {
    if (s === '')
      throw new InvalidReferenceError('repository name must have at least one component');
    if (REFERENCE_RE.test(s.toLowerCase())) {
      throw new InvalidReferenceError('repository name must be lowercase');
    }
    throw new InvalidReferenceError('invalid reference format');
  }
  const [, nameStr = '', tag, digest] = m;
  if (nameStr.length > NAME_TOTAL_LENGTH_MAX) {
    throw new InvalidReferenceError(
      `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`,
    );
  }
  const nm = ANCHORED_NAME_RE.exec(nameStr);
  if (nm === null) throw new InvalidReferenceError('invalid reference format');
  if (digest !== undefined) validateDigest(digest);
  return makeReference(nm[1] ?? '', nm[2] ?? '', tag, digest);
}

/** Docker's splitDockerDomain: decides whether the first path element is a registry host. */
function splitDockerDomain(name: string): [domain: string, remainder: string] {
  const slash = name.indexOf('/');
  if (slash === -1) {
    // A bare word is always a Docker Hub official image, even `localhost` or `example.com`.
    return [DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name];
  }
  const maybeDomain = name.slice(0, slash);
  const maybeRemote = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (maybeDomain === 'localhost') {
    [domain, remainder] = [maybeDomain, maybeRemote];
  } else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    [domain, remainder] = [DEFAULT_DOMAIN, maybeRemote];
  } else if (/[.:]/.test(maybeDomain)) {
    [domain, remainder] = [maybeDomain, maybeRemote];
  } else if (maybeDomain.toLowerCase() !== maybeDomain) {
    // distribution's splitDockerDomain: repository paths cannot hold upper case, so an upper-case
    // first element is taken as a host (`Bad/Ref` reports `Ref`; parseReference refuses the host).
    [domain, remainder] = [maybeDomain, maybeRemote];
  } else {
    [domain, remainder] = [DEFAULT_DOMAIN, name];
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) {
    remainder = OFFICIAL_REPO_PREFIX + remainder;
  }
  return [domain, remainder];
}

/**
 * Parses what a user typed into a normalised reference (distribution's `ParseNormalizedNamed`):
 * `busybox` -> `docker.io/library/busybox`, `index.docker.io/x` -> `docker.io/library/x`.
 * No default tag is added; see withDefaultTag and parseDockerRef.
 */
export function parseReference(s: string): ImageReference {
  if (ANCHORED_IDENTIFIER_RE.test(s)) {
    throw new InvalidReferenceError(
      `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`,
    );
  }
  const [domain, remainder] = splitDockerDomain(s);
  const colon = remainder.indexOf(':');
  const remote = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    throw new InvalidReferenceError(
      `invalid reference format: repository name (${remote}) must be lowercase`,
    );
  }
  // A host only by its upper case (`UPPER/case`) is a mistyped name, not a registry to look up
  // in DNS: Docker Engine refuses it with these words.
  if (!/[.:]/.test(domain) && domain !== 'localhost' && domain.toLowerCase() !== domain) {
    throw new InvalidReferenceError('invalid reference format: repository name must be lowercase');
  }
  return parseExactReference(`${domain}/${remainder}`);
}

/**
 * The form Docker stores pulled images under (distribution's `ParseDockerRef`): a default `latest`
 * tag for bare names, and the tag dropped when a digest pins the content anyway.
 */
export function parseDockerRef(s: string): ImageReference {
  const ref = parseReference(s);
  if (ref.digest !== undefined && ref.tag !== undefined) {
    return makeReference(ref.domain, ref.path, undefined, ref.digest);
  }
  return withDefaultTag(ref);
}

/** The repository name as Docker displays it, without tag or digest. */
export function familiarName(ref: ImageReference): string {
  return ref.familiarName;
}

/** The full reference as Docker displays it: `busybox:latest`, `localhost:5000/a:1`. */
export function familiarString(ref: ImageReference): string {
  return ref.familiar;
}

/** True if the reference pins content by digest (with or without a tag). */
export function isDigestReference(ref: ImageReference): boolean {
  return ref.digest !== undefined;
}

/** True if the reference has neither tag nor digest. */
export function isNameOnly(ref: ImageReference): boolean {
  return ref.tag === undefined && ref.digest === undefined;
}

/** Sets the tag, keeping any digest as distribution's WithTag does; trim first to drop it. */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  if (!ANCHORED_TAG_RE.test(tag)) throw new InvalidReferenceError('invalid tag format');
  return makeReference(ref.domain, ref.path, tag, ref.digest);
}

/** Pins the reference to a digest, keeping its tag, as distribution's WithDigest does. */
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  if (!ANCHORED_DIGEST_RE.test(digest)) {
    throw new InvalidReferenceError('invalid digest format');
  }
  validateDigest(digest);
  return makeReference(ref.domain, ref.path, ref.tag, digest);
}

/** The repository alone, without tag or digest. */
export function trimTagAndDigest(ref: ImageReference): ImageReference {
  return makeReference(ref.domain, ref.path);
}

/** Adds `latest` when the reference has neither tag nor digest (distribution's TagNameOnly). */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return isNameOnly(ref) ? makeReference(ref.domain, ref.path, DEFAULT_TAG) : ref;
}

/**
 * What the registry API is asked for: the digest when pinned (the tag is then only a label),
 * else the tag, else `latest`.
 */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? DEFAULT_TAG;
}
