// save / load / push against the suite's containerd and registry: archive formats, round trips,
// interop with `ctr images import`, and hostile archives that must leave nothing behind.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { berth, BIN, ctr, ctrList, env, suiteToml, uniqueName } from '../support/berth.js';

const BUSYBOX = 'docker.io/lab/busybox:latest';

/** Builds a tar in memory from [name, content | {link}] pairs, in order. */
async function makeTar(
  entries: [string, string | Buffer | { symlink: string }][],
): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const [name, content] of entries) {
    if (typeof content === 'object' && !Buffer.isBuffer(content)) {
      await new Promise<void>((res, rej) =>
        pack.entry({ name, type: 'symlink', linkname: content.symlink }, (e) =>
          e ? rej(e) : res(),
        ),
      );
      continue;
    }
    await new Promise<void>((res, rej) =>
      pack.entry({ name }, content, (e) => (e ? rej(e) : res())),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

function sha256(b: Buffer | string): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

function leases(): string[] {
  return ctrList(['leases', 'ls']);
}

function images(): string[] {
  return ctrList(['images', 'ls']);
}

function loadTmpDirs(): string[] {
  const dir = join(env.dataRoot, 'tmp');
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('load-')) : [];
}

/** Asserts a failed load left no image, no lease, no spool directory, no ingest. */
function assertNothingLeft(before: string[]): void {
  assert.deepEqual(images().sort(), before.sort(), 'no new image record');
  assert.deepEqual(leases(), [], 'no lease left');
  assert.deepEqual(loadTmpDirs(), [], 'no spool directory left');
  const ingests = ctr(['content', 'active']).stdout.split('\n').slice(1).filter(Boolean);
  assert.deepEqual(ingests, [], 'no ingest left');
}

describe('images part 2: save, load, push', function () {
  this.timeout(120000);
  let work: string;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'berth-archive-'));
  });

  after(() => {
    rmSync(work, { recursive: true, force: true });
    for (const name of images()) ctr(['images', 'rm', name]);
  });

  describe('load', () => {
    it('loads an OCI archive (busybox-oci.tar) and prints Loaded image', () => {
      ctr(['images', 'rm', BUSYBOX]);
      const r = berth(['load', '-i', join(env.images, 'busybox-oci.tar')]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Loaded image: lab/busybox:latest\n');
      assert.ok(images().includes(BUSYBOX));
      assert.deepEqual(leases(), []);
      const run = ctr(['run', '--rm', BUSYBOX, uniqueName('arch'), 'echo', 'oci-ok']);
      assert.equal(run.stdout, 'oci-ok\n', run.stderr);
    });

    it('loads a docker-archive from stdin (layer.tar symlinks, uncompressed layers)', () => {
      ctr(['images', 'rm', BUSYBOX]);
      const r = berth(['load'], { input: readFileSync(join(env.images, 'busybox-docker.tar')) });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Loaded image: lab/busybox:latest\n');
      const info = ctr(['images', 'ls']).stdout;
      assert.match(
        info,
        /docker\.io\/lab\/busybox:latest\s+application\/vnd\.docker\.distribution\.manifest\.v2\+json/,
      );
      const run = ctr(['run', '--rm', BUSYBOX, uniqueName('arch'), 'echo', 'docker-ok']);
      assert.equal(run.stdout, 'docker-ok\n', run.stderr);
      assert.deepEqual(loadTmpDirs(), []);
    });

    it('-q loads quietly but still names the image', () => {
      const r = berth(['load', '-q', '-i', join(env.images, 'busybox-oci.tar')]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Loaded image: lab/busybox:latest\n');
    });

    it('prints Loaded image ID for an untagged image', async () => {
      const oci = join(env.images, 'busybox');
      const index = JSON.parse(readFileSync(join(oci, 'index.json'), 'utf8')) as {
        manifests: { digest: string; size: number; mediaType: string }[];
      };
      const m = index.manifests[0]!;
      const manifest = JSON.parse(
        readFileSync(join(oci, 'blobs', 'sha256', m.digest.slice(7)), 'utf8'),
      ) as {
        config: { digest: string };
        layers: { digest: string }[];
      };
      const blob = (d: string): [string, Buffer] => [
        `blobs/sha256/${d.slice(7)}`,
        readFileSync(join(oci, 'blobs', 'sha256', d.slice(7))),
      ];
      const archive = await makeTar([
        ['oci-layout', '{"imageLayoutVersion":"1.0.0"}'],
        blob(m.digest),
        blob(manifest.config.digest),
        ...manifest.layers.map((l) => blob(l.digest)),
        [
          'index.json',
          JSON.stringify({
            schemaVersion: 2,
            manifests: [{ mediaType: m.mediaType, digest: m.digest, size: m.size }],
          }),
        ],
      ]);
      const r = berth(['load'], { input: archive });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `Loaded image ID: ${manifest.config.digest}\n`);
      ctr(['images', 'rm', manifest.config.digest]);
    });

    it('reports a missing input file the way Docker does', () => {
      const r = berth(['load', '-i', join(work, 'nosuch.tar')]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `open ${join(work, 'nosuch.tar')}: no such file or directory\n`);
    });
  });

  describe('hostile and broken archives leave nothing behind', () => {
    let before: string[];
    beforeEach(() => {
      before = images();
    });

    it('refuses a ../ path', async () => {
      const archive = await makeTar([
        ['../evil', 'x'],
        ['manifest.json', '[]'],
      ]);
      const r = berth(['load'], { input: archive });
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'invalid archive: entry "../evil" points outside the archive\n');
      assert.ok(!existsSync(join(env.dataRoot, 'evil')));
      assertNothingLeft(before);
    });

    it('refuses an absolute path', async () => {
      const r = berth(['load'], { input: await makeTar([['/etc/evil', 'x']]) });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^invalid archive: entry "\/etc\/evil" has an absolute path\n$/);
      assertNothingLeft(before);
    });

    it('refuses a symlink that leaves the archive', async () => {
      const config =
        '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}';
      const archive = await makeTar([
        ['cfg.json', config],
        ['layer.tar', { symlink: '../../../etc/shadow' }],
        [
          'manifest.json',
          JSON.stringify([
            { Config: 'cfg.json', RepoTags: ['evil:latest'], Layers: ['layer.tar'] },
          ]),
        ],
      ]);
      const r = berth(['load'], { input: archive });
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'invalid archive: link "layer.tar" points outside the archive\n');
      assertNothingLeft(before);
    });

    it('refuses a blob whose content does not match its digest', async () => {
      const fake = `sha256:${'ab'.repeat(32)}`;
      const archive = await makeTar([
        ['oci-layout', '{"imageLayoutVersion":"1.0.0"}'],
        [`blobs/sha256/${fake.slice(7)}`, 'not what the name says'],
        ['index.json', JSON.stringify({ schemaVersion: 2, manifests: [] })],
      ]);
      const r = berth(['load'], { input: archive });
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `invalid archive: blobs/sha256/${fake.slice(7)} does not match its digest\n`,
      );
      assertNothingLeft(before);
    });

    it('refuses a docker layer that does not match the config diff ID', async () => {
      const layer = await makeTar([['hello.txt', 'hi\n']]);
      const config = JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [`sha256:${'cd'.repeat(32)}`] },
      });
      const archive = await makeTar([
        [`${sha256(config).slice(7)}.json`, config],
        ['l/layer.tar', layer],
        [
          'manifest.json',
          JSON.stringify([
            {
              Config: `${sha256(config).slice(7)}.json`,
              RepoTags: ['lab/bad:1'],
              Layers: ['l/layer.tar'],
            },
          ]),
        ],
      ]);
      const r = berth(['load'], { input: archive });
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^invalid archive: layer l\/layer\.tar has digest sha256:[0-9a-f]{64}, but the config expects sha256:(cd){32}\n$/,
      );
      assertNothingLeft(before);
    });

    it('refuses a truncated archive', () => {
      const full = readFileSync(join(env.images, 'busybox-docker.tar'));
      const r = berth(['load'], { input: full.subarray(0, Math.floor(full.length / 2)) });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^invalid archive: .*(truncated|unexpected EOF).*\n$/);
      assertNothingLeft(before);
    });

    it('refuses something that is not an image archive', async () => {
      const r = berth(['load'], { input: await makeTar([['hello.txt', 'hi']]) });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^invalid archive: no manifest\.json or index\.json found/);
      assertNothingLeft(before);
    });
  });

  describe('save', () => {
    before(() => {
      const r = berth(['load', '-i', join(env.images, 'busybox-oci.tar')]);
      assert.equal(r.code, 0, r.stderr);
    });

    it('-o writes an OCI layout with Docker manifest.json', () => {
      const out = join(work, 'bb.tar');
      const r = berth(['save', '-o', out, 'lab/busybox']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      const list = readTarNames(out);
      assert.ok(list.includes('oci-layout'));
      assert.ok(list.includes('index.json'));
      assert.ok(list.includes('manifest.json'));
      const manifest = JSON.parse(readTarFile(out, 'manifest.json')) as {
        Config: string;
        RepoTags: string[];
        Layers: string[];
      }[];
      assert.deepEqual(manifest[0]?.RepoTags, ['lab/busybox:latest']);
      assert.match(manifest[0]?.Config ?? '', /^blobs\/sha256\/[0-9a-f]{64}$/);
      for (const l of manifest[0]?.Layers ?? []) assert.ok(list.includes(l), l);
      const index = JSON.parse(readTarFile(out, 'index.json')) as {
        manifests: { annotations: Record<string, string> }[];
      };
      assert.deepEqual(index.manifests[0]?.annotations, {
        'io.containerd.image.name': BUSYBOX,
        'org.opencontainers.image.ref.name': 'latest',
      });
      assert.deepEqual(
        readdirSync(work).filter((n) => n.endsWith('.tmp')),
        [],
      );
    });

    it('writes to stdout when it is not a terminal, byte-identical to -o', () => {
      const r = spawnSaveToFile(['save', 'lab/busybox'], join(work, 'stdout.tar'));
      assert.equal(r, 0);
      assert.ok(readFileSync(join(work, 'stdout.tar')).equals(readFileSync(join(work, 'bb.tar'))));
    });

    it('round trip: save -> rmi -> load -> runnable', () => {
      const out = join(work, 'rt.tar');
      assert.equal(berth(['save', '-o', out, BUSYBOX]).code, 0);
      ctr(['images', 'rm', BUSYBOX]);
      const r = berth(['load', '-i', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Loaded image: lab/busybox:latest\n');
      const run = ctr(['run', '--rm', BUSYBOX, uniqueName('arch'), 'echo', 'round-trip']);
      assert.equal(run.stdout, 'round-trip\n', run.stderr);
    });

    it('ctr images import accepts a berth save archive', () => {
      const ns = uniqueName('arch-ctr');
      try {
        const imp = ctr(['images', 'import', join(work, 'bb.tar')], ns);
        assert.equal(imp.code, 0, imp.stderr);
        const run = ctr(['run', '--rm', BUSYBOX, uniqueName('arch'), 'echo', 'ctr-import'], ns);
        assert.equal(run.stdout, 'ctr-import\n', run.stderr);
      } finally {
        ctr(['images', 'rm', BUSYBOX], ns);
        ctr(['namespaces', 'rm', ns]);
      }
    });

    it('saves several images, one manifest.json entry with both tags', () => {
      ctr(['images', 'tag', BUSYBOX, 'docker.io/lab/busybox:other']);
      const out = join(work, 'two.tar');
      assert.equal(berth(['save', '-o', out, 'lab/busybox', 'lab/busybox:other']).code, 0);
      const manifest = JSON.parse(readTarFile(out, 'manifest.json')) as { RepoTags: string[] }[];
      assert.equal(manifest.length, 1);
      assert.deepEqual(manifest[0]?.RepoTags, ['lab/busybox:latest', 'lab/busybox:other']);
      ctr(['images', 'rm', 'docker.io/lab/busybox:other']);
      const r = berth(['load', '-i', out]);
      assert.equal(
        r.stdout,
        'Loaded image: lab/busybox:latest\nLoaded image: lab/busybox:other\n',
        r.stderr,
      );
    });

    it('by image ID the archive carries no name', () => {
      const id =
        readTarFile(join(work, 'bb.tar'), 'manifest.json').match(
          /blobs\/sha256\/([0-9a-f]{12})/,
        )?.[1] ?? '';
      const out = join(work, 'byid.tar');
      const r = berth(['save', '-o', out, id]);
      assert.equal(r.code, 0, r.stderr);
      const manifest = JSON.parse(readTarFile(out, 'manifest.json')) as {
        RepoTags: string[] | null;
      }[];
      assert.equal(manifest[0]?.RepoTags, null);
    });

    it('fails like Docker for a missing image and a missing directory', () => {
      const r = berth(['save', '-o', join(work, 'x.tar'), 'lab-nosuch-image']);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        'Error response from daemon: No such image: lab-nosuch-image:latest\n',
      );
      assert.ok(!existsSync(join(work, 'x.tar')));
      const d = berth(['save', '-o', join(work, 'nodir', 'x.tar'), 'lab/busybox']);
      assert.equal(d.code, 1);
      assert.match(d.stderr, /invalid output path: directory ".*nodir" does not exist/);
    });
  });

  describe('push', () => {
    const repo = `${env.registry}/lab/${uniqueName('push')}`;

    before(() => {
      const r = berth(['load', '-i', join(env.images, 'busybox-oci.tar')]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(ctr(['images', 'tag', BUSYBOX, `${repo}:latest`]).code, 0);
    });

    it('pushes with Docker output, then reports layers that exist', () => {
      const r = berth(['push', repo]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split('\n');
      assert.equal(lines[0], 'Using default tag: latest');
      assert.equal(lines[1], `The push refers to repository [${repo}]`);
      assert.match(
        r.stdout,
        /^[0-9a-f]{12}: (Pushed|Mounted from lab\/busybox|Layer already exists)$/m,
      );
      assert.match(r.stdout, /^latest: digest: sha256:[0-9a-f]{64} size: \d+$/m);
      const again = berth(['push', `${repo}:latest`]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^[0-9a-f]{12}: Layer already exists$/m);
      // What the registry serves is what berth holds locally.
      const local = ctr(['images', 'ls'])
        .stdout.split('\n')
        .find((l) => l.startsWith(`${repo}:latest `));
      const digest = /sha256:[0-9a-f]{64}/.exec(local ?? '')?.[0];
      assert.match(again.stdout, new RegExp(`latest: digest: ${digest ?? 'none'} size`));
    });

    it('mounts a layer from another repository of the same registry', () => {
      const pulled = berth(['pull', '-q', `${env.registry}/lab/busybox:latest`]);
      assert.equal(pulled.code, 0, pulled.stderr);
      const target = `${env.registry}/lab/${uniqueName('mount')}:latest`;
      ctr(['images', 'tag', `${env.registry}/lab/busybox:latest`, target]);
      const r = berth(['push', target]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^[0-9a-f]{12}: Mounted from lab\/busybox$/m);
    });

    it('-q prints only the reference', () => {
      const r = berth(['push', '-q', `${repo}:latest`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${repo}:latest\n`);
    });

    it('-a pushes every local tag', () => {
      ctr(['images', 'tag', BUSYBOX, `${repo}:v2`]);
      const r = berth(['push', '-a', repo]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^latest: digest: /m);
      assert.match(r.stdout, /^v2: digest: /m);
    });

    it('fails for an image that is not there', () => {
      const r = berth(['push', `${env.registry}/lab/nosuch-${process.pid}`]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `An image does not exist locally with the tag: ${env.registry}/lab/nosuch-${process.pid}\n`,
      );
    });
  });
});

function readTarNames(file: string): string[] {
  return ctrTar(['-tf', file]).split('\n').filter(Boolean);
}

function readTarFile(file: string, name: string): string {
  return ctrTar(['-xOf', file, name]);
}

function ctrTar(args: string[]): string {
  const r = spawnSync('tar', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tar ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Runs berth with stdout redirected to a file (not a terminal), as `berth save > f` would. */
function spawnSaveToFile(args: string[], file: string): number | null {
  const fd = openSync(file, 'w');
  try {
    const r = spawnSync(BIN, args, {
      env: { ...process.env, BERTH_TOML: suiteToml() },
      stdio: ['ignore', fd, 'inherit'],
      timeout: 120000,
    });
    return r.status;
  } finally {
    closeSync(fd);
  }
}

describe('load, then run (the quick start)', function () {
  this.timeout(120000);
  const ns = `${env.namespace}-loadrun`;
  const e = { CONTAINERD_NAMESPACE: ns };
  after(() => {
    for (const name of ctr(['images', 'ls', '-q'], ns).stdout.split('\n').filter(Boolean)) {
      ctr(['images', 'rm', '--sync', name], ns);
    }
    ctr(['namespaces', 'rm', ns], ns);
  });

  it('a loaded image is unpacked and runs', () => {
    const load = berth(['load', '-i', join(env.images, 'busybox-oci.tar')], { env: e });
    assert.equal(load.code, 0, load.stderr);
    assert.equal(load.stdout, 'Loaded image: lab/busybox:latest\n');
    assert.match(ctr(['snapshots', 'ls'], ns).stdout, /Committed/);
    const r = berth(['run', '--rm', '--network', 'none', 'lab/busybox', 'echo', 'hello'], {
      env: e,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\n');
  });

  it('run unpacks again an image whose snapshot was removed', () => {
    const committed = () =>
      ctr(['snapshots', 'ls'], ns)
        .stdout.split('\n')
        .filter((l) => /\bCommitted\b/.test(l))
        .map((l) => l.split(/\s+/)[0]!);
    const [top, ...rest] = committed();
    assert.ok(top && rest.length === 0, 'one single-layer image loaded');
    assert.equal(ctr(['snapshots', 'rm', top], ns).code, 0);
    assert.deepEqual(committed(), []);
    const r = berth(['run', '--rm', '--network', 'none', 'lab/busybox', 'echo', 'again'], {
      env: e,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'again\n');
    assert.deepEqual(committed(), [top]);
    assert.equal(ctr(['leases', 'ls', '-q'], ns).stdout, '');
  });
});
