// stats, cp and restart against the suite's containerd, checked by what a user sees: output, exit
// codes, files inside and outside the container, and no mounts left behind.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';
import { berth, berthAsync, env, hasTestEnv, uniqueName } from '../support/berth.js';
import { loadRoot, PROTO_DIR } from '../../scripts/build-proto.mjs';

const IMG = (): string => `${env.registry}/lab/busybox:latest`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// The default bridge network is not what these tests are about; `none` keeps them independent of it.
function runDetached(name: string, cmd: string[] = ['sleep', '1000']): void {
  const r = berth(['run', '-d', '--network', 'none', '--name', name, IMG(), ...cmd]);
  assert.equal(r.code, 0, r.stderr);
}

function createOnly(name: string): void {
  const r = berth(['create', '--network', 'none', '--name', name, IMG(), 'sleep', '1000']);
  assert.equal(r.code, 0, r.stderr);
}

function execOut(name: string, cmd: string[]): string {
  const r = berth(['exec', name, ...cmd]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

function berthMounts(): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.includes('berth-cp-'));
}

const HEADER = /^CONTAINER ID +NAME +CPU % +MEM USAGE \/ LIMIT +MEM % +NET I\/O +BLOCK I\/O +PIDS$/;

/** The data rows of a stats table, split on Docker's 3-space column gaps. */
function rows(stdout: string): string[][] {
  const lines = stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', HEADER);
  return lines.slice(1).map((l) => l.split(/ {3,}/));
}

