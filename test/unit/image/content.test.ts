import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Client } from '../../../src/containerd/client.js';
import type { CallOptions } from '../../../src/containerd/connection.js';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  NotFoundError,
  UnavailableError,
} from '../../../src/containerd/errors.js';
import { ingestRef, writeBlob, writeBlobBytes } from '../../../src/image/content.js';
import { DigestMismatchError } from '../../../src/registry/errors.js';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Req {
  action: string;
  ref: string;
  offset?: number;
  total?: number;
  expected?: string;
  data?: Buffer;
  labels?: Record<string, string>;
}

/** An in-memory content service with containerd's Write rules. */
class FakeContent {
  blobs = new Map<string, { data: Buffer; labels: Record<string, string> }>();
  ingests = new Map<string, Buffer>();
  /** Streams opened, with the lease they carried. */
  streams: { lease: string | undefined; requests: Req[] }[] = [];
  aborted: string[] = [];
  updates: unknown[] = [];
  leaseResources: unknown[] = [];
  /** STATs to answer with UNAVAILABLE (a ref locked by another writer). */
  lockedStats = 0;

  client(): Client {
    const content = {
      write: (opts: CallOptions = {}) => this.writer(opts),
      info: async ({ digest }: { digest: string }) => {
        const b = this.blobs.get(digest);
        if (!b) throw new NotFoundError(5, `content digest ${digest}: not found`);
        return { info: { digest, size: String(b.data.length), labels: { ...b.labels } } };
      },
      update: async (req: {
        info: { digest: string; labels: Record<string, string> };
        update_mask: { paths: string[] };
      }) => {
        this.updates.push(req);
        const b = this.blobs.get(req.info.digest);
        if (b)
          for (const p of req.update_mask.paths)
            b.labels[p.slice('labels.'.length)] = req.info.labels[p.slice('labels.'.length)] ?? '';
        return {};
      },
      abort: async ({ ref }: { ref: string }) => {
        this.aborted.push(ref);
        this.ingests.delete(ref);
      },
    };
    const leases = { addResource: async (r: unknown) => void this.leaseResources.push(r) };
    return { content, leases } as unknown as Client;
  }

  private writer(opts: CallOptions) {
    const stream = { lease: opts.lease, requests: [] as Req[] };
    this.streams.push(stream);
    let failed: Error | undefined;
    return {
      send: async (req: Req) => {
        if (failed) throw failed;
        stream.requests.push({ ...req, ...(req.data ? { data: Buffer.from(req.data) } : {}) });
        try {
          return this.handle(req);
        } catch (err) {
          failed = err as Error;
          throw err;
        }
      },
      close: async () => undefined,
      cancel: () => undefined,
    };
  }

  private handle(req: Req) {
    const ingest = (): Buffer => this.ingests.get(req.ref) ?? Buffer.alloc(0);
    switch (req.action) {
      case 'STAT':
        if (this.lockedStats > 0) {
          this.lockedStats--;
          throw new UnavailableError(14, `ref ${req.ref} locked`);
        }
        if (req.expected && this.blobs.has(req.expected))
          throw new AlreadyExistsError(6, `content ${req.expected}: already exists`);
        if (!this.ingests.has(req.ref)) this.ingests.set(req.ref, Buffer.alloc(0));
        return { offset: String(ingest().length), total: String(req.total ?? 0) };
      case 'WRITE': {
        const cur = ingest();
        assert.equal(req.offset, cur.length, 'WRITE at the current offset');
        this.ingests.set(req.ref, Buffer.concat([cur, req.data ?? Buffer.alloc(0)]));
        return { offset: String(ingest().length) };
      }
      case 'COMMIT': {
        const data = ingest();
        assert.equal(req.offset, data.length, 'COMMIT repeats the offset');
        if (req.expected && sha(data) !== req.expected) {
          throw new FailedPreconditionError(
            9,
            `unexpected commit digest ${sha(data)}, expected ${req.expected}: failed precondition`,
          );
        }
        this.blobs.set(sha(data), { data, labels: { ...req.labels } });
        this.ingests.delete(req.ref);
        return { offset: String(data.length), digest: sha(data) };
      }
      default:
        throw new Error(`unexpected action ${req.action}`);
    }
  }
}

function blob(n: number): { data: Buffer; desc: { digest: string; size: number } } {
  const data = Buffer.alloc(n);
  for (let i = 0; i < n; i++) data[i] = (i * 7) % 251;
  return { data, desc: { digest: sha(data), size: n } };
}

