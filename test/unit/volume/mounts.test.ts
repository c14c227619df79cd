import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { LABEL } from '../../../src/labels.js';
import {
  anonymousImageVolumeRequests,
  createVolumeResolver,
  imageVolumes,
  parseVolumesFrom,
  toDockerMount,
  volumesFromMounts,
} from '../../../src/volume/index.js';
import { withMounts, type SpecContext } from '../../../src/oci/opts.js';
import type { Spec } from '../../../src/oci/spec.js';
import { matchVolume, parseVolumeFilters } from '../../../src/volume/filters.js';
import { pruneOutput } from '../../../src/cmd/volume/prune.js';
import { VolumeRow } from '../../../src/formatter/volume.js';
import { humanSize } from '../../../src/formatter/units.js';
import { renderList } from '../../../src/formatter/format.js';

describe('volume mount helpers', () => {
  it('imageVolumes: clean, unique, sorted container paths', () => {
    assert.deepEqual(imageVolumes({ Volumes: { '/var/lib/x/': {}, '/data': {}, '/data/.': {} } }), [
      '/data',
      '/var/lib/x',
    ]);
    assert.deepEqual(imageVolumes({ Volumes: null }), []);
    assert.deepEqual(imageVolumes(undefined), []);
  });

  it('anonymousImageVolumeRequests skips destinations the user mounted', () => {
    const reqs = anonymousImageVolumeRequests({ Volumes: { '/a': {}, '/b': {} } }, [
      { type: 'volume', name: 'mine', target: '/b/', readonly: false },
    ]);
    assert.deepEqual(reqs, [{ type: 'volume', target: '/a', readonly: false }]);
  });

  it('parseVolumesFrom', () => {
    assert.deepEqual(parseVolumesFrom('web'), { container: 'web' });
    assert.deepEqual(parseVolumesFrom('web:ro'), { container: 'web', mode: 'ro' });
    assert.deepEqual(parseVolumesFrom('web:rw'), { container: 'web', mode: 'rw' });
    assert.throws(() => parseVolumesFrom('web:zz'), /invalid mode: zz/);
  });

  it('volumesFromMounts copies volumes and binds, not tmpfs; mode overrides RW', () => {
    const labels = {
      [LABEL.mounts]: JSON.stringify([
        {
          Type: 'volume',
          Name: 'v1',
          Source: '/s/v1',
          Destination: '/data',
          Driver: 'local',
          Mode: '',
          RW: true,
          Propagation: '',
        },
        {
          Type: 'bind',
          Source: '/host',
          Destination: '/h',
          Mode: '',
          RW: false,
          Propagation: 'rslave',
        },
        { Type: 'tmpfs', Source: '', Destination: '/t', Mode: '', RW: true, Propagation: '' },
      ]),
    };
    assert.deepEqual(volumesFromMounts(labels), [
      { type: 'volume', name: 'v1', target: '/data', readonly: false, noCopy: true },
      {
        type: 'bind',
        source: '/host',
        target: '/h',
        readonly: true,
        createHostPath: false,
        propagation: 'rslave',
      },
    ]);
    assert.ok(volumesFromMounts(labels, 'ro').every((m) => m.readonly));
    assert.ok(volumesFromMounts(labels, 'rw').every((m) => !m.readonly));
    assert.deepEqual(volumesFromMounts({}), []);
  });

  it('createVolumeResolver plugs into withMounts and records anonymous volumes and Docker mounts', async () => {
    const dataRoot = mkdtempSync(path.join(os.tmpdir(), 'berth-volres-unit-'));
    try {
      const settings = { dataRoot, namespace: 'n' };
      const resolver = createVolumeResolver({ settings });
      const requests = [
        { type: 'volume' as const, name: 'named1', target: '/n', readonly: true },
        { type: 'volume' as const, target: '/anon', readonly: false },
      ];
      const spec: Spec = { ociVersion: '1.0.2', mounts: [] } as unknown as Spec;
      await withMounts(requests, { resolveVolume: (r) => resolver.resolve(r) })(
        spec,
        {} as SpecContext,
      );
      const named = path.join(dataRoot, 'volumes', 'n', 'named1', '_data');
      assert.deepEqual(spec.mounts?.[0], {
        destination: '/n',
        type: 'bind',
        source: named,
        options: ['rbind', 'ro'],
      });
      assert.equal(resolver.anonymousVolumes.length, 1);
      assert.match(resolver.anonymousVolumes[0]!, /^[0-9a-f]{64}$/);
      assert.deepEqual(toDockerMount(requests[0]!, resolver.volumes.get('/n')), {
        Type: 'volume',
        Name: 'named1',
        Source: named,
        Destination: '/n',
        Driver: 'local',
        Mode: '',
        RW: false,
        Propagation: '',
      });
      assert.deepEqual(
        toDockerMount(
          { type: 'bind', source: '/h', target: '/c', readonly: false, createHostPath: true },
          undefined,
          'z',
        ),
        {
          Type: 'bind',
          Source: '/h',
          Destination: '/c',
          Mode: 'z',
          RW: true,
          Propagation: 'rprivate',
        },
      );
    } finally {
      rmSync(dataRoot, { recursive: true, force: true });
    }
  });
});

