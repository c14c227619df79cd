import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  berth,
  berthAsync,
  BIN,
  ctr,
  ctrList,
  env,
  suiteToml,
  uniqueName,
} from '../support/berth.js';

const IMG = () => `${env.registry}/lab/busybox:latest`;

function out(args: string[], input?: string): string {
  const r = berth(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Nothing of ours left in containerd: containers, tasks, active snapshots, leases. */
function assertNothingLeft(): void {
  assert.deepEqual(ctrList(['containers', 'ls']), [], 'containers left');
  assert.deepEqual(ctrList(['tasks', 'ls']), [], 'tasks left');
  const active = ctr(['snapshots', 'ls'])
    .stdout.split('\n')
    .filter((l) => /\bActive\b/.test(l));
  assert.deepEqual(active, [], 'active snapshots left');
  assert.deepEqual(ctrList(['leases', 'ls']), [], 'leases left');
}

describe('run / create / start / exec / wait / attach', function () {
  this.timeout(120000);

  before(() => {
    ctr(['images', 'pull', '--plain-http', IMG()]);
  });

  afterEach(() => {
    const ids = ctrList(['containers', 'ls']);
    if (ids.length) berth(['rm', '-f', ...ids]);
  });

  describe('exit codes and errors', () => {
    it('passes the container exit code and keeps stdout/stderr apart', () => {
      const r = berth(['run', '--rm', IMG(), 'sh', '-c', 'echo out; echo err >&2; exit 42']);
      assert.equal(r.code, 42);
      assert.equal(r.stdout, 'out\n');
      assert.equal(r.stderr, 'err\n');
      assertNothingLeft();
    });

    it('127 for a missing command, with Docker wording and no leftovers', () => {
      const r = berth(['run', '--rm', IMG(), 'nosuchcmd']);
      assert.equal(r.code, 127);
      assert.match(
        r.stderr,
        /^berth: Error response from daemon: .*exec: "nosuchcmd": executable file not found in \$PATH/,
      );
      assert.match(r.stderr, /\n\nRun 'berth run --help' for more information\n$/);
      assertNothingLeft();
    });

    it('126 for a file that is not executable and for a directory', () => {
      assert.equal(berth(['run', '--rm', IMG(), '/etc/passwd']).code, 126);
      const r = berth(['run', '--rm', IMG(), '/tmp']);
      assert.equal(r.code, 126);
      assert.match(r.stderr, /permission denied|is a directory/);
      assertNothingLeft();
    });

    it('125 for a missing image with --pull never', () => {
      const r = berth(['run', '--rm', '--pull', 'never', 'lab-no-such-image', 'true']);
      assert.equal(r.code, 125);
      assert.equal(
        r.stderr,
        "berth: Error response from daemon: No such image: lab-no-such-image:latest\n\nRun 'berth run --help' for more information\n",
      );
    });

    it('125 for an invalid reference, a CLI error without the daemon prefix', () => {
      const r = berth(['run', '--rm', 'Bad/Ref', 'true']);
      assert.equal(r.code, 125);
      assert.equal(
        r.stderr,
        "berth: invalid reference format: repository name (Ref) must be lowercase\n\nRun 'berth run --help' for more information\n",
      );
    });

    it('125 No command specified', () => {
      const r = berth(['run', '--rm', `${env.registry}/lab/nocmd:latest`]);
      assert.equal(r.code, 125);
      assert.match(
        r.stderr,
        /berth: Error response from daemon: No command specified\n\nRun 'berth run --help'/,
      );
      assertNothingLeft();
    });

    it('125 for an unknown flag', () => {
      const r = berth(['run', '--rm', '--nosuchflag', IMG(), 'true']);
      assert.equal(r.code, 125);
      assert.match(r.stderr, /^unknown flag: --nosuchflag\n/);
    });

    it('-t without a terminal: the input device is not a TTY (exit 1)', () => {
      const r = berth(['run', '--rm', '-t', IMG(), 'true']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'the input device is not a TTY\n');
      assertNothingLeft();
    });

    it('137 after SIGKILL', async () => {
      const name = uniqueName('sigkill');
      const p = berthAsync(['run', '--rm', '--name', name, IMG(), 'sleep', '30']);
      await sleep(2000);
      out(['kill', name]);
      const r = await p.done;
      assert.equal(r.code, 137);
    });
  });

  describe('flags inside the container', () => {
    it("boolean flags take pflag's =true/=false (--sig-proxy=false, --rm=true, -d=false)", () => {
      const r = berth(['run', '--sig-proxy=false', '--rm=true', '-d=false', IMG(), 'echo', 'hi']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hi\n');
      const bad = berth(['run', '--rm=maybe', IMG(), 'true']);
      assert.equal(bad.code, 125);
      assert.match(bad.stderr, /^invalid argument "maybe" for "--rm" flag: strconv\.ParseBool/);
    });

    it('-e --env-file -w -u -h -l --entrypoint', () => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-envf-'));
      writeFileSync(join(dir, 'env'), 'FROMFILE=yes\n# comment\n');
      const name = uniqueName('flags');
      const r = berth([
        'run',
        '--rm',
        '--name',
        name,
        '-e',
        'A=1',
        '--env-file',
        join(dir, 'env'),
        '-w',
        '/made/here',
        '-u',
        '1000:1000',
        '-h',
        'myhost',
        '-l',
        'k=v',
        '--entrypoint',
        'sh',
        IMG(),
        '-c',
        'echo $A $FROMFILE; pwd; id; hostname; echo $HOSTNAME',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '1 yes\n/made/here\nuid=1000 gid=1000 groups=1000\nmyhost\nmyhost\n');
    });

    it('-l key and a bare --label-file line are kept with an empty value, as Docker does', () => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-labelf-'));
      writeFileSync(join(dir, 'labels'), 'lf1=v1\nlf2\n');
      const name = uniqueName('labels');
      out([
        'create',
        '--network',
        'none',
        '--name',
        name,
        '-l',
        'keyonly',
        '-l',
        'k=v',
        '--label-file',
        join(dir, 'labels'),
        IMG(),
        'true',
      ]);
      const labels = JSON.parse(out(['inspect', '-f', '{{json .Config.Labels}}', name])) as Record<
        string,
        string
      >;
      assert.equal(labels.keyonly, '');
      assert.equal(labels.lf2, '');
      assert.equal(labels.k, 'v');
      assert.equal(labels.lf1, 'v1');
      // containerd keeps no empty label values: the keys are berth's to remember.
      const id = out(['inspect', '-f', '{{.Id}}', name]).trim();
      const info = JSON.parse(ctr(['containers', 'info', id]).stdout) as {
        Labels: Record<string, string>;
      };
      assert.deepEqual((JSON.parse(info.Labels['berth/empty-labels'] ?? '[]') as string[]).sort(), [
        'keyonly',
        'lf2',
      ]);
      assert.equal(out(['ps', '-a', '-f', 'label=keyonly', '--format', '{{.Names}}']), `${name}\n`);
      assert.equal(out(['ps', '-a', '-f', 'label=lf2=', '--format', '{{.Names}}']), `${name}\n`);
      assert.equal(
        out(['ps', '-a', '-f', `name=${name}`, '--format', '{{.Label "keyonly"}}|{{.Labels}}']),
        '|k=v,keyonly=,lf1=v1,lf2=,org.berth.test=busybox,org.opencontainers.image.title=berth-busybox\n',
      );
    });

    it('default hostname is the 12-hex short id, names are adjective_surname', () => {
      const id = out(['create', IMG(), 'hostname']).trim();
      assert.match(id, /^[0-9a-f]{64}$/);
      const r = berth(['start', '-a', id]);
      assert.equal(r.stdout, `${id.slice(0, 12)}\n`);
      const ps = out(['ps', '-a', '--format', '{{.Names}}', '--filter', `id=${id}`]).trim();
      assert.match(ps, /^[a-z]+_[a-z]+\d?$/);
    });

    it('--read-only, --tmpfs, --mount tmpfs, -v :ro, --mount bind', () => {
      const host = mkdtempSync(join(tmpdir(), 'berth-bind-'));
      writeFileSync(join(host, 'f'), 'from-host');
      const r = berth([
        'run',
        '--rm',
        '--read-only',
        '--tmpfs',
        '/scratch',
        '--mount',
        'type=tmpfs,destination=/t2',
        '-v',
        `${host}:/ro:ro`,
        '--mount',
        `type=bind,source=${host},target=/rw`,
        IMG(),
        'sh',
        '-c',
        'touch /x 2>&1; touch /scratch/a /t2/b && echo tmpfs-ok; cat /ro/f; echo; touch /ro/y 2>&1; echo w > /rw/z && echo rw-ok',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /touch: \/x: Read-only file system/);
      assert.match(r.stdout, /tmpfs-ok\nfrom-host\ntouch: \/ro\/y: Read-only file system\nrw-ok/);
      assert.equal(readFileSync(join(host, 'z'), 'utf8'), 'w\n');
    });

    it('cgroup limits: --cpus --cpu-shares --cpuset-cpus --memory --pids-limit', () => {
      const r = berth([
        'run',
        '--rm',
        '--cpus',
        '0.5',
        '--cpu-shares',
        '512',
        '--cpuset-cpus',
        '0',
        '--memory',
        '64m',
        '--pids-limit',
        '50',
        IMG(),
        'sh',
        '-c',
        'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpuset/cpuset.cpus /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/cpu.max /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max',
      ]);
      assert.equal(r.code, 0, r.stderr);
      if (r.stdout.includes('max')) {
        assert.match(r.stdout, /^50000 100000\n67108864\n50\n$/);
      } else {
        assert.equal(r.stdout, '50000\n512\n0\n67108864\n50\n');
      }
    });

    it('--ulimit, --shm-size, --privileged, --cap-add/--cap-drop, --security-opt no-new-privileges', () => {
      assert.equal(
        out(['run', '--rm', '--ulimit', 'nofile=512:512', IMG(), 'sh', '-c', 'ulimit -n']),
        '512\n',
      );
      assert.match(
        out(['run', '--rm', '--shm-size', '8m', IMG(), 'df', '-k', '/dev/shm']),
        /\b8192\b/,
      );
      // 0 is dockerd's "default" (64 MB), not an error.
      const shm0 = berth([
        'run',
        '--rm',
        '--network',
        'none',
        '--shm-size',
        '0',
        IMG(),
        'df',
        '-k',
        '/dev/shm',
      ]);
      assert.equal(shm0.code, 0, shm0.stderr);
      assert.equal(shm0.stderr, '');
      assert.match(shm0.stdout, /^shm +65536 /m);
      assert.match(
        out(['run', '--rm', '--privileged', IMG(), 'grep', 'CapEff', '/proc/self/status']),
        /CapEff:\s+0*1ffffffffff|CapEff:\s+000001f/,
      );
      const def = out(['run', '--rm', IMG(), 'grep', 'CapEff', '/proc/self/status']);
      const added = out([
        'run',
        '--rm',
        '--cap-add',
        'NET_ADMIN',
        '--cap-drop',
        'CHOWN',
        IMG(),
        'grep',
        'CapEff',
        '/proc/self/status',
      ]);
      const hex = (s: string) => BigInt(`0x${/CapEff:\s+([0-9a-f]+)/.exec(s)![1]}`);
      assert.equal(hex(added) & (1n << 12n), 1n << 12n, 'NET_ADMIN added');
      assert.equal(hex(added) & 1n, 0n, 'CHOWN dropped');
      assert.equal(hex(def) & (1n << 12n), 0n);
      assert.match(
        out(['run', '--rm', IMG(), 'grep', 'NoNewPrivs', '/proc/self/status']),
        /NoNewPrivs:\s+0/,
      );
      assert.match(
        out([
          'run',
          '--rm',
          '--security-opt',
          'no-new-privileges',
          IMG(),
          'grep',
          'NoNewPrivs',
          '/proc/self/status',
        ]),
        /NoNewPrivs:\s+1/,
      );
    });

    it('--init runs tini as pid 1; --add-host; --cidfile; --stop-signal label', () => {
      assert.match(
        out(['run', '--rm', '--init', IMG(), 'ps', '-o', 'pid,args']),
        /\n\s+1 \/sbin\/tini -- ps/,
      );
      assert.match(
        out(['run', '--rm', '--add-host', 'db:10.1.2.3', IMG(), 'cat', '/etc/hosts']),
        /10\.1\.2\.3\tdb/,
      );
      const cid = join(mkdtempSync(join(tmpdir(), 'berth-cid-')), 'cid');
      const id = out([
        'run',
        '-d',
        '--cidfile',
        cid,
        '--stop-signal',
        'SIGUSR1',
        '--stop-timeout',
        '3',
        IMG(),
        'true',
      ]).trim();
      assert.equal(readFileSync(cid, 'utf8'), id);
      assert.match(
        ctr(['containers', 'info', id]).stdout,
        /"io.containerd.image.config.stop-signal": "SIGUSR1"/,
      );
    });
  });

  describe('stdio', () => {
    it('-i pipes stdin and closes it at EOF', () => {
      const r = berth(['run', '--rm', '-i', IMG(), 'cat'], { input: 'hi\nthere\n' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hi\nthere\n');
    });

    it('-t in a real pseudo-terminal', () => {
      const r = spawnSync(
        'script',
        ['-qec', `${BIN} run --rm -t ${IMG()} sh -c 'tty; exit 4'`, '/dev/null'],
        {
          encoding: 'utf8',
          env: { ...process.env, BERTH_TOML: suiteToml() },
          input: '',
        },
      );
      assert.match(r.stdout, /\/dev\/pts\/\d+\r+\n/);
      assert.equal(r.status, 4);
      assertNothingLeft();
    });

    it('-a stdout only attaches stdout', () => {
      const r = berth(['run', '--rm', '-a', 'stdout', IMG(), 'sh', '-c', 'echo o; echo e >&2']);
      assert.equal(r.stdout, 'o\n');
      assert.equal(r.stderr, '');
    });

    it('Ctrl-C is forwarded; a second one kills (137) and nothing is left', async () => {
      const p = berthAsync(['run', '--rm', IMG(), 'sleep', '60']);
      await sleep(2500);
      p.child.kill('SIGINT');
      await sleep(500);
      p.child.kill('SIGINT');
      const r = await p.done;
      assert.equal(r.code, 137);
      assertNothingLeft();
    });

    // Docker's sig-proxy: once the container exists, a SIGINT to a backgrounded `run` without -t
    // goes to the container (Docker's CLI forwards from its create call's return); a PID 1
    // `sleep` ignores it, so the CLI waits for the container's own exit and takes its code. The
    // signal is sent as soon as the container shows in `ps -a`, while its task is being made.
    // (A shell's background job starts with SIGINT ignored: berth must catch it all the same.)
    for (const agent of [true, false]) {
      const mode = agent ? 'agent' : 'BERTH_NO_AGENT=1';
      it(`kill -INT of a backgrounded run --rm waits for the container's own exit (${mode})`, () => {
        const name = uniqueName('sigbg');
        const script = [
          `${BIN} run --rm --name ${name} ${IMG()} sleep 5 & p=$!`,
          `until ${BIN} ps -aq --filter name=${name} | grep -q .; do sleep 0.05; done`,
          's=$(date +%s%N); kill -INT $p; wait $p; r=$?',
          'echo "status $r after $(( ($(date +%s%N) - s) / 1000000 ))"',
        ].join('\n');
        const r = spawnSync('sh', ['-c', script], {
          encoding: 'utf8',
          env: {
            ...process.env,
            BERTH_TOML: suiteToml(),
            ...(agent ? {} : { BERTH_NO_AGENT: '1' }),
          },
          timeout: 60000,
        });
        const [, status, ms] = /status (\d+) after (\d+)/.exec(r.stdout) ?? [];
        assert.equal(status, '0', `${r.stdout}${r.stderr}`);
        assert.ok(
          Number(ms) >= 4000,
          `berth ended ${ms} ms after the SIGINT, before the container`,
        );
        assertNothingLeft();
      });
    }

    it('a shell that traps SIGINT gets it', async () => {
      const p = berthAsync([
        'run',
        '--rm',
        IMG(),
        'sh',
        '-c',
        'trap "echo got-int; exit 130" INT; while :; do sleep 0.1; done',
      ]);
      await sleep(2500);
      p.child.kill('SIGINT');
      const r = await p.done;
      assert.equal(r.code, 130);
      assert.match(r.stdout, /got-int/);
    });

    it('berth SIGKILLed mid-run: container stays, log intact, rm -f cleans up', async () => {
      const name = uniqueName('killed');
      const p = berthAsync(['run', '--name', name, IMG(), 'sh', '-c', 'echo before; sleep 60']);
      await sleep(2500);
      const fifoDirs = (): string[] =>
        existsSync('/run/berth/fifo')
          ? readdirSync('/run/berth/fifo').filter((d) => d.startsWith(`${p.child.pid}-`))
          : [];
      assert.equal(fifoDirs().length, 1, 'an attached run keeps its FIFOs under /run/berth/fifo');
      p.child.kill('SIGKILL');
      await p.done;
      const id = out(['ps', '-q', '--no-trunc', '--filter', `name=${name}`]).trim();
      assert.ok(ctrList(['containers', 'ls']).includes(id));
      assert.equal(out(['logs', name]), 'before\n');
      out(['rm', '-f', name]);
      assertNothingLeft();
      assert.deepEqual(fifoDirs(), [], 'rm sweeps the FIFO dir of the killed berth');
    });
  });

  describe('detached, names, restart', () => {
    it('-d prints the id, logs are kept while berth is gone', async () => {
      const id = out(['run', '-d', IMG(), 'sh', '-c', 'echo out; echo err >&2']).trim();
      assert.match(id, /^[0-9a-f]{64}$/);
      assert.equal(out(['wait', id]), '0\n');
      await sleep(300);
      const r = berth(['logs', id]);
      assert.equal(r.stdout, 'out\n');
      assert.equal(r.stderr, 'err\n');
    });

    it('-d --rm removes the container when it exits, leaving nothing (also with -t, -i, -it)', async () => {
      // With a TTY the output ends as the process exits: the logger once left on that EOF before
      // it had noticed the exit, and -dt/-di/-dit containers stayed. `true` exits at once.
      const ids = [
        out(['run', '-d', '--rm', IMG(), 'sh', '-c', 'sleep 1']).trim(),
        ...['-dt', '-di', '-dit'].map((f) => out(['run', f, '--rm', IMG(), 'true']).trim()),
      ];
      for (const id of ids) {
        const stateDir = join(env.dataRoot, 'containers', env.namespace, id);
        // The removal runs in the background (the logger starts it); the record goes first, the
        // network and state dir right after.
        for (
          let i = 0;
          i < 60 && (ctrList(['containers', 'ls']).includes(id) || existsSync(stateDir));
          i++
        )
          await sleep(250);
        assert.ok(!ctrList(['containers', 'ls']).includes(id), id);
        assert.ok(!existsSync(stateDir), id);
      }
      assertNothingLeft();
    });

    it('-d --rm: a manual restart never removes it (Docker); a stop afterwards does', async () => {
      const name = uniqueName('rmrestart');
      const id = out(['run', '-d', '--rm', '--name', name, IMG(), 'sleep', '300']).trim();
      // The old task's logger sees each exit and starts the removal; it must stand down.
      for (let i = 0; i < 3; i++) {
        const r = berth(['restart', '-t', '0', name]);
        assert.equal(r.code, 0, r.stderr);
        await sleep(1500);
        assert.equal(
          out(['inspect', '-f', '{{.State.Status}}', name]),
          'running\n',
          `restart ${i}`,
        );
      }
      assert.equal(berth(['stop', '-t', '0', name]).code, 0);
      for (let i = 0; i < 60 && ctrList(['containers', 'ls']).includes(id); i++) await sleep(250);
      assert.ok(!ctrList(['containers', 'ls']).includes(id));
    });

    it('name conflict: Docker wording and 125', () => {
      const name = uniqueName('dup');
      const id =
        out(['run', '--name', name, IMG(), 'true']).trim() ||
        out(['ps', '-aq', '--no-trunc', '--filter', `name=${name}`]).trim();
      const r = berth(['run', '--name', name, IMG(), 'true']);
      assert.equal(r.code, 125);
      assert.match(
        r.stderr,
        new RegExp(
          `Conflict\\. The container name "/${name}" is already in use by container "${id}"\\. You have to remove \\(or rename\\) that container to be able to reuse that name\\.`,
        ),
      );
    });

    it('ten concurrent run --name x: exactly one container, nine conflicts', async () => {
      const name = uniqueName('race');
      const runs = Array.from({ length: 10 }, () =>
        berthAsync(['run', '-d', '--name', name, IMG(), 'sleep', '30']),
      );
      const results = await Promise.all(runs.map((r) => r.done));
      assert.equal(results.filter((r) => r.code === 0).length, 1);
      assert.equal(results.filter((r) => r.code === 125 && /Conflict\./.test(r.stderr)).length, 9);
      assert.equal(ctrList(['containers', 'ls']).length, 1);
      assert.equal(ctrList(['leases', 'ls']).length, 0);
    });

    it('--restart always comes back after the process dies, not after stop', async () => {
      const name = uniqueName('always');
      out([
        'run',
        '-d',
        '--name',
        name,
        '--restart',
        'always',
        IMG(),
        'sh',
        '-c',
        'echo start; sleep 1; exit 3',
      ]);
      await sleep(5000);
      const starts = out(['logs', name])
        .split('\n')
        .filter((l) => l === 'start').length;
      assert.ok(starts >= 2, `restarted ${starts} times`);
      out(['stop', name]);
      await sleep(3000);
      const after = out(['logs', name])
        .split('\n')
        .filter((l) => l === 'start').length;
      await sleep(2500);
      assert.equal(
        out(['logs', name])
          .split('\n')
          .filter((l) => l === 'start').length,
        after,
      );
    });

    it('--restart on-failure:2 stops after two retries', async () => {
      const name = uniqueName('onfail');
      out([
        'run',
        '-d',
        '--name',
        name,
        '--restart',
        'on-failure:2',
        IMG(),
        'sh',
        '-c',
        'echo try; exit 1',
      ]);
      const tries = (): number =>
        out(['logs', name])
          .split('\n')
          .filter((l) => l === 'try').length;
      const state = (): string =>
        out(['inspect', '--format', '{{.State.Status}} {{.RestartCount}}', name]).trim();
      // Wait for the policy's end rather than a fixed time: under load a retry takes seconds.
      const deadline = Date.now() + 60000;
      while (state() !== 'exited 2' && Date.now() < deadline) await sleep(250);
      assert.equal(state(), 'exited 2');
      assert.equal(tries(), 3);
      // And no fourth try comes later.
      await sleep(1500);
      assert.equal(state(), 'exited 2');
      assert.equal(tries(), 3);
    });

    it('--rm with --restart is refused', () => {
      const r = berth(['run', '--rm', '--restart', 'always', IMG(), 'true']);
      assert.equal(r.code, 125);
      assert.match(r.stderr, /Conflicting options: --restart and --rm/);
    });
  });

  describe('create/start/exec/wait/attach', () => {
    it('create + start -a returns the exit code; wait prints it', () => {
      const id = out(['create', IMG(), 'sh', '-c', 'echo hi; exit 5']).trim();
      const r = berth(['start', '-a', id]);
      assert.equal(r.code, 5);
      assert.equal(r.stdout, 'hi\n');
      assert.equal(out(['wait', id]), '5\n');
    });

    it('exec: exit code, env, workdir, user, stdin, 127', () => {
      const name = uniqueName('exec');
      out(['run', '-d', '--name', name, IMG(), 'sleep', '60']);
      assert.equal(berth(['exec', name, 'sh', '-c', 'exit 3']).code, 3);
      assert.equal(
        out([
          'exec',
          '-e',
          'X=1',
          '-w',
          '/tmp',
          '-u',
          '1000',
          name,
          'sh',
          '-c',
          'echo $X; pwd; id -u',
        ]),
        '1\n/tmp\n1000\n',
      );
      assert.equal(out(['exec', '-i', name, 'cat'], 'piped\n'), 'piped\n');
      const r = berth(['exec', name, 'nosuch']);
      assert.equal(r.code, 127);
      assert.match(r.stderr, /executable file not found/);
      assert.equal(berth(['exec', '-d', name, 'sleep', '1']).code, 0);
    });

    it('attach follows the output of a detached container', async () => {
      const id = out(['run', '-d', IMG(), 'sh', '-c', 'sleep 2; echo late; exit 7']).trim();
      const r = berth(['attach', id]);
      assert.equal(r.code, 7);
      assert.equal(r.stdout, 'late\n');
    });

    it('-di without -t: stdin stays open (Docker), attach feeds it, logs keep both streams', async () => {
      const name = uniqueName('di');
      const script =
        'echo started; while read l; do echo "got $l"; echo "err $l" >&2; done; echo eof';
      const d = berth(['run', '-di', '--name', name, IMG(), 'sh', '-c', script]);
      assert.equal(d.code, 0, d.stderr);
      const id = d.stdout.trim();
      const loggers = (): number =>
        spawnSync('pgrep', ['-f', `berth-logger.js .*${id}`], { encoding: 'utf8' })
          .stdout.split('\n')
          .filter(Boolean).length;
      try {
        await sleep(1000);
        // With stdin at EOF (Docker's -d without -i, or a binary logger) the loop would end.
        assert.equal(out(['inspect', '-f', '{{.State.Status}}', name]), 'running\n');
        const a = berthAsync(['attach', name]);
        a.child.stdin.write('one\ntwo\n');
        await sleep(1500);
        a.child.kill('SIGKILL');
        await a.done;
        const logs = berth(['logs', name]);
        assert.equal(logs.stdout, 'started\ngot one\ngot two\n');
        assert.equal(logs.stderr, 'err one\nerr two\n');
        assert.equal(out(['inspect', '-f', '{{.State.Status}}', name]), 'running\n');
        // stop/start: a new logger serves the new task's FIFOs; the old one has gone.
        assert.equal(berth(['stop', '-t', '1', name]).code, 0);
        assert.equal(berth(['start', name]).code, 0);
        await sleep(500);
        assert.equal(out(['inspect', '-f', '{{.State.Status}}', name]), 'running\n');
        assert.equal(loggers(), 1);
      } finally {
        berth(['rm', '-f', name]);
      }
      await sleep(500);
      assert.equal(loggers(), 0, 'the logger ends with the container');
    });

    it('run -it: Ctrl-P Ctrl-Q leaves the container running (exit 0), logged and attachable', () => {
      const name = uniqueName('itd');
      const pty = (cmd: string, input: string): string =>
        spawnSync('sh', ['-c', `(${input}) | script -qec "${cmd}; echo rc=\\$?" /dev/null`], {
          encoding: 'utf8',
          env: { ...process.env, BERTH_TOML: suiteToml() },
          timeout: 30_000,
        }).stdout;
      try {
        const first = pty(
          `${BIN} run -it --name ${name} ${IMG()} sh`,
          "sleep 1; printf 'echo one-$((0+1))\\r'; sleep 1; printf '\\020\\021'; sleep 2",
        );
        assert.match(first, /one-1\r/);
        assert.match(first, /rc=0\r/);
        assert.doesNotMatch(first, /read escape sequence/, 'run detaches silently, as Docker');
        assert.equal(out(['inspect', '-f', '{{.State.Status}}', name]), 'running\n');
        // The logger took over: output after the detach is still logged, attach reaches stdin.
        const again = pty(
          `${BIN} attach ${name}`,
          "printf 'echo two-$((1+1))\\n'; sleep 1.5; printf '\\020\\021'; sleep 2",
        );
        assert.match(again, /two-2\r/);
        assert.match(again, /rc=1\r/);
        assert.match(out(['logs', name]), /one-1[\s\S]*two-2/);
        // --detach-keys chooses other keys; a wrong spec is Docker's error.
        const bad = berth(['run', '--detach-keys', 'ctrl-', IMG(), 'true']);
        assert.equal(bad.code, 125);
        assert.match(bad.stderr, /Invalid detach keys \(ctrl-\) provided/);
      } finally {
        berth(['rm', '-f', name]);
      }
      assert.ok(
        !readdirSync('/run/berth/fifo').some((d) => d.startsWith('keep-')),
        'kept FIFOs go with rm',
      );
    });

    it('-dit: a shell keeps running; attach types into it and Ctrl-P Ctrl-Q detaches', () => {
      const name = uniqueName('dit');
      const d = berth(['run', '-dit', '--name', name, IMG(), 'sh'], { timeoutMs: 20_000 });
      assert.equal(d.code, 0, d.stderr);
      try {
        // In a real terminal: a command, then the detach keys after it has run.
        const typed = spawnSync(
          'sh',
          [
            '-c',
            `(printf 'echo hello-$((40+2))\\n'; sleep 1.5; printf '\\020\\021'; sleep 3) | script -qec "${BIN} attach ${name}; echo rc=\\$?" /dev/null`,
          ],
          { encoding: 'utf8', env: { ...process.env, BERTH_TOML: suiteToml() }, timeout: 30_000 },
        );
        assert.match(typed.stdout, /hello-42\r/);
        assert.match(typed.stdout, /read escape sequence\r\n/);
        assert.match(typed.stdout, /rc=1\r/);
        assert.equal(out(['inspect', '-f', '{{.State.Status}}', name]), 'running\n');
        assert.match(out(['logs', name]), /hello-42/);
        const bad = berth(['attach', '--detach-keys', 'ctrl-1', name]);
        assert.equal(bad.code, 125);
        assert.equal(bad.stderr, 'Invalid detach keys (ctrl-1) provided\n');
      } finally {
        berth(['rm', '-f', name]);
      }
    });
  });
});
