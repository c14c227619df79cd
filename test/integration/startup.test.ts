// How bin/berth starts (docs/startup.md): the agent's workers, their private socket, the
// fallbacks, and a package moved away from where it was built.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, env, ROOT, suiteToml } from '../support/berth.js';

const IMG = (): string => `${env.registry}/lab/busybox:latest`;
const startPath = (r: { stdout: string }): string | undefined =>
  /^ Start-up: (\w+)/m.exec(r.stdout)?.[1];

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
});