describe('volume command logic', () => {
  const vol = (name: string, labels: Record<string, string> = {}) => ({
    name,
    mountpoint: `/m/${name}/_data`,
    labels,
    createdAt: new Date(0),
    anonymous: false,
  });

  it('parses and applies filters', () => {
    const f = parseVolumeFilters(['label=a', 'label=b=2', 'name=^x', 'dangling=true']);
    const users = new Map([['xused', ['c1']]]);
    assert.equal(matchVolume(vol('xfree', { a: '', b: '2' }), f, users), true);
    assert.equal(matchVolume(vol('xused', { a: '', b: '2' }), f, users), false);
    assert.equal(matchVolume(vol('xfree', { a: '' }), f, users), false);
    assert.equal(matchVolume(vol('yfree', { a: '', b: '2' }), f, users), false);
    assert.equal(matchVolume(vol('n'), parseVolumeFilters(['label!=a'])), true);
    assert.equal(matchVolume(vol('n', { a: '1' }), parseVolumeFilters(['label!=a'])), false);
    assert.equal(matchVolume(vol('n'), parseVolumeFilters(['driver=local'])), true);
    assert.throws(() => parseVolumeFilters(['bad']), /bad format of filter/);
    assert.throws(() => parseVolumeFilters(['foo=1']), /invalid filter 'foo'/);
    assert.throws(() => parseVolumeFilters(['dangling=x']), /invalid filter 'dangling=x'/);
  });

  it('rows render like docker volume ls', () => {
    const rows = [new VolumeRow(vol('a', { k: 'v', b: '1' }))];
    const out = renderList(rows, {
      format: '{{.Name}} {{.Label "k"}} {{.Labels}}',
      defaultTableFormat: 'table {{.Driver}}\t{{.Name}}',
      headers: {},
    });
    assert.equal(out, 'a v b=1,k=v\n');
    const json = JSON.parse(
      renderList(rows, { format: 'json', defaultTableFormat: '', headers: {} }),
    );
    assert.deepEqual(Object.keys(json), [
      'Availability',
      'Driver',
      'Group',
      'Labels',
      'Links',
      'Mountpoint',
      'Name',
      'Scope',
      'Size',
      'Status',
    ]);
  });

  it('prune output matches docker/cli', () => {
    assert.equal(
      pruneOutput({ deleted: [], spaceReclaimed: 0 }, humanSize),
      'Total reclaimed space: 0B\n',
    );
    assert.equal(
      pruneOutput({ deleted: ['a', 'b'], spaceReclaimed: 2000 }, humanSize),
      'Deleted Volumes:\na\nb\n\nTotal reclaimed space: 2kB\n',
    );
  });
});
