// Issue 16's small differences from Docker: each checked against what docker 20.10 does.
import { strict as assert } from 'node:assert';
import { hostname } from 'node:os';
import { berth, env, hasTestEnv, uniqueName } from '../support/berth.js';

const IMG = (): string => `${env.registry}/lab/busybox:latest`;

describe('issue 16: small differences, as Docker', function () {
  this.timeout(180000);
  const names: string[] = [];
  const net = uniqueName('small-net');

  before(function () {
    if (!hasTestEnv()) this.skip();
  });

  after(() => {
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
});
