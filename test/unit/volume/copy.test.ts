import assert from 'node:assert/strict';
import {
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { copyFromRootfs, resolveInRoot, resolveVolumeForMount } from '../../../src/volume/index.js';

const isRoot = process.getuid?.() === 0;

describe('volume image-content copy', () => {
  let tmp: string;
  let rootfs: string;

  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-volcopy-unit-'));
    rootfs = path.join(tmp, 'rootfs');
    mkdirSync(path.join(rootfs, 'data', 'sub'), { recursive: true });
    writeFileSync(path.join(rootfs, 'data', 'file'), 'hello');
    writeFileSync(path.join(rootfs, 'data', 'sub', 'x'), 'x');
    chmodSync(path.join(rootfs, 'data', 'file'), 0o640);
    chmodSync(path.join(rootfs, 'data'), 0o750);
    symlinkSync('file', path.join(rootfs, 'data', 'link'));
    // Links that would leave the root on the host must stay inside it.
    symlinkSync('/data', path.join(rootfs, 'abs'));
    symlinkSync('../../../../data', path.join(rootfs, 'dotdot'));
    mkdirSync(path.join(rootfs, 'empty'));
    writeFileSync(path.join(rootfs, 'afile'), 'f');
    if (isRoot) chownSync(path.join(rootfs, 'data', 'file'), 1234, 5678);
    if (isRoot) chownSync(path.join(rootfs, 'data'), 1000, 1000);
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('resolveInRoot follows links without leaving the root', async () => {
    assert.equal(await resolveInRoot(rootfs, '/data'), path.join(rootfs, 'data'));
    assert.equal(await resolveInRoot(rootfs, '/abs/sub'), path.join(rootfs, 'data', 'sub'));
    assert.equal(await resolveInRoot(rootfs, '/dotdot'), path.join(rootfs, 'data'));
    assert.equal(
      await resolveInRoot(rootfs, '/../../data/./sub/'),
      path.join(rootfs, 'data', 'sub'),
    );
    assert.equal(await resolveInRoot(rootfs, '/'), rootfs);
    assert.equal(await resolveInRoot(rootfs, '/nope/x'), undefined);
    assert.equal(await resolveInRoot(rootfs, '/afile/x'), undefined);
  });

  it('copies content with modes, links and ownership; the volume root takes the image dir owner/mode', async () => {
    const dest = path.join(tmp, 'vol');
    mkdirSync(dest);
    assert.equal(await copyFromRootfs(rootfs, '/abs', dest), true);
    assert.deepEqual(readdirSync(dest).sort(), ['file', 'link', 'sub']);
    assert.equal(readFileSync(path.join(dest, 'file'), 'utf8'), 'hello');
    assert.equal(statSync(path.join(dest, 'file')).mode & 0o777, 0o640);
    assert.equal(readlinkSync(path.join(dest, 'link')), 'file');
    assert.equal(statSync(dest).mode & 0o777, 0o750);
    if (isRoot) {
      assert.equal(lstatSync(path.join(dest, 'file')).uid, 1234);
      assert.equal(lstatSync(path.join(dest, 'file')).gid, 5678);
      assert.equal(statSync(dest).uid, 1000);
    }
  });

  it('never copies into a non-empty directory, from a missing path or from a file', async () => {
    const dest = path.join(tmp, 'vol');
    mkdirSync(dest);
    writeFileSync(path.join(dest, 'mine'), 'keep');
    assert.equal(await copyFromRootfs(rootfs, '/data', dest), false);
    assert.deepEqual(readdirSync(dest), ['mine']);
    const empty = path.join(tmp, 'vol2');
    mkdirSync(empty);
    assert.equal(await copyFromRootfs(rootfs, '/missing', empty), false);
    assert.equal(await copyFromRootfs(rootfs, '/afile', empty), false);
    assert.deepEqual(readdirSync(empty), []);
  });

  it('resolveVolumeForMount with a rootfs directory, a single lowerdir, and noCopy', async () => {
    const settings = { dataRoot: path.join(tmp, 'dr'), namespace: 'n' };
    const a = await resolveVolumeForMount({
      settings,
      name: 'va',
      containerPath: '/data',
      imageRootfs: rootfs,
    });
    assert.equal(a.copied, true);
    assert.ok(readdirSync(a.hostPath).includes('file'));
    const b = await resolveVolumeForMount({
      settings,
      name: 'vb',
      containerPath: 'data/sub',
      imageRootfs: { lowerdirs: [rootfs] },
    });
    assert.equal(b.copied, true);
    assert.deepEqual(readdirSync(b.hostPath), ['x']);
    const c = await resolveVolumeForMount({
      settings,
      name: 'vc',
      containerPath: '/data',
      imageRootfs: rootfs,
      noCopy: true,
    });
    assert.equal(c.copied, false);
    assert.deepEqual(readdirSync(c.hostPath), []);
    const d = await resolveVolumeForMount({ settings, containerPath: '/data' });
    assert.equal(d.anonymous, true);
    assert.equal(d.created, true);
    assert.equal(d.copied, false);
  });

  it('merges several lowerdirs through a read-only overlay mount, then unmounts', async function () {
    if (!isRoot) this.skip();
    const upper = path.join(tmp, 'upper');
    mkdirSync(path.join(upper, 'data'), { recursive: true });
    writeFileSync(path.join(upper, 'data', 'file'), 'from the top layer');
    writeFileSync(path.join(upper, 'data', 'extra'), 'e');
    const settings = { dataRoot: path.join(tmp, 'dr'), namespace: 'n' };
    const r = await resolveVolumeForMount({
      settings,
      name: 'ov',
      containerPath: '/data',
      imageRootfs: { lowerdirs: [upper, rootfs] },
    });
    assert.equal(r.copied, true);
    assert.deepEqual(readdirSync(r.hostPath).sort(), ['extra', 'file', 'link', 'sub']);
    assert.equal(readFileSync(path.join(r.hostPath, 'file'), 'utf8'), 'from the top layer');
    assert.ok(!readFileSync('/proc/mounts', 'utf8').includes('berth-volcopy-'));
  });
});
