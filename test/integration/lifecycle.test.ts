// A container's life cycle does not depend on the berth process that started it, and nothing of
// it outlives the container: addresses and namespaces only while it runs, --rm and logging that
// survive a killed CLI, no orphan logger, concurrent start/restart that converge.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  berth as suiteBerth,
  berthAsync as suiteBerthAsync,
  ctr,
  ctrList,
  env,
  suiteToml,
  uniqueName,
  type Result,
  type RunOptions,
} from '../support/berth.js';

/**
 * The suite's settings with CNI configs of this file's own: the /29 network must not be pruned
 * by another run's `network prune` while its containers are created or exited.
 */
function privateToml(): string {
  const dir = join(env.dir, `net.d-${env.namespace}`);
  mkdirSync(dir, { recursive: true });
  const file = join(env.dir, `berth-${env.namespace}-lifecycle.toml`);
  const base = readFileSync(suiteToml(), 'utf8').replace(
    /^cni_netconfpath = .*$/m,
    `cni_netconfpath = ${JSON.stringify(dir)}`,
  );
  // Written beside and renamed: concurrent berth processes (8 starts at once) read it meanwhile,
  // and one that read it half-written went to the default containerd address.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, base);
  renameSync(tmp, file);
  return file;
}

const berth = (args: string[], opts: RunOptions = {}): Result =>
  suiteBerth(args, { ...opts, env: { BERTH_TOML: privateToml(), ...opts.env } });
const berthAsync = (args: string[], opts: RunOptions = {}) =>
  suiteBerthAsync(args, { ...opts, env: { BERTH_TOML: privateToml(), ...opts.env } });

const IMG = () => `${env.registry}/lab/busybox:latest`;

