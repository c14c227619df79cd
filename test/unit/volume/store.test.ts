import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  ANONYMOUS_LABEL,
  createVolume,
  deleteVolumeDir,
  getVolume,
  listVolumes,
  validateVolumeName,
  volumeMountpoint,
  volumeSize,
} from '../../../src/volume/index.js';
import { naturalCompare, rfc3339Local } from '../../../src/volume/store.js';

describe('volume store', () => {
  let dataRoot: string;
  const settings = () => ({ dataRoot, namespace: 'ns1' });

  beforeEach(() => {
    dataRoot = mkdtempSync(path.join(os.tmpdir(), 'berth-vol-unit-'));
  });
  afterEach(() => rmSync(dataRoot, { recursive: true, force: true }));

  it('creates <dataRoot>/volumes/<ns>/<name>/_data and volume.json with the labels', async () => {
    const v = await createVolume(settings(), 'data1', { a: 'b' });
    assert.equal(v.name, 'data1');
    assert.equal(v.created, true);
    assert.equal(v.anonymous, false);
    assert.equal(v.mountpoint, path.join(dataRoot, 'volumes', 'ns1', 'data1', '_data'));
    assert.equal(v.mountpoint, volumeMountpoint(settings(), 'data1'));
    assert.ok(existsSync(v.mountpoint));
    const meta = JSON.parse(
      readFileSync(path.join(dataRoot, 'volumes', 'ns1', 'data1', 'volume.json'), 'utf8'),
    );
    assert.deepEqual(meta.labels, { a: 'b' });
    assert.ok(!Number.isNaN(Date.parse(meta.createdAt)));
  });

  it('is idempotent: an existing volume is returned unchanged', async () => {
    const first = await createVolume(settings(), 'same', { one: '1' });
    writeFileSync(path.join(first.mountpoint, 'f'), 'x');
    const again = await createVolume(settings(), 'same', { two: '2' });
    assert.equal(again.created, false);
    assert.deepEqual(again.labels, { one: '1' });
    assert.deepEqual(readdirSync(again.mountpoint), ['f']);
    assert.equal(again.createdAt.getTime(), first.createdAt.getTime());
  });

  it('concurrent creates of one name agree', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => createVolume(settings(), 'race')),
    );
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.ok(results.every((r) => r.mountpoint === results[0]!.mountpoint));
  });

  it('anonymous volumes get a 64-hex name and the anonymous label', async () => {
    const v = await createVolume(settings(), undefined, { x: 'y' });
    assert.match(v.name, /^[0-9a-f]{64}$/);
    assert.equal(v.anonymous, true);
    assert.deepEqual(v.labels, { x: 'y', [ANONYMOUS_LABEL]: '' });
  });

  it('validates names like dockerd', () => {
    for (const ok of ['ab', 'a1', 'A_b.c-d', '0x']) validateVolumeName(ok);
    for (const bad of ['a', '', '_a', '.a', '-a', 'a/b', 'a b', '../x']) {
      assert.throws(
        () => validateVolumeName(bad),
        /includes invalid characters for a local volume name/,
        bad,
      );
    }
  });

  it('get: undefined for missing or invalid names; volumes without metadata have no labels', async () => {
    assert.equal(await getVolume(settings(), 'nope'), undefined);
    assert.equal(await getVolume(settings(), '../etc'), undefined);
    mkdirSync(path.join(dataRoot, 'volumes', 'ns1', 'handmade', '_data'), { recursive: true });
    const v = await getVolume(settings(), 'handmade');
    assert.deepEqual(v?.labels, {});
    assert.equal(v?.anonymous, false);
  });

  it('lists the namespace only, naturally sorted, skipping non-volume entries', async () => {
    for (const n of ['v10', 'v9', 'v1']) await createVolume(settings(), n);
    await createVolume({ dataRoot, namespace: 'other' }, 'elsewhere');
    mkdirSync(path.join(dataRoot, 'volumes', 'ns1', '.rm-junk'));
    writeFileSync(path.join(dataRoot, 'volumes', 'ns1', 'afile'), '');
    assert.deepEqual(
      (await listVolumes(settings())).map((v) => v.name),
      ['v1', 'v9', 'v10'],
    );
    assert.deepEqual(await listVolumes({ dataRoot, namespace: 'empty' }), []);
  });

  it('deleteVolumeDir removes everything and reports a missing volume', async () => {
    const v = await createVolume(settings(), 'gone');
    mkdirSync(path.join(v.mountpoint, 'sub'));
    writeFileSync(path.join(v.mountpoint, 'sub', 'f'), 'x');
    assert.equal(await deleteVolumeDir(settings(), 'gone'), true);
    assert.equal(await deleteVolumeDir(settings(), 'gone'), false);
    assert.deepEqual(readdirSync(path.join(dataRoot, 'volumes', 'ns1')), []);
  });

  it('volumeSize counts file bytes once per inode', async () => {
    const v = await createVolume(settings(), 'sized');
    writeFileSync(path.join(v.mountpoint, 'a'), 'x'.repeat(1000));
    mkdirSync(path.join(v.mountpoint, 'd'));
    writeFileSync(path.join(v.mountpoint, 'd', 'b'), 'y'.repeat(500));
    const { linkSync } = await import('node:fs');
    linkSync(path.join(v.mountpoint, 'a'), path.join(v.mountpoint, 'd', 'a-link'));
    assert.equal(await volumeSize(v.mountpoint), 1500);
  });

  it('naturalCompare and rfc3339Local', () => {
    assert.deepEqual(['a10', 'a2', 'a1', 'b', 'A'].sort(naturalCompare), [
      'A',
      'a1',
      'a2',
      'a10',
      'b',
    ]);
    const s = rfc3339Local(new Date('2024-01-02T03:04:05.678Z'));
    assert.match(s, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    assert.equal(Date.parse(s), Date.parse('2024-01-02T03:04:05Z'));
  });
});