describe('image/content writeBlob', () => {
  it('regroups the stream into WRITEs of at least the chunk size, under the lease, and commits with labels', async () => {
    const fake = new FakeContent();
    const { data, desc } = blob(2500);
    const progress: number[] = [];
    const r = await writeBlob(
      fake.client(),
      desc,
      Readable.from([data.subarray(0, 700), data.subarray(700, 1400), data.subarray(1400)]),
      {
        lease: 'L1',
        labels: { 'containerd.io/uncompressed': 'sha256:x' },
        chunkSize: 1000,
        onProgress: (n) => progress.push(n),
      },
    );
    assert.deepEqual(r, { status: 'written', resumedAt: 0 });
    assert.deepEqual(fake.blobs.get(desc.digest)?.labels, {
      'containerd.io/uncompressed': 'sha256:x',
    });
    assert.equal(fake.streams.length, 1);
    assert.equal(fake.streams[0]?.lease, 'L1');
    const actions = fake.streams[0]?.requests.map((q) => `${q.action}@${q.offset ?? ''}`);
    assert.deepEqual(actions, ['STAT@', 'WRITE@0', 'WRITE@1400', 'COMMIT@2500']);
    assert.equal(fake.streams[0]?.requests[0]?.ref, ingestRef(desc.digest));
    assert.deepEqual(progress, [0, 1400, 2500]);
    assert.deepEqual(fake.blobs.get(desc.digest)?.data, data);
  });

  it('resumes an ingest from its offset: the source is asked only for the rest', async () => {
    const fake = new FakeContent();
    const { data, desc } = blob(3000);
    fake.ingests.set(ingestRef(desc.digest), data.subarray(0, 1200));
    let askedFrom = -1;
    const r = await writeBlob(
      fake.client(),
      desc,
      async (offset) => {
        askedFrom = offset;
        return Readable.from([data.subarray(offset)]);
      },
      { lease: 'L' },
    );
    assert.equal(askedFrom, 1200);
    assert.deepEqual(r, { status: 'written', resumedAt: 1200 });
    assert.ok(fake.blobs.has(desc.digest));
  });

  it('a plain stream is skipped up to the resume offset', async () => {
    const fake = new FakeContent();
    const { data, desc } = blob(3000);
    fake.ingests.set(ingestRef(desc.digest), data.subarray(0, 1000));
    await writeBlob(
      fake.client(),
      desc,
      Readable.from([data.subarray(0, 600), data.subarray(600, 1500), data.subarray(1500)]),
    );
    assert.deepEqual(fake.blobs.get(desc.digest)?.data, data);
  });

  it('a blob already present is not fetched; missing labels are added and the lease holds it', async () => {
    const fake = new FakeContent();
    const { data, desc } = blob(10);
    fake.blobs.set(desc.digest, { data, labels: { keep: '1' } });
    const r = await writeBlob(
      fake.client(),
      desc,
      () => Promise.reject(new Error('must not fetch')),
      { lease: 'L', labels: { keep: '1', 'containerd.io/gc.ref.snapshot.overlayfs': 'sha256:c' } },
    );
    assert.deepEqual(r, { status: 'exists' });
    assert.deepEqual(fake.blobs.get(desc.digest)?.labels, {
      keep: '1',
      'containerd.io/gc.ref.snapshot.overlayfs': 'sha256:c',
    });
    assert.deepEqual((fake.updates[0] as { update_mask: unknown }).update_mask, {
      paths: ['labels.containerd.io/gc.ref.snapshot.overlayfs'],
    });
    assert.deepEqual(fake.leaseResources, [
      { id: 'L', resource: { id: desc.digest, type: 'content' } },
    ]);
  });

  it('a digest mismatch commits nothing and drops the ingest', async () => {
    const fake = new FakeContent();
    const { data, desc } = blob(100);
    const bad = Buffer.from(data.map((b) => b ^ 1));
    await assert.rejects(
      writeBlob(fake.client(), desc, Readable.from([bad])),
      (err: unknown) =>
        err instanceof DigestMismatchError &&
        err.message === `filesystem layer verification failed for digest ${desc.digest}`,
    );
    assert.equal(fake.blobs.size, 0);
    assert.deepEqual(fake.aborted, [ingestRef(desc.digest)]);
  });

  it('more bytes than the descriptor says is a mismatch too', async () => {
    const fake = new FakeContent();
    const { data, desc } = blob(100);
    await assert.rejects(
      writeBlob(fake.client(), desc, Readable.from([data, Buffer.from('extra')])),
      DigestMismatchError,
    );
    assert.deepEqual(fake.aborted, [ingestRef(desc.digest)]);
  });

  it('waits while another writer holds the ref', async () => {
    const fake = new FakeContent();
    fake.lockedStats = 2;
    const { data, desc } = blob(50);
    let waited = 0;
    const r = await writeBlob(fake.client(), desc, Readable.from([data]), {
      onWaiting: () => waited++,
    });
    assert.equal(r.status, 'written');
    assert.equal(waited, 1);
    assert.equal(fake.streams.length, 3);
  });

  it('an interrupted download keeps its ingest: it is re-opened without the lease so it outlives it', async () => {
    const fake = new FakeContent();
    const { data, desc } = blob(4000);
    async function* failing(): AsyncGenerator<Buffer> {
      yield data.subarray(0, 2000);
      throw new Error('connection reset');
    }
    await assert.rejects(
      writeBlob(fake.client(), desc, Readable.from(failing()), { lease: 'L', chunkSize: 1000 }),
      /connection reset/,
    );
    assert.equal(fake.ingests.get(ingestRef(desc.digest))?.length, 2000);
    assert.deepEqual(fake.aborted, []);
    const last = fake.streams.at(-1);
    assert.equal(last?.lease, undefined, 'the last stream carries no lease');
    assert.deepEqual(
      last?.requests.map((q) => q.action),
      ['STAT'],
    );
  });

  it('writeBlobBytes refuses bytes that do not match before talking to containerd', async () => {
    const fake = new FakeContent();
    const { desc } = blob(10);
    await assert.rejects(
      writeBlobBytes(fake.client(), desc, Buffer.from('nope')),
      DigestMismatchError,
    );
    assert.equal(fake.streams.length, 0);
  });
});
