/**
 * Registry errors, worded as Docker words them. Docker's client turns an error response into
 * errcode errors (`<code in lower case>: <message>`) and then, for pulls, into a sentence naming
 * the image; both steps are reproduced here so berth's stderr matches docker's.
 *
 * From docker/distribution registry/client/errors.go and registry/api/errcode, and
 * moby/moby distribution/errors.go (TranslatePullError).
 */
import { BerthError } from '../errors.js';
import type { ImageReference } from './reference.js';

/** One entry of a registry's `{"errors": [...]}` body. */
export interface RegistryErrorEntry {
  code: string;
  message: string;
  detail?: unknown;
}

/** Default messages of the error codes the distribution spec and Docker define. */
const DEFAULT_MESSAGES: Readonly<Record<string, string>> = {
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_INVALID: 'blob upload invalid',
  BLOB_UPLOAD_UNKNOWN: 'blob upload unknown to registry',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  MANIFEST_BLOB_UNKNOWN: 'blob unknown to registry',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_UNKNOWN: 'manifest unknown',
  MANIFEST_UNVERIFIED: 'manifest failed signature verification',
  NAME_INVALID: 'invalid repository name',
  NAME_UNKNOWN: 'repository name not known to registry',
  PAGINATION_NUMBER_INVALID: 'invalid number of results requested',
  RANGE_INVALID: 'invalid content range',
  SIZE_INVALID: 'provided length did not match content length',
  TAG_INVALID: 'manifest tag did not match URI',
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  UNSUPPORTED: 'The operation is unsupported.',
  TOOMANYREQUESTS: 'too many requests',
  UNKNOWN: 'unknown error',
  UNAVAILABLE: 'service unavailable',
};

/** The text of one errcode error: `manifest unknown: manifest unknown`. */
export function formatRegistryErrorEntry(e: RegistryErrorEntry): string {
  return `${e.code.toLowerCase().replace(/_/g, ' ')}: ${e.message}`;
}

/** errcode.Errors.Error(): one error alone, several as a list under `errors:`. */
export function formatRegistryErrors(errors: readonly RegistryErrorEntry[]): string {
  if (errors.length === 0) return '<nil>';
  if (errors.length === 1) return formatRegistryErrorEntry(errors[0] as RegistryErrorEntry);
  return `errors:\n${errors.map((e) => formatRegistryErrorEntry(e) + '\n').join('')}`;
}

export function registryErrorEntry(code: string, message?: string): RegistryErrorEntry {
  // Unregistered codes decode as UNKNOWN in Docker's client, so they print the same way.
  const known = code in DEFAULT_MESSAGES ? code : 'UNKNOWN';
  return { code: known, message: message || (DEFAULT_MESSAGES[known] ?? '') };
}

/** An error response from a registry, carrying its errcode entries and HTTP status. */
export class RegistryError extends BerthError {
  readonly status: number | undefined;
  readonly errors: readonly RegistryErrorEntry[];

  constructor(
    errors: readonly RegistryErrorEntry[],
    opts: { status?: number; message?: string; cause?: unknown } = {},
  ) {
    super(opts.message ?? formatRegistryErrors(errors), { cause: opts.cause });
    this.errors = errors;
    this.status = opts.status;
  }

  /** The first code, which is the one Docker acts on. */
  get code(): string | undefined {
    return this.errors[0]?.code;
  }

