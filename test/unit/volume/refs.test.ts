import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
  volumeUsers,
} from '../../../src/volume/index.js';

function fakeClient(containers: { id: string; labels: Record<string, string> }[]): Client {
  return {
    containers: {
      list: async () => ({ containers }),
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

  it('volumeUsers maps names to sorted container ids', async () => {
    const client = fakeClient([
      { id: 'c2', labels: { [LABEL.mounts]: volMount('v') } },
      { id: 'c1', labels: { [LABEL.mounts]: volMount('v'), [LABEL.anonymousVolumes]: '["w"]' } },
      { id: 'c3', labels: {} },
    ]);
    const users = await volumeUsers(settings(), client);
    assert.deepEqual(users.get('v'), ['c1', 'c2']);
    assert.deepEqual(users.get('w'), ['c1']);
  });

  it('removeVolume refuses in-use volumes with Docker text, and handles missing ones', async () => {
    await createVolume(settings(), 'busy');
    await createVolume(settings(), 'free');
    const client = fakeClient([
      { id: 'aaa', labels: { [LABEL.mounts]: volMount('busy') } },
      { id: 'bbb', labels: { [LABEL.mounts]: volMount('busy') } },
    ]);
    await assert.rejects(
      removeVolume(settings(), client, 'busy', { force: true }),
      (err: unknown) => {
        assert.ok(err instanceof VolumeInUseError);
        assert.equal(
          err.message,
          'Error response from daemon: remove busy: volume is in use - [aaa bbb]',
        );
        assert.equal(err.exitCode, 1);
        return true;
      },
    );
    assert.equal(await removeVolume(settings(), client, 'free'), true);
    await assert.rejects(removeVolume(settings(), client, 'free'), (err: unknown) => {
      assert.ok(err instanceof NoSuchVolumeError);
      assert.equal(err.message, 'Error response from daemon: get free: no such volume');
      return true;
    });
    assert.equal(await removeVolume(settings(), client, 'free', { force: true }), false);
  });

  it('removeAnonymousVolumes keeps volumes still in use and ignores missing ones', async () => {
    const a = await createVolume(settings());
    const b = await createVolume(settings());
    const client = fakeClient([{ id: 'other', labels: { [LABEL.mounts]: volMount(b.name) } }]);
    const res = await removeAnonymousVolumes(settings(), [a.name, b.name, 'f'.repeat(64)], {
      client,
    });
    assert.deepEqual(res, { removed: [a.name], kept: [b.name] });
    assert.ok(!existsSync(a.mountpoint));
    assert.ok(existsSync(b.mountpoint));
    // Without a client: no in-use check.
    assert.deepEqual(await removeAnonymousVolumes(settings(), [b.name]), {
      removed: [b.name],
      kept: [],
    });
    assert.deepEqual(await removeAnonymousVolumes(settings(), []), { removed: [], kept: [] });
  });
});
