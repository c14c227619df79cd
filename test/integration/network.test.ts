// Networking: `network` commands, and the library (setupContainerNetwork/teardown) driven
// directly with containers started by `ctr run --with-ns network:<path>`, since `run` is wired
// separately. Real traffic only goes to 127.0.0.1 and to the test's own containers; all
// subnets are in 198.18.0.0/15.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, berthAsync, ctr, env, hasTestEnv, uniqueName } from '../support/berth.js';
import {
  netnsPath,
  setupContainerNetwork,
  teardownContainerNetwork,
  type SetupOptions,
} from '../../src/network/index.js';

const IMAGE = () => `${env.registry}/lab/busybox:latest`;

function sh(cmd: string): string {
  return spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout;
}

describe('network', function () {
  this.timeout(120000);
  let dir: string;
  let toml: string;
  let settings: SetupOptions['settings'];
  const ns = () => env.namespace;
  const run = (args: string[]) => berth(args, { env: { BERTH_TOML: toml } });
  const started: string[] = [];

  before(function () {
    if (!hasTestEnv() || process.getuid?.() !== 0) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'berth-net-'));
    const netconf = join(dir, 'net.d');
    const dataRoot = join(dir, 'data');
    mkdirSync(netconf, { recursive: true });
    toml = join(dir, 'berth.toml');
    writeFileSync(
      toml,
      [
        `address = ${JSON.stringify(env.address)}`,
        `namespace = ${JSON.stringify(env.namespace)}`,
        `data_root = ${JSON.stringify(dataRoot)}`,
        `cni_netconfpath = ${JSON.stringify(netconf)}`,
        `cni_path = "/usr/lib/cni"`,
        `bridge_ip = "198.18.0.0/24"`,
        '',
      ].join('\n'),
    );
    settings = {
      cniPath: '/usr/lib/cni',
      cniNetconfPath: netconf,
      dataRoot,
      bridgeIp: '198.18.0.0/24',
      hostGatewayIp: '',
    };
    const pull = ctr(['images', 'pull', '--plain-http', IMAGE()]);
    assert.equal(pull.code, 0, pull.stderr);
  });

  after(async function () {
    if (!dir) return;
    for (const id of started) {
      ctr(['tasks', 'kill', '-s', 'KILL', id]);
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const id of started) {
      ctr(['tasks', 'rm', '-f', id]);
      ctr(['containers', 'rm', id]);
      await teardownContainerNetwork({ settings, namespace: ns(), containerId: id }).catch(
        () => undefined,
      );
    }
    for (const n of readdirSync(settings.cniNetconfPath)) {
      const c = JSON.parse(readFileSync(join(settings.cniNetconfPath, n), 'utf8'));
      if (c.berth?.bridge && c.name !== 'bridge') spawnSync('ip', ['link', 'del', c.berth.bridge]);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  function opts(id: string, extra: Partial<SetupOptions> = {}): SetupOptions {
    return {
      settings,
      namespace: ns(),
      containerId: id,
      networks: ['bridge'],
      attach: true,
      hostname: id.slice(0, 12),
      stateDir: join(dir, 'state', id),
      ...extra,
    };
  }

  /** Starts busybox in the prepared netns with the network files mounted, like `run` will. */
  /** netns: a path to join, 'host', or 'new' for a namespace runc makes (`--network none`). */
  function startTask(id: string, stateDir: string, netns: string, args: string[]): void {
    const mounts = ['hosts', 'resolv.conf', 'hostname'].flatMap((f) => [
      '--mount',
      `type=bind,src=${join(stateDir, f)},dst=/etc/${f},options=rbind:ro`,
    ]);
    const nsArgs =
      netns === 'host' ? ['--net-host'] : netns === 'new' ? [] : ['--with-ns', `network:${netns}`];
    const r = ctr(['run', '-d', ...nsArgs, ...mounts, IMAGE(), id, ...args]);
    assert.equal(r.code, 0, r.stderr);
    started.push(id);
  }

  function exec(
    id: string,
    args: string[],
  ): { code: number | null; stdout: string; stderr: string } {
    return ctr(['tasks', 'exec', '--exec-id', uniqueName('x'), id, ...args]);
  }

  async function stop(id: string): Promise<void> {
    ctr(['tasks', 'kill', '-s', 'KILL', id]);
    for (let i = 0; i < 50 && ctr(['tasks', 'rm', id]).code !== 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    ctr(['containers', 'rm', id]);
    started.splice(started.indexOf(id), 1);
  }

  /** Everything setup may leave on the host for `id`. */
  function leftovers(id: string): string[] {
    const out: string[] = [];
    const cniId = `${ns()}-${id}`;
    if (sh('iptables-save').includes(cniId)) out.push('iptables rule');
    if (existsSync(netnsPath(ns(), id))) out.push('netns file');
    if (readFileSync('/proc/self/mountinfo', 'utf8').includes(netnsPath(ns(), id)))
      out.push('netns mount');
    if (existsSync(join(settings.dataRoot, 'network', 'containers', cniId))) out.push('cni cache');
    const ipam = join(settings.dataRoot, 'network', 'ipam');
    if (existsSync(ipam) && sh(`grep -rl -- '${cniId}' ${ipam} 2>/dev/null`).trim())
      out.push('ipam lease');
    const ports = join(settings.dataRoot, 'network', 'ports');
    if (existsSync(ports) && sh(`grep -rl -- '${cniId}' ${ports} 2>/dev/null`).trim())
      out.push('port reservation');
    return out;
  }

  describe('commands', () => {
    it('create / ls / inspect / rm a user network', () => {
      const name = uniqueName('n');
      const c = run(['network', 'create', '--subnet', '198.18.10.0/24', '--label', 'a=b', name]);
      assert.equal(c.code, 0, c.stderr);
      const id = c.stdout.trim();
      assert.match(id, /^[0-9a-f]{64}$/);
      const dup = run(['network', 'create', '--subnet', '198.18.11.0/24', name]);
      assert.equal(dup.code, 1);
      assert.match(dup.stderr, /already exists/);

      const ls = run(['network', 'ls']);
      assert.equal(ls.code, 0, ls.stderr);
      assert.match(ls.stdout, /^NETWORK ID +NAME +DRIVER +SCOPE\n/);
      for (const n of ['bridge', 'host', 'none', name])
        assert.match(ls.stdout, new RegExp(`\\s${n}\\s`));
      assert.match(ls.stdout, new RegExp(`${id.slice(0, 12)} +${name} +bridge +local`));
      assert.ok(run(['network', 'ls', '-q']).stdout.split('\n').includes(id.slice(0, 12)));
      assert.equal(
        run(['network', 'ls', '-f', `name=${name}`, '--format', '{{.Name}} {{.Driver}}']).stdout,
        `${name} bridge\n`,
      );
      assert.equal(
        run(['network', 'ls', '-f', 'label=a=b', '--format', '{{.Name}}']).stdout,
        `${name}\n`,
      );
      // docker/cli prints Created with Go's time.Time String().
      assert.match(
        run(['network', 'ls', '-f', `name=${name}`, '--format', '{{.CreatedAt}}']).stdout,
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC\n$/,
      );
      const bad = run(['network', 'ls', '-f', 'color=red']);
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, "Error response from daemon: invalid filter 'color'\n");
      const malformed = run(['network', 'ls', '-f', 'color']);
      assert.equal(malformed.code, 125);
      assert.match(
        malformed.stderr,
        /^invalid argument "color" for "-f, --filter" flag: bad format of filter \(expected name=value\)/,
      );

      const insp = run(['network', 'inspect', name]);
      assert.equal(insp.code, 0, insp.stderr);
      const [j] = JSON.parse(insp.stdout);
      assert.equal(j.Name, name);
      assert.equal(j.Id, id);
      assert.equal(j.Driver, 'bridge');
      assert.equal(j.Scope, 'local');
      assert.equal(j.EnableIPv6, false);
      assert.deepEqual(j.IPAM.Config, [{ Subnet: '198.18.10.0/24', Gateway: '198.18.10.1' }]);
      assert.deepEqual(j.Labels, { a: 'b' });
      assert.deepEqual(j.Containers, {});
      assert.equal(
        run(['network', 'inspect', '-f', '{{.Name}}', id.slice(0, 10)]).stdout,
        `${name}\n`,
      );
      const badTemplate = run(['network', 'inspect', '-f', '{{.Name', name]);
      assert.equal(badTemplate.code, 64, badTemplate.stderr);
      assert.equal(badTemplate.stderr, 'template parsing error: template: :1: unclosed action\n');
      assert.equal(badTemplate.stdout, '');
      assert.ok(existsSync(join(settings.cniNetconfPath, `berth-${name}.conflist`)));

      const rm = run(['network', 'rm', name]);
      assert.equal(rm.code, 0, rm.stderr);
      assert.equal(rm.stdout, `${name}\n`);
      const missing = run(['network', 'inspect', name]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /network .* not found/);
      assert.equal(run(['network', 'rm', 'bridge']).code, 1);
    });

    it('concurrent creates without --subnet all succeed, each with a subnet of its own', async () => {
      // The automatic pool starts after bridge_ip (198.18.0.0/24 here), so it stays in
      // 198.18.0.0/15; creating a network sends no traffic and makes no bridge device.
      const names = Array.from({ length: 6 }, () => uniqueName('par'));
      const results = await Promise.all(
        names.map((n) => berthAsync(['network', 'create', n], { env: { BERTH_TOML: toml } }).done),
      );
      try {
        results.forEach((r, i) => assert.equal(r.code, 0, `${names[i]}: ${r.stderr}`));
        const subnets = names.map((n) => {
          const insp = run(['network', 'inspect', '-f', '{{json .IPAM.Config}}', n]);
          assert.equal(insp.code, 0, insp.stderr);
          return (JSON.parse(insp.stdout) as { Subnet: string }[])[0]!.Subnet;
        });
        assert.equal(new Set(subnets).size, names.length, `subnets: ${subnets.join(' ')}`);
        for (const s of subnets) assert.match(s, /^198\.1[89]\.\d+\.0\/24$/);
      } finally {
        for (const n of names) run(['network', 'rm', n]);
      }
      for (const n of names)
        assert.ok(!existsSync(join(settings.cniNetconfPath, `berth-${n}.conflist`)));
    });

    it("an automatic subnet avoids one the host already routes (another configuration's bridge)", () => {
      // A bridge berth's store has never seen, routing part of the pool's first /24, as a bridge
      // left by another containerd's network configuration would. A network given that subnet
      // would make the host's route to it ambiguous and its published ports unreachable.
      const link = `bsub${process.pid % 100000}`;
      const ip = (...a: string[]) => spawnSync('ip', a, { encoding: 'utf8' });
      assert.equal(ip('link', 'add', link, 'type', 'bridge').status, 0);
      const name = uniqueName('n');
      try {
        assert.equal(ip('link', 'set', link, 'up').status, 0);
        const r = ip('route', 'add', '198.18.1.128/28', 'dev', link);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(run(['network', 'create', name]).code, 0);
        const subnet = (
          JSON.parse(run(['network', 'inspect', '-f', '{{json .IPAM.Config}}', name]).stdout) as {
            Subnet: string;
          }[]
        )[0]!.Subnet;
        const routed = ip('-4', 'route', 'show')
          .stdout.split('\n')
          .map((l) => l.split(' ')[0]!)
          .filter((d) => d.includes('/'));
        const toRange = (c: string): [number, number] => {
          const [a, p] = c.split('/');
          const n = a!.split('.').reduce((x, o) => x * 256 + Number(o), 0);
          const size = 2 ** (32 - Number(p));
          return [n - (n % size), n - (n % size) + size - 1];
        };
        const [lo, hi] = toRange(subnet);
        for (const d of routed) {
          const [dlo, dhi] = toRange(d);
          assert.ok(dhi < lo || dlo > hi, `${subnet} overlaps the host's route to ${d}`);
        }
      } finally {
        run(['network', 'rm', name]);
        ip('link', 'del', link);
      }
    });

    it('refuses to remove a network in use; prune keeps it, then removes it', () => {
      const name = uniqueName('n');
      assert.equal(run(['network', 'create', '--subnet', '198.18.12.0/24', name]).code, 0);
      const cid = uniqueName('user');
      const cr = ctr([
        'containers',
        'create',
        '--label',
        `berth/networks=${JSON.stringify([name])}`,
        IMAGE(),
        cid,
      ]);
      assert.equal(cr.code, 0, cr.stderr);
      try {
        const rm = run(['network', 'rm', name]);
        assert.equal(rm.code, 1);
        const id = JSON.parse(run(['network', 'inspect', name]).stdout)[0].Id;
        assert.equal(
          rm.stderr,
          `Error response from daemon: error while removing network: network ${name} id ${id} has active endpoints\n`,
        );
        const names = (f: string): string[] =>
          run(['network', 'ls', '-f', f, '--format', '{{.Name}}']).stdout.split('\n');
        // In use: not dangling; the predefined networks never are.
        assert.ok(!names('dangling=true').includes(name));
        assert.ok(!names('dangling=true').includes('bridge'));
        assert.ok(names('dangling=false').includes(name));
        assert.ok(names('dangling=false').includes('bridge'));
        const badDangling = run(['network', 'ls', '-f', 'dangling=maybe']);
        assert.equal(badDangling.code, 1);
        assert.equal(
          badDangling.stderr,
          "Error response from daemon: invalid filter 'dangling=maybe'\n",
        );
        run(['network', 'prune', '-f']);
        assert.equal(run(['network', 'inspect', name]).code, 0);
        const insp = JSON.parse(run(['network', 'inspect', name]).stdout)[0];
        assert.ok(cid in insp.Containers);
      } finally {
        ctr(['containers', 'rm', cid]);
      }
      assert.ok(
        run(['network', 'ls', '-f', 'dangling=true', '--format', '{{.Name}}'])
          .stdout.split('\n')
          .includes(name),
      );
      // Docker's prune keys: until and label; ls keys such as name are refused.
      for (const f of ['until=1h', 'label=berth-test-nosuch']) {
        const kept = run(['network', 'prune', '-f', '--filter', f]);
        assert.equal(kept.code, 0, kept.stderr);
        assert.doesNotMatch(kept.stdout, new RegExp(name));
      }
      const byName = run(['network', 'prune', '-f', '--filter', `name=${name}`]);
      assert.equal(byName.code, 1);
      assert.equal(byName.stderr, "Error response from daemon: invalid filter 'name'\n");
      const twice = run(['network', 'prune', '-f', '--filter', 'until=1h', '--filter', 'until=2h']);
      assert.equal(twice.code, 1);
      assert.equal(
        twice.stderr,
        'Error response from daemon: more than one until filter specified\n',
      );
      assert.equal(run(['network', 'inspect', name]).code, 0);
      const pr = run(['network', 'prune', '-f']);
      assert.equal(pr.code, 0, pr.stderr);
      assert.match(pr.stdout, new RegExp(`Deleted Networks:\\n(.*\\n)*${name}\\n`));
      assert.equal(run(['network', 'inspect', name]).code, 1);
    });

    it('connect / disconnect update a stopped container', () => {
      const name = uniqueName('n');
      assert.equal(run(['network', 'create', '--subnet', '198.18.13.0/24', name]).code, 0);
      const cid = uniqueName('cd');
      assert.equal(
        ctr(['containers', 'create', '--label', 'berth/networks=["bridge"]', IMAGE(), cid]).code,
        0,
      );
      try {
        const c = run(['network', 'connect', name, cid]);
        assert.equal(c.code, 0, c.stderr);
        assert.match(
          ctr(['containers', 'info', cid]).stdout,
          new RegExp(`"berth/networks": "\\[\\\\"bridge\\\\",\\\\"${name}\\\\"\\]"`),
        );
        assert.equal(run(['network', 'connect', name, cid]).code, 1);
        for (const verb of ['connect', 'disconnect']) {
          const missing = run(['network', verb, name, 'net-nosuch']);
          assert.equal(missing.code, 1);
          assert.equal(
            missing.stderr,
            'Error response from daemon: No such container: net-nosuch\n',
          );
        }
        assert.equal(run(['network', 'disconnect', name, cid]).code, 0);
        assert.match(
          ctr(['containers', 'info', cid]).stdout,
          /"berth\/networks": "\[\\"bridge\\"\]"/,
        );
      } finally {
        ctr(['containers', 'rm', cid]);
        run(['network', 'rm', name]);
      }
    });

    it('validates --subnet, --gateway and -d', () => {
      assert.match(
        run(['network', 'create', '--subnet', 'nope', uniqueName('n')]).stderr,
        /invalid subnet/,
      );
      assert.match(
        run([
          'network',
          'create',
          '--subnet',
          '198.18.14.0/24',
          '--gateway',
          '198.18.15.1',
          uniqueName('n'),
        ]).stderr,
        /no matching subnet for gateway/,
      );
      assert.match(
        run(['network', 'create', '-d', 'macvlan', uniqueName('n')]).stderr,
        /plugin "macvlan" not found/,
      );
    });
  });

  describe('library', () => {
    it('bridge + -p 127.0.0.1:<port>:80 reaches busybox httpd; teardown leaves nothing', async () => {
      const id = uniqueName('web');
      const o = opts(id, {
        ports: [
          { hostIP: '127.0.0.1', hostPort: 0, hostPortEnd: 0, containerPort: 80, protocol: 'tcp' },
        ],
        extraHosts: [
          { host: 'gw', ip: 'host-gateway' },
          { host: 'fixed', ip: '198.18.99.9' },
        ],
      });
      const r = await setupContainerNetwork(o);
      const ports = JSON.parse(r.labels['berth/ports']!);
      assert.equal(ports.length, 1);
      const hostPort = ports[0].HostPort as number;
      assert.ok(hostPort > 0);
      assert.deepEqual(ports, [
        { HostIp: '127.0.0.1', HostPort: hostPort, ContainerPort: 80, Protocol: 'tcp' },
      ]);
      const ep = r.networkSettings.Networks.bridge!;
      assert.match(ep.IPAddress, /^198\.18\.0\.\d+$/);
      assert.equal(ep.Gateway, '198.18.0.1');
      assert.equal(ep.IPPrefixLen, 24);
      assert.match(ep.MacAddress, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      assert.deepEqual(r.networkSettings.Ports, {
        '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }],
      });
      assert.equal(r.specOpts.length, 5);
      const hosts = readFileSync(join(o.stateDir, 'hosts'), 'utf8');
      assert.match(hosts, /^127\.0\.0\.1\tlocalhost\n/);
      assert.match(hosts, /\n198\.18\.0\.1\tgw\n198\.18\.99\.9\tfixed\n/);
      assert.ok(hosts.includes(`${ep.IPAddress}\t${o.hostname}\n`));
      assert.doesNotMatch(
        readFileSync(join(o.stateDir, 'resolv.conf'), 'utf8'),
        /nameserver 127\./,
      );
      assert.equal(readFileSync(join(o.stateDir, 'hostname'), 'utf8'), `${o.hostname}\n`);

      startTask(id, o.stateDir, netnsPath(ns(), id), [
        'sh',
        '-c',
        'echo hello-berth > /tmp/index.html; exec httpd -f -p 80 -h /tmp',
      ]);
      let body = '';
      for (let i = 0; i < 30 && !body; i++) {
        try {
          body = await (await fetch(`http://127.0.0.1:${hostPort}/index.html`)).text();
        } catch {
          await new Promise((res) => setTimeout(res, 100));
        }
      }
      assert.equal(body, 'hello-berth\n');
      assert.equal(exec(id, ['cat', '/etc/hostname']).stdout, `${o.hostname}\n`);

      // A second container asking for the same host port is refused before anything is set up.
      const id2 = uniqueName('busy');
      await assert.rejects(
        setupContainerNetwork(
          opts(id2, {
            ports: [
              {
                hostIP: '127.0.0.1',
                hostPort,
                hostPortEnd: hostPort,
                containerPort: 80,
                protocol: 'tcp',
              },
            ],
          }),
        ),
        /port is already allocated/,
      );
      assert.deepEqual(leftovers(id2), []);

      await stop(id);
      await teardownContainerNetwork({
        settings,
        namespace: ns(),
        containerId: id,
        labels: r.labels,
      });
      assert.deepEqual(leftovers(id), []);
      await teardownContainerNetwork({
        settings,
        namespace: ns(),
        containerId: id,
        labels: r.labels,
      }); // idempotent
    });

    it('refuses a host port another process listens on', async () => {
      const srv: Server = createServer();
      await new Promise<void>((res) => srv.listen({ host: '127.0.0.1', port: 0 }, () => res()));
      const port = (srv.address() as { port: number }).port;
      const id = uniqueName('taken');
      try {
        await assert.rejects(
          setupContainerNetwork(
            opts(id, {
              ports: [
                {
                  hostIP: '127.0.0.1',
                  hostPort: port,
                  hostPortEnd: port,
                  containerPort: 80,
                  protocol: 'tcp',
                },
              ],
            }),
          ),
          /address already in use/,
        );
      } finally {
        srv.close();
      }
      assert.deepEqual(leftovers(id), []);
    });

    it('containers on a user network reach each other by name', async () => {
      const net = uniqueName('un');
      assert.equal(run(['network', 'create', '--subnet', '198.18.20.0/24', net]).code, 0);
      const a = uniqueName('a');
      const b = uniqueName('b');
      const oa = opts(a, { networks: [net], name: `alpha-${a.slice(-6)}` });
      const ob = opts(b, { networks: [net], name: `beta-${b.slice(-6)}` });
      const ra = await setupContainerNetwork(oa);
      startTask(a, oa.stateDir, netnsPath(ns(), a), ['sleep', '300']);
      const rb = await setupContainerNetwork(ob);
      startTask(b, ob.stateDir, netnsPath(ns(), b), ['sleep', '300']);
      assert.match(rb.networkSettings.Networks[net]!.IPAddress, /^198\.18\.20\./);
      // a's hosts file was rewritten in place after b joined, and a (already running) sees it.
      const pa = exec(a, ['ping', '-c', '1', '-W', '2', ob.name!]);
      assert.equal(pa.code, 0, pa.stdout + pa.stderr);
      const pb = exec(b, ['ping', '-c', '1', '-W', '2', oa.name!]);
      assert.equal(pb.code, 0, pb.stdout + pb.stderr);
      assert.match(
        exec(b, ['cat', '/etc/hosts']).stdout,
        new RegExp(`${ra.networkSettings.Networks[net]!.IPAddress}\\t${oa.name}`),
      );

      // network rm is refused while a and b use it (labels are what containerd holds).
      for (const [id, r] of [
        [a, ra],
        [b, rb],
      ] as const) {
        ctr(['containers', 'label', id, `berth/networks=${r.labels['berth/networks']}`]);
      }
      assert.match(run(['network', 'rm', net]).stderr, /has active endpoints/);

      await stop(b);
      await teardownContainerNetwork({ settings, namespace: ns(), containerId: b });
      assert.doesNotMatch(exec(a, ['cat', '/etc/hosts']).stdout, new RegExp(ob.name!));
      await stop(a);
      await teardownContainerNetwork({ settings, namespace: ns(), containerId: a });
      assert.deepEqual([...leftovers(a), ...leftovers(b)], []);
      const bridge = JSON.parse(run(['network', 'inspect', net]).stdout)[0].Options[
        'com.docker.network.bridge.name'
      ];
      // The bridge and the network's own rules live as long as the network, as in Docker.
      assert.ok(existsSync(`/sys/class/net/${bridge}`));
      assert.match(sh('iptables-save'), new RegExp(`-A BERTH-NAT-${bridge} -s 198.18.20.0/24`));
      assert.equal(run(['network', 'rm', net]).code, 0);
      assert.doesNotMatch(sh('iptables-save'), new RegExp(`BERTH-(FWD|NAT)-${bridge}`));
      assert.ok(
        !existsSync(`/sys/class/net/${bridge}`),
        'user network bridge removed with the network',
      );
    });

    it('--network none: only lo; host: host interfaces; container:<id> joins', async () => {
      const n = uniqueName('none');
      const on = opts(n, { networks: ['none'] });
      const rn = await setupContainerNetwork(on);
      assert.deepEqual(JSON.parse(rn.labels['berth/networks']!), ['none']);
      assert.equal(rn.labels['berth/netns'], undefined, 'none: runc makes the namespace');
      assert.ok(!existsSync(netnsPath(ns(), n)));
      startTask(n, on.stateDir, 'new', ['sleep', '300']);
      assert.equal(exec(n, ['ls', '/sys/class/net']).stdout.trim(), 'lo');
      assert.match(exec(n, ['ip', 'addr', 'show', 'lo']).stdout, /127\.0\.0\.1/);

      const j = uniqueName('join');
      const pid = Number(
        ctr(['tasks', 'ls'])
          .stdout.split('\n')
          .find((l) => l.startsWith(`${n} `))
          ?.split(/\s+/)[1],
      );
      assert.ok(pid > 0);
      const asked: string[] = [];
      const oj = opts(j, {
        networks: [`container:${n}`],
        taskPid: async (id) => (asked.push(id), pid),
      });
      const rj = await setupContainerNetwork(oj);
      assert.deepEqual(asked, [n]);
      assert.equal(rj.labels['berth/netns'], undefined);
      const spec = { linux: { namespaces: [{ type: 'network' }] } } as never;
      for (const opt of rj.specOpts) await opt(spec, { namespace: ns(), id: j });
      assert.deepEqual((spec as { linux: { namespaces: unknown[] } }).linux.namespaces, [
        { type: 'network', path: `/proc/${pid}/ns/net` },
      ]);
      await teardownContainerNetwork({ settings, namespace: ns(), containerId: j });
      // A `none` target that is not running cannot be joined.
      const j2 = uniqueName('join');
      await assert.rejects(
        setupContainerNetwork(
          opts(j2, { networks: [`container:${n}`], taskPid: async () => undefined }),
        ),
        /cannot join network of a non running container/,
      );

      const h = uniqueName('host');
      const oh = opts(h, { networks: ['host'] });
      const rh = await setupContainerNetwork(oh);
      assert.equal(rh.labels['berth/netns'], undefined);
      startTask(h, oh.stateDir, 'host', ['sleep', '300']);
      const hostIfs = readdirSync('/sys/class/net').sort().join(' ');
      assert.equal(
        exec(h, ['ls', '/sys/class/net']).stdout.trim().split(/\s+/).sort().join(' '),
        hostIfs,
      );

      await stop(n);
      await stop(h);
      await teardownContainerNetwork({ settings, namespace: ns(), containerId: n });
      await teardownContainerNetwork({ settings, namespace: ns(), containerId: h });
      assert.deepEqual([...leftovers(n), ...leftovers(h), ...leftovers(j)], []);
    });

    it('a process killed after CNI ADD, before the task: teardown from another process cleans up', async () => {
      const id = uniqueName('killed');
      const script = join(dir, 'setup-then-die.mts');
      writeFileSync(
        script,
        `import { setupContainerNetwork } from ${JSON.stringify(join(process.cwd(), 'src/network/index.ts'))};
await setupContainerNetwork(${JSON.stringify({ ...opts(id), ports: [{ hostIP: '127.0.0.1', hostPort: 0, hostPortEnd: 0, containerPort: 80, protocol: 'tcp' }] })});
process.kill(process.pid, 'SIGKILL');
`,
      );
      const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
      assert.equal(r.signal, 'SIGKILL', r.stderr);
      assert.ok(sh('iptables-save').includes(`${ns()}-${id}`), 'portmap rules were in place');
      assert.notDeepEqual(leftovers(id), []);
      await teardownContainerNetwork({ settings, namespace: ns(), containerId: id });
      assert.deepEqual(leftovers(id), []);
    });

    it('a failing plugin mid-setup undoes everything', async () => {
      const net = uniqueName('bad');
      assert.equal(run(['network', 'create', '--subnet', '198.18.21.0/24', net]).code, 0);
      const file = join(settings.cniNetconfPath, `berth-${net}.conflist`);
      const conf = JSON.parse(readFileSync(file, 'utf8'));
      conf.plugins.push({ type: 'tuning', sysctl: { 'net.nonexistent.key': '1' } });
      writeFileSync(file, JSON.stringify(conf));
      const id = uniqueName('half');
      const before = sh('ip -br link | grep -c veth');
      await assert.rejects(
        setupContainerNetwork(
          opts(id, {
            networks: [net],
            ports: [
              {
                hostIP: '127.0.0.1',
                hostPort: 0,
                hostPortEnd: 0,
                containerPort: 80,
                protocol: 'tcp',
              },
            ],
          }),
        ),
        /tuning/,
      );
      assert.deepEqual(leftovers(id), []);
      assert.equal(sh('ip -br link | grep -c veth'), before);
      assert.equal(run(['network', 'rm', net]).code, 0);
    });
  });
});
