/**
 * Call shapes on top of grpc-js: promise for unary calls, async iterator for
 * server streams, and a lockstep helper for the Content.Write bidi stream.
 * Every failure is converted to a BerthError here, so service modules and
 * commands never see raw grpc-js errors.
 */
import type { ClientDuplexStream, ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { ConnectError, ContainerdError, GrpcCode } from './errors.js';
import type { CallOptions, Connection } from './connection.js';
import type { MethodDef } from './descriptors.js';

export type { CallOptions } from './connection.js';

function abortedError(conn: Connection, signal: AbortSignal): Error {
  return conn.toError({ code: GrpcCode.CANCELLED, details: 'Cancelled on client' }, signal);
}

/**
 * BERTH_TRACE_RPC=1: one stderr line per unary call, with its start (ms since the process began)
 * and duration, to see where a command's time goes.
 */
function traceStart(path: string): (err: ServiceError | null) => void {
  const start = performance.now();
  return (err) => {
    const end = performance.now();
    const status = err ? ` code=${err.code}` : '';
    process.stderr.write(
      `rpc +${start.toFixed(1)}ms ${path} ${(end - start).toFixed(1)}ms${status}\n`,
    );
  };
}

/**
 * One request, one response; rejects with a BerthError. Default deadline: the client's timeoutMs.
 * A connect attempt the kernel turned away for load (a full listen backlog: EAGAIN) is retried
 * with backoff within the connect deadline; a missing or refusing socket fails at once.
 */
export async function unary<I, O>(
  conn: Connection,
  method: MethodDef<I, O>,
  request: I,
  opts: CallOptions = {},
): Promise<O> {
  const started = Date.now();
  for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      await conn.whenConnected(opts.signal);
      return await unaryOnce(conn, method, request, opts);
    } catch (err) {
      if (!(err instanceof ConnectError) || !busySocket(err)) throw err;
      if (Date.now() - started + delay > conn.connectTimeoutMs || opts.signal?.aborted) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

function busySocket(err: ConnectError): boolean {
  const cause = err.cause as { details?: string; message?: string } | undefined;
  return /\bEAGAIN\b/.test(`${cause?.details ?? ''} ${cause?.message ?? ''}`);
}

function unaryOnce<I, O>(
  conn: Connection,
  method: MethodDef<I, O>,
  request: I,
  opts: CallOptions,
): Promise<O> {
  const { signal } = opts;
  if (signal?.aborted) return Promise.reject(abortedError(conn, signal));
  const traced = process.env['BERTH_TRACE_RPC'] ? traceStart(method.path) : undefined;
  return new Promise<O>((resolve, reject) => {
    const deadline = conn.deadline(opts, conn.timeoutMs);
    let untrack = (): void => {};
    const onAbort = (): void => call.cancel();
    const call = conn.client.makeUnaryRequest<I, O>(
      method.path,
      method.serialize,
      method.deserialize,
      request,
      conn.metadata(opts),
      deadline ? { deadline } : {},
      (err: ServiceError | null, res?: O) => {
        traced?.(err);
        untrack();
        signal?.removeEventListener('abort', onAbort);
        if (err) {
          reject(
            conn.toError(err, signal, {
              method: method.path,
              timeoutMs: deadline ? (opts.timeoutMs ?? conn.timeoutMs) : 0,
            }),
          );
          return;
        }
        conn.markResponded();
        // Empty responses still decode to {}; undefined only if grpc-js changes.
        resolve(res as O);
      },
    );
    untrack = conn.track(call);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A server stream; iterate it with for-await. Breaking out or cancel() ends the call. */
export interface ServerStream<O> extends AsyncIterable<O> {
  /** Cancels the call; a pending or later next() then ends quietly. */
  cancel(): void;
}

/** Buffered messages before the stream is paused (HTTP/2 flow control then holds the server). */
const HIGH_WATER = 16;

/**
 * Starts a server-streaming call at once (so e.g. an event subscription is in
 * place before the caller does anything else). No deadline unless timeoutMs is
 * given: reads of big blobs and subscriptions legitimately run long.
 */
export function serverStream<I, O>(
  conn: Connection,
  method: MethodDef<I, O>,
  request: I,
  opts: CallOptions = {},
): ServerStream<O> {
  const { signal } = opts;
  const deadline = conn.deadline(opts, undefined);
  const call: ClientReadableStream<O> = conn.client.makeServerStreamRequest<I, O>(
    method.path,
    method.serialize,
    method.deserialize,
    request,
    conn.metadata(opts),
    deadline ? { deadline } : {},
  );
  const untrack = conn.track(call);
  const queue: O[] = [];
  let finished = false;
  let failure: unknown;
  let cancelledByCaller = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const settle = (): void => {
    finished = true;
    untrack();
    signal?.removeEventListener('abort', onAbort);
    notify();
  };
  call.on('metadata', () => conn.markResponded());
  call.on('data', (msg: O) => {
    conn.markResponded();
    queue.push(msg);
    if (queue.length >= HIGH_WATER) call.pause();
    notify();
  });
  // A listener must always exist: grpc-js emits 'error' for our own cancel(),
  // and an unhandled 'error' would crash the process.
  call.on('error', (err: unknown) => {
    failure = err;
    settle();
  });
  call.on('end', settle);
  const cancel = (): void => {
    if (finished) return;
    cancelledByCaller = true;
    call.cancel();
  };
  const onAbort = (): void => call.cancel();
  if (signal?.aborted) queueMicrotask(onAbort);
  else signal?.addEventListener('abort', onAbort, { once: true });

  async function* iterate(): AsyncGenerator<O, void, undefined> {
    try {
      for (;;) {
        const msg = queue.shift();
        if (msg !== undefined) {
          if (queue.length < HIGH_WATER / 2 && call.isPaused()) call.resume();
          yield msg;
          continue;
        }
        if (finished) {
          if (failure === undefined || (cancelledByCaller && !signal?.aborted)) return;
          throw conn.toError(failure, signal);
        }
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      // Reached on break/return/throw in the consumer too: stop the server.
      cancel();
    }
  }
  return { cancel, [Symbol.asyncIterator]: iterate };
}

/**
 * A bidi stream used strictly request -> response (Content.Write). send()
 * resolves with the response to that request. Responses that arrive while
 * nothing is waiting are dropped: containerd sends a duplicate after COMMIT.
 */
export class Lockstep<I, O> {
  private readonly call: ClientDuplexStream<I, O>;
  private waiter: { resolve(v: O): void; reject(e: unknown): void } | undefined;
  private failure: Error | undefined;
  private done = false;
  private readonly closed: Promise<void>;
  private readonly untrack: () => void;

  constructor(
    private readonly conn: Connection,
    method: MethodDef<I, O>,
    private readonly opts: CallOptions = {},
  ) {
    const deadline = conn.deadline(opts, undefined);
    this.call = conn.client.makeBidiStreamRequest<I, O>(
      method.path,
      method.serialize,
      method.deserialize,
      conn.metadata(opts),
      deadline ? { deadline } : {},
    );
    this.untrack = conn.track(this.call);
    const onAbort = (): void => this.call.cancel();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    this.closed = new Promise<void>((resolve) => {
      const finish = (): void => {
        if (this.done) return;
        this.done = true;
        this.untrack();
        opts.signal?.removeEventListener('abort', onAbort);
        this.waiter?.reject(
          this.failure ??
            new ContainerdError(
              GrpcCode.UNKNOWN,
              'containerd closed the stream without a response',
            ),
        );
        this.waiter = undefined;
        resolve();
      };
      this.call.on('data', (msg: O) => {
        this.conn.markResponded();
        const w = this.waiter;
        this.waiter = undefined;
        w?.resolve(msg);
      });
      this.call.on('error', (err: unknown) => {
        this.failure = this.conn.toError(err, this.opts.signal);
        finish();
      });
      // 'status' fires for every outcome; 'end' only once the read side is drained.
      this.call.on('status', finish);
      this.call.on('end', finish);
    });
    if (opts.signal?.aborted) this.call.cancel();
  }

  /** Sends one request and resolves with its response. One outstanding request at a time. */
  send(request: I): Promise<O> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.done)
      return Promise.reject(new ContainerdError(GrpcCode.UNKNOWN, 'stream already closed'));
    if (this.waiter)
      return Promise.reject(new Error('Lockstep.send: previous request still outstanding'));
    return new Promise<O>((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.call.write(request);
    });
  }

  /** Half-closes and waits for the server to finish; rejects if the stream failed. */
  async close(): Promise<void> {
    if (!this.done) this.call.end();
    await this.closed;
    if (this.failure) throw this.failure;
  }

  /** Abandons the stream (the server aborts nothing by itself: use Content.Abort for the ingest). */
  cancel(): void {
    if (!this.done) this.call.cancel();
  }
}
