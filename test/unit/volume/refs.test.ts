import assert from 'node:assert/strict';
import { errorText } from '../../../src/errors.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { removeUnusedAnonymousVolumes } from '../../../src/container/volumes.js';
import { volumeUsers } from '../../../src/container/volume-users.js';
import type { Client } from '../../../src/containerd/client.js';
import { LABEL } from '../../../src/labels.js';
import {
  anonymousVolumesOf,
  createVolume,
  NoSuchVolumeError,
  removeAnonymousVolumes,
  removeVolume,
  VolumeInUseError,
  volumeNamesOf,
  volumeUsersOf,
} from '../../../src/volume/index.js';

type Record_ = { id: string; labels: Record<string, string> };

/** A client whose Containers.List answers `containers`; `lists` records each call's namespace. */
function fakeClient(containers: Record_[], lists: (string | undefined)[] = []): Client {
  return {
    containers: {
      list: async (_req: unknown, opts?: { namespace?: string }) => {
        lists.push(opts?.namespace);
        return { containers };
      },
    },
  } as unknown as Client;
}

const volMount = (name: string, source = '') =>
  JSON.stringify([
    {
      Type: 'volume',
      Name: name,
      Source: source,
      Destination: '/d',
      Driver: 'local',
      Mode: '',
      RW: true,
      Propagation: '',
    },
  ]);

describe('volume references', () => {
  let dataRoot: string;
  const settings = () => ({ dataRoot, namespace: 'ns' });

  beforeEach(() => {
    dataRoot = mkdtempSync(path.join(os.tmpdir(), 'berth-volrefs-unit-'));
  });
  afterEach(() => rmSync(dataRoot, { recursive: true, force: true }));

  it('reads volume names from mounts, binds of volume dirs, anonymous lists and nerdctl labels', () => {
    const s = settings();
    const bindOfVolume = JSON.stringify([
      {
        Type: 'bind',
        Source: path.join(dataRoot, 'volumes', 'ns', 'viabind', '_data'),
        Destination: '/x',
        Mode: '',
        RW: true,
        Propagation: 'rprivate',
      },
      {
        Type: 'bind',
        Source: '/etc',
        Destination: '/y',
        Mode: '',
        RW: true,
        Propagation: 'rprivate',
      },
    ]);
    assert.deepEqual([...volumeNamesOf(s, { [LABEL.mounts]: volMount('named') })], ['named']);
    assert.deepEqual([...volumeNamesOf(s, { [LABEL.mounts]: bindOfVolume })], ['viabind']);
    assert.deepEqual([...volumeNamesOf(s, { [LABEL.anonymousVolumes]: '["abc"]' })], ['abc']);
    assert.deepEqual(
      [...volumeNamesOf(s, { 'nerdctl/mounts': volMount('fromnerdctl') })],
      ['fromnerdctl'],
    );
    assert.deepEqual([...volumeNamesOf(s, { [LABEL.mounts]: 'not json' })], []);
    assert.deepEqual([...volumeNamesOf(s, undefined)], []);
    assert.deepEqual(anonymousVolumesOf({ [LABEL.anonymousVolumes]: '["a","b",3]' }), ['a', 'b']);
  });

  it('volumeUsersOf maps names to sorted container ids', () => {
    const users = volumeUsersOf(settings(), [
      { id: 'c2', labels: { [LABEL.mounts]: volMount('v') } },
      { id: 'c1', labels: { [LABEL.mounts]: volMount('v'), [LABEL.anonymousVolumes]: '["w"]' } },
      { id: 'c3', labels: {} },
      { id: 'c4', labels: null },
    ]);
    assert.deepEqual(users.get('v'), ['c1', 'c2']);
    assert.deepEqual(users.get('w'), ['c1']);
    assert.equal(users.size, 2);
  });

  it("volumeUsers lists the settings' namespace's containers", async () => {
    const lists: (string | undefined)[] = [];
    const client = fakeClient([{ id: 'c1', labels: { [LABEL.mounts]: volMount('v') } }], lists);
    assert.deepEqual([...(await volumeUsers(settings(), client))], [['v', ['c1']]]);
    assert.deepEqual(lists, ['ns']);
  });

  it('removeVolume refuses in-use volumes with Docker text, and handles missing ones', async () => {
    await createVolume(settings(), 'busy');
    await createVolume(settings(), 'free');
    const users = volumeUsersOf(settings(), [
      { id: 'bbb', labels: { [LABEL.mounts]: volMount('busy') } },
      { id: 'aaa', labels: { [LABEL.mounts]: volMount('busy') } },
    ]);
    await assert.rejects(
      removeVolume(settings(), 'busy', { force: true, users }),
      (err: unknown) => {
        assert.ok(err instanceof VolumeInUseError);
        assert.equal(
          errorText(err),
          'Error response from daemon: remove busy: volume is in use - [aaa bbb]',
        );
        assert.equal(err.exitCode, 1);
        return true;
      },
    );
    assert.equal(await removeVolume(settings(), 'free', { users }), true);
    await assert.rejects(removeVolume(settings(), 'free', { users }), (err: unknown) => {
      assert.ok(err instanceof NoSuchVolumeError);
      assert.equal(errorText(err), 'Error response from daemon: get free: no such volume');
      return true;
    });
    assert.equal(await removeVolume(settings(), 'free', { force: true, users }), false);
  });

  it('removeAnonymousVolumes keeps volumes still in use and ignores missing ones', async () => {
    const a = await createVolume(settings());
    const b = await createVolume(settings());
    const users = volumeUsersOf(settings(), [
      { id: 'other', labels: { [LABEL.mounts]: volMount(b.name) } },
    ]);
    const res = await removeAnonymousVolumes(settings(), [a.name, b.name, 'f'.repeat(64)], {
      users,
    });
    assert.deepEqual(res, { removed: [a.name], kept: [b.name] });
    assert.ok(!existsSync(a.mountpoint));
    assert.ok(existsSync(b.mountpoint));
    // Without users: no in-use check.
    assert.deepEqual(await removeAnonymousVolumes(settings(), [b.name]), {
      removed: [b.name],
      kept: [],
    });
    assert.deepEqual(await removeAnonymousVolumes(settings(), []), { removed: [], kept: [] });
  });

  it('removeUnusedAnonymousVolumes asks containerd who uses them, and only when there are any', async () => {
    const a = await createVolume(settings());
    const b = await createVolume(settings());
    const lists: (string | undefined)[] = [];
    const client = fakeClient(
      [{ id: 'other', labels: { [LABEL.mounts]: volMount(b.name) } }],
      lists,
    );
    assert.deepEqual(await removeUnusedAnonymousVolumes(settings(), client, []), {
      removed: [],
      kept: [],
    });
    assert.deepEqual(lists, []);
    assert.deepEqual(await removeUnusedAnonymousVolumes(settings(), client, [a.name, b.name]), {
      removed: [a.name],
      kept: [b.name],
    });
    assert.deepEqual(lists, ['ns']);
    assert.ok(existsSync(b.mountpoint));
  });
});