function ok(args: string[]): string {
  const r = berth(args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(what: string, cond: () => boolean, ms = 15000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const idOf = (name: string): string => ok(['inspect', '-f', '{{.Id}}', name]).trim();

/** Lines of /proc/mounts that belong to the container (rootfs, netns bind mount). */
function mountsOf(id: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.includes(id));
}

/** The container's network namespace mounts (nsfs; the exited task keeps its rootfs, as Docker). */
function netnsMountsOf(id: string): string[] {
  return mountsOf(id).filter((l) => l.split(' ')[2] === 'nsfs' || l.includes('/netns/'));
}

/** Processes whose command line names the container (its shim, its logger). */
function processesOf(id: string): string[] {
  const r = spawnSync('pgrep', ['-fa', id], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .filter((l) => !l.includes('pgrep'));
}

/** Addresses host-local holds on `network` (files named by the address). */
function heldAddresses(network: string): string[] {
  const dir = join(env.dataRoot, 'network', 'ipam', network);
  try {
    return readdirSync(dir).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
  } catch {
    return [];
  }
}

/** The address files that name this container as their holder. */
function addressesOf(network: string, id: string): string[] {
  const dir = join(env.dataRoot, 'network', 'ipam', network);
  return heldAddresses(network).filter((f) => {
    try {
      return readFileSync(join(dir, f), 'utf8').includes(id);
    } catch (err) {
      // Released between the listing and this read: not held.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  });
}

function statusOf(name: string): string {
  return ok(['inspect', '-f', '{{.State.Status}}', name]).trim();
}

function activeSnapshots(): string[] {
  return ctr(['snapshots', 'ls'])
    .stdout.split('\n')
    .filter((l) => /\bActive\b/.test(l));
}

/** A /29 of its own in 198.18.0.0/15: 5 addresses for containers besides the gateway. */
function smallSubnet(): string {
  const third = 160 + Math.floor(Math.random() * 90);
  const fourth = 8 * Math.floor(Math.random() * 31);
  return `198.18.${third}.${fourth}/29`;
}

describe('container life cycle', function () {
  this.timeout(180000);
  let net = '';

  before(() => {
    ctr(['images', 'pull', '--plain-http', IMG()]);
    for (let i = 0; i < 5; i++) {
      net = uniqueName('small');
      if (berth(['network', 'create', '--subnet', smallSubnet(), net]).code === 0) return;
    }
    assert.fail('no /29 test network could be created');
  });

  afterEach(() => {
    const ids = ctrList(['containers', 'ls']);
    if (ids.length) berth(['rm', '-f', ...ids]);
  });

  after(() => {
    berth(['network', 'rm', net]);
  });

  describe('addresses and network namespaces only while running', () => {
    it('a /29 network holds any number of created and exited containers', function () {
      // 14 containers made one after the other: minutes on a loaded 2-core machine.
      this.timeout(600000);
      const names: string[] = [];
      for (let i = 0; i < 7; i++) {
        const name = uniqueName('created');
        ok(['create', '--name', name, '--network', net, IMG(), 'true']);
        names.push(name);
      }
      for (let i = 0; i < 7; i++) {
        const name = uniqueName('exited');
        const r = berth(['run', '--name', name, '--network', net, IMG(), 'true']);
        assert.equal(r.code, 0, r.stderr);
        names.push(name);
      }
      assert.deepEqual(heldAddresses(net), [], 'addresses held by containers that do not run');
      for (const name of names) {
        const id = idOf(name);
        assert.deepEqual(netnsMountsOf(id), [], `netns mounts of ${name}`);
        assert.equal(existsSync(`/run/berth/netns/${env.namespace}-${id}`), false);
        assert.equal(ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', name]).trim(), '');
      }
      // Each still starts, with an address of the network, and gives it back when it exits.
      const first = names[7]!;
      const r = berth(['start', '-a', first]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(heldAddresses(net), []);
    });

    it('a detached container holds its address while it runs; stop and its own exit free it', async () => {
      const name = uniqueName('up');
      ok(['run', '-d', '--name', name, '--network', net, IMG(), 'sleep', '1000']);
      const id = idOf(name);
      assert.equal(addressesOf(net, id).length, 1);
      const ip = ok([
        'inspect',
        '-f',
        `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`,
        name,
      ]);
      assert.match(ip, /^198\.18\./);
      ok(['stop', '-t', '0', name]);
      assert.deepEqual(addressesOf(net, id), []);
      assert.deepEqual(
        mountsOf(id).filter((l) => l.includes('netns')),
        [],
      );
      ok(['start', name]);
      assert.equal(addressesOf(net, id).length, 1);
      ok(['rm', '-f', name]);

      // Nobody runs stop: the process watching the exit gives the address back.
      const short = uniqueName('short');
      ok(['run', '-d', '--name', short, '--network', net, IMG(), 'sh', '-c', 'sleep 1']);
      const sid = idOf(short);
      await until('the exit to release the address', () => addressesOf(net, sid).length === 0);
      await until('the netns to go', () => netnsMountsOf(sid).length === 0);
      assert.equal(statusOf(short), 'exited');
    });

    // The exit check gives the network back in CNI's order: DEL (the address) first, the netns
    // unmount last, a few hundred ms later on a busy machine. The address going is no sign that
    // the netns has gone too: wait for each.
    it('--restart on-failure: nothing held between runs or after the last', async () => {
      const name = uniqueName('retry');
      ok(
        ['run', '-d', '--name', name, '--network', net, '--restart', 'on-failure:2', IMG()].concat([
          'sh',
          '-c',
          'echo try; sleep 0.5; exit 1',
        ]),
      );
      const id = idOf(name);
      // Between runs at most one namespace and one address: none stacked on the run before's.
      let most = 0;
      await until(
        'three tries',
        () => {
          most = Math.max(most, netnsMountsOf(id).length, addressesOf(net, id).length);
          return (
            ok(['logs', name])
              .split('\n')
              .filter((l) => l === 'try').length === 3
          );
        },
        30000,
      );
      assert.ok(most <= 1, `${most} namespaces or addresses held at once`);
      await until('the last exit', () => statusOf(name) === 'exited');
      await until('the address to go', () => addressesOf(net, id).length === 0);
      await until('the netns to go', () => netnsMountsOf(id).length === 0);
      await sleep(1000);
      assert.deepEqual(netnsMountsOf(id), [], 'a namespace attached again after the last run');
      assert.deepEqual(addressesOf(net, id), []);
      assert.equal(statusOf(name), 'exited');
    });

    it('published ports are still refused while another container holds them, and freed at exit', () => {
      const port = String(20000 + Math.floor(Math.random() * 12000));
      const a = uniqueName('pa');
      ok([
        'run',
        '-d',
        '--name',
        a,
        '--network',
        net,
        '-p',
        `127.0.0.1:${port}:80`,
        IMG(),
        'sleep',
        '1000',
      ]);
      const b = berth(['run', '-d', '--network', net, '-p', `127.0.0.1:${port}:80`, IMG(), 'true']);
      assert.equal(b.code, 125);
      assert.match(b.stderr, /port is already allocated|address already in use/);
      ok(['stop', '-t', '0', a]);
      const c = berth([
        'run',
        '--rm',
        '--network',
        net,
        '-p',
        `127.0.0.1:${port}:80`,
        IMG(),
        'true',
      ]);
      assert.equal(c.code, 0, c.stderr);
      const again = berth(['start', a]);
      assert.equal(again.code, 0, again.stderr);
    });
  });

  describe('a container does not depend on the CLI process', () => {
    it('SIGKILL of a foreground run --rm still removes the container and all it held', async () => {
      const name = uniqueName('rmkill');
      const p = berthAsync([
        'run',
        '--rm',
        '--name',
        name,
        '--network',
        net,
        IMG(),
        'sh',
        '-c',
        'echo up; sleep 2',
      ]);
      await until('the container to print', () => p.stdout.includes('up'));
      const id = idOf(name);
      p.child.kill('SIGKILL');
      await p.done;
      await until('the removal', () => !ctrList(['containers', 'ls']).includes(id), 60000);
      assert.equal(ctrList(['tasks', 'ls']).includes(id), false, 'task left');
      await until('its processes to go', () => processesOf(id).length === 0);
      assert.deepEqual(mountsOf(id), [], 'rootfs or netns still mounted');
      assert.deepEqual(addressesOf(net, id), [], 'address still held');
      assert.deepEqual(
        activeSnapshots().filter((l) => l.includes(id)),
        [],
        'snapshot left',
      );
    });

    it('SIGKILL of a foreground run keeps its output logged', async () => {
      const name = uniqueName('logkill');
      const p = berthAsync([
        'run',
        '--name',
        name,
        IMG(),
        'sh',
        '-c',
        'echo one; sleep 1; echo two; sleep 1; echo three',
      ]);
      await until('the first line', () => p.stdout.includes('one'));
      p.child.kill('SIGKILL');
      await p.done;
      await until('the exit', () => statusOf(name) === 'exited');
      await sleep(300);
      assert.equal(ok(['logs', name]), 'one\ntwo\nthree\n');
    });

    it('the foreground output, exit code and log are as before', () => {
      const name = uniqueName('fg');
      const r = berth(['run', '--name', name, IMG(), 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(r.code, 3);
      assert.equal(r.stdout, 'out\n');
      assert.equal(r.stderr, 'err\n');
      const logs = berth(['logs', name]);
      assert.equal(logs.stdout, 'out\n');
      assert.equal(logs.stderr, 'err\n');
    });
  });

  describe('every failure of start removes what it started', () => {
    it('run -d of a missing binary leaves no logger, before and after rm -f', async () => {
      const name = uniqueName('nobin');
      const r = berth(['run', '-d', '--name', name, IMG(), 'nosuchbinary']);
      assert.equal(r.code, 127, r.stderr);
      const id = idOf(name);
      await until('no logger', () => processesOf(id).length === 0, 5000);
      ok(['rm', '-f', name]);
      assert.deepEqual(processesOf(id), []);
    });

    it('a logger whose shim is gone leaves', async () => {
      const name = uniqueName('noshim');
      ok(['run', '-d', '--name', name, IMG(), 'sleep', '1000']);
      const id = idOf(name);
      const shim = spawnSync(
        'pgrep',
        ['-f', `containerd-shim-runc-v2 -namespace ${env.namespace} -id ${id}`],
        {
          encoding: 'utf8',
        },
      ).stdout.trim();
      assert.match(shim, /^\d+$/);
      process.kill(Number(shim), 'SIGKILL');
      await until(
        'the logger to leave',
        () => processesOf(id).every((l) => !l.includes('berth-logger')),
        10000,
      );
    });

    it('start of a container created by ctr logs under data_root, never into /', async () => {
      const id = uniqueName('byctr');
      const c = ctr(['containers', 'create', IMG(), id, 'echo', 'from-ctr']);
      assert.equal(c.code, 0, c.stderr);
      const r = berth(['start', id]);
      assert.equal(r.code, 0, r.stderr);
      await until('the exit', () => statusOf(id) === 'exited');
      assert.equal(existsSync(`/${id}-json.log`), false, 'log written into /');
      assert.equal(ok(['logs', id]), 'from-ctr\n');
      ok(['rm', '-f', id]);
      assert.equal(existsSync(join(env.dataRoot, 'containers', env.namespace, id)), false);
    });
  });

  describe('concurrency, restarts, hung shims, ordering', () => {
    it('8 concurrent starts of one created container all succeed', async () => {
      const name = uniqueName('cstart');
      ok(['create', '--name', name, '--network', net, IMG(), 'sleep', '1000']);
      const rs = await Promise.all(
        Array.from({ length: 8 }, () => berthAsync(['start', name]).done),
      );
      for (const r of rs) {
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, '');
        assert.equal(r.stdout, `${name}\n`);
      }
      assert.equal(statusOf(name), 'running');
      assert.equal(addressesOf(net, idOf(name)).length, 1);
    });

    it('8 concurrent restarts of one container all succeed', async () => {
      const name = uniqueName('crestart');
      ok(['run', '-d', '--name', name, '--network', net, IMG(), 'sleep', '1000']);
      const rs = await Promise.all(
        Array.from({ length: 8 }, () => berthAsync(['restart', '-t', '0', name]).done),
      );
      for (const r of rs) {
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, '');
      }
      assert.equal(statusOf(name), 'running');
      assert.equal(addressesOf(net, idOf(name)).length, 1);
    });

    it('RestartCount counts the restarts a policy made', async () => {
      const name = uniqueName('count');
      ok([
        'run',
        '-d',
        '--name',
        name,
        '--restart',
        'always',
        IMG(),
        'sh',
        '-c',
        'echo s; sleep 0.5; exit 3',
      ]);
      await until(
        'two restarts',
        () =>
          ok(['logs', name])
            .split('\n')
            .filter((l) => l === 's').length >= 3,
        30000,
      );
      const count = Number(ok(['inspect', '-f', '{{.RestartCount}}', name]).trim());
      assert.ok(count >= 2, `RestartCount ${count}`);
    });

    it('a hung shim: stop, kill and rm -f fail with one Docker-like line in bounded time', function () {
      const name = uniqueName('hung');
      ok(['run', '-d', '--name', name, IMG(), 'sleep', '1000']);
      const id = idOf(name);
      const shim = Number(
        spawnSync(
          'pgrep',
          ['-f', `containerd-shim-runc-v2 -namespace ${env.namespace} -id ${id}`],
          {
            encoding: 'utf8',
          },
        ).stdout.trim(),
      );
      process.kill(shim, 'SIGSTOP');
      try {
        for (const args of [
          ['stop', '-t', '1', name],
          ['kill', name],
          ['rm', '-f', name],
        ]) {
          const t0 = Date.now();
          const r: Result = berth(args);
          const took = Date.now() - t0;
          assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
          assert.match(r.stderr, /^Error response from daemon: [^\n]*\n$/);
          assert.doesNotMatch(r.stderr, /Deadline exceeded after|LB pick|remote_addr|grpc/i);
          assert.ok(took < 20000, `${args[0]} took ${took} ms`);
        }
      } finally {
        process.kill(shim, 'SIGCONT');
      }
    });

    it('volume rm racing run -v never leaves a container without its volume', async () => {
      // volume rm lands at different points of the run's creation: before the volume is
      // resolved, between that and the container record, after it.
      for (let i = 0; i < 6; i++) {
        const vol = uniqueName('race');
        ok(['volume', 'create', vol]);
        const name = uniqueName('racer');
        const run = berthAsync([
          'run',
          '-d',
          '--name',
          name,
          '-v',
          `${vol}:/data`,
          IMG(),
          'sleep',
          '1000',
        ]);
        await sleep(120 + 60 * i);
        const rm = await berthAsync(['volume', 'rm', vol]).done;
        const r = await run.done;
        assert.equal(r.code, 0, r.stderr);
        assert.equal(statusOf(name), 'running');
        if (rm.code !== 0) {
          assert.equal(rm.code, 1);
          assert.match(rm.stderr, /volume is in use/);
        }
        assert.equal(
          berth(['volume', 'inspect', vol]).code,
          0,
          'the volume the container uses is gone',
        );
        ok(['rm', '-f', '-v', name]);
        berth(['volume', 'rm', vol]);
      }
    });

    it('stdout then stderr a moment apart are logged in that order (-d)', async () => {
      // The detached logger reads the shim's pipes as data arrives. (Attached runs go through
      // the shim's FIFO copies, one goroutine per stream, which can swap two writes microseconds
      // apart: Docker's own runs do, -d included.)
      const names: string[] = [];
      for (let i = 0; i < 6; i++) {
        const name = uniqueName('order');
        ok([
          'run',
          '-d',
          '--name',
          name,
          '--network',
          'none',
          IMG(),
          'sh',
          '-c',
          'echo started; echo warn >&2',
        ]);
        names.push(name);
      }
      for (const name of names) {
        await until('the exit', () => statusOf(name) === 'exited');
        const r = berth(['logs', '--tail', '1', name]);
        assert.equal(r.stdout + r.stderr, 'warn\n', name);
      }
    });
  });
});
