/**
 * The single gRPC channel to containerd's unix socket, shared by every service
 * module, plus the per-call metadata containerd expects.
 */
import { Client as GrpcClient, connectivityState, credentials, Metadata } from '@grpc/grpc-js';
import type { BerthError } from '../errors.js';
import { installFraming } from './framing.js';
import {
  CancelledError,
  ConnectError,
  DeadlineExceededError,
  GrpcCode,
  isGrpcStatus,
  toBerthError,
} from './errors.js';

/** Per-call options accepted as the last argument of every service method. */
export interface CallOptions {
  /** Aborting cancels the call (the server sees the cancellation too). */
  signal?: AbortSignal;
  /** Deadline in ms for this call; 0 disables it. Unary default: the client's timeoutMs. */
  timeoutMs?: number;
  /** Lease id sent as `containerd-lease`, so created resources are attached to it. */
  lease?: string;
  /** Overrides the client's namespace for this call. */
  namespace?: string;
}

export interface ConnectionOptions {
  /** Socket path; a `unix://` prefix is accepted. */
  address: string;
  namespace?: string;
  /** Default deadline for unary calls (ms). */
  timeoutMs?: number;
  /**
   * How long the first calls wait for the channel to become READY. grpc-js has
   * no connect timeout of its own: a missing or refusing socket fails at once
   * (waitForReady is off), but a daemon that accepts and then never speaks
   * HTTP/2 would otherwise hold every call until its own deadline.
   */
  connectTimeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * How long the channel may take to become READY. On a busy 2-core machine (50 `rm -f` at once)
 * the HTTP/2 handshake alone can take several seconds, so this is a bound, not an expectation:
 * the watchdog looks every CONNECT_CHECK_MS and gives up only once the whole of it has passed.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 60_000;
const CONNECT_CHECK_MS = 1_000;
/** containerd caps messages at 16 MiB too; large listings use streaming calls. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Strips `unix://`/`unix:` so messages and stat() see a plain path. */
export function socketPathOf(address: string): string {
  if (address.startsWith('unix://')) return address.slice('unix://'.length);
  if (address.startsWith('unix:')) return address.slice('unix:'.length);
  return address;
}

/** grpc-js target for a socket path (`unix:///abs` or `unix:rel`). */
export function grpcTarget(address: string): string {
  const p = socketPathOf(address);
  return p.startsWith('/') ? `unix://${p}` : `unix:${p}`;
}

/** Something the connect watchdog can abort. */
interface Cancellable {
  cancel(): void;
}

export class Connection {
  /** Socket path, as shown in error messages. */
  readonly address: string;
  readonly namespace: string;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  private grpcClient: GrpcClient | undefined;
  private responded = false;
  private connectTimedOut = false;
  private readonly pending = new Set<Cancellable>();
  private watchdog: NodeJS.Timeout | undefined;
  private connectStarted = 0;

  constructor(options: ConnectionOptions) {
    this.address = socketPathOf(options.address);
    this.namespace = options.namespace ?? 'default';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  /** The grpc-js client; created on first use so constructing a Client costs nothing. */
  get client(): GrpcClient {
    installFraming();
    this.grpcClient ??= new GrpcClient(grpcTarget(this.address), credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      // Channelz bookkeeping and the retry layer wrap every call in more objects and promises;
      // a CLI that makes ten calls in a cold process paid ~7 ms for them (V8 CPU profile of
      // `run`). containerd's API has no retry policy to honour, and nothing reads channelz.
      'grpc.enable_channelz': 0,
      'grpc.enable_retries': 0,
    });
    return this.grpcClient;
  }

  metadata(opts: CallOptions = {}): Metadata {
    const md = new Metadata();
    // containerd rejects namespaced calls without it (FAILED_PRECONDITION); unnamespaced ones ignore it.
    md.set('containerd-namespace', opts.namespace ?? this.namespace);
    if (opts.lease) md.set('containerd-lease', opts.lease);
    return md;
  }

  /** Deadline for grpc-js, or undefined for none. */
  deadline(opts: CallOptions | undefined, fallbackMs: number | undefined): Date | undefined {
    const ms = opts?.timeoutMs ?? fallbackMs;
    return ms && ms > 0 && Number.isFinite(ms) ? new Date(Date.now() + ms) : undefined;
  }

