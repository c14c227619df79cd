import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  contextTarSize,
  TAR_TRAILER,
  tarFileBytes,
  tarHeaderBytes,
} from '../../../src/build/context-size.js';

describe('build: the context size Docker sends', () => {
  it("counts Go's tar headers: USTAR when the name fits or splits, a PAX record otherwise", () => {
    assert.equal(tarHeaderBytes('a.txt'), 512);
    // 150 bytes split at a slash into USTAR's prefix and name fields.
    assert.equal(tarHeaderBytes(`${'x'.repeat(60)}/${'y'.repeat(60)}/${'z'.repeat(28)}`), 512);
    // One 120-byte component cannot be split: a PAX header and its record block come first.
    assert.equal(tarHeaderBytes('z'.repeat(120)), 1536);
    assert.equal(tarHeaderBytes('café'), 1536);
    assert.equal(tarHeaderBytes('l', 'x'.repeat(101)), 1536);
    assert.equal(tarFileBytes('f', 0), 512);
    assert.equal(tarFileBytes('f', 513), 1536);
  });

  it('walks as the CLI tars: exclusions, exceptions inside excluded directories, kept files, hard links once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'berth-ctx-size-'));
    try {
      mkdirSync(join(root, 'skip', 'deep'), { recursive: true });
      mkdirSync(join(root, 'keep'));
      writeFileSync(join(root, 'a'), 'x'.repeat(600));
      linkSync(join(root, 'a'), join(root, 'a2'));
      writeFileSync(join(root, 'skip', 'deep', 'f'), 'f');
      writeFileSync(join(root, 'keep', 'k'), 'k');
      writeFileSync(join(root, 'keep', 'no'), 'n');
      writeFileSync(join(root, 'Dockerfile'), 'FROM x\n');
      const excluded = (rel: string): boolean =>
        rel === 'skip' ||
        (rel.startsWith('skip/') && rel !== 'skip/deep/f') ||
        rel === 'Dockerfile' ||
        rel === 'keep/no';
      // a (512 + 1024), a2 (a link to it: 512), keep/ (512), keep/k (1024), Dockerfile (kept: 1024).
      const base = 1536 + 512 + 512 + 1024 + 1024 + TAR_TRAILER;
      assert.equal(
        await contextTarSize(root, { excluded, exceptions: [], keep: ['Dockerfile'] }),
        base,
      );
      // An exception inside an excluded directory: the walk enters it, the directory itself is not sent.
      assert.equal(
        await contextTarSize(root, {
          excluded,
          exceptions: ['skip/deep/f'],
          keep: ['Dockerfile'],
        }),
        base + 1024,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
