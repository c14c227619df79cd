// containerd restarted under running containers: they keep running, berth sees them again, and
// their logs and removal still work. Uses a containerd of the test's own.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, berthAsync, ctr, env, type Result } from '../support/berth.js';

/**
 * A containerd of the test's own (berth system start under a temp dir) and a berth.toml that
 * points berth at it, for tests that stop and start containerd.
 */
function privateContainerd(prefix: string, namespace: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const toml = join(dir, 'berth.toml');
  const run = (args: string[]): Result => berth(args, { env: { BERTH_TOML: toml } });
  const sys = (verb: string): Result => run(['system', verb, '--state-dir', join(dir, 'state')]);
  return {
    run,
    sys,
    start(): void {
      writeFileSync(
        toml,
        [
          `address = ${JSON.stringify(join(dir, 'c.sock'))}`,
          `namespace = ${JSON.stringify(namespace)}`,
          `data_root = ${JSON.stringify(join(dir, 'data'))}`,
          'bridge_ip = "198.18.0.0/24"',
          `cni_netconfpath = ${JSON.stringify(join(dir, 'net.d'))}`,
          '',
        ].join('\n'),
      );
      assert.equal(sys('start').code, 0);
    },
    /** Removes `containers`, stops containerd and deletes everything. */
    stop(...containers: string[]): void {
      if (containers.length) run(['rm', '-f', ...containers]);
      sys('stop');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('faults: containerd restarted while containers run', function () {
  this.timeout(120000);
  const { run, sys, start, stop } = privateContainerd('berth-fault-', `${env.namespace}-fault`);
  before(start);
  after(() => stop('survivor'));

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

describe('faults: containerd restarted while a published container runs', function () {
  this.timeout(120000);
  const { run, sys, start, stop } = privateContainerd(
    'berth-fault-net-',
    `${env.namespace}-faultnet`,
  );
  before(start);
  after(() => stop('web'));

  it('the published port is still served after the restart, and released by rm', async () => {
    // Below Linux's ephemeral range (32768+), where outgoing connections take their ports; berth
    // refuses a port something else holds, so a taken one is simply tried again.
    let port = 0;
    let d: Result | undefined;
    for (let i = 0; i < 5 && !(d?.code === 0); i++) {
      port = 20000 + Math.floor(Math.random() * 12000);
      d = run([
        'run',
        '-d',
        '--name',
        'web',
        '-p',
        `127.0.0.1:${port}:80`,
        `${env.registry}/lab/busybox:latest`,
        'sh',
        '-c',
        'mkdir /www && echo still-here > /www/index.html && exec httpd -f -p 80 -h /www',
      ]);
      if (d.code !== 0 && !/address already in use/.test(d.stderr)) break;
    }
    assert.equal(d?.code, 0, d?.stderr);
    assert.equal(await fetchText(port), 'still-here\n');
    assert.equal(sys('stop').code, 0);
    assert.equal(sys('start').code, 0);
    assert.equal(await fetchText(port), 'still-here\n');
    assert.equal(run(['rm', '-f', 'web']).code, 0);
    await assert.rejects(fetchText(port, 1));
  });
});

async function fetchText(port: number, tries = 20): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
      return await res.text();
    } catch (err) {
      if (i + 1 >= tries) throw err;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

describe('faults: a full disk for logs', function () {
  this.timeout(120000);
  const dir = mkdtempSync(join(tmpdir(), 'berth-fulldisk-'));
  const toml = join(dir, 'berth.toml');

  before(() => {
    // A data root on a tiny tmpfs: the container's json log cannot grow.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', join(dir)]);
    writeFileSync(
      toml,
      [
        `address = ${JSON.stringify(env.address)}`,
        `namespace = ${JSON.stringify(env.namespace)}`,
        `data_root = ${JSON.stringify(join(dir, 'data'))}`,
        '',
      ].join('\n'),
    );
  });

  after(() => {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the output still reaches the terminal and one warning says the log is not written', () => {
    const r = berth(
      [
        'run',
        '--rm',
        '--network',
        'none',
        `${env.registry}/lab/busybox:latest`,
        'sh',
        '-c',
        'i=0; while [ $i -lt 3000 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done',
      ],
      { env: { BERTH_TOML: toml } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n').length, 3001);
    const warnings = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('WARNING: cannot write the container log'));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /no space left on device; output is not being logged$/);
  });
});

describe('faults: berth killed between CNI ADD and the container', function () {
  this.timeout(120000);
  const dir = mkdtempSync(join(tmpdir(), 'berth-cnikill-'));
  const cni = join(dir, 'cni');
  const ns = env.namespace;

  before(() => {
    // The real plugins, except portmap (last in the chain when a port is published): it reports
    // that bridge and host-local are done, then waits to be killed with its berth.
    mkdirSync(cni);
    for (const p of ['bridge', 'host-local', 'loopback', 'tuning', 'firewall'])
      if (existsSync(`/usr/lib/cni/${p}`)) symlinkSync(`/usr/lib/cni/${p}`, join(cni, p));
    writeFileSync(
      join(cni, 'portmap'),
      `#!/bin/sh\necho $$ > ${join(dir, 'portmap.pid')}\nexec sleep 60\n`,
      { mode: 0o755 },
    );
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('Ctrl-C while the network is set up: berth undoes everything and exits 130', async () => {
    // portmap that says it has started, takes a second, then answers like the real one.
    const slow = join(dir, 'cni-slow');
    mkdirSync(slow);
    for (const p of ['bridge', 'host-local', 'loopback'])
      if (existsSync(`/usr/lib/cni/${p}`)) symlinkSync(`/usr/lib/cni/${p}`, join(slow, p));
    const started = join(dir, 'slow.started');
    writeFileSync(
      join(slow, 'portmap'),
      [
        `#!${process.execPath}`,
        `require('fs').writeFileSync(${JSON.stringify(started)}, '');`,
        "let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () =>",
        '  setTimeout(() => { const c = JSON.parse(s); process.stdout.write(JSON.stringify(c.prevResult ?? {})); }, 1000));',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const name = `ctrlc-${Date.now()}`;
    // Everything of this namespace a run may leave on the host (netns files, CNI state dirs, IPAM
    // leases and port reservations that name a container), listed before and compared after.
    const state = (): string =>
      spawnSync(
        'sh',
        [
          '-c',
          `ls /run/berth/netns 2>/dev/null | grep '^${ns}-'; find ${join(env.dataRoot, 'network')} -name '*${ns}-*' 2>/dev/null; grep -rlE -- '${ns}-[0-9a-f]{64}' ${join(env.dataRoot, 'network')} 2>/dev/null; true`,
        ],
        { encoding: 'utf8' },
      )
        .stdout.split('\n')
        .sort()
        .join('\n');
    const before = { containers: ctr(['containers', 'ls', '-q']).stdout, host: state() };
    const p = berthAsync([
      '--cni-path',
      slow,
      'run',
      '--rm',
      '--name',
      name,
      '-p',
      '127.0.0.1:18932:80',
      `${env.registry}/lab/busybox:latest`,
      'sleep',
      '60',
    ]);
    for (let i = 0; i < 100 && !existsSync(started); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(started), `portmap was never reached: ${p.stderr}`);
    p.child.kill('SIGINT');
    const r = await p.done;
    assert.equal(r.code, 130, r.stderr);
    assert.doesNotMatch(r.stderr, /Error/);
    assert.equal(ctr(['containers', 'ls', '-q']).stdout, before.containers, 'no container');
    assert.equal(state(), before.host, 'no netns, address, port reservation or CNI cache');
    assert.doesNotMatch(ctr(['leases', 'ls']).stdout, /berth\/create-pid/);
    assert.deepEqual(
      readdirSync('/run/berth/fifo').filter((d) => d.startsWith(`${p.child.pid}-`)),
      [],
    );
  });

  it('leaves a netns, an address and a port reservation that rm/prune sweep away', async () => {
    const netns = (): string[] =>
      existsSync('/run/berth/netns')
        ? readdirSync('/run/berth/netns').filter((n) => n.startsWith(`${ns}-`))
        : [];
    const before = new Set(netns());
    const p = berthAsync([
      '--cni-path',
      cni,
      'run',
      '-d',
      '-p',
      '127.0.0.1:18931:80',
      `${env.registry}/lab/busybox:latest`,
      'sleep',
      '60',
    ]);
    const pidFile = join(dir, 'portmap.pid');
    for (let i = 0; i < 100 && !existsSync(pidFile); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(pidFile), `portmap was never reached: ${p.stderr}`);
    p.child.kill('SIGKILL');
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    await p.done;

    const added = netns().filter((n) => !before.has(n));
    assert.equal(added.length, 1, 'the killed run left its network namespace');
    const id = added[0]!.slice(`${ns}-`.length);
    const cniId = `${ns}-${id}`;
    const grep = (sub: string): string =>
      spawnSync('grep', ['-rl', '--', cniId, join(env.dataRoot, 'network', sub)], {
        encoding: 'utf8',
      }).stdout;
    assert.notEqual(grep('ipam'), '', 'an address is leased');
    assert.notEqual(grep('ports'), '', 'the host port is reserved');
    // containerd never got a container for it, so nothing names it...
    assert.doesNotMatch(ctr(['containers', 'ls', '-q']).stdout, new RegExp(id));
    // ...and the next rm (of anything) or container prune sweeps it up.
    assert.equal(berth(['rm', '-f', 'no-such-container-here']).code, 0);
    assert.deepEqual(
      netns().filter((n) => !before.has(n)),
      [],
    );
    assert.equal(grep('ipam'), '');
    assert.equal(grep('ports'), '');
    assert.ok(!existsSync(join(env.dataRoot, 'network', 'containers', cniId)));
    assert.ok(!existsSync(join(env.dataRoot, 'containers', ns, id)));
    assert.doesNotMatch(ctr(['leases', 'ls']).stdout, /berth\/create-pid/);
    assert.doesNotMatch(ctr(['snapshots', 'ls']).stdout, new RegExp(id));
  });
});
