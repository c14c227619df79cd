/**
 * Blobs in containerd's content store: streaming writes that resume, and reads.
 *
 * Writes follow the Content.Write quirks containerd 1.6 has (see the lockstep helper): the first
 * message carries the ref, every WRITE/COMMIT repeats the current offset, STAT with `expected`
 * answers ALREADY_EXISTS when the blob is there, and a ref held by another stream is UNAVAILABLE.
 *
 * Writes run under the caller's lease so the committed blob is protected until the image record
 * references it. A leased ingest would die with the lease, though, so when a write fails or is
 * interrupted its ingest is handed over to containerd's 24 h expiry instead (preserveIngest):
 * the next pull resumes at the ingest's offset rather than starting over.
 */
import { Readable } from 'node:stream';
import type { Client } from '../containerd/client.js';
import type { CallOptions } from '../containerd/connection.js';
import {
  AlreadyExistsError,
  ContainerdError,
  FailedPreconditionError,
  NotFoundError,
  UnavailableError,
} from '../containerd/errors.js';
import type { ContentWriter } from '../containerd/content.js';
import { BerthError } from '../errors.js';
import { assertContentMatches } from '../registry/digest.js';
import { DigestMismatchError } from '../registry/errors.js';

/** What a blob is: the fields of an OCI descriptor the store cares about. */
export interface BlobDescriptor {
  digest: string;
  size: number;
  mediaType?: string;
}

/** A source of the blob's bytes starting at `offset` (the ingest may already hold the head). */
export type BlobSource =
  | Readable
  | AsyncIterable<Uint8Array>
  | ((offset: number) => Promise<Readable | AsyncIterable<Uint8Array>>);

export interface WriteBlobOptions {
  /** Lease the commit runs under; the new blob is attached to it. */
  lease?: string;
  /** Labels set on commit (GC references, `containerd.io/uncompressed`, ...). */
  labels?: Record<string, string>;
  signal?: AbortSignal;
  /** Bytes in the store so far (called after each chunk, starting with the resumed offset). */
  onProgress?: (written: number, total: number) => void;
  /** Called once when another writer holds the same ref and this one is waiting for it. */
  onWaiting?: () => void;
  /** Size of one WRITE message. */
  chunkSize?: number;
}

export type WriteBlobResult =
  /** The blob was already in the store (its labels were brought up to date). */
  | { status: 'exists' }
  /** Written now; `resumedAt` > 0 if a previous attempt's bytes were kept. */
  | { status: 'written'; resumedAt: number };

/** The ingest ref for a blob: stable, so any berth process resumes (or waits for) the same ingest. */
export function ingestRef(digest: string): string {
  return `berth-${digest}`;
}

/**
 * Size of one WRITE. Each round trip waits for containerd, so bigger is faster, but every chunk is
 * copied twice more on its way out (protobuf, gRPC framing): 1 MiB keeps a pull's peak RSS low.
 */
const DEFAULT_CHUNK = 1024 * 1024;
/** How long to keep retrying a ref another writer holds (it is held while that writer streams a layer). */
const LOCK_WAIT_MS = 10 * 60_000;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(
        signal.reason instanceof Error ? signal.reason : new BerthError('operation cancelled'),
      );
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(
        signal?.reason instanceof Error ? signal.reason : new BerthError('operation cancelled'),
      );
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * containerd answers UNAVAILABLE both for "ref … locked" (another writer holds the ingest) and when
 * it is gone altogether; only the first is worth waiting for.
 */
function isLocked(err: unknown): boolean {
  return err instanceof UnavailableError && / locked\b/.test(err.message);
}

/**
 * Retries `fn` while containerd reports the ingest ref as locked by another stream (a concurrent
 * pull of the same blob): that writer either commits (we then see "already exists") or goes away.
 */
async function whileLocked<T>(fn: () => Promise<T>, opts: WriteBlobOptions): Promise<T> {
  const started = Date.now();
  let delay = 50;
  let told = false;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isLocked(err) || Date.now() - started > LOCK_WAIT_MS) throw err;
      if (!told) {
        told = true;
        opts.onWaiting?.();
      }
      await sleep(delay, opts.signal);
      delay = Math.min(delay * 2, 500);
    }
  }
}

function callOpts(opts: WriteBlobOptions, withLease: boolean): CallOptions {
  const o: CallOptions = {};
  if (opts.signal) o.signal = opts.signal;
  if (withLease && opts.lease) o.lease = opts.lease;
  return o;
}

