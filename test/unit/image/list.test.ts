import assert from 'node:assert/strict';
import { ellipsis } from '../../../src/formatter/text.js';
import { dockerImageConfig } from '../../../src/cmd/image/inspect.js';
import { parseImageFilters, rowsOf, summarize } from '../../../src/cmd/image/list.js';
import { BerthError, errorText, UsageError } from '../../../src/errors.js';
import { marshalJSON } from '../../../src/formatter/gojson.js';
import { compileTemplate } from '../../../src/formatter/template.js';
import type { LocalImage } from '../../../src/image/local.js';

const CFG = `sha256:${'c'.repeat(64)}`;
const TARGET = `sha256:${'d'.repeat(64)}`;

function image(name: string, configDigest = CFG): LocalImage {
  return {
    name,
    target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: TARGET, size: 10 },
    manifestDescriptor: {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: TARGET,
      size: 10,
    },
    manifest: {
      schemaVersion: 2,
      config: { mediaType: 'x', digest: configDigest, size: 1 },
      layers: [],
    },
    config: {
      created: '2024-01-02T03:04:05Z',
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
    },
    configDigest,
    chainId: '',
    diffIds: [],
    platform: { os: 'linux', architecture: 'amd64' },
    labels: {},
  };
}

describe('images rows (docker/cli image formatter rules)', () => {
  const sizes = new Map([[CFG, 1_980_000]]);

  it('one summary per image ID, with familiar tags and repo digests', () => {
    const [s] = summarize(
      [image('docker.io/library/busybox:latest'), image('127.0.0.1:5000/lab/busybox:1')],
      sizes,
    );
    assert.deepEqual(s?.repoTags, ['busybox:latest', '127.0.0.1:5000/lab/busybox:1']);
    assert.deepEqual(s?.repoDigests, [`busybox@${TARGET}`, `127.0.0.1:5000/lab/busybox@${TARGET}`]);
  });

  it('a row per tag; digests only with --digests; digest-only names get <none>', () => {
    const [s] = summarize(
      [image('docker.io/library/busybox:latest'), image(`docker.io/library/alpine@${TARGET}`)],
      sizes,
    );
    const plain = rowsOf(s!, { digests: false, trunc: true }).map((r) => [
      r.Repository,
      r.Tag,
      r.Digest,
      r.ID,
      r.Size,
    ]);
    assert.deepEqual(plain, [
      ['busybox', 'latest', '<none>', 'cccccccccccc', '1.98MB'],
      ['alpine', '<none>', '<none>', 'cccccccccccc', '1.98MB'],
    ]);
    const withDigests = rowsOf(s!, { digests: true, trunc: false }).map((r) => [
      r.Repository,
      r.Tag,
      r.Digest,
      r.ID,
    ]);
    assert.deepEqual(withDigests, [
      ['busybox', 'latest', TARGET, CFG],
      ['alpine', '<none>', TARGET, CFG],
    ]);
  });

  it('a name that is not a reference shows as <none> <none>', () => {
    const [s] = summarize([image(CFG)], sizes);
    const rows = rowsOf(s!, { digests: false, trunc: true });
    assert.deepEqual(
      rows.map((r) => [r.Repository, r.Tag]),
      [['<none>', '<none>']],
    );
  });

  it("json has the fields of Docker's image context", () => {
    const [s] = summarize([image('docker.io/library/busybox:latest')], sizes);
    const row = rowsOf(s!, { digests: false, trunc: true })[0]!;
    assert.deepEqual(Object.keys(row.toJSON()), [
      'Containers', 'CreatedAt', 'CreatedSince', 'Digest', 'ID', 'Repository', 'SharedSize', 'Size', 'Tag', 'UniqueSize', 'VirtualSize',
    ]); // prettier-ignore
    assert.equal(row.CreatedAt, '2024-01-02 03:04:05 +0000 UTC');
    // The API's Created has whole seconds: a config time's fraction is not printed.
    const precise = image('docker.io/library/busybox:latest');
    precise.config.created = '2024-01-02T03:04:05.987654321Z';
    const [p] = summarize([precise], sizes);
    assert.equal(
      rowsOf(p!, { digests: false, trunc: true })[0]!.CreatedAt,
      '2024-01-02 03:04:05 +0000 UTC',
    );
  });

  it("filters: Docker's errors for malformed and unknown ones", () => {
    assert.deepEqual(
      [...parseImageFilters(['dangling=true', 'label=a=b', 'label=c'])],
      [
        ['dangling', ['true']],
        ['label', ['a=b', 'c']],
      ],
    );
    assert.throws(
      () => parseImageFilters(['dangling']),
      (e: unknown) =>
        e instanceof UsageError && /bad format of filter \(expected name=value\)/.test(e.message),
    );
    assert.throws(
      () => parseImageFilters(['color=red']),
      (e: unknown) =>
        e instanceof BerthError &&
        errorText(e) === "Error response from daemon: invalid filter 'color'",
    );
    assert.throws(() => parseImageFilters(['dangling=maybe']), /invalid filter 'dangling=maybe'/);
  });
});

describe('history and inspect helpers', () => {
  it('CREATED BY is cut to 45 characters with an ellipsis, as docker history does', () => {
    const s = '/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789abcdef in / ';
    assert.equal(ellipsis(s, 45), `${s.slice(0, 44)}…`);
    assert.equal([...ellipsis(s, 45)].length, 45);
    assert.equal(ellipsis('short', 45), 'short');
  });

  it("image Config: Docker's keys and order, null for absent lists, omitempty fields left out", () => {
    const c = dockerImageConfig({ Env: ['A=1'], Cmd: ['sh'], ExposedPorts: { '80/tcp': {} } });
    assert.deepEqual(Object.keys(c), [
      'Hostname', 'Domainname', 'User', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'ExposedPorts', 'Tty', 'OpenStdin',
      'StdinOnce', 'Env', 'Cmd', 'Image', 'Volumes', 'WorkingDir', 'Entrypoint', 'OnBuild', 'Labels',
    ]); // prettier-ignore
    assert.equal(c.Entrypoint, null);
    assert.equal(c.Labels, null);
    // omitempty: not in the JSON, but a template reads the zero value, as docker/cli's does.
    const empty = dockerImageConfig({});
    assert.ok(!Object.keys(empty).includes('ExposedPorts'));
    assert.equal(marshalJSON(empty).includes('ExposedPorts'), false);
    assert.equal(
      compileTemplate('{{.ExposedPorts}}|{{.Healthcheck}}').execute(empty),
      'map[]|<nil>',
    );
  });
});
