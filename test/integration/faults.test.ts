// containerd restarted under running containers: they keep running, berth sees them again, and
// their logs and removal still work. Uses a containerd of the test's own.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, env, type Result } from '../support/berth.js';

describe('faults: containerd restarted while containers run', function () {
  this.timeout(120000);
  const dir = mkdtempSync(join(tmpdir(), 'berth-fault-'));
  const sock = join(dir, 'c.sock');
  const toml = join(dir, 'berth.toml');
  const ns = `${env.namespace}-fault`;
  const run = (args: string[]): Result => berth(args, { env: { BERTH_TOML: toml } });
  const sys = (verb: string): Result => run(['system', verb, '--state-dir', join(dir, 'state')]);

  before(() => {
    writeFileSync(
      toml,
      [
        `address = ${JSON.stringify(sock)}`,
        `namespace = ${JSON.stringify(ns)}`,
        `data_root = ${JSON.stringify(join(dir, 'data'))}`,
        'bridge_ip = "198.18.0.0/24"',
        `cni_netconfpath = ${JSON.stringify(join(dir, 'net.d'))}`,
        '',
      ].join('\n'),
    );
    assert.equal(sys('start').code, 0);
  });

  after(() => {
    run(['rm', '-f', 'survivor']);
    sys('stop');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a detached container survives, is listed, logs and can be removed', () => {
    const img = `${env.registry}/lab/busybox:latest`;
    const d = run([
      'run',
      '-d',
      '--name',
      'survivor',
      '--network',
      'none',
      img,
      'sh',
      '-c',
      'echo before; while true; do sleep 0.2; done',
    ]);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(sys('stop').code, 0);
    const down = run(['ps']);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^cannot connect to containerd at /);
    assert.equal(sys('start').code, 0);
    const ps = run(['ps', '--format', '{{.Names}} {{.Status}}']);
    assert.equal(ps.code, 0, ps.stderr);
    assert.match(ps.stdout, /^survivor Up /);
    assert.equal(run(['logs', 'survivor']).stdout, 'before\n');
    const rm = run(['rm', '-f', 'survivor']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(run(['ps', '-a', '-q']).stdout, '');
  });
});
