// Issue 16's small differences from Docker: each checked against what docker 20.10 does.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { berth, BIN, env, hasTestEnv, suiteToml, uniqueName } from '../support/berth.js';

const IMG = (): string => `${env.registry}/lab/busybox:latest`;

describe('issue 16: small differences, as Docker', function () {
  this.timeout(180000);
  const names: string[] = [];
  const net = uniqueName('small-net');

  before(function () {
    if (!hasTestEnv()) this.skip();
  });

  after(() => {
    if (!hasTestEnv()) return;
    if (names.length) berth(['rm', '-f', ...names]);
    berth(['network', 'rm', net]);
  });

  it('--cpus 0 means no CPU limit (NanoCpus 0), not an error', () => {
    const name = uniqueName('small-cpus');
    names.push(name);
    const r = berth(['create', '--network', 'none', '--cpus', '0', '--name', name, IMG()]);
    assert.equal(r.code, 0, r.stderr);
    const i = berth(['inspect', '-f', '{{.HostConfig.NanoCpus}}', name]);
    assert.equal(i.stdout.trim(), '0');
  });

  it("-l '' and -l =x are refused with docker's words, exit 125, nothing created", () => {
    for (const v of ['', '=x', ' ']) {
      const name = uniqueName('small-label');
      const r = berth(['create', '--network', 'none', '--name', name, '-l', v, IMG()]);
      assert.equal(r.code, 125);
      assert.match(
        r.stderr,
        new RegExp(
          `invalid argument "${v}" for "-l, --label" flag: invalid label '${v}': empty name`,
        ),
      );
      assert.notEqual(berth(['inspect', name]).code, 0, 'a container was created');
    }
  });

  it('-p HOST:0 runs and shows the mapping, as Docker does', () => {
    assert.equal(berth(['network', 'create', '--subnet', '198.18.93.0/24', net]).code, 0);
    const name = uniqueName('small-port0');
    names.push(name);
    const r = berth([
      'run',
      '-d',
      '--network',
      net,
      '-p',
      '18093:0',
      '--name',
      name,
      IMG(),
      'sleep',
      '60',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(berth(['port', name]).stdout.trim(), '0/tcp -> 0.0.0.0:18093');
  });

  it("--network host gives the container the host's hostname", () => {
    const r = berth(['run', '--rm', '--network', 'host', IMG(), 'hostname']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), hostname());
    const h = berth(['run', '--rm', '--network', 'host', '-h', 'given', IMG(), 'hostname']);
    assert.equal(h.stdout.trim(), 'given');
  });

  it('a user who may not use the socket gets one permission line (run: 126), no EACCES text', function () {
    if (process.getuid?.() !== 0) this.skip();
    const dir = mkdtempSync(path.join(tmpdir(), 'berth-perm-'));
    try {
      chmodSync(dir, 0o755);
      const toml = path.join(dir, 'berth.toml');
      copyFileSync(suiteToml(), toml);
      chmodSync(toml, 0o644);
      const as = (args: string[]) =>
        spawnSync(
          'setpriv',
          // The address as a flag: the suite's temp dir (and the TOML in it) may be closed to
          // other users, and berth would then fall back to the default socket.
          [
            '--reuid',
            '65534',
            '--regid',
            '65534',
            '--clear-groups',
            BIN,
            '--address',
            env.address,
            ...args,
          ],
          {
            encoding: 'utf8',
            cwd: dir,
            env: { PATH: process.env.PATH, HOME: dir, BERTH_TOML: toml, BERTH_NO_AGENT: '1' },
          },
        );
      const line = `permission denied while trying to connect to containerd at ${env.address}`;
      const ps = as(['ps']);
      assert.equal(ps.status, 1);
      assert.equal(ps.stderr.trim(), line);
      const run = as(['run', '--rm', IMG(), 'true']);
      assert.equal(run.status, 126, run.stderr);
      assert.equal(run.stderr.split('\n')[0], `berth: ${line}`);
      assert.doesNotMatch(run.stderr + ps.stderr, /EACCES|is containerd running/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
