import { strict as assert } from 'node:assert';
import {
  formatEventTime,
  includeEvent,
  Message,
  prettyEvent,
} from '../../../src/cmd/system/events.js';
import { parseFilterFlags } from '../../../src/filters.js';
import { checkSystemPrune, systemPruneWarning } from '../../../src/cmd/system/prune.js';
import { bashScript } from '../../../src/cmd/system/completion.js';
import { specFromJSON, specToJSON } from '../../../src/oci/spec.js';
import { marshalJSON } from '../../../src/formatter/gojson.js';
import { criNeeded } from '../../../src/cmd/image/prune.js';
import type { LocalImage } from '../../../src/image/local.js';

const f = (...l: string[]) =>
  parseFilterFlags(l, {
    keys: ['container', 'event', 'image', 'label', 'type', 'volume', 'network'],
    flag: '--filter',
  });

describe('events: Docker messages', () => {
  const m = new Message(
    'container',
    'start',
    'abc123',
    { name: 'web', image: 'busybox:latest', tier: 'a' },
    1796610521060206603n,
  );

  it('prints docker/cli line format with sorted attributes and nanoseconds', () => {
    process.env.TZ = 'UTC';
    assert.equal(
      prettyEvent(m),
      '2026-12-07T02:28:41.060206603Z container start abc123 (image=busybox:latest, name=web, tier=a)\n',
    );
    assert.equal(formatEventTime(5n), '1970-01-01T00:00:00.000000005Z');
  });

  it('marshals like moby events.Message (legacy fields, exact timeNano)', () => {
    assert.equal(
      marshalJSON(m),
      '{"status":"start","id":"abc123","from":"busybox:latest","Type":"container","Action":"start","Actor":{"ID":"abc123","Attributes":{"image":"busybox:latest","name":"web","tier":"a"}},"scope":"local","time":1796610521,"timeNano":1796610521060206603}',
    );
    const v = new Message('volume', 'create', 'v1', { driver: 'local' }, 1000000000n);
    assert.equal(
      marshalJSON(v),
      '{"Type":"volume","Action":"create","Actor":{"ID":"v1","Attributes":{"driver":"local"}},"scope":"local","time":1,"timeNano":1000000000}',
    );
  });

  it('filters as the daemon does', () => {
    assert.ok(includeEvent(f(), m));
    assert.ok(includeEvent(f('container=we'), m)); // prefix of the name
    assert.ok(includeEvent(f('container=abc'), m));
    assert.ok(!includeEvent(f('container=xyz'), m));
    assert.ok(includeEvent(f('image=busybox'), m)); // tag stripped
    assert.ok(includeEvent(f('label=tier=a'), m));
    assert.ok(!includeEvent(f('label=tier=b'), m));
    assert.ok(!includeEvent(f('type=volume'), m));
    assert.ok(includeEvent(f('event=start', 'event=die'), m));
    const exec = new Message('container', 'exec_start: sh -c true', 'abc123', {}, 1n);
    assert.ok(includeEvent(f('event=exec_start'), exec));
    const vol = new Message('volume', 'create', 'v1', { driver: 'local' }, 1n);
    assert.ok(!includeEvent(f('container=abc'), vol));
  });
});

describe('system prune', () => {
  it("builds docker/cli's question", () => {
    assert.equal(
      systemPruneWarning({ all: true, volumes: true, filters: [] }),
      'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all anonymous volumes not used by at least one container\n  - all images without at least one container associated to them\n  - all build cache\n',
    );
    assert.throws(
      () => checkSystemPrune({ all: false, volumes: true, filters: ['until=1h'] }),
      /"until" filter is not supported with "--volumes"/,
    );
  });

  it('keeps images CRI containers name by digest, ID or name', () => {
    const img = {
      name: 'docker.io/library/nginx:1',
      configDigest: `sha256:${'c'.repeat(64)}`,
      target: { digest: `sha256:${'e'.repeat(64)}`, size: 1, mediaType: '' },
      manifestDescriptor: { digest: `sha256:${'a'.repeat(64)}`, size: 1, mediaType: '' },
    } as unknown as LocalImage;
    const other = {
      name: 'x:1',
      configDigest: `sha256:${'d'.repeat(64)}`,
      target: { digest: `sha256:${'1'.repeat(64)}`, size: 1, mediaType: '' },
      manifestDescriptor: { digest: `sha256:${'2'.repeat(64)}`, size: 1, mediaType: '' },
    } as unknown as LocalImage;
    for (const ref of [
      img.name,
      img.configDigest,
      `docker.io/library/nginx@sha256:${'a'.repeat(64)}`,
    ]) {
      assert.deepEqual([...criNeeded([img, other], [ref])], [img.configDigest], ref);
    }
    assert.equal(criNeeded([img, other], ['busybox:latest']).size, 0);
  });
});

describe('update: stored specs round-trip', () => {
  it('keeps RLIM_INFINITY exact and strings untouched', () => {
    const text = '{"r":[{"hard":18446744073709551615,"soft":-1}],"s":"x: 12345678901234567890,"}';
    assert.equal(specToJSON(specFromJSON(text)), text);
  });
});

describe('completion', () => {
  it('generates commands, verbs and flags from the command table', () => {
    const s = bashScript([
      {
        id: 'stop',
        aliases: ['container:stop'],
        flags: [{ name: 'time', char: 't', type: 'option' }],
      },
      { id: 'network:ls', aliases: [], flags: [] },
    ]);
    assert.match(s, /complete -F _berth berth\n$/);
    assert.match(s, /'stop'\) echo '--time -t --help' ;;/);
    assert.match(s, /'stop'\) echo containers ;;/);
    assert.match(s, /container\) echo 'stop' ;;/);
    assert.match(s, /timeout 2 berth/);
  });
});