  hasCode(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

export class UnauthorizedError extends RegistryError {}
export class DeniedError extends RegistryError {}
export class ManifestUnknownError extends RegistryError {}
export class NameUnknownError extends RegistryError {}
export class BlobUnknownError extends RegistryError {}
export class TooManyRequestsError extends RegistryError {}

/** Picks the subclass by the first code, the one Docker's messages are based on. */
export function createRegistryError(
  errors: readonly RegistryErrorEntry[],
  opts: { status?: number; message?: string; cause?: unknown } = {},
): RegistryError {
  switch (errors[0]?.code) {
    case 'UNAUTHORIZED':
      return new UnauthorizedError(errors, opts);
    case 'DENIED':
      return new DeniedError(errors, opts);
    case 'MANIFEST_UNKNOWN':
      return new ManifestUnknownError(errors, opts);
    case 'NAME_UNKNOWN':
      return new NameUnknownError(errors, opts);
    case 'BLOB_UNKNOWN':
    case 'MANIFEST_BLOB_UNKNOWN':
      return new BlobUnknownError(errors, opts);
    case 'TOOMANYREQUESTS':
      return new TooManyRequestsError(errors, opts);
    default:
      return new RegistryError(errors, opts);
  }
}

/** A response that is not an errcode body and not something Docker special-cases. */
export class UnexpectedStatusError extends RegistryError {
  constructor(status: number, message: string) {
    super([], { status, message });
  }
}

/**
 * docker/distribution's parseHTTPErrorResponse: a `{"details": …}` body (Docker Hub's token
 * service) or an errcode `{"errors": […]}` body, else undefined.
 */
export function parseErrorBody(status: number, body: string): RegistryErrorEntry[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const obj = parsed as { details?: unknown; errors?: unknown };
  if (typeof obj.details === 'string' && obj.details !== '') {
    const code = status === 401 ? 'UNAUTHORIZED' : status === 429 ? 'TOOMANYREQUESTS' : 'UNKNOWN';
    return [registryErrorEntry(code, obj.details)];
  }
  if (!Array.isArray(obj.errors) || obj.errors.length === 0) return undefined;
  return obj.errors.map((raw: unknown) => {
    const e = (raw ?? {}) as { code?: unknown; message?: unknown; detail?: unknown };
    const entry = registryErrorEntry(
      typeof e.code === 'string' ? e.code : 'UNKNOWN',
      typeof e.message === 'string' ? e.message : undefined,
    );
    return e.detail === undefined ? entry : { ...entry, detail: e.detail };
  });
}

/**
 * moby's TranslatePullError: the first error decides, and three codes become a sentence naming
 * the image, e.g. `manifest for busybox:nosuch not found: manifest unknown: manifest unknown`.
 */
export function translatePullError(err: RegistryError, ref: ImageReference): RegistryError {
  const first = err.errors[0];
  if (first === undefined) return err;
  const cause = formatRegistryErrorEntry(first);
  const opts = { status: err.status, cause: err };
  switch (first.code) {
    case 'DENIED':
      return new DeniedError(err.errors, {
        ...opts,
        message: `pull access denied for ${ref.familiarName}, repository does not exist or may require 'docker login': ${cause}`,
      });
    case 'MANIFEST_UNKNOWN':
      return new ManifestUnknownError(err.errors, {
        ...opts,
        message: `manifest for ${ref.familiar} not found: ${cause}`,
      });
    case 'NAME_UNKNOWN':
      return new NameUnknownError(err.errors, {
        ...opts,
        message: `repository ${ref.familiarName} not found: ${cause}`,
      });
    default:
      return err;
  }
}

/**
 * The registry could not be reached. The message reads like Go's net/http error Docker prints:
 * `Get "https://127.0.0.1:5001/v2/": dial tcp 127.0.0.1:5001: connect: connection refused`.
 */
export class RegistryConnectionError extends BerthError {
  readonly host: string;
  readonly url: string;
  readonly code: string | undefined;

  constructor(
    method: string,
    url: string,
    host: string,
    reason: string,
    code?: string,
    cause?: unknown,
  ) {
    super(`${goMethod(method)} "${url}": ${reason}`, { cause });
    this.host = host;
    this.url = url;
    this.code = code;
  }
}

function goMethod(method: string): string {
  const m = method.toUpperCase();
  return m.charAt(0) + m.slice(1).toLowerCase();
}

/** Content whose digest or size differs from its descriptor. */
export class DigestMismatchError extends BerthError {}

/** A manifest berth cannot use: schema 1, an unknown type, or oversized. */
export class UnsupportedManifestError extends BerthError {}

const TLS_UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/**
 * A one-line error naming the host, in the words of Go's net/http that Docker users know:
 * `Get "https://…/v2/…": dial tcp 127.0.0.1:5001: connect: connection refused`.
 */
export function connectionError(err: unknown, method: string, url: URL): RegistryConnectionError {
  const cause = (err instanceof Error && err.cause instanceof Error ? err.cause : err) as
    (Error & { code?: string; address?: string; port?: number }) | undefined;
  const code = cause?.code;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const target =
    cause?.address !== undefined
      ? `${cause.address.includes(':') ? `[${cause.address}]` : cause.address}:${cause.port ?? port}`
      : `${url.hostname}:${port}`;
  const message = cause?.message ?? String(err);
  let reason: string;
  if (code === 'ECONNREFUSED') reason = `dial tcp ${target}: connect: connection refused`;
  else if (code === 'ENOTFOUND')
    reason = `dial tcp: lookup ${url.hostname.replace(/^\[|\]$/g, '')}: no such host`;
  else if (code === 'EAI_AGAIN')
    reason = `dial tcp: lookup ${url.hostname}: temporary failure in name resolution`;
  else if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT')
    reason = `dial tcp ${target}: i/o timeout`;
  else if (code === 'EHOSTUNREACH') reason = `dial tcp ${target}: connect: no route to host`;
  else if (code === 'ENETUNREACH') reason = `dial tcp ${target}: connect: network is unreachable`;
  else if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET')
    reason = `read tcp ${target}: connection reset by peer`;
  else if (
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
    (code === 'EPROTO' && /wrong version number|packet length too long|http request/i.test(message))
  ) {
    reason = 'http: server gave HTTP response to HTTPS client';
  } else if (code !== undefined && TLS_UNKNOWN_AUTHORITY.has(code)) {
    reason = 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  } else if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    reason = 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
  } else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    reason = `tls: failed to verify certificate: x509: ${message}`;
  } else {
    reason = message;
  }
  return new RegistryConnectionError(method, url.toString(), url.host, reason, code, err);
}
