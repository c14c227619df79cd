import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parseGroup, parsePasswd, readRootfsFile, resolveUser } from '../../../src/oci/user.js';

const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
# a comment
alice:x:1000:1000::/home/alice:/bin/sh
bob:x:1001:100::/home/bob:/bin/sh
`;

const GROUP = `root:x:0:
wheel:x:10:root,alice
users:x:100:
alice:x:1000:
docker:x:999:alice,bob
`;

describe('oci/user', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'berth-user-'));
    mkdirSync(path.join(root, 'etc'));
    writeFileSync(path.join(root, 'etc/passwd'), PASSWD);
    writeFileSync(path.join(root, 'etc/group'), GROUP);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('parses passwd and group', () => {
    assert.deepEqual(parsePasswd(PASSWD)[2], {
      name: 'alice',
      uid: 1000,
      gid: 1000,
      home: '/home/alice',
    });
    assert.equal(parsePasswd(PASSWD).length, 4);
    assert.deepEqual(parseGroup(GROUP)[1], { name: 'wheel', gid: 10, members: ['root', 'alice'] });
    assert.deepEqual(parseGroup(GROUP)[0]?.members, []);
  });

  const cases: Array<[string, { uid: number; gid: number; additionalGids: number[] }]> = [
    ['', { uid: 0, gid: 0, additionalGids: [0, 10] }],
    ['root', { uid: 0, gid: 0, additionalGids: [0, 10] }],
    ['alice', { uid: 1000, gid: 1000, additionalGids: [1000, 10, 999] }],
    ['1000', { uid: 1000, gid: 1000, additionalGids: [1000, 10, 999] }],
    ['bob', { uid: 1001, gid: 100, additionalGids: [100, 999] }],
    // An explicit group: no supplementary groups (runc's GetExecUser).
    ['alice:users', { uid: 1000, gid: 100, additionalGids: [100] }],
    ['alice:42', { uid: 1000, gid: 42, additionalGids: [42] }],
    ['1000:docker', { uid: 1000, gid: 999, additionalGids: [999] }],
    // Unknown numeric uid: taken literally with gid 0.
    ['4242', { uid: 4242, gid: 0, additionalGids: [0] }],
    ['4242:4343', { uid: 4242, gid: 4343, additionalGids: [4343] }],
  ];
  for (const [spec, want] of cases) {
    it(`resolves ${JSON.stringify(spec)}`, async () => {
      assert.deepEqual(await resolveUser(spec, root), want);
    });
  }

  it('adds --group-add groups by name or number', async () => {
    assert.deepEqual(await resolveUser('bob', root, ['wheel', '555']), {
      uid: 1001,
      gid: 100,
      additionalGids: [100, 999, 10, 555],
    });
    await assert.rejects(resolveUser('bob', root, ['nogroup']), {
      message: 'Unable to find group nogroup: no matching entries in group file',
    });
  });

  it("fails with runc's messages for unknown names", async () => {
    await assert.rejects(resolveUser('carol', root), {
      message: 'unable to find user carol: no matching entries in passwd file',
    });
    await assert.rejects(resolveUser('alice:nogroup', root), {
      message: 'unable to find group nogroup: no matching entries in group file',
    });
  });

  it('resolves numbers without a rootfs, and refuses names', async () => {
    assert.deepEqual(await resolveUser('12:34'), { uid: 12, gid: 34, additionalGids: [34] });
    assert.deepEqual(await resolveUser(''), { uid: 0, gid: 0, additionalGids: [0] });
    await assert.rejects(resolveUser('alice'), {
      message: 'unable to find user alice: no matching entries in passwd file',
    });
  });

  it('rejects ids outside runc range', async () => {
    await assert.rejects(resolveUser('2147483648', root), {
      message: 'uids and gids must be in range 0-2147483647',
    });
  });

  describe('readRootfsFile', () => {
    it('keeps absolute symlinks inside the root', async () => {
      const r = mkdtempSync(path.join(os.tmpdir(), 'berth-root-'));
      try {
        mkdirSync(path.join(r, 'real'));
        writeFileSync(path.join(r, 'real/passwd'), 'inside');
        mkdirSync(path.join(r, 'etc'));
        symlinkSync('/real/passwd', path.join(r, 'etc/passwd'));
        symlinkSync('../../../../etc/hostname', path.join(r, 'etc/group'));
        assert.equal(await readRootfsFile(r, '/etc/passwd'), 'inside');
        // `..` clamps at the root, so the host's /etc/hostname is never read.
        assert.equal(await readRootfsFile(r, '/etc/group'), undefined);
      } finally {
        rmSync(r, { recursive: true, force: true });
      }
    });

    it('takes the top-most overlay layer that has the file', async () => {
      const upper = mkdtempSync(path.join(os.tmpdir(), 'berth-up-'));
      const lower = mkdtempSync(path.join(os.tmpdir(), 'berth-low-'));
      try {
        mkdirSync(path.join(lower, 'etc'));
        writeFileSync(path.join(lower, 'etc/passwd'), 'lower');
        writeFileSync(path.join(lower, 'etc/group'), 'lowergroup');
        mkdirSync(path.join(upper, 'etc'));
        writeFileSync(path.join(upper, 'etc/passwd'), 'upper');
        assert.equal(await readRootfsFile([upper, lower], '/etc/passwd'), 'upper');
        assert.equal(await readRootfsFile([upper, lower], '/etc/group'), 'lowergroup');
        assert.equal(await readRootfsFile([upper, lower], '/etc/shadow'), undefined);
      } finally {
        rmSync(upper, { recursive: true, force: true });
        rmSync(lower, { recursive: true, force: true });
      }
    });
  });
});
