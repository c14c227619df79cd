import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { berth as berthShared, ctr, ctrList, env, uniqueName } from '../support/berth.js';
import { Client } from '../../src/containerd/client.js';
import {
  copyImagePathIntoVolume,
  imageSnapshotRootfs,
  removeUnusedAnonymousVolumes,
} from '../../src/container/volumes.js';
import { volumeUsers } from '../../src/container/volume-users.js';
import {
  createVolume,
  getVolume,
  removeVolume,
  resolveVolumeForMount,
  VIEW_KEY_PREFIX,
  VolumeInUseError,
  volumeMountpoint,
} from '../../src/volume/index.js';
import { LABEL } from '../../src/labels.js';

const MULTI = () => `${env.registry}/lab/multi:latest`;
const BUSYBOX = () => `${env.registry}/lab/busybox:latest`;

let tomlFile: string | undefined;

/**
 * berth with a config file of this suite's own: the shared one under the dev dir is rewritten by
 * every concurrently running suite (each with its namespace).
 */
function berth(args: string[], opts: Parameters<typeof berthShared>[1] = {}) {
  if (!tomlFile) {
    tomlFile = join(mkdtempSync(join(tmpdir(), 'berth-volume-test-')), 'berth.toml');
    writeFileSync(
      tomlFile,
      `address = ${JSON.stringify(env.address)}\nnamespace = ${JSON.stringify(env.namespace)}\ndata_root = ${JSON.stringify(env.dataRoot)}\n`,
    );
  }
  return berthShared(args, { ...opts, env: { BERTH_TOML: tomlFile, ...opts.env } });
}

function volDir(name: string): string {
  return join(env.dataRoot, 'volumes', env.namespace, name);
}

