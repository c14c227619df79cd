import { strict as assert } from 'node:assert';
import { CniError, pluginStdin } from '../../../src/network/cni.js';
import { bridgeAddressHint } from '../../../src/network/setup.js';
import { renderHosts, renderResolvConf } from '../../../src/network/files.js';
import { dockerPorts } from '../../../src/network/ports.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocateSubnet, buildConflist, defaultSubnet } from '../../../src/network/store.js';
import { formatCidr, parseCidr, parseProcRoutes } from '../../../src/network/ip.js';
import { rulesToAdd, rulesToRemove } from '../../../src/network/rules.js';

const b = (HostIp: string, HostPort: number, ContainerPort: number, Protocol = 'tcp') => ({
  HostIp,
  HostPort,
  ContainerPort,
  Protocol,
});

describe('network: ports', () => {
  it("inspect's NetworkSettings.Ports: one list per container port, string host ports", () => {
    assert.deepEqual(
      dockerPorts([b('', 8080, 80), b('127.0.0.1', 8081, 80), b('127.0.0.1', 5353, 53, 'udp')]),
      {
        '80/tcp': [
          { HostIp: '0.0.0.0', HostPort: '8080' },
          { HostIp: '127.0.0.1', HostPort: '8081' },
        ],
        '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
      },
    );
    assert.deepEqual(dockerPorts([]), {});
  });
});

