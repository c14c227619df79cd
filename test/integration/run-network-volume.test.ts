// run wired to networking and volumes: what a user sees from `run -p`, `-v name:/path`, `-P`,
// `--network none|host`, and that rm leaves no port, netns or anonymous volume behind.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { berth, berthAsync, env, uniqueName } from '../support/berth.js';

const IMG = () => `${env.registry}/lab/busybox:latest`;
const MULTI = () => `${env.registry}/lab/multi:latest`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function getWithRetry(port: number): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await get(port);
    } catch (err) {
      if (i >= 20) throw err;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

function out(args: string[]): string {
  const r = berth(args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function netnsEntries(): string[] {
  try {
    return readdirSync('/run/berth/netns').filter((n) => n.startsWith(`${env.namespace}-`));
  } catch {
    return [];
  }
}

describe('run with networks, published ports and volumes', function () {
  this.timeout(120000);

  it('publishes a port on 127.0.0.1 and releases it on rm', async () => {
    const name = uniqueName('web');
    const port = await freePort();
    const r = berth([
      'run',
      '-d',
      '--name',
      name,
      '-p',
      `127.0.0.1:${port}:80`,
      IMG(),
      'sh',
      '-c',
      'mkdir -p /www && echo hello-from-berth > /www/index.html && exec httpd -f -p 80 -h /www',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
    try {
      assert.equal(await getWithRetry(port), 'hello-from-berth\n');
      const ps = berth(['ps', '--filter', `name=${name}`, '--format', '{{.Ports}}']);
      assert.equal(ps.stdout, `127.0.0.1:${port}->80/tcp\n`);
      assert.equal(berth(['port', name]).stdout, `80/tcp -> 127.0.0.1:${port}\n`);
      const ip = berth([
        'inspect',
        '-f',
        '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
        name,
      ]);
      assert.match(ip.stdout, /^198\.18\.\d+\.\d+\n$/, ip.stderr);
    } finally {
      assert.equal(berth(['rm', '-f', name]).code, 0);
    }
    await assert.rejects(get(port));
    assert.deepEqual(netnsEntries(), []);
  });

  it('a stopped container frees its published ports (Docker) and start takes them back', async () => {
    const port = await freePort();
    const serve = (text: string): string[] => [
      'sh',
      '-c',
      `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`,
    ];
    const rules = (id: string): boolean =>
      execFileSync('iptables-save', { encoding: 'utf8' }).includes(`${env.namespace}-${id}`);
    const a = uniqueName('pa');
    const b = uniqueName('pb');
    const e = uniqueName('pe');
    const runD = (name: string, p: number, args: string[]): string => {
      const r = berth(['run', '-d', '--name', name, '-p', `127.0.0.1:${p}:80`, IMG(), ...args]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim();
    };
    try {
      const idA = runD(a, port, serve('from-a'));
      assert.equal(await getWithRetry(port), 'from-a\n');
      assert.ok(rules(idA));
      assert.equal(berth(['stop', '-t', '1', a]).code, 0);
      assert.ok(!rules(idA), 'portmap rules removed at stop');
      // The host port is free for another container while a is stopped...
      const idB = runD(b, port, serve('from-b'));
      assert.equal(await getWithRetry(port), 'from-b\n');
      // ...so a cannot start until b lets it go: Docker's error, exit 1.
      const busy = berth(['start', a]);
      assert.equal(busy.code, 1);
      assert.match(
        busy.stderr,
        new RegExp(`Bind for 127\\.0\\.0\\.1:${port} failed: port is already allocated`),
      );
      assert.equal(berth(['rm', '-f', b]).code, 0);
      assert.ok(!rules(idB));
      assert.equal(berth(['start', a]).code, 0);
      assert.equal(await getWithRetry(port), 'from-a\n');
      assert.equal(berth(['port', a]).stdout, `80/tcp -> 127.0.0.1:${port}\n`);

      // A detached container that exits by itself: its logger has the ports freed.
      const port2 = await freePort();
      const idE = runD(e, port2, ['sleep', '1']);
      assert.ok(rules(idE));
      for (let i = 0; i < 50 && rules(idE); i++) await new Promise((r) => setTimeout(r, 200));
      assert.ok(!rules(idE), 'ports freed after the container exited');
      assert.match(
        out(['ps', '-a', '--filter', `name=${e}`, '--format', '{{.Status}}']),
        /^Exited \(0\)/,
      );
    } finally {
      for (const n of [a, b, e]) berth(['rm', '-f', n]);
    }
    assert.deepEqual(netnsEntries(), []);
  });

  it('refuses a host port already in use before starting anything', async () => {
    const port = await freePort();
    const holder = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    try {
      const name = uniqueName('busy');
      const r = berth([
        'run',
        '-d',
        '--name',
        name,
        '-p',
        `127.0.0.1:${port}:80`,
        IMG(),
        'sleep',
        '5',
      ]);
      assert.equal(r.code, 125);
      assert.match(r.stderr, new RegExp(`${port}`));
      assert.equal(berth(['ps', '-a', '-q', '--filter', `name=${name}`]).stdout, '');
    } finally {
      holder.close();
    }
    assert.deepEqual(netnsEntries(), []);
  });

  it('two concurrent runs publishing one port (127.0.0.1 and 0.0.0.0): one runs, one is refused', async () => {
    // Ports below Linux's ephemeral range; one something else on the host holds is tried again.
    for (let attempt = 1; ; attempt++) {
      const port = 20000 + Math.floor(Math.random() * 12000);
      const names = [uniqueName('pl'), uniqueName('pw')];
      const publish = [`127.0.0.1:${port}:80`, `0.0.0.0:${port}:80`];
      const results = await Promise.all(
        names.map(
          (n, i) =>
            berthAsync(['run', '-d', '--name', n, '-p', publish[i]!, IMG(), 'sleep', '60']).done,
        ),
      );
      try {
        const foreign = results.some((r) => /address already in use/.test(r.stderr));
        if (foreign && attempt < 5) continue;
        const won = results.filter((r) => r.code === 0);
        const lost = results.findIndex((r) => r.code !== 0);
        assert.equal(won.length, 1, results.map((r) => `${r.code}: ${r.stderr}`).join('\n'));
        const ip = publish[lost]!.split(':')[0]!.replace(/\./g, '\\.');
        assert.match(
          results[lost]!.stderr,
          new RegExp(`Bind for ${ip}:${port} failed: port is already allocated`),
        );
        // The refused run left no container behind; the other one has the port published.
        assert.equal(berth(['ps', '-a', '-q', '--filter', `name=^${names[lost]}$`]).stdout, '');
        const winner = names[1 - lost]!;
        assert.equal(
          out(['port', winner]),
          `80/tcp -> ${publish[1 - lost]!.split(':')[0]}:${port}\n`,
        );
      } finally {
        for (const n of names) berth(['rm', '-f', n]);
      }
      break;
    }
    assert.deepEqual(netnsEntries(), []);
  });

  it('--network none sees only lo; host sees the host interfaces', () => {
    const none = berth(['run', '--rm', '--network', 'none', IMG(), 'ls', '/sys/class/net']);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, 'lo\n');
    const host = berth(['run', '--rm', '--net', 'host', IMG(), 'ls', '/sys/class/net']);
    assert.equal(host.code, 0, host.stderr);
    // veth pairs come and go with other containers on the host while this runs; every other
    // interface is the host's and must be seen.
    const steady = (names: string[]): string[] => names.filter((n) => !n.startsWith('veth')).sort();
    assert.deepEqual(
      steady(host.stdout.trim().split(/\s+/)),
      steady(readdirSync('/sys/class/net')),
    );
  });

  it('--network container:<name> joins a running container, none or bridge', () => {
    for (const mode of ['none', 'bridge']) {
      const target = uniqueName(`tgt-${mode}`);
      const d = berth(['run', '-d', '--name', target, '--network', mode, IMG(), 'sleep', '300']);
      assert.equal(d.code, 0, d.stderr);
      try {
        const own = berth(['exec', target, 'ip', '-o', 'link']).stdout.replace(/\s+\\.*$/gm, '');
        const r = berth([
          'run',
          '--rm',
          '--network',
          `container:${target}`,
          IMG(),
          'ip',
          '-o',
          'link',
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.replace(/\s+\\.*$/gm, ''), own, mode);
        assert.match(own, mode === 'none' ? /^1: lo:/ : /eth0/);
        assert.equal(berth(['stop', '-t', '0', target]).code, 0);
        const stopped = berth(['run', '--rm', '--network', `container:${target}`, IMG(), 'true']);
        assert.equal(stopped.code, 125, mode);
        assert.match(stopped.stderr, /cannot join network of a non running container/);
      } finally {
        berth(['rm', '-f', target]);
      }
    }
    assert.deepEqual(netnsEntries(), []);
  });

  it("a network's iptables rules: one set per network, not per container, gone with the network", () => {
    const net = uniqueName('rules');
    assert.equal(berth(['network', 'create', '--subnet', '198.18.41.0/24', net]).code, 0);
    const inspected = JSON.parse(berth(['network', 'inspect', net]).stdout) as {
      Options: Record<string, string>;
    }[];
    const bridge = inspected[0]!.Options['com.docker.network.bridge.name']!;
    const rules = (): string[] =>
      execFileSync('iptables-save', { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(`BERTH-FWD-${bridge}`) || l.includes(`BERTH-NAT-${bridge}`));
    const ports = (): string[] => {
      try {
        return readdirSync(`/sys/class/net/${bridge}/brif`);
      } catch {
        return [];
      }
    };
    try {
      const a = uniqueName('ra');
      const b = uniqueName('rb');
      for (const n of [a, b]) {
        const r = berth(['run', '-d', '--name', n, '--network', net, IMG(), 'sleep', '300']);
        assert.equal(r.code, 0, r.stderr);
      }
      assert.equal(ports().length, 2);
      const installed = rules();
      assert.ok(
        installed.includes(`-A BERTH-NAT-${bridge} -s 198.18.41.0/24 ! -o ${bridge} -j MASQUERADE`),
        installed.join('\n'),
      );
      assert.equal(installed.filter((l) => l.startsWith('-A FORWARD')).length, 1, 'one jump');
      // No per-container chains: the bridge plugin's ipMasq and the firewall plugin are not used.
      assert.doesNotMatch(
        execFileSync('iptables-save', { encoding: 'utf8' }),
        new RegExp(`${env.namespace}-[0-9a-f]{64}`),
      );
      assert.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), '1');
      for (const n of [a, b]) assert.equal(berth(['rm', '-f', n]).code, 0);
      assert.deepEqual(ports(), [], 'no veth left on the bridge');
      assert.deepEqual(rules(), installed, 'the network keeps its rules, as docker0 does');
      assert.equal(berth(['network', 'rm', net]).code, 0);
      assert.deepEqual(rules(), []);
      assert.ok(!existsSync(`/sys/class/net/${bridge}`), 'network rm deletes the bridge');
    } finally {
      berth(['network', 'rm', net]);
    }
  });

  it('--internal: no default route, no masquerading, traffic stays on the bridge', () => {
    const net = uniqueName('int');
    assert.equal(
      berth(['network', 'create', '--internal', '--subnet', '198.18.42.0/24', net]).code,
      0,
    );
    const peer = uniqueName('ipeer');
    const outside = uniqueName('iout');
    try {
      assert.equal(berth(['network', 'inspect', '-f', '{{.Internal}}', net]).stdout, 'true\n');
      const bridge = (
        JSON.parse(berth(['network', 'inspect', net]).stdout) as {
          Options: Record<string, string>;
        }[]
      )[0]!.Options['com.docker.network.bridge.name']!;
      for (const [n, nw] of [
        [peer, net],
        [outside, 'bridge'],
      ]) {
        const r = berth(['run', '-d', '--name', n!, '--network', nw!, IMG(), 'sleep', '300']);
        assert.equal(r.code, 0, r.stderr);
      }
      const routes = berth(['run', '--rm', '--network', net, IMG(), 'ip', 'route']);
      assert.equal(routes.code, 0, routes.stderr);
      assert.doesNotMatch(routes.stdout, /^default/m);
      // Same network: reachable by name. Another network: not (no route, and dropped at the bridge).
      const ping = (target: string) =>
        berth(['run', '--rm', '--network', net, IMG(), 'ping', '-c', '1', '-W', '2', target]);
      const same = ping(peer);
      assert.equal(same.code, 0, same.stdout + same.stderr);
      const outIp = berth([
        'inspect',
        '-f',
        '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
        outside,
      ]).stdout.trim();
      assert.match(outIp, /^198\.18\.0\.\d+$/);
      const cross = ping(outIp);
      assert.notEqual(cross.code, 0);
      const rules = execFileSync('iptables-save', { encoding: 'utf8' });
      assert.match(rules, new RegExp(`-A BERTH-FWD-${bridge} -i ${bridge} ! -o ${bridge} -j DROP`));
      assert.doesNotMatch(
        rules,
        new RegExp(`BERTH-NAT-${bridge}`),
        'an internal network is not masqueraded',
      );
    } finally {
      berth(['rm', '-f', peer, outside]);
      berth(['network', 'rm', net]);
    }
  });

  it('network connect / disconnect give a container the interface, name and hosts entries', () => {
    const net = uniqueName('cnet');
    const peer = uniqueName('cpeer');
    const c = uniqueName('cme');
    assert.equal(berth(['network', 'create', '--subnet', '198.18.43.0/24', net]).code, 0);
    try {
      assert.equal(
        berth(['run', '-d', '--name', peer, '--network', net, IMG(), 'sleep', '300']).code,
        0,
      );
      assert.equal(berth(['create', '--name', c, IMG(), 'sleep', '300']).code, 0);
      const con = berth(['network', 'connect', net, c]);
      assert.equal(con.code, 0, con.stderr);
      // Docker allocates the address when the container starts.
      const ipOf = (): string =>
        out(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, c]);
      assert.equal(ipOf(), '\n');
      assert.equal(berth(['start', c]).code, 0);
      assert.match(ipOf(), /^198\.18\.43\.\d+\n$/);
      const addrs = out(['exec', c, 'ip', '-o', '-4', 'addr']);
      assert.match(addrs, /eth0 +inet 198\.18\.0\./);
      assert.match(addrs, /eth1 +inet 198\.18\.43\./);
      assert.equal(berth(['exec', c, 'ping', '-c', '1', '-W', '2', peer]).code, 0);
      assert.equal(berth(['exec', peer, 'ping', '-c', '1', '-W', '2', c]).code, 0);
      // A running container too (Docker allows it): the interface goes at once, and its
      // bind-mounted /etc/hosts and the peer's lose the entries.
      assert.equal(berth(['network', 'disconnect', net, c]).code, 0);
      assert.doesNotMatch(out(['exec', c, 'ip', '-o', '-4', 'addr']), /eth1/);
      assert.doesNotMatch(out(['exec', peer, 'cat', '/etc/hosts']), new RegExp(c));
      assert.doesNotMatch(out(['exec', c, 'cat', '/etc/hosts']), new RegExp(peer));
      assert.equal(berth(['network', 'connect', net, c]).code, 0);
      assert.match(out(['exec', c, 'ip', '-o', '-4', 'addr']), /eth\d +inet 198\.18\.43\./);
      assert.equal(berth(['exec', c, 'ping', '-c', '1', '-W', '2', peer]).code, 0);
      // Stopped and started again, it keeps what it was given.
      assert.equal(berth(['stop', '-t', '0', c]).code, 0);
      assert.equal(berth(['start', c]).code, 0);
      assert.match(out(['exec', c, 'ip', '-o', '-4', 'addr']), /inet 198\.18\.43\./);
    } finally {
      berth(['rm', '-f', c, peer]);
      assert.equal(berth(['network', 'rm', net]).code, 0);
    }
    assert.deepEqual(netnsEntries(), []);
  });

  it('the default bridge gives eth0 an address in the configured subnet', () => {
    const r = berth(['run', '--rm', IMG(), 'ip', '-4', '-o', 'addr', 'show', 'eth0']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /inet 198\.18\.0\.\d+\/24/);
    assert.deepEqual(netnsEntries(), []);
  });

  it('two containers on a user network reach each other by name', () => {
    const net = uniqueName('unet');
    const srv = uniqueName('srv');
    assert.equal(berth(['network', 'create', '--subnet', '198.18.40.0/24', net]).code, 0);
    try {
      const d = berth([
        'run',
        '-d',
        '--name',
        srv,
        '--network',
        net,
        IMG(),
        'sh',
        '-c',
        'mkdir /www && echo by-name > /www/index.html && exec httpd -f -p 80 -h /www',
      ]);
      assert.equal(d.code, 0, d.stderr);
      const r = berth([
        'run',
        '--rm',
        '--network',
        net,
        IMG(),
        'sh',
        '-c',
        `for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://${srv}/ && exit 0; sleep 0.3; done; exit 1`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'by-name\n');
    } finally {
      berth(['rm', '-f', srv]);
      assert.equal(berth(['network', 'rm', net]).code, 0);
    }
  });

  it('--add-host and --dns end up in /etc/hosts and /etc/resolv.conf', () => {
    const r = berth([
      'run',
      '--rm',
      '--add-host',
      'db.test:198.18.5.5',
      '--dns',
      '198.18.7.7',
      '--dns-search',
      'example.test',
      IMG(),
      'sh',
      '-c',
      'cat /etc/hosts /etc/resolv.conf',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /198\.18\.5\.5\s+db\.test/);
    assert.match(r.stdout, /nameserver 198\.18\.7\.7/);
    assert.match(r.stdout, /search example\.test/);
  });

  it('a named volume is created on first use and keeps data across containers', () => {
    const vol = uniqueName('vol');
    const w = berth([
      'run',
      '--rm',
      '-v',
      `${vol}:/data`,
      IMG(),
      'sh',
      '-c',
      'echo kept > /data/f',
    ]);
    assert.equal(w.code, 0, w.stderr);
    assert.ok(berth(['volume', 'ls', '-q']).stdout.split('\n').includes(vol));
    const r = berth(['run', '--rm', '-v', `${vol}:/data:ro`, IMG(), 'cat', '/data/f']);
    assert.equal(r.stdout, 'kept\n', r.stderr);
    assert.ok(existsSync(join(env.dataRoot, 'volumes', env.namespace, vol, '_data', 'f')));
    assert.equal(berth(['volume', 'rm', vol]).code, 0);
  });

  it("a new named volume is filled from the image's content at that path", () => {
    const vol = uniqueName('filled');
    const r = berth(['run', '--rm', '-v', `${vol}:/data`, MULTI(), 'ls /data']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'big\n');
    assert.equal(berth(['volume', 'rm', vol]).code, 0);
  });

  it('image VOLUMEs become anonymous volumes that --rm removes', () => {
    const before = new Set(berth(['volume', 'ls', '-q']).stdout.split('\n').filter(Boolean));
    const r = berth(['run', '--rm', MULTI(), 'mount | grep -c " /vol "']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '1\n');
    const after = berth(['volume', 'ls', '-q']).stdout.split('\n').filter(Boolean);
    assert.deepEqual(
      after.filter((v) => !before.has(v)),
      [],
    );
  });

  it('rm -v removes anonymous volumes, a used named volume cannot be removed', () => {
    const name = uniqueName('anon');
    const vol = uniqueName('used');
    assert.equal(berth(['create', '--name', name, '-v', `${vol}:/x`, MULTI(), 'true']).code, 0);
    const insp = JSON.parse(berth(['inspect', name]).stdout)[0];
    const anon = (insp.Mounts as { Name?: string; Destination: string }[]).find(
      (m) => m.Destination === '/vol',
    )?.Name;
    assert.ok(anon, JSON.stringify(insp.Mounts));
    const busy = berth(['volume', 'rm', vol]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, new RegExp(`remove ${vol}: volume is in use`));
    assert.equal(berth(['rm', '-v', name]).code, 0);
    assert.ok(!berth(['volume', 'ls', '-q']).stdout.split('\n').includes(anon!));
    assert.equal(berth(['volume', 'rm', vol]).code, 0);
  });
});