function ok(args: string[], opts: Parameters<typeof berth>[1] = {}) {
  const r = berth(args, opts);
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`);
  return r;
}

function pull(ref: string): void {
  const r = ctr(['images', 'pull', '--plain-http', ref]);
  assert.equal(r.code, 0, r.stderr);
}

/** A container record (no task) whose LABEL.mounts names `volume`, like berth's run writes. */
function containerUsing(volume: string, extraLabels: string[] = []): string {
  const id = uniqueName('volctr');
  const mounts = JSON.stringify([
    {
      Type: 'volume',
      Name: volume,
      Source: join(volDir(volume), '_data'),
      Destination: '/data',
      Driver: 'local',
      Mode: '',
      RW: true,
      Propagation: '',
    },
  ]);
  const labels = [
    `--label`,
    `${LABEL.mounts}=${mounts}`,
    ...extraLabels.flatMap((l) => ['--label', l]),
  ];
  const r = ctr(['containers', 'create', ...labels, BUSYBOX(), id]);
  assert.equal(r.code, 0, r.stderr);
  return id;
}

function deleteContainer(id: string): void {
  ctr(['containers', 'delete', id]);
}

/** The image's chain ID (the key of its top unpacked snapshot) from its config's diff_ids. */
async function chainIdOf(client: Client, ref: string): Promise<string> {
  const { image } = await client.images.get({ name: ref });
  assert.ok(image?.target);
  const manifest = JSON.parse(
    (await client.content.readBlob({ digest: image.target.digest })).toString('utf8'),
  ) as { config: { digest: string } };
  const config = JSON.parse(
    (await client.content.readBlob({ digest: manifest.config.digest })).toString('utf8'),
  ) as {
    rootfs: { diff_ids: string[] };
  };
  let chain = '';
  for (const diff of config.rootfs.diff_ids) {
    chain =
      chain === ''
        ? diff
        : `sha256:${createHash('sha256').update(`${chain} ${diff}`).digest('hex')}`;
  }
  return chain;
}

function noLeftovers(leasesBefore: string[]): void {
  assert.deepEqual(
    ctrList(['snapshots', 'ls']).filter((k) => k.startsWith(VIEW_KEY_PREFIX)),
    [],
    'a view snapshot was left behind',
  );
  assert.deepEqual(
    ctrList(['leases', 'ls']).filter((l) => !leasesBefore.includes(l)),
    [],
    'a lease was left behind',
  );
  assert.ok(
    !readFileSync('/proc/mounts', 'utf8').includes(VIEW_KEY_PREFIX),
    'a view mount was left behind',
  );
}

describe('volume', function () {
  this.timeout(120000);

  after(() => {
    if (tomlFile) rmSync(join(tomlFile, '..'), { recursive: true, force: true });
  });

  before(() => {
    pull(BUSYBOX());
  });

  describe('create', () => {
    it('prints the name and makes <dataRoot>/volumes/<ns>/<name>/_data with its metadata', () => {
      const name = uniqueName('vol');
      const r = ok(['volume', 'create', '--label', 'a=b', '--label', 'flag', name]);
      assert.equal(r.stdout, `${name}\n`);
      assert.equal(r.stderr, '');
      assert.ok(statSync(join(volDir(name), '_data')).isDirectory());
      const meta = JSON.parse(readFileSync(join(volDir(name), 'volume.json'), 'utf8'));
      assert.deepEqual(meta.labels, { a: 'b', flag: '' });
      ok(['volume', 'rm', name]);
    });

    it('is idempotent for an existing name and keeps the first labels and data', () => {
      const name = uniqueName('vol');
      ok(['volume', 'create', '--label', 'first=1', name]);
      writeFileSync(join(volDir(name), '_data', 'keep'), 'x');
      const r = ok(['volume', 'create', '--label', 'second=2', name]);
      assert.equal(r.stdout, `${name}\n`);
      const [v] = JSON.parse(ok(['volume', 'inspect', name]).stdout);
      assert.deepEqual(v.Labels, { first: '1' });
      assert.ok(existsSync(join(volDir(name), '_data', 'keep')));
      ok(['volume', 'rm', name]);
    });

    it('without a name makes an anonymous 64-hex volume', () => {
      const r = ok(['volume', 'create']);
      const name = r.stdout.trim();
      assert.match(name, /^[0-9a-f]{64}$/);
      const [v] = JSON.parse(ok(['volume', 'inspect', name]).stdout);
      assert.deepEqual(v.Labels, { 'com.docker.volume.anonymous': '' });
      ok(['volume', 'rm', name]);
    });

    it('refuses names outside [a-zA-Z0-9][a-zA-Z0-9_.-]+', () => {
      for (const bad of ['a', '_x', '.x', 'a/b', 'has space']) {
        const r = berth(['volume', 'create', bad]);
        assert.equal(r.code, 1, bad);
        assert.match(r.stderr, /includes invalid characters for a local volume name/);
        assert.equal(r.stdout, '');
      }
      // docker/cli's RequiresMaxArgs(1): a plain error, exit 1.
      const r = berth(['volume', 'create', 'x', 'y']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^berth: 'berth volume create' requires at most 1 argument\n/);
    });

    it('refuses a driver other than local', () => {
      const r = berth(['volume', 'create', '-d', 'nfs', uniqueName('vol')]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /plugin "nfs" not found/);
    });
  });

  describe('ls', () => {
    const a = uniqueName('lsa');
    const b = uniqueName('lsb');
    let used: string;
    let ctrId: string;

    before(() => {
      ok(['volume', 'create', '--label', 'team=x', '--label', 'tier=db', a]);
      ok(['volume', 'create', '--label', 'team=y', b]);
      used = uniqueName('lsused');
      ok(['volume', 'create', used]);
      ctrId = containerUsing(used);
    });

    after(() => {
      deleteContainer(ctrId);
      berth(['volume', 'rm', '-f', a, b, used]);
    });

    it('prints DRIVER and VOLUME NAME columns', () => {
      const r = ok(['volume', 'ls']);
      const lines = r.stdout.split('\n');
      assert.match(lines[0]!, /^DRIVER +VOLUME NAME$/);
      assert.ok(lines.some((l) => new RegExp(`^local +${a}$`).test(l)));
      assert.ok(lines.some((l) => new RegExp(`^local +${b}$`).test(l)));
    });

    it('-q prints names only; --format templates and json', () => {
      const q = ok(['volume', 'ls', '-q']).stdout.split('\n');
      assert.ok(q.includes(a) && q.includes(b));
      const t = ok([
        'volume',
        'ls',
        '--format',
        '{{.Name}}:{{.Label "team"}}:{{.Labels}}',
        '-f',
        `name=${a}`,
      ]);
      assert.equal(t.stdout, `${a}:x:team=x,tier=db\n`);
      const j = JSON.parse(ok(['volume', 'ls', '--format', 'json', '-f', `name=${a}`]).stdout);
      assert.equal(j.Name, a);
      assert.equal(j.Driver, 'local');
      assert.equal(j.Scope, 'local');
      assert.equal(j.Mountpoint, join(volDir(a), '_data'));
      const tbl = ok([
        'volume',
        'ls',
        '--format',
        'table {{.Name}}\t{{.Scope}}',
        '-f',
        `name=${a}`,
      ]);
      assert.match(tbl.stdout, new RegExp(`^VOLUME NAME +SCOPE\n${a} +local\n$`));
    });

    it('filters by name, label and dangling', () => {
      const names = (filters: string[]) =>
        ok(['volume', 'ls', '-q', ...filters.flatMap((f) => ['-f', f])])
          .stdout.split('\n')
          .filter(Boolean);
      assert.deepEqual(names([`name=${a}`]), [a]);
      assert.deepEqual(names([`name=${a}`, `name=${b}`]).sort(), [a, b].sort());
      assert.deepEqual(
        names(['label=team=y']).filter((n) => n === a || n === b),
        [b],
      );
      assert.deepEqual(
        names(['label=tier']).filter((n) => n === a || n === b),
        [a],
      );
      assert.deepEqual(
        names(['label=team', 'label=tier']).filter((n) => n === a || n === b),
        [a],
      );
      assert.ok(names(['dangling=true']).includes(a));
      assert.ok(!names(['dangling=true']).includes(used));
      assert.ok(names(['dangling=false']).includes(used));
      assert.ok(!names(['dangling=false']).includes(a));
    });

    it('rejects bad filters', () => {
      let r = berth(['volume', 'ls', '-f', 'bogus=1']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /invalid filter 'bogus'/);
      r = berth(['volume', 'ls', '-f', 'dangling=maybe']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /invalid filter 'dangling=maybe'/);
      r = berth(['volume', 'ls', '-f', 'noequals']);
      assert.equal(r.code, 125);
      assert.match(r.stderr, /bad format of filter/);
    });
  });

  describe('inspect', () => {
    it('prints Docker JSON', () => {
      const name = uniqueName('insp');
      ok(['volume', 'create', '--label', 'k=v', name]);
      const [v] = JSON.parse(ok(['volume', 'inspect', name]).stdout);
      assert.deepEqual(Object.keys(v), [
        'CreatedAt',
        'Driver',
        'Labels',
        'Mountpoint',
        'Name',
        'Options',
        'Scope',
      ]);
      assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
      assert.ok(Math.abs(Date.parse(v.CreatedAt) - Date.now()) < 120000);
      assert.equal(v.Driver, 'local');
      assert.deepEqual(v.Labels, { k: 'v' });
      assert.equal(v.Mountpoint, join(volDir(name), '_data'));
      assert.equal(v.Name, name);
      assert.deepEqual(v.Options, {});
      assert.equal(v.Scope, 'local');
      assert.equal(
        ok(['volume', 'inspect', '-f', '{{.Name}} {{.Driver}}', name]).stdout,
        `${name} local\n`,
      );
      ok(['volume', 'rm', name]);
    });

    it('a missing volume: [] and Error: No such volume, exit 1', () => {
      const r = berth(['volume', 'inspect', 'lab-nosuch']);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '[]\n');
      assert.equal(r.stderr, 'Error: No such volume: lab-nosuch\n');
    });

    it('some found, some missing: prints the found ones, exit 1', () => {
      const name = uniqueName('insp');
      ok(['volume', 'create', name]);
      const r = berth(['volume', 'inspect', name, 'lab-nosuch']);
      assert.equal(r.code, 1);
      assert.equal(JSON.parse(r.stdout)[0].Name, name);
      assert.equal(r.stderr, 'Error: No such volume: lab-nosuch\n');
      ok(['volume', 'rm', name]);
    });

    it('a template that does not parse: template parsing error, exit 64', () => {
      const r = berth(['volume', 'inspect', '-f', '{{.Name', 'lab-nosuch']);
      assert.equal(r.code, 64, r.stderr);
      assert.equal(r.stderr, 'template parsing error: template: :1: unclosed action\n');
      assert.equal(r.stdout, '');
    });
  });

  describe('rm', () => {
    it('removes each volume and prints its name', () => {
      const a = uniqueName('rma');
      const b = uniqueName('rmb');
      ok(['volume', 'create', a]);
      ok(['volume', 'create', b]);
      writeFileSync(join(volDir(a), '_data', 'f'), 'data');
      const r = ok(['volume', 'rm', a, b]);
      assert.equal(r.stdout, `${a}\n${b}\n`);
      assert.ok(!existsSync(volDir(a)));
      assert.ok(!existsSync(volDir(b)));
      assert.deepEqual(
        readdirSync(join(env.dataRoot, 'volumes', env.namespace)).filter((n) => n.startsWith('.')),
        [],
      );
    });

    it('a missing volume is an error unless -f', () => {
      const a = uniqueName('rma');
      ok(['volume', 'create', a]);
      let r = berth(['volume', 'rm', 'lab-nosuch', a]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, `${a}\n`);
      assert.equal(r.stderr, 'Error response from daemon: get lab-nosuch: no such volume\n');
      r = berth(['volume', 'rm', '-f', 'lab-nosuch']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'lab-nosuch\n');
    });

    it('refuses a volume a container uses, even with -f', () => {
      const name = uniqueName('inuse');
      ok(['volume', 'create', name]);
      const id = containerUsing(name);
      try {
        for (const args of [
          ['volume', 'rm', name],
          ['volume', 'rm', '-f', name],
        ]) {
          const r = berth(args);
          assert.equal(r.code, 1);
          assert.equal(r.stdout, '');
          assert.equal(
            r.stderr,
            `Error response from daemon: remove ${name}: volume is in use - [${id}]\n`,
          );
          assert.ok(existsSync(join(volDir(name), '_data')));
        }
      } finally {
        deleteContainer(id);
      }
      assert.equal(ok(['volume', 'rm', name]).stdout, `${name}\n`);
    });

    it('counts anonymous volumes listed on a container as in use', () => {
      const name = ok(['volume', 'create']).stdout.trim();
      const id = uniqueName('volctr');
      const r0 = ctr([
        'containers',
        'create',
        '--label',
        `${LABEL.anonymousVolumes}=["${name}"]`,
        BUSYBOX(),
        id,
      ]);
      assert.equal(r0.code, 0, r0.stderr);
      try {
        const r = berth(['volume', 'rm', name]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /volume is in use/);
      } finally {
        deleteContainer(id);
      }
      ok(['volume', 'rm', name]);
    });
  });

  describe('prune', () => {
    // prune works on the whole namespace, so it gets one of its own.
    const ns = uniqueName('volprune');
    const b = (args: string[]) => berth(['-n', ns, ...args]);
    const nsVolDir = (name: string) => join(env.dataRoot, 'volumes', ns, name);

    after(() => {
      ctr(['containers', 'rm', 'prune-user'], ns);
      ctr(['images', 'rm', BUSYBOX()], ns);
      ctr(['namespaces', 'rm', ns], 'default');
      rmSync(join(env.dataRoot, 'volumes', ns), { recursive: true, force: true });
    });

    it('off a terminal reads the answer from stdin: no answer keeps, y removes (echo y | …)', () => {
      const anon = b(['volume', 'create']).stdout.trim();
      const r = b(['volume', 'prune']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^WARNING! .*\nAre you sure you want to continue\? \[y\/N\] $/);
      assert.ok(existsSync(nsVolDir(anon)));
      const y = berth(['-n', ns, 'volume', 'prune'], { input: 'y\n' });
      assert.equal(y.code, 0, y.stderr);
      assert.match(y.stdout, new RegExp(`\\[y/N\\] Deleted Volumes:\\n(.*\\n)*${anon}\\n`));
      assert.ok(!existsSync(nsVolDir(anon)));
    });

    it('-f removes unused anonymous volumes only; -a also named ones; used ones stay', () => {
      const named = uniqueName('named');
      assert.equal(b(['volume', 'create', named]).code, 0);
      const anonUsed = b(['volume', 'create']).stdout.trim();
      const anonFree = b(['volume', 'create']).stdout.trim();
      writeFileSync(join(nsVolDir(named), '_data', 'f'), 'x'.repeat(2000));
      const r0 = ctr(['images', 'pull', '--plain-http', BUSYBOX()], ns);
      assert.equal(r0.code, 0, r0.stderr);
      const r1 = ctr(
        [
          'containers',
          'create',
          '--label',
          `${LABEL.anonymousVolumes}=["${anonUsed}"]`,
          BUSYBOX(),
          'prune-user',
        ],
        ns,
      );
      assert.equal(r1.code, 0, r1.stderr);

      let r = b(['volume', 'prune', '-f']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `Deleted Volumes:\n${anonFree}\n\nTotal reclaimed space: 0B\n`);
      assert.deepEqual(
        b(['volume', 'ls', '-q']).stdout.split('\n').filter(Boolean).sort(),
        [named, anonUsed].sort(),
      );

      r = b(['volume', 'prune', '-f']);
      assert.equal(r.stdout, 'Total reclaimed space: 0B\n');

      r = b(['volume', 'prune', '-f', '-a']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `Deleted Volumes:\n${named}\n\nTotal reclaimed space: 2kB\n`);
      assert.deepEqual(b(['volume', 'ls', '-q']).stdout.split('\n').filter(Boolean), [anonUsed]);

      ctr(['containers', 'rm', 'prune-user'], ns);
      r = b(['volume', 'prune', '-f']);
      assert.equal(r.stdout, `Deleted Volumes:\n${anonUsed}\n\nTotal reclaimed space: 0B\n`);
    });

    it('--filter label= limits what is pruned', () => {
      assert.equal(b(['volume', 'create', '--label', 'keep=no', 'p1x']).code, 0);
      assert.equal(b(['volume', 'create', '--label', 'keep=yes', 'p2x']).code, 0);
      const r = b(['volume', 'prune', '-f', '-a', '--filter', 'label=keep=no']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Deleted Volumes:\np1x\n\n/);
      assert.deepEqual(b(['volume', 'ls', '-q']).stdout, 'p2x\n');
      b(['volume', 'rm', 'p2x']);
    });
  });

  describe('library: image content and anonymous volumes', () => {
    let client: Client;
    const settings = () => ({
      dataRoot: env.dataRoot,
      namespace: env.namespace,
      snapshotter: 'overlayfs',
    });
    let leasesBefore: string[];

    before(() => {
      pull(MULTI());
      client = new Client({ address: env.address, namespace: env.namespace });
      leasesBefore = ctrList(['leases', 'ls']);
    });

    after(() => client.close());

    /** `volume rm`: refused while a container of the namespace uses the volume. */
    const rmVolume = async (name: string): Promise<boolean> =>
      removeVolume(settings(), name, { users: await volumeUsers(settings(), client) });

    it('copies the image files at the mount path into a new named volume (multi-layer: overlay view)', async () => {
      const chainId = await chainIdOf(client, MULTI());
      const name = uniqueName('copy');
      const r = await resolveVolumeForMount({
        settings: settings(),
        name,
        containerPath: '/data',
        imageRootfs: imageSnapshotRootfs(client, settings(), chainId),
      });
      assert.equal(r.name, name);
      assert.equal(r.hostPath, volumeMountpoint(settings(), name));
      assert.equal(r.created, true);
      assert.equal(r.copied, true);
      assert.equal(statSync(join(r.hostPath, 'big')).size, 1048576);
      noLeftovers(leasesBefore);

      // Files from the lower layers too, with modes kept.
      const root = await resolveVolumeForMount({
        settings: settings(),
        name: uniqueName('copyroot'),
        containerPath: '/',
        imageRootfs: imageSnapshotRootfs(client, settings(), chainId),
      });
      assert.equal(readFileSync(join(root.hostPath, 'hello.txt'), 'utf8').length > 0, true);
      assert.ok(lstatSync(join(root.hostPath, 'bin', 'busybox')).mode & 0o111);
      assert.ok(
        lstatSync(join(root.hostPath, 'bin', 'sh')).isSymbolicLink() ||
          statSync(join(root.hostPath, 'bin', 'sh')).isFile(),
      );
      noLeftovers(leasesBefore);
      await rmVolume(name);
      await rmVolume(root.name);
    });

    it('does not overwrite an existing non-empty volume, and fills an existing empty one', async () => {
      const chainId = await chainIdOf(client, MULTI());
      const full = uniqueName('full');
      const v = await createVolume(settings(), full);
      writeFileSync(join(v.mountpoint, 'mine'), 'keep');
      const r = await resolveVolumeForMount({
        settings: settings(),
        name: full,
        containerPath: '/data',
        imageRootfs: imageSnapshotRootfs(client, settings(), chainId),
      });
      assert.equal(r.created, false);
      assert.equal(r.copied, false);
      assert.deepEqual(readdirSync(r.hostPath), ['mine']);
      assert.equal(readFileSync(join(r.hostPath, 'mine'), 'utf8'), 'keep');

      const empty = uniqueName('empty');
      await createVolume(settings(), empty);
      const e = await resolveVolumeForMount({
        settings: settings(),
        name: empty,
        containerPath: '/data',
        imageRootfs: imageSnapshotRootfs(client, settings(), chainId),
      });
      assert.equal(e.copied, true);
      assert.deepEqual(readdirSync(e.hostPath), ['big']);

      // Second use of the now-populated volume: untouched.
      writeFileSync(join(e.hostPath, 'big'), 'changed');
      await resolveVolumeForMount({
        settings: settings(),
        name: empty,
        containerPath: '/data',
        imageRootfs: imageSnapshotRootfs(client, settings(), chainId),
      });
      assert.equal(readFileSync(join(e.hostPath, 'big'), 'utf8'), 'changed');
      noLeftovers(leasesBefore);
      await rmVolume(full);
      await rmVolume(empty);
    });

    it('copyImagePathIntoVolume: a path missing from the image leaves the volume empty; single-layer view', async () => {
      const multi = await chainIdOf(client, MULTI());
      const dir = (await createVolume(settings(), uniqueName('nopath'))).mountpoint;
      assert.equal(
        await copyImagePathIntoVolume(client, settings(), multi, '/no/such/dir', dir),
        false,
      );
      assert.deepEqual(readdirSync(dir), []);

      const bb = await chainIdOf(client, BUSYBOX());
      const dir2 = (await createVolume(settings(), uniqueName('bb'))).mountpoint;
      assert.equal(await copyImagePathIntoVolume(client, settings(), bb, '/bin', dir2), true);
      assert.ok(existsSync(join(dir2, 'busybox')));
      noLeftovers(leasesBefore);
      for (const d of [dir, dir2]) await rmVolume(d.split('/').at(-2)!);
    });

    it('a missing snapshot is a clear error and leaves nothing behind', async () => {
      const dir = (await createVolume(settings(), uniqueName('nosnap'))).mountpoint;
      await assert.rejects(
        copyImagePathIntoVolume(client, settings(), `sha256:${'0'.repeat(64)}`, '/data', dir),
        /not found in snapshotter/,
      );
      noLeftovers(leasesBefore);
      await rmVolume(dir.split('/').at(-2)!);
    });

    it('anonymous volumes: created with a 64-hex name, removed by removeUnusedAnonymousVolumes unless in use', async () => {
      const chainId = await chainIdOf(client, MULTI());
      const a = await resolveVolumeForMount({
        settings: settings(),
        containerPath: '/vol',
        imageRootfs: imageSnapshotRootfs(client, settings(), chainId),
      });
      const b2 = await resolveVolumeForMount({
        settings: settings(),
        containerPath: '/data',
        imageRootfs: imageSnapshotRootfs(client, settings(), chainId),
      });
      assert.match(a.name, /^[0-9a-f]{64}$/);
      assert.equal(a.anonymous, true);
      assert.equal(b2.copied, true);
      const id = containerUsing(b2.name);
      try {
        const res = await removeUnusedAnonymousVolumes(settings(), client, [
          a.name,
          b2.name,
          'f'.repeat(64),
        ]);
        assert.deepEqual(res, { removed: [a.name], kept: [b2.name] });
        assert.equal(await getVolume(settings(), a.name), undefined);
        await assert.rejects(rmVolume(b2.name), VolumeInUseError);
      } finally {
        deleteContainer(id);
      }
      assert.deepEqual(await removeUnusedAnonymousVolumes(settings(), client, [b2.name]), {
        removed: [b2.name],
        kept: [],
      });
      noLeftovers(leasesBefore);
    });
  });
});