describe('network: subnets', () => {
  const routes = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'br-a\t000112C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'br-b\t004D12C6\t00000000\t0001\t0\t0\t0\tF8FFFFFF\t0\t0\t0',
    '',
  ].join('\n');

  it("reads /proc/net/route's destinations, without the default route", () => {
    assert.deepEqual(parseProcRoutes(routes).map(formatCidr), [
      '192.0.2.0/24',
      '198.18.1.0/24',
      '198.18.77.0/29',
    ]);
  });

  it("skips a subnet another configuration directory's bridge already routes", () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-subnets-'));
    try {
      const settings = { cniNetconfPath: dir, bridgeIp: '198.18.0.0/24' };
      assert.equal(formatCidr(allocateSubnet(settings, [])), '198.18.1.0/24');
      assert.equal(formatCidr(allocateSubnet(settings, parseProcRoutes(routes))), '198.18.2.0/24');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('network: files', () => {
  it('hosts: localhost lines, extra hosts, self, peers', () => {
    const h = renderHosts({
      extraHosts: [{ host: 'gw', ip: '198.18.0.1' }],
      self: [{ ip: '198.18.0.2', names: ['abc'] }],
      peers: [{ ip: '198.18.0.3', names: ['web', 'web'] }],
    });
    assert.match(h, /^127\.0\.0\.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n/);
    assert.ok(h.endsWith('198.18.0.1\tgw\n198.18.0.2\tabc\n198.18.0.3\tweb\n'));
  });

  it('resolv.conf drops loopback nameservers; --dns/--dns-search/--dns-option replace', () => {
    const host =
      '# c\nnameserver 127.0.0.53\nnameserver 198.18.9.9\nsearch a.example\noptions edns0\n';
    assert.equal(
      renderResolvConf({ hostResolv: host, dns: [], dnsSearch: [], dnsOptions: [] }),
      'search a.example\nnameserver 198.18.9.9\noptions edns0\n',
    );
    assert.equal(
      renderResolvConf({
        hostResolv: 'nameserver 127.0.0.53\n',
        dns: [],
        dnsSearch: [],
        dnsOptions: [],
      }),
      '\n',
    );
    assert.equal(
      renderResolvConf({
        hostResolv: host,
        dns: ['198.18.1.1'],
        dnsSearch: ['x'],
        dnsOptions: ['ndots:2'],
      }),
      'search x\nnameserver 198.18.1.1\noptions ndots:2\n',
    );
    assert.match(
      renderResolvConf({
        hostResolv: host,
        dns: [],
        dnsSearch: [],
        dnsOptions: [],
        keepLoopback: true,
      }),
      /nameserver 127\.0\.0\.53/,
    );
  });
});

describe('network: CNI config', () => {
  it('bridge_ip: subnet or gateway/prefix', () => {
    assert.deepEqual(
      (({ subnet, gateway }) => [formatCidr(subnet), gateway])(
        defaultSubnet({ bridgeIp: '198.18.0.0/24' }),
      ),
      ['198.18.0.0/24', '198.18.0.1'],
    );
    assert.equal(defaultSubnet({ bridgeIp: '198.18.4.254/24' }).gateway, '198.18.4.254');
    assert.equal(formatCidr(defaultSubnet({ bridgeIp: '' }).subnet), '10.4.0.0/24');
    assert.equal(parseCidr('1.2.3.4/33'), undefined);
  });

  it('plugin stdin gets name, cniVersion, runtimeConfig for declared capabilities, prevResult', () => {
    const list = buildConflist({
      name: 'n1',
      id: 'x'.repeat(64),
      bridge: 'br-x',
      subnet: '198.18.3.0/24',
      gateway: '198.18.3.1',
    });
    assert.deepEqual(
      list.plugins.map((p) => p.type),
      ['bridge', 'portmap'],
    );
    assert.equal(
      list.plugins[0]!.ipMasq,
      false,
      'masquerading is the network rule, not per container',
    );
    const rt = {
      containerId: 'c',
      netns: '/n',
      ifName: 'eth0',
      capabilityArgs: { portMappings: [{ hostPort: 1 }], mac: 'aa' },
    };
    const pm = pluginStdin(list, list.plugins[1]!, rt, { ips: [] });
    assert.equal(pm.name, 'n1');
    assert.equal(pm.cniVersion, '1.0.0');
    assert.deepEqual(pm.runtimeConfig, { portMappings: [{ hostPort: 1 }] });
    assert.deepEqual(pm.prevResult, { ips: [] });
    assert.equal('berth' in pm, false);
    assert.deepEqual(pluginStdin(list, list.plugins[0]!, rt).runtimeConfig, { mac: 'aa' });
    const internal = buildConflist({
      name: 'i',
      id: 'y',
      bridge: 'b',
      subnet: '198.18.3.0/24',
      gateway: '198.18.3.1',
      internal: true,
    });
    assert.deepEqual(
      internal.plugins.map((p) => p.type),
      ['bridge'],
    );
    assert.equal(internal.plugins[0]!.ipMasq, false);
  });

  it("a network's iptables rules: one restore to add, one per table to remove", () => {
    assert.equal(
      rulesToAdd({ bridge: 'berth0', subnet: '198.18.0.0/24', internal: false }),
      [
        '*filter',
        ':BERTH-FWD-berth0 - [0:0]',
        '-A BERTH-FWD-berth0 -o berth0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        '-A BERTH-FWD-berth0 -i berth0 -j ACCEPT',
        '-I FORWARD -m comment --comment "berth network berth0" -j BERTH-FWD-berth0',
        'COMMIT',
        '*nat',
        ':BERTH-NAT-berth0 - [0:0]',
        '-A BERTH-NAT-berth0 -s 198.18.0.0/24 ! -o berth0 -j MASQUERADE',
        '-I POSTROUTING -m comment --comment "berth network berth0" -j BERTH-NAT-berth0',
        'COMMIT',
        '',
      ].join('\n'),
    );
    const internal = rulesToAdd({ bridge: 'br-1', subnet: '198.18.9.0/24', internal: true });
    assert.doesNotMatch(internal, /MASQUERADE|\*nat/);
    assert.match(internal, /-A BERTH-FWD-br-1 -i br-1 ! -o br-1 -j DROP/);
    assert.match(internal, /-A BERTH-FWD-br-1 -o br-1 ! -i br-1 -j DROP/);
    assert.deepEqual(rulesToRemove('br-1'), [
      '*filter\n-D FORWARD -m comment --comment "berth network br-1" -j BERTH-FWD-br-1\n-F BERTH-FWD-br-1\n-X BERTH-FWD-br-1\nCOMMIT\n',
      '*nat\n-D POSTROUTING -m comment --comment "berth network br-1" -j BERTH-NAT-br-1\n-F BERTH-NAT-br-1\n-X BERTH-NAT-br-1\nCOMMIT\n',
    ]);
    // Chain names stay within iptables' 28 characters for any bridge name (at most 15).
    assert.ok(`BERTH-FWD-${'b'.repeat(15)}`.length <= 28);
  });
});

describe('network: CNI errors', () => {
  it('a bridge with another address gets a hint; other errors pass unchanged', () => {
    const refused = new CniError(
      'bridge',
      'ADD',
      'plugin type="bridge" failed (add): failed to set bridge addr: "berth0" already has an IP address different from 10.4.0.1/24',
    );
    const hinted = bridgeAddressHint(refused, 'berth0', 'bridge') as CniError;
    assert.ok(hinted instanceof CniError);
    assert.equal(
      hinted.message,
      `${refused.message}: the bridge berth0 has another address than network "bridge" uses (bridge_ip in the configuration); delete it with 'ip link delete berth0' when no container uses it, or use its subnet`,
    );
    assert.doesNotMatch(
      (bridgeAddressHint(refused, 'br-1', 'mynet') as Error).message,
      /bridge_ip/,
    );
    const other = new CniError('portmap', 'ADD', 'plugin type="portmap" failed (add): boom');
    assert.equal(bridgeAddressHint(other, 'berth0', 'bridge'), other);
    const plain = new Error('x');
    assert.equal(bridgeAddressHint(plain, 'berth0', 'bridge'), plain);
  });
});
