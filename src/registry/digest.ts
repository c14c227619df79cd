/**
 * Content digests: computing them, and checking streamed content against a descriptor without
 * holding it in memory.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { DigestMismatchError } from './errors.js';
import type { Descriptor } from './media-types.js';
import { validateDigest } from './reference.js';

const ALGORITHMS = new Set(['sha256', 'sha384', 'sha512']);

/** The algorithm part of a digest, checked to be one berth can compute. */
export function digestAlgorithm(digest: string): string {
  validateDigest(digest);
  const algorithm = digest.slice(0, digest.indexOf(':'));
  if (!ALGORITHMS.has(algorithm)) throw new DigestMismatchError(`unsupported digest algorithm`);
  return algorithm;
}

/** `sha256:<hex>` (or another algorithm) of a buffer. */
export function computeDigest(data: Uint8Array, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** Throws unless `data` has exactly the descriptor's size and digest. */
export function assertContentMatches(
  data: Uint8Array,
  descriptor: Pick<Descriptor, 'digest' | 'size'>,
): void {
  if (data.byteLength !== descriptor.size) {
    throw sizeMismatch(descriptor.digest, descriptor.size, data.byteLength);
  }
  const actual = computeDigest(data, digestAlgorithm(descriptor.digest));
  if (actual !== descriptor.digest) throw digestMismatch(descriptor.digest, actual);
}

function sizeMismatch(digest: string, expected: number, actual: number): DigestMismatchError {
  return new DigestMismatchError(
    `size mismatch for ${digest}: expected ${expected} bytes, got ${actual}`,
  );
}

function digestMismatch(expected: string, actual: string): DigestMismatchError {
  return new DigestMismatchError(`digest mismatch: expected ${expected}, got ${actual}`);
}

export interface VerifyOptions {
  /**
   * When resuming a download, a hash already fed with the bytes before the resume point, and how
   * many there were; the stream then verifies the whole blob, not just the tail.
   */
  resume?: { hash: Hash; bytes: number };
}

/**
 * A pass-through stream that hashes and counts what flows through it and fails at the end if the
 * digest or size differ from the descriptor. It fails as soon as the size is exceeded, so a
 * misbehaving server cannot stream without bound.
 */
export function verifyDigest(
  descriptor: Pick<Descriptor, 'digest' | 'size'>,
  opts: VerifyOptions = {},
): Transform {
  const algorithm = digestAlgorithm(descriptor.digest);
  const hash = opts.resume?.hash ?? createHash(algorithm);
  let seen = opts.resume?.bytes ?? 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      seen += chunk.length;
      if (seen > descriptor.size) {
        callback(sizeMismatch(descriptor.digest, descriptor.size, seen));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback): void {
      if (seen !== descriptor.size) {
        callback(sizeMismatch(descriptor.digest, descriptor.size, seen));
        return;
      }
      const actual = `${algorithm}:${hash.digest('hex')}`;
      callback(actual === descriptor.digest ? null : digestMismatch(descriptor.digest, actual));
    },
  });
}