  /**
   * Resolves once the channel is READY, or has failed (the call then fails fast with the reason),
   * within the connect deadline. Calls wait here first so that their own deadline measures
   * containerd, not a connection that a busy machine takes long to set up.
   */
  async whenConnected(signal?: AbortSignal): Promise<void> {
    if (this.responded) return;
    this.connectStarted ||= Date.now();
    const channel = this.client.getChannel();
    for (;;) {
      const state = channel.getConnectivityState(true);
      if (state === connectivityState.READY || state === connectivityState.TRANSIENT_FAILURE) {
        return;
      }
      if (state === connectivityState.SHUTDOWN) return;
      const left = this.connectStarted + this.connectTimeoutMs - Date.now();
      if (left <= 0 || signal?.aborted) return; // the call itself then reports it
      await new Promise<void>((resolve) =>
        channel.watchConnectivityState(state, new Date(Date.now() + left), () => resolve()),
      );
    }
  }

  /** Called whenever containerd has answered: from then on failures are containerd's, not the socket's. */
  markResponded(): void {
    if (this.responded) return;
    this.responded = true;
    this.stopWatchdog();
  }

  private get ready(): boolean {
    return this.grpcClient?.getChannel().getConnectivityState(false) === connectivityState.READY;
  }

  /**
   * Registers an in-flight call until it settles. Until containerd has
   * answered once, a timer cancels stalled calls so that a wedged socket gives
   * a ConnectError instead of hanging for the full call deadline.
   */
  track(call: Cancellable): () => void {
    if (this.responded) return noop;
    this.pending.add(call);
    if (!this.watchdog) {
      this.connectStarted ||= Date.now();
      const check = (): void => {
        this.watchdog = undefined;
        if (this.responded || this.ready) return;
        if (Date.now() - this.connectStarted < this.connectTimeoutMs) {
          this.watchdog = setTimeout(check, CONNECT_CHECK_MS);
          this.watchdog.unref();
          return;
        }
        this.connectTimedOut = true;
        for (const c of this.pending) c.cancel();
        this.pending.clear();
      };
      this.watchdog = setTimeout(check, Math.min(CONNECT_CHECK_MS, this.connectTimeoutMs));
      // The watchdog must never be what keeps the CLI alive.
      this.watchdog.unref();
    }
    return () => this.pending.delete(call);
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = undefined;
    this.pending.clear();
  }

  /** Converts a failure of a call on this connection into a BerthError. */
  toError(
    err: unknown,
    signal?: AbortSignal,
    call?: { method: string; timeoutMs?: number },
  ): BerthError {
    if (
      this.connectTimedOut &&
      !this.responded &&
      isGrpcStatus(err) &&
      err.code === GrpcCode.CANCELLED
    ) {
      return new ConnectError(
        this.address,
        'timed out',
        err,
        `no answer within the ${seconds(this.connectTimeoutMs)} connect deadline`,
      );
    }
    // grpc-js's own deadline text ("Deadline exceeded after 30.001s,LB pick: …"): say which one.
    if (
      call?.timeoutMs &&
      isGrpcStatus(err) &&
      err.code === GrpcCode.DEADLINE_EXCEEDED &&
      /^Deadline exceeded/.test(err.details ?? '')
    ) {
      return new DeadlineExceededError(
        err.code,
        this.responded
          ? `containerd did not answer ${call.method.split('/').pop() ?? call.method} within its ${seconds(call.timeoutMs)} call deadline`
          : `cannot connect to containerd at ${this.address}: no connection within the ${seconds(call.timeoutMs)} deadline of ${call.method.split('/').pop() ?? call.method}`,
        err,
      );
    }
    if (signal?.aborted && isGrpcStatus(err) && err.code === GrpcCode.CANCELLED) {
      return new CancelledError(GrpcCode.CANCELLED, 'operation cancelled', signal.reason ?? err);
    }
    return toBerthError(err, {
      address: this.address,
      neverConnected: !this.responded && !this.ready,
    });
  }

  /** Closes the channel; without this the process would not exit while it is open. */
  close(): void {
    this.stopWatchdog();
    this.grpcClient?.close();
    this.grpcClient = undefined;
  }
}

function noop(): void {}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}