/**
 * Regroups network chunks into `size`-byte WRITEs (fewer round trips) without allocating a buffer
 * per WRITE: the bytes are copied into a small ring of buffers reused round-robin. A buffer comes
 * back only `ring.length` chunks later; the WRITE that carried it has long been answered (and
 * gRPC copies the message when it is sent), so the reuse is safe as long as the consumer keeps
 * fewer than `ring.length - 1` chunks in hand.
 */
/** Regroups network chunks (tens of KB) into WRITE-sized buffers: fewer round trips. */
async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of source) {
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    parts.push(buf);
    n += buf.length;
    if (n >= size) {
      yield parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, n);
      parts = [];
      n = 0;
    }
  }
  if (n > 0) yield parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, n);
}

/** Skips the first `count` bytes of a stream (a source that cannot seek). */
async function* skip(source: AsyncIterable<Uint8Array>, count: number): AsyncGenerator<Uint8Array> {
  let left = count;
  for await (const chunk of source) {
    if (left >= chunk.byteLength) {
      left -= chunk.byteLength;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

/** Sends STAT; the response's offset is where the ingest stands. */
async function stat(w: ContentWriter, ref: string, desc: BlobDescriptor): Promise<number> {
  const res = await w.send({ action: 'STAT', ref, total: desc.size, expected: desc.digest });
  return Number(res.offset);
}

function closeQuietly(w: ContentWriter): Promise<void> {
  return w.close().catch(() => undefined);
}

/**
 * Makes sure a blob that is already present carries `labels` (another tool may have stored it
 * without GC references) and is held by the lease until something references it.
 */
/**
 * `containerd.io/distribution.source.<registry host>`: the repositories of that registry a blob
 * is known to be in, comma-separated (as containerd's own pull writes it). A later push mounts
 * from them instead of uploading; rmi's repo-digest lines read it.
 */
export function distributionSourceKey(domain: string): string {
  return `containerd.io/distribution.source.${domain}`;
}

/** The union of two comma lists of repositories, sorted. */
export function mergeSources(have: string | undefined, add: string): string {
  return [...new Set([...(have ? have.split(',') : []), ...add.split(',')])].sort().join(',');
}

async function adoptExisting(
  client: Client,
  desc: BlobDescriptor,
  opts: WriteBlobOptions,
): Promise<void> {
  const wanted = opts.labels ?? {};
  const keys = Object.keys(wanted);
  if (keys.length > 0) {
    const { info } = await client.content.info({ digest: desc.digest }, callOpts(opts, false));
    const have = info?.labels ?? {};
    // A blob already here from another repository keeps that repository in its source list.
    const merged: Record<string, string> = {};
    for (const k of keys) {
      merged[k] = k.startsWith(distributionSourceKey(''))
        ? mergeSources(have[k], wanted[k]!)
        : wanted[k]!;
    }
    const missing = keys.filter((k) => have[k] !== merged[k]);
    if (missing.length > 0) {
      await client.content.update(
        {
          info: { digest: desc.digest, labels: { ...have, ...merged } },
          update_mask: { paths: missing.map((k) => `labels.${k}`) },
        },
        callOpts(opts, false),
      );
    }
  }
  if (opts.lease) {
    await client.leases.addResource(
      { id: opts.lease, resource: { id: desc.digest, type: 'content' } },
      callOpts(opts, false),
    );
  }
}

/** True if the store has the blob. */
export async function hasBlob(
  client: Client,
  digest: string,
  opts: CallOptions = {},
): Promise<boolean> {
  try {
    await client.content.info({ digest }, opts);
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}

/**
 * Keeps a partial ingest alive after a failed or interrupted write. An ingest opened under a
 * lease dies with the lease; opening the ref once more without a lease makes containerd stamp
 * it with a 24 h expiry, which the GC honours once the lease is gone. The next write of the
 * same blob then resumes from where this one stopped.
 */
async function preserveIngest(client: Client, ref: string, desc: BlobDescriptor): Promise<void> {
  const deadline = Date.now() + 3000;
  let delay = 25;
  for (;;) {
    const w = client.content.write({ timeoutMs: 2000 });
    try {
      await w.send({ action: 'STAT', ref, total: desc.size });
      await closeQuietly(w);
      return;
    } catch (err) {
      w.cancel();
      // The interrupted stream may still hold the ref's lock for a moment.
      if (!isLocked(err) || Date.now() > deadline) return;
      await sleep(delay);
      delay = Math.min(delay * 2, 200);
    }
  }
}

/**
 * Streams a blob into the content store and commits it under the descriptor's digest, resuming a
 * previous attempt's ingest. Nothing is buffered beyond one chunk. A blob already present is
 * skipped (labels updated). A digest or size mismatch leaves nothing committed and drops the
 * ingest; any other failure keeps the ingest for the next attempt.
 */
export async function writeBlob(
  client: Client,
  desc: BlobDescriptor,
  source: BlobSource,
  opts: WriteBlobOptions = {},
): Promise<WriteBlobResult> {
  const ref = ingestRef(desc.digest);
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
  let touched = false;
  let input: Readable | AsyncIterable<Uint8Array> | undefined;
  try {
    return await whileLocked(async (): Promise<WriteBlobResult> => {
      const w = client.content.write(callOpts(opts, true));
      try {
        let offset: number;
        try {
          offset = await stat(w, ref, desc);
        } catch (err) {
          if (err instanceof AlreadyExistsError) {
            await adoptExisting(client, desc, opts);
            return { status: 'exists' };
          }
          throw err;
        }
        touched = true;
        if (offset > desc.size) offset = 0;
        const resumedAt = offset;
        opts.onProgress?.(offset, desc.size);
        if (offset < desc.size) {
          const raw = typeof source === 'function' ? await source(offset) : source;
          // Only a stream opened here is ours to destroy on failure.
          if (typeof source === 'function') input = raw;
          const data = typeof source !== 'function' && offset > 0 ? skip(raw, offset) : raw;
          for await (const chunk of rechunk(data, chunkSize)) {
            if (offset + chunk.length > desc.size) {
              throw new DigestMismatchError(
                `size mismatch for ${desc.digest}: expected ${desc.size} bytes, got more`,
              );
            }
            const res = await w.send({ action: 'WRITE', ref, offset, data: chunk });
            offset = Number(res.offset);
            opts.onProgress?.(offset, desc.size);
          }
          if (offset !== desc.size) {
            throw new DigestMismatchError(
              `size mismatch for ${desc.digest}: expected ${desc.size} bytes, got ${offset}`,
            );
          }
        }
        try {
          await w.send({
            action: 'COMMIT',
            ref,
            offset,
            total: desc.size,
            expected: desc.digest,
            labels: opts.labels ?? {},
          });
        } catch (err) {
          if (err instanceof AlreadyExistsError) {
            // A concurrent writer committed the same blob first.
            await adoptExisting(client, desc, opts);
            return { status: 'exists' };
          }
          if (err instanceof FailedPreconditionError) {
            // "unexpected commit digest …": the bytes are not what the descriptor promised.
            throw new DigestMismatchError(
              `filesystem layer verification failed for digest ${desc.digest}`,
              {
                cause: err,
              },
            );
          }
          throw err;
        }
        await closeQuietly(w);
        return { status: 'written', resumedAt };
      } catch (err) {
        w.cancel();
        if (input instanceof Readable) input.destroy();
        throw err;
      }
    }, opts);
  } catch (err) {
    if (err instanceof DigestMismatchError) await abortIngest(client, ref);
    else if (touched) await preserveIngest(client, ref, desc);
    throw err;
  }
}

/** Drops an ingest (after a mismatch, or to restart from zero); missing is fine. */
export async function abortIngest(client: Client, ref: string): Promise<void> {
  try {
    await client.content.abort({ ref });
  } catch (err) {
    if (!(err instanceof NotFoundError) && !(err instanceof ContainerdError)) throw err;
  }
}

/** Writes a small in-memory blob (manifest, config, index), checking it against the descriptor first. */
export async function writeBlobBytes(
  client: Client,
  desc: BlobDescriptor,
  bytes: Uint8Array,
  opts: WriteBlobOptions = {},
): Promise<WriteBlobResult> {
  assertContentMatches(bytes, desc);
  return writeBlob(
    client,
    desc,
    Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]),
    opts,
  );
}

/** A whole blob in memory; for manifests, indexes and configs only. */
export async function readBlob(
  client: Client,
  digest: string,
  opts: CallOptions = {},
): Promise<Buffer> {
  return client.content.readBlob({ digest }, opts);
}

/** A blob parsed as JSON. */
export async function readJsonBlob<T>(
  client: Client,
  digest: string,
  opts: CallOptions = {},
): Promise<T> {
  const bytes = await readBlob(client, digest, opts);
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (err) {
    throw new BerthError(`content ${digest} is not valid JSON`, { cause: err });
  }
}

/** A blob as a stream (layers for save/push), from `offset` on. Nothing is held in memory. */
export function openBlob(
  client: Client,
  digest: string,
  opts: CallOptions & { offset?: number } = {},
): Readable {
  const { offset, ...call } = opts;
  const stream = client.content.read({ digest, offset: offset ?? 0 }, call);
  async function* chunks(): AsyncGenerator<Buffer> {
    for await (const msg of stream) yield msg.data;
  }
  return Readable.from(chunks(), { objectMode: false });
}
