import assert from 'node:assert/strict';
import { StreamDecoder } from '@grpc/grpc-js/build/src/stream-decoder.js';
import { framedWrite } from '../../../src/containerd/framing.js';

/** gRPC's length-prefixed framing of one message. */
function frame(body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

const grpcWrite = StreamDecoder.prototype.write;

/** Feeds chunks to a fresh decoder whose write is `write`; returns every message it gave. */
function decode(write: (data: Buffer) => Buffer[], chunks: Buffer[], max = -1): Buffer[] {
  const d = new StreamDecoder(max);
  return chunks.flatMap((c) => write.call(d, c));
}

describe('containerd/framing (grpc-js message framing without holding chunks)', () => {
  const bodies = [
    Buffer.alloc(0),
    Buffer.from('a'),
    Buffer.alloc(3000, 7),
    Buffer.alloc(70_000, 9),
  ];
  bodies[3]!.write('the end', 69_990);
  const stream = Buffer.concat(bodies.map(frame));

  it('gives what grpc-js gives, however the bytes are split', () => {
    for (const size of [1, 2, 4, 5, 6, 7, 100, 4096, 16_384, stream.length]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
      const ours = decode(framedWrite, chunks);
      assert.deepEqual(ours, decode(grpcWrite, chunks), `chunks of ${size}`);
      assert.equal(ours.length, bodies.length);
    }
  });

  it('keeps no received chunk: a chunk reused after it was read does not change the message', () => {
    const body = Buffer.alloc(50_000, 1);
    const framed = frame(body);
    const d = new StreamDecoder(-1);
    const first = Buffer.from(framed.subarray(0, 20_000));
    assert.deepEqual(framedWrite.call(d, first), []);
    first.fill(0xff); // node reuses its read buffers; what was read must already be copied
    const [message] = framedWrite.call(d, framed.subarray(20_000));
    assert.deepEqual(message, framed);
  });

  it("refuses a message over the limit with grpc-js's words", () => {
    assert.throws(
      () => decode(framedWrite, [frame(Buffer.alloc(100))], 99),
      /^Error: Received message larger than max \(100 vs 99\)$/,
    );
  });
});
