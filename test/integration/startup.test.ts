// How bin/berth starts (docs/startup.md): the agent's workers, their private socket, the
// fallbacks, and a package moved away from where it was built.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, berthAsync, env, ROOT, suiteToml, uniqueName } from '../support/berth.js';

const IMG = (): string => `${env.registry}/lab/busybox:latest`;
const startPath = (r: { stdout: string }): string | undefined =>
  /^ Start-up: (\w+)/m.exec(r.stdout)?.[1];

/** A process's state letter: T when stopped (Ctrl-Z), '' once gone. */
function procState(pid: number): string {
  try {
    return /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}

/** The other processes writing to this one's stdout: the agent's worker running its command. */
function writersOf(pid: number): number[] {
  const out = readlinkSync(`/proc/${pid}/fd/1`);
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e) && Number(e) !== pid)
    .filter((e) => {
      try {
        return readlinkSync(`/proc/${e}/fd/1`) === out;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await sleep(50)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

function runtimeDir(): string {
  const x = process.env.XDG_RUNTIME_DIR;
  return x ? join(x, 'berth') : `/tmp/berth-${process.getuid!()}`;
}

describe('start-up (agent, snapshot, plain)', function () {
  this.timeout(120_000);

  it('runs commands in a warm worker, reachable only by its user', () => {
    const r = berth(['info']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(startPath(r), 'agent');
    const dir = runtimeDir();
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const sockets = readdirSync(dir).filter((e) => e.endsWith('.sock'));
    assert.ok(sockets.length > 0);
    for (const s of sockets) assert.equal(statSync(join(dir, s)).mode & 0o777, 0o600);
  });

  it('BERTH_NO_AGENT=1 starts node from the snapshot, as before the agent', () => {
    const r = berth(['info'], { env: { BERTH_NO_AGENT: '1' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(startPath(r), 'snapshot');
  });

  it('passes the exit code, the environment and stdin through', () => {
    const bad = berth(['inspect', 'no-such-container-startup']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /no-such-container-startup/);
    const ns = berth(['info'], { env: { CONTAINERD_NAMESPACE: 'startup-env-check' } });
    assert.match(ns.stdout, /^ Namespace: startup-env-check$/m);
    const echoed = berth(['run', '-i', '--rm', '--network', 'none', IMG(), 'cat'], {
      input: 'through the agent\n',
    });
    assert.equal(echoed.code, 0, echoed.stderr);
    assert.equal(echoed.stdout, 'through the agent\n');
  });

  it('a package moved elsewhere remakes its snapshot once, then uses the agent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-moved-'));
    try {
      for (const e of ['bin', 'dist', 'scripts', 'package.json', 'oclif.manifest.json']) {
        cpSync(join(ROOT, e), join(dir, e), { recursive: true });
      }
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      mkdirSync(join(dir, 'link'));
      // Through a symlink on PATH, as `ln -s …/bin/berth /usr/local/bin/berth` makes.
      symlinkSync(join(dir, 'bin', 'berth'), join(dir, 'link', 'berth'));
      const run = (): ReturnType<typeof spawnSync> =>
        spawnSync(join(dir, 'link', 'berth'), ['info'], {
          encoding: 'utf8',
          env: { ...process.env, BERTH_TOML: suiteToml() },
        });
      const first = run();
      assert.equal(first.status, 0, String(first.stderr));
      assert.match(String(first.stderr), /making the start-up snapshot for /);
      assert.equal(startPath({ stdout: String(first.stdout) }), 'agent');
      const second = run();
      assert.equal(second.status, 0, String(second.stderr));
      assert.equal(String(second.stderr), '');
      assert.equal(startPath({ stdout: String(second.stdout) }), 'agent');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Ctrl-Z: under Docker's sig-proxy (attached, no -t) SIGTSTP goes to the container and the CLI
  // keeps running (docker/cli's ForwardAllSignals); any other command stops as a whole, as a
  // plain process does, and SIGCONT (fg/bg) resumes it.
  for (const agent of [true, false]) {
    const mode = agent ? 'agent' : 'BERTH_NO_AGENT=1';
    const opts = { job: true, env: agent ? {} : { BERTH_NO_AGENT: '1' } };

    it(`SIGTSTP to an attached run without -t goes to the container (${mode})`, async () => {
      const script =
        'trap "echo got-tstp" TSTP; echo ready; i=0; while [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done; exit 3';
      const p = berthAsync(['run', '--rm', '--network', 'none', IMG(), 'sh', '-c', script], opts);
      const pid = p.child.pid!;
      try {
        await until('the container', () => p.stdout.includes('ready'));
        process.kill(pid, 'SIGTSTP');
        await until('the trap', () => p.stdout.includes('got-tstp'), 10_000);
        assert.notEqual(procState(pid), 'T', 'berth stopped instead of forwarding SIGTSTP');
        const r = await p.done;
        assert.equal(r.code, 3, r.stderr);
        assert.equal(r.stdout, 'ready\ngot-tstp\n');
      } finally {
        if (procState(pid)) {
          process.kill(pid, 'SIGCONT');
          process.kill(pid, 'SIGKILL');
        }
      }
    });

    it(`SIGTSTP stops any other command whole; SIGCONT resumes it (${mode})`, async () => {
      const name = uniqueName('tstp');
      const started = berth([
        'run',
        '-d',
        '--name',
        name,
        '--network',
        'none',
        IMG(),
        'sh',
        '-c',
        'while :; do echo tick; sleep 0.05; done',
      ]);
      assert.equal(started.code, 0, started.stderr);
      const p = berthAsync(['logs', '-f', name], opts);
      const pid = p.child.pid!;
      try {
        await until('the first lines', () => p.stdout.length > 20);
        const workers = agent ? writersOf(pid) : [];
        assert.equal(workers.length, agent ? 1 : 0, `writers of berth's stdout: ${workers}`);
        process.kill(pid, 'SIGTSTP');
        await until(
          'berth to stop',
          () => [pid, ...workers].every((w) => procState(w) === 'T'),
          10_000,
        );
        await sleep(300);
        const seen = p.stdout.length;
        await sleep(1000);
        assert.equal(p.stdout.length, seen, 'output went on while the command was stopped');
        assert.ok(
          [pid, ...workers].every((w) => procState(w) === 'T'),
          'resumed by itself',
        );
        process.kill(pid, 'SIGCONT');
        await until('output again', () => p.stdout.length > seen, 10_000);
        assert.ok([pid, ...workers].every((w) => procState(w) !== 'T'));
        assert.equal(berth(['rm', '-f', name]).code, 0);
        const r = await p.done;
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, '');
        assert.match(r.stdout, /^(tick\n)+$/);
      } finally {
        if (procState(pid)) {
          process.kill(pid, 'SIGCONT');
          process.kill(pid, 'SIGKILL');
        }
        berth(['rm', '-f', name]);
      }
    });
  }
});
