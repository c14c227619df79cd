import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertContentMatches, computeDigest, verifyDigest } from '../../../src/registry/digest.js';
import { DigestMismatchError } from '../../../src/registry/errors.js';

const data = Buffer.from('hello, registry\n'.repeat(1000));
const desc = { digest: computeDigest(data), size: data.length };

async function run(
  chunks: Buffer[],
  d: { digest: string; size: number },
  opts = {},
): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), verifyDigest(d, opts), async (src) => {
    for await (const c of src as AsyncIterable<Buffer>) out.push(c);
  });
  return Buffer.concat(out);
}

function split(b: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += n) out.push(b.subarray(i, i + n));
  return out;
}

describe('registry/digest', () => {
  it('computeDigest matches sha256sum', () => {
    assert.equal(
      computeDigest(Buffer.alloc(0)),
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    assert.match(computeDigest(data, 'sha512'), /^sha512:[0-9a-f]{128}$/);
  });

  it('verifyDigest passes matching content through unchanged', async () => {
    assert.deepEqual(await run(split(data, 777), desc), data);
  });

  it('fails at the end on a digest mismatch', async () => {
    const bad = Buffer.from(data);
    bad[5] = 0;
    await assert.rejects(run(split(bad, 1000), desc), (e: unknown) => {
      return (
        e instanceof DigestMismatchError &&
        e.message.startsWith(`digest mismatch: expected ${desc.digest}, got sha256:`)
      );
    });
  });

  it('fails on short content', async () => {
    await assert.rejects(
      run([data.subarray(0, 10)], desc),
      new RegExp(`size mismatch for ${desc.digest}: expected ${data.length} bytes, got 10`),
    );
  });

  it('fails as soon as content runs past the size', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled++;
        this.push(Buffer.alloc(1024));
      },
    });
    await assert.rejects(
      pipeline(endless, verifyDigest({ digest: desc.digest, size: 4096 }), async (src) => {
        for await (const _ of src as AsyncIterable<Buffer>) void _;
      }),
      DigestMismatchError,
    );
    assert.ok(pulled < 50);
  });

  it('verifies a resumed download over the whole blob', async () => {
    const hash = createHash('sha256').update(data.subarray(0, 5000));
    const tail = await run([data.subarray(5000)], desc, { resume: { hash, bytes: 5000 } });
    assert.equal(tail.length, data.length - 5000);
  });

  it('supports sha512 descriptors and rejects unknown algorithms', async () => {
    await run([data], { digest: computeDigest(data, 'sha512'), size: data.length });
    assert.throws(
      () => verifyDigest({ digest: `md5:${'0'.repeat(32)}`, size: 1 }),
      /unsupported digest algorithm/,
    );
  });

  it('assertContentMatches', () => {
    assertContentMatches(data, desc);
    assert.throws(() => assertContentMatches(data.subarray(1), desc), /size mismatch/);
  });
});
