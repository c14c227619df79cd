import assert from 'node:assert/strict';
import { stepCacheKey } from '../../../src/build/builder.js';
import { hashSources, resolveSources } from '../../../src/build/context.js';
import { mkdtempSync, writeFileSync, mkdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('build: cache keys', () => {
  const parent = 'sha256:' + 'a'.repeat(64);
  const run = '|1 VER=1 /bin/sh -c echo $VER';

  it('is the same for the same parent and step, and differs when either changes', () => {
    const k = stepCacheKey(parent, {}, run);
    assert.equal(k, stepCacheKey(parent, { Env: ['ignored: the digest covers it'] }, run));
    assert.notEqual(k, stepCacheKey('sha256:' + 'b'.repeat(64), {}, run));
    // A changed build arg changes the RUN's history text, hence the key.
    assert.notEqual(k, stepCacheKey(parent, {}, '|1 VER=2 /bin/sh -c echo $VER'));
  });

  it('a scratch parent (no digest) is keyed by its config', () => {
    assert.notEqual(
      stepCacheKey('', { Env: ['A=1'] }, 'x'),
      stepCacheKey('', { Env: ['A=2'] }, 'x'),
    );
  });

  it('COPY sources hash their contents and names, not their times', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-cachekey-'));
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'f'), 'one');
    const hash = async () => hashSources(await resolveSources(dir, ['d'], () => false, 'COPY'));
    const first = await hash();
    utimesSync(join(dir, 'd', 'f'), new Date(0), new Date(0));
    assert.equal(await hash(), first);
    writeFileSync(join(dir, 'd', 'f'), 'two');
    assert.notEqual(await hash(), first);
    const excluded = await hashSources(
      await resolveSources(dir, ['d'], (rel) => rel === 'd/f', 'COPY'),
    );
    assert.notEqual(excluded, await hash());
  });

  it('refuses sources outside the context', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-cachekey-'));
    await assert.rejects(
      resolveSources(dir, ['../x'], () => false, 'COPY'),
      /COPY failed: forbidden path outside the build context: \.\.\/x \(\)/,
    );
  });
});
