/**
 * Writing blobs into containerd's content store under a lease (the builder's layers and configs,
 * import, push's compressed layers): streamed, digested on the way, an existing blob held instead.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Client } from '../containerd/client.js';
import type { CallOptions } from '../containerd/connection.js';
import { AlreadyExistsError } from '../containerd/errors.js';

const CHUNK = 1024 * 1024;

/** Streams `source` into the content store; the digest is computed on the way. */
export async function writeStreamBlob(
  client: Client,
  source: Readable | AsyncIterable<Uint8Array>,
  opts: {
    lease: string;
    labels?: Record<string, string>;
    signal?: AbortSignal;
    /** The labels follow from the bytes (a manifest's): an existing blob already has them. */
    labelsFromContent?: boolean;
  },
): Promise<{ digest: string; size: number }> {
  const ref = `berth-build-${randomBytes(8).toString('hex')}`;
  const call: CallOptions = { lease: opts.lease, ...(opts.signal ? { signal: opts.signal } : {}) };
  const w = client.content.write(call);
  const hash = createHash('sha256');
  let offset = 0;
  let pending: Buffer[] = [];
  let pendingLen = 0;
  const flush = async (): Promise<void> => {
    if (pendingLen === 0) return;
    const data = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingLen);
    pending = [];
    pendingLen = 0;
    const res = await w.send({ action: 'WRITE', ref, offset, data });
    offset = Number(res.offset);
  };
  try {
    await w.send({ action: 'STAT', ref });
    for await (const chunk of source) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      hash.update(b);
      pending.push(b);
      pendingLen += b.length;
      if (pendingLen >= CHUNK) await flush();
    }
    await flush();
    const digest = `sha256:${hash.digest('hex')}`;
    try {
      await w.send({
        action: 'COMMIT',
        ref,
        offset,
        total: offset,
        expected: digest,
        labels: opts.labels ?? {},
      });
      await w.close().catch(() => undefined);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      w.cancel();
      await client.content.abort({ ref }).catch(() => undefined);
      await holdBlob(client, digest, opts.lease, opts.labelsFromContent ? {} : (opts.labels ?? {}));
    }
    return { digest, size: offset };
  } catch (err) {
    w.cancel();
    await client.content.abort({ ref }).catch(() => undefined);
    throw err;
  }
}

/** An existing blob: add it to the lease and bring its labels up to date. */
export async function holdBlob(
  client: Client,
  digest: string,
  lease: string,
  labels: Record<string, string>,
): Promise<void> {
  await client.leases.addResource({ id: lease, resource: { id: digest, type: 'content' } });
  const keys = Object.keys(labels);
  if (keys.length === 0) return;
  await client.content.update({
    info: { digest, labels },
    update_mask: { paths: keys.map((k) => `labels.${k}`) },
  });
}
