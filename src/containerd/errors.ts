/**
 * containerd failures as BerthError subclasses, classified by gRPC status code
 * (containerd's message text is not a stable interface; the code is).
 *
 * This module deliberately does not import @grpc/grpc-js: commands import it
 * for `instanceof` checks and should not pay for loading the gRPC stack.
 */
import { statSync } from 'node:fs';
import { BerthError } from '../errors.js';

/** gRPC status codes used here (fixed by the gRPC spec). */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
} as const;

/** The parts of a grpc-js ServiceError this module relies on. */
export interface GrpcStatusLike {
  code: number;
  details?: string;
  message?: string;
}

export function isGrpcStatus(err: unknown): err is GrpcStatusLike {
  return (
    typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number'
  );
}

/** A status returned by containerd (or by grpc-js on its behalf). */
export class ContainerdError extends BerthError {
  /** gRPC status code. */
  readonly code: number;
  /** containerd's text, e.g. `container "x": not found`. */
  readonly details: string;

  constructor(code: number, details: string, cause?: unknown) {
    super(details || `containerd returned gRPC status ${code}`, { cause });
    this.code = code;
    this.details = details;
  }
}

export class CancelledError extends ContainerdError {}
export class InvalidArgumentError extends ContainerdError {}
export class DeadlineExceededError extends ContainerdError {}
export class NotFoundError extends ContainerdError {}
export class AlreadyExistsError extends ContainerdError {}
export class FailedPreconditionError extends ContainerdError {}
/** Transient server-side refusal (e.g. an ingest ref locked by another writer); retry with backoff. */
export class UnavailableError extends ContainerdError {}

type ContainerdErrorClass = new (code: number, details: string, cause?: unknown) => ContainerdError;

const byCode: ReadonlyMap<number, ContainerdErrorClass> = new Map<number, ContainerdErrorClass>([
  [GrpcCode.CANCELLED, CancelledError],
  [GrpcCode.INVALID_ARGUMENT, InvalidArgumentError],
  [GrpcCode.DEADLINE_EXCEEDED, DeadlineExceededError],
  [GrpcCode.NOT_FOUND, NotFoundError],
  [GrpcCode.ALREADY_EXISTS, AlreadyExistsError],
  [GrpcCode.FAILED_PRECONDITION, FailedPreconditionError],
  [GrpcCode.UNAVAILABLE, UnavailableError],
]);

export type ConnectReason =
  'no such file' | 'connection refused' | 'permission denied' | 'timed out';

/** containerd is not reachable at all; one line, with the way out. */
export class ConnectError extends BerthError {
  readonly address: string;
  readonly reason: ConnectReason;

  constructor(address: string, reason: ConnectReason, cause?: unknown, detail?: string) {
    super(
      // Docker's one line for a user outside the daemon's group: the daemon runs, starting it is
      // not the way out.
      reason === 'permission denied'
        ? `permission denied while trying to connect to containerd at ${address}`
        : `cannot connect to containerd at ${address}: ${reason}${detail ? `, ${detail}` : ''} ` +
            '(is containerd running? try: sudo systemctl start containerd, or berth system start)',
      { exitCode: 1, cause },
    );
    this.address = address;
    this.reason = reason;
  }
}

/** Maps a gRPC status to the matching ContainerdError subclass; the original stays as `cause`. */
export function fromGrpcStatus(err: GrpcStatusLike): ContainerdError {
  const details = err.details ?? err.message ?? '';
  // A call's deadline travels to containerd; when it fires there first (waiting on the shim),
  // containerd answers UNKNOWN "context deadline exceeded" rather than DEADLINE_EXCEEDED.
  if (err.code === GrpcCode.UNKNOWN && /^context deadline exceeded/.test(details)) {
    return new DeadlineExceededError(GrpcCode.DEADLINE_EXCEEDED, details, err);
  }
  const Cls = byCode.get(err.code) ?? ContainerdError;
  return new Cls(err.code, details, err);
}

export interface ConnectContext {
  /** Socket path as the user configured it (shown in the message). */
  address: string;
  /**
   * True when the channel has never completed a call and is not READY, i.e.
   * the failure cannot have come from containerd itself. containerd also uses
   * UNAVAILABLE for its own refusals (locked ingest refs), so the code alone
   * is not enough.
   */
  neverConnected: boolean;
}

/**
 * Converts anything thrown by a gRPC call into a BerthError: ConnectError when
 * the socket could not be reached, a ContainerdError subclass otherwise.
 */
export function toBerthError(err: unknown, ctx?: ConnectContext): BerthError {
  if (err instanceof BerthError) return err;
  if (!isGrpcStatus(err)) {
    return new ContainerdError(
      GrpcCode.UNKNOWN,
      err instanceof Error ? err.message : String(err),
      err,
    );
  }
  if (
    ctx?.neverConnected &&
    (err.code === GrpcCode.UNAVAILABLE || err.code === GrpcCode.DEADLINE_EXCEEDED)
  ) {
    return new ConnectError(ctx.address, connectReason(err, ctx.address), err);
  }
  // grpc-js's own words when the socket closes under a call: say what happened, in one line.
  if (
    ctx &&
    err.code === GrpcCode.UNAVAILABLE &&
    /^Connection dropped$|^No connection established/.test(err.details ?? '')
  ) {
    return new UnavailableError(
      err.code,
      `lost the connection to containerd at ${ctx.address} (was containerd stopped or restarted?)`,
      err,
    );
  }
  return fromGrpcStatus(err);
}

/**
 * Why the socket could not be reached. grpc-js puts the errno of the last
 * connect attempt into the status details; when it is not there, the socket
 * file itself tells us.
 */
export function connectReason(
  err: GrpcStatusLike,
  socketPath: string,
  stat: (p: string) => unknown = statSync,
): ConnectReason {
  if (err.code === GrpcCode.DEADLINE_EXCEEDED) return 'timed out';
  const text = `${err.details ?? ''} ${err.message ?? ''}`;
  if (/\bENOENT\b/.test(text)) return 'no such file';
  if (/\bECONNREFUSED\b/.test(text)) return 'connection refused';
  if (/\b(EACCES|EPERM)\b/.test(text)) return 'permission denied';
  try {
    stat(socketPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'no such file';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  }
  return 'connection refused';
}
