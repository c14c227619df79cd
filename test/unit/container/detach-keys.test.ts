import { strict as assert } from 'node:assert';
import { DetachKeyFilter, parseDetachKeys } from '../../../src/container/detach-keys.js';

describe('detach keys', () => {
  it("parses Docker's key syntax", () => {
    assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [16, 17]);
    assert.deepEqual(
      [...parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_')],
      [0, 27, 28, 29, 30, 31],
    );
    assert.deepEqual([...parseDetachKeys('a,ctrl-A,Z')], [97, 1, 90]);
    assert.throws(
      () => parseDetachKeys('ctrl-1'),
      /^BerthError: Invalid detach keys \(ctrl-1\) provided$/,
    );
    assert.throws(() => parseDetachKeys('ab'), /Invalid detach keys \(ab\) provided/);
  });

  it('holds back a partial sequence, releases it when broken, detaches when complete', () => {
    const f = new DetachKeyFilter(parseDetachKeys('ctrl-p,ctrl-q'));
    assert.deepEqual(f.push(Buffer.from('ls\n')), { forward: Buffer.from('ls\n'), detach: false });
    assert.deepEqual(f.push(Buffer.from([16])), { forward: Buffer.alloc(0), detach: false });
    // Ctrl-P then x: both go through.
    assert.deepEqual(f.push(Buffer.from('x')), { forward: Buffer.from([16, 120]), detach: false });
    // Ctrl-P Ctrl-P Ctrl-Q: the first Ctrl-P goes through, the pair detaches.
    assert.deepEqual(f.push(Buffer.from([104, 16, 16, 17, 105])), {
      forward: Buffer.from([104, 16]),
      detach: true,
    });
    // Split across chunks.
    const g = new DetachKeyFilter(parseDetachKeys('ctrl-p,ctrl-q'));
    assert.equal(g.push(Buffer.from([16])).detach, false);
    assert.deepEqual(g.push(Buffer.from([17])), { forward: Buffer.alloc(0), detach: true });
  });
});