describe('stats, cp, restart', function () {
  this.timeout(120000);
  const names: string[] = [];
  let work: string;

  before(function () {
    if (!hasTestEnv()) this.skip();
    work = mkdtempSync(path.join(tmpdir(), 'berth-statscp-'));
  });

  after(() => {
    if (names.length > 0) berth(['rm', '-f', ...names]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const newName = (prefix: string): string => {
    const n = uniqueName(prefix);
    names.push(n);
    return n;
  };

  describe('stats', () => {
    let busy: string;
    let idle: string;
    let created: string;

    before(() => {
      busy = newName('stats-busy');
      idle = newName('stats-idle');
      created = newName('stats-created');
      runDetached(busy, ['sh', '-c', 'while :; do :; done']);
      runDetached(idle);
      createOnly(created);
    });

    it('--no-stream prints one Docker table with formatted values', () => {
      const r = berth(['stats', '--no-stream', busy, idle]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const table = rows(r.stdout);
      assert.equal(table.length, 2);
      const byName = new Map(table.map((row) => [row[1], row]));
      for (const name of [busy, idle]) {
        const row = byName.get(name);
        assert.ok(row, `no row for ${name}: ${r.stdout}`);
        const [id, , cpu, mem, memPerc, net, blk, pids] = row;
        assert.match(id ?? '', /^[0-9a-f]{12}$/);
        assert.match(cpu ?? '', /^\d+\.\d\d%$/);
        assert.match(mem ?? '', /^\d+(\.\d+)?(B|KiB|MiB|GiB) \/ \d+(\.\d+)?(KiB|MiB|GiB|TiB)$/);
        assert.notEqual(mem?.split(' / ')[0], '0B');
        assert.match(memPerc ?? '', /^\d+\.\d\d%$/);
        assert.equal(net, '0B / 0B'); // --network none: only lo, which Docker does not count
        assert.match(blk ?? '', /^\d+(\.\d+)?(B|kB|MB|GB) \/ \d+(\.\d+)?(B|kB|MB|GB)$/);
        assert.equal(pids, '1');
      }
      // A spinning shell uses a good part of a CPU; 100% is one full CPU, as in Docker.
      assert.ok(parseFloat(byName.get(busy)![2]!) > 10, r.stdout);
      assert.ok(parseFloat(byName.get(idle)![2]!) < 10, r.stdout);
    });

    it('lists running containers by default and stopped ones (as zeros) with -a', () => {
      const running = berth(['stats', '--no-stream']);
      assert.equal(running.code, 0, running.stderr);
      const runningNames = rows(running.stdout).map((row) => row[1]);
      assert.ok(runningNames.includes(busy) && runningNames.includes(idle), running.stdout);
      assert.ok(!runningNames.includes(created), running.stdout);

      const all = berth(['stats', '--no-stream', '-a', '--no-trunc']);
      assert.equal(all.code, 0, all.stderr);
      const row = rows(all.stdout).find((r) => r[1] === created);
      assert.ok(row, all.stdout);
      assert.match(row[0]!, /^[0-9a-f]{64}$/);
      assert.deepEqual(row.slice(2), ['0.00%', '0B / 0B', '0.00%', '0B / 0B', '0B / 0B', '0']);
    });

    it('--format takes templates and json', () => {
      const t = berth([
        'stats',
        '--no-stream',
        '--format',
        '{{.Name}}:{{.PIDs}}:{{.Container}}',
        idle,
      ]);
      assert.equal(t.code, 0, t.stderr);
      assert.equal(t.stdout, `${idle}:1:${idle}\n`);
      const j = berth(['stats', '--no-stream', '--format', 'json', idle]);
      assert.equal(j.code, 0, j.stderr);
      const obj = JSON.parse(j.stdout) as Record<string, string>;
      assert.deepEqual(Object.keys(obj), [
        'BlockIO',
        'CPUPerc',
        'Container',
        'ID',
        'MemPerc',
        'MemUsage',
        'Name',
        'NetIO',
        'PIDs',
      ]);
      assert.equal(obj['Name'], idle);
    });

    it('a missing container is Docker’s error, exit 1', () => {
      const r = berth(['stats', '--no-stream', 'stats-nosuch-xyz']);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, 'Error response from daemon: No such container: stats-nosuch-xyz\n');
    });

    it('streams off a terminal: one plain table per refresh, stops on Ctrl-C', async () => {
      const p = berthAsync(['stats', idle]);
      const deadline = Date.now() + 60000;
      while ((p.stdout.match(/^CONTAINER ID/gm) ?? []).length < 2 && Date.now() < deadline)
        await sleep(200);
      p.child.kill('SIGINT');
      const r = await p.done;
      assert.equal(r.code, 0, r.stderr);
      // Escape codes are for terminals (see surface.test.ts for the redraw in a pty).
      assert.ok(!r.stdout.includes('\x1b'), JSON.stringify(r.stdout.slice(0, 40)));
      const tables = r.stdout.split(/^(?=CONTAINER ID)/m);
      assert.ok(tables.length >= 2, `only ${tables.length} tables`);
      for (const t of tables) {
        const table = rows(t);
        assert.equal(table.length, 1);
        assert.equal(table[0]![1], idle);
      }
    });
  });

  describe('cp', () => {
    let live: string;
    let stopped: string;

    before(() => {
      live = newName('cp-live');
      stopped = newName('cp-created');
      runDetached(live);
      createOnly(stopped);
      execOut(live, ['sh', '-c', 'ln -s /etc /tmp/etclink && ln -s ../../../../../../.. /tmp/up']);
    });

    it('copies a file out of a running container into a directory', () => {
      const dir = path.join(work, 'out1');
      mkdirSync(dir);
      const r = berth(['cp', `${live}:/etc/hostname`, '.'], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, ''); // no progress line without a terminal
      assert.equal(
        readFileSync(path.join(dir, 'hostname'), 'utf8'),
        execOut(live, ['cat', '/etc/hostname']),
      );
    });

    it('a missing path is Docker’s error, exit 1', () => {
      const r = berth(['cp', `${live}:/nope`, work]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `Error response from daemon: Could not find the file /nope in container ${live}\n`,
      );
      const m = berth(['cp', 'cp-nosuch-xyz:/etc/hostname', work]);
      assert.equal(m.code, 1);
      assert.equal(m.stderr, 'Error response from daemon: No such container: cp-nosuch-xyz\n');
    });

    it('copies a directory in (dir/ destination) and renames a file (new destination)', () => {
      const src = path.join(work, 'tree');
      mkdirSync(path.join(src, 'sub'), { recursive: true });
      writeFileSync(path.join(src, 'a.txt'), 'alpha\n');
      writeFileSync(path.join(src, 'sub', 'b.txt'), 'beta\n', { mode: 0o750 });
      symlinkSync('/etc', path.join(src, 'link'));
      const r = berth(['cp', src, `${live}:/tmp/`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        execOut(live, ['cat', '/tmp/tree/a.txt', '/tmp/tree/sub/b.txt']),
        'alpha\nbeta\n',
      );
      assert.equal(execOut(live, ['readlink', '/tmp/tree/link']), '/etc\n');
      // Without -a, new files belong to the container's root; modes are kept.
      assert.equal(execOut(live, ['stat', '-c', '%u:%g %a', '/tmp/tree/sub/b.txt']), '0:0 750\n');

      const f = berth(['cp', path.join(src, 'a.txt'), `${live}:/tmp/renamed.txt`]);
      assert.equal(f.code, 0, f.stderr);
      assert.equal(execOut(live, ['cat', '/tmp/renamed.txt']), 'alpha\n');

      const bad = berth(['cp', path.join(src, 'a.txt'), `${live}:/nodir/x`]);
      assert.equal(bad.code, 1);
      assert.equal(
        bad.stderr,
        `Error response from daemon: Could not find the file /nodir in container ${live}\n`,
      );
      const dirOnFile = berth(['cp', src, `${live}:/tmp/renamed.txt`]);
      assert.equal(dirOnFile.code, 1);
      assert.equal(dirOnFile.stderr, 'cannot copy directory\n');
    });

    it('resolves symlinks inside the container root, never on the host', () => {
      const marker = `berth-cp-escape-${process.pid}`;
      const file = path.join(work, marker);
      writeFileSync(file, 'inside\n');
      // /tmp/etclink -> /etc must mean the container's /etc.
      const r = berth(['cp', file, `${live}:/tmp/etclink/`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(existsSync(`/etc/${marker}`), false);
      assert.equal(execOut(live, ['cat', `/etc/${marker}`]), 'inside\n');

      const containerHostname = execOut(live, ['cat', '/etc/hostname']);
      for (const src of [
        '/tmp/etclink/hostname',
        '/tmp/up/etc/hostname',
        '/../../../../etc/hostname',
      ]) {
        const out = path.join(work, `h-${Math.random().toString(36).slice(2)}`);
        const c = berth(['cp', `${live}:${src}`, out]);
        assert.equal(c.code, 0, c.stderr);
        assert.equal(readFileSync(out, 'utf8'), containerHostname, src);
      }
      // -L copies what a symlink points to (in the container); without it, the link itself.
      const linkOut = path.join(work, 'etclink-copy');
      assert.equal(berth(['cp', `${live}:/tmp/etclink`, linkOut]).code, 0);
      assert.equal(readlinkSync(linkOut), '/etc');
      const followed = path.join(work, 'etclink-followed');
      const l = berth(['cp', '-L', `${live}:/tmp/etclink`, followed]);
      assert.equal(l.code, 0, l.stderr);
      assert.equal(readFileSync(path.join(followed, 'hostname'), 'utf8'), containerHostname);
    });

    it('copies into and out of a created container through its snapshot, leaving no mounts', () => {
      const before = berthMounts();
      const file = path.join(work, 'to-created.txt');
      writeFileSync(file, 'snapshot\n');
      const r = berth(['cp', file, `${stopped}:/tmp/x.txt`]);
      assert.equal(r.code, 0, r.stderr);
      const out = path.join(work, 'from-created.txt');
      const back = berth(['cp', `${stopped}:/tmp/x.txt`, out]);
      assert.equal(back.code, 0, back.stderr);
      assert.equal(readFileSync(out, 'utf8'), 'snapshot\n');
      const missing = berth(['cp', `${stopped}:/nope`, work]);
      assert.equal(missing.code, 1);
      assert.equal(
        missing.stderr,
        `Error response from daemon: Could not find the file /nope in container ${stopped}\n`,
      );
      assert.deepEqual(berthMounts(), before);
      // The file is really in the container's filesystem.
      assert.equal(berth(['start', stopped]).code, 0);
      assert.equal(execOut(stopped, ['cat', '/tmp/x.txt']), 'snapshot\n');
    });

    it('streams a tar to stdout with `-` and extracts one from stdin', () => {
      const t = spawnSync(
        'sh',
        [
          '-c',
          `${JSON.stringify(path.resolve('bin/berth'))} cp ${live}:/etc/hostname - | tar -xOf -`,
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, BERTH_TOML: path.join(env.dir, `berth-${env.namespace}.toml`) },
        },
      );
      assert.equal(t.status, 0, t.stderr);
      assert.equal(t.stdout, execOut(live, ['cat', '/etc/hostname']));

      const src = path.join(work, 'tarsrc');
      mkdirSync(src);
      writeFileSync(path.join(src, 'in-tar.txt'), 'from tar\n');
      const archive = spawnSync('tar', ['-cf', '-', '-C', src, '.']).stdout;
      const r = berth(['cp', '-', `${live}:/tmp`], { input: archive });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(execOut(live, ['cat', '/tmp/in-tar.txt']), 'from tar\n');
    });

    it('refuses two local paths and two containers', () => {
      const a = berth(['cp', '/tmp/a', '/tmp/b']);
      assert.equal(a.code, 1);
      assert.equal(a.stderr, 'must specify at least one container source\n');
      const b = berth(['cp', `${live}:/a`, `${live}:/b`]);
      assert.equal(b.code, 1);
      assert.equal(b.stderr, 'copying between containers is not supported\n');
    });
  });

  describe('restart', () => {
    it('gives a running container a new process and leaves it Up', async () => {
      const name = newName('restart');
      runDetached(name);
      const pid1 = berth(['inspect', '-f', '{{.State.Pid}}', name]).stdout.trim();
      assert.match(pid1, /^[1-9]\d*$/);
      const r = berth(['restart', '-t', '1', name]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${name}\n`);
      const pid2 = berth(['inspect', '-f', '{{.State.Pid}}', name]).stdout.trim();
      assert.match(pid2, /^[1-9]\d*$/);
      assert.notEqual(pid2, pid1);
      assert.equal(berth(['inspect', '-f', '{{.State.Status}}', name]).stdout, 'running\n');
      const ps = berth(['ps', '--format', '{{.Names}}\t{{.Status}}']);
      const line = ps.stdout.split('\n').find((l) => l.startsWith(`${name}\t`));
      assert.match(line ?? '', /\tUp /);
    });
  });
});

describe('cgroups metrics proto', () => {
  const REF = '/usr/share/gocode/src/github.com/containerd/cgroups';

  it('uses the field numbers and types of github.com/containerd/cgroups', function () {
    if (!existsSync(REF)) this.skip(); // apt-get install golang-github-containerd-cgroups-dev
    const pairs = [
      ['github.com/containerd/cgroups/stats/v1/metrics.proto', 'stats/v1/metrics.proto'],
      ['github.com/containerd/cgroups/v2/stats/metrics.proto', 'v2/stats/metrics.proto'],
    ];
    for (const [ours, theirs] of pairs) {
      const mine = loadRoot([ours!], PROTO_DIR);
      // The reference imports gogoproto for Go-only options: drop both.
      const text = readFileSync(path.join(REF, theirs!), 'utf8')
        .replace(/^\s*import\s+"gogoproto\/gogo\.proto";\s*$/gm, '')
        .replace(/^option \(gogoproto\.[^;]*;\s*$/gm, '')
        .replace(/\s*\[\(gogoproto\.[^\]]*\]/g, '');
      const ref = protobuf.parse(text, { keepCase: true }).root;
      let checked = 0;
      const walk = (ns: protobuf.NamespaceBase): void => {
        for (const obj of ns.nestedArray) {
          if (obj instanceof protobuf.Type) {
            const other = ref.lookupType(obj.fullName);
            for (const f of obj.fieldsArray) {
              const rf = other.fields[f.name];
              assert.ok(rf, `${obj.fullName}.${f.name} missing from reference`);
              assert.deepEqual(
                [f.id, f.type, f.repeated],
                [rf.id, rf.type, rf.repeated],
                `${obj.fullName}.${f.name}`,
              );
              checked++;
            }
          }
          if (obj instanceof protobuf.Namespace) walk(obj);
        }
      };
      walk(mine);
      assert.ok(checked > 15, `only ${checked} fields compared`);
    }
  });
});
