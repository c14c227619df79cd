import assert from 'node:assert/strict';

import {
  parseAddHost,
  parseCapability,
  parseCpus,
  parseEnvFile,
  parseLabelFile,
  parseMemory,
  parseMemorySwap,
  parseMount,
  parsePublish,
  parseRestartPolicy,
  parseSecurityOpt,
  parseSignal,
  parseStopTimeout,
  parseSysctl,
  parseTmpfs,
  parseUlimit,
  parseVolume,
  type PortMapping,
} from '../../../src/opts/container-parsers.js';

function throwsMsg(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof Error);
    assert.equal(err.message, message);
    return true;
  });
}

describe('opts/container-parsers', () => {
  describe('parseMemory (RAMInBytes)', () => {
    const ok: Array<[string, number]> = [
      ['512m', 512 * 1024 ** 2],
      ['1g', 1024 ** 3],
      ['1G', 1024 ** 3],
      ['1GiB', 1024 ** 3],
      ['1gb', 1024 ** 3],
      ['1.5k', 1536],
      ['100', 100],
      ['100b', 100],
      ['32 KiB', 32768],
      ['2t', 2 * 1024 ** 4],
      ['0.5', 0],
    ];
    for (const [input, want] of ok) {
      it(`${input} -> ${want}`, () => assert.equal(parseMemory(input), want));
    }
    for (const bad of ['', 'x', '-1', '1x', '1.5.k ', 'm', '1  m', '1kk']) {
      it(`rejects ${JSON.stringify(bad)}`, () =>
        throwsMsg(() => parseMemory(bad), `invalid size: '${bad}'`));
    }
    it('rejects what Go ParseFloat rejects', () => {
      throwsMsg(() => parseMemory('1.2.3m'), 'strconv.ParseFloat: parsing "1.2.3": invalid syntax');
    });
    it('parseMemorySwap accepts -1', () => {
      assert.equal(parseMemorySwap('-1'), -1);
      assert.equal(parseMemorySwap('1g'), 1024 ** 3);
      throwsMsg(() => parseMemorySwap('-2'), "invalid size: '-2'");
    });
  });

  describe('parseCpus', () => {
    it('parses rationals', () => {
      assert.equal(parseCpus('1.5'), 1.5);
      assert.equal(parseCpus('2'), 2);
      assert.equal(parseCpus('.5'), 0.5);
      assert.equal(parseCpus('3/2'), 1.5);
      assert.equal(parseCpus('1e-2'), 0.01);
      assert.equal(parseCpus('0.000000001'), 1e-9);
    });
    it("uses docker/cli's errors", () => {
      throwsMsg(() => parseCpus('abc'), 'failed to parse abc as a rational number');
      throwsMsg(() => parseCpus(''), 'failed to parse  as a rational number');
      throwsMsg(() => parseCpus('1/0'), 'failed to parse 1/0 as a rational number');
      throwsMsg(() => parseCpus('0.0000000001'), 'value is too precise');
      throwsMsg(() => parseCpus('1/3'), 'value is too precise');
    });
  });

  describe('parseUlimit', () => {
    it('parses soft[:hard]', () => {
      assert.deepEqual(parseUlimit('nofile=1024:2048'), { name: 'nofile', soft: 1024, hard: 2048 });
      assert.deepEqual(parseUlimit('nproc=512'), { name: 'nproc', soft: 512, hard: 512 });
      assert.deepEqual(parseUlimit('core=-1'), { name: 'core', soft: -1, hard: -1 });
      assert.deepEqual(parseUlimit('core=100:-1'), { name: 'core', soft: 100, hard: -1 });
    });
    it("uses go-units' errors", () => {
      throwsMsg(() => parseUlimit('nofile'), 'invalid ulimit argument: nofile');
      throwsMsg(() => parseUlimit('as=1'), 'invalid ulimit type: as');
      throwsMsg(
        () => parseUlimit('nofile=1:2:3'),
        'too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`',
      );
      throwsMsg(() => parseUlimit('nofile=x'), 'strconv.ParseInt: parsing "x": invalid syntax');
      throwsMsg(() => parseUlimit('nofile=1:y'), 'strconv.ParseInt: parsing "y": invalid syntax');
      throwsMsg(
        () => parseUlimit('nofile=2048:1024'),
        'ulimit soft limit must be less than or equal to hard limit: 2048 > 1024',
      );
      throwsMsg(
        () => parseUlimit('nofile=-1:1024'),
        'ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 1024',
      );
    });
  });

  describe('parseRestartPolicy', () => {
    it('accepts the four policies', () => {
      assert.deepEqual(parseRestartPolicy('no'), { name: 'no', maximumRetryCount: 0 });
      assert.deepEqual(parseRestartPolicy(''), { name: 'no', maximumRetryCount: 0 });
      assert.deepEqual(parseRestartPolicy('always'), { name: 'always', maximumRetryCount: 0 });
      assert.deepEqual(parseRestartPolicy('unless-stopped'), {
        name: 'unless-stopped',
        maximumRetryCount: 0,
      });
      assert.deepEqual(parseRestartPolicy('on-failure'), {
        name: 'on-failure',
        maximumRetryCount: 0,
      });
      assert.deepEqual(parseRestartPolicy('on-failure:5'), {
        name: 'on-failure',
        maximumRetryCount: 5,
      });
      assert.deepEqual(parseRestartPolicy('always:'), { name: 'always', maximumRetryCount: 0 });
    });
    it("uses Docker's errors", () => {
      throwsMsg(
        () => parseRestartPolicy(':3'),
        'invalid restart policy format: no policy provided before colon',
      );
      throwsMsg(
        () => parseRestartPolicy('on-failure:x'),
        'invalid restart policy format: maximum retry count must be an integer',
      );
      throwsMsg(
        () => parseRestartPolicy('on-failure:-1'),
        'invalid restart policy: maximum retry count cannot be negative',
      );
      throwsMsg(
        () => parseRestartPolicy('always:3'),
        "invalid restart policy: maximum retry count can only be used with 'on-failure'",
      );
      throwsMsg(
        () => parseRestartPolicy('no:-2'),
        "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative",
      );
      throwsMsg(
        () => parseRestartPolicy('sometimes'),
        "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'",
      );
    });
  });

  describe('parseSignal', () => {
    const ok: Array<[string, number]> = [
      ['SIGTERM', 15],
      ['TERM', 15],
      ['term', 15],
      ['sigkill', 9],
      ['KILL', 9],
      ['15', 15],
      ['9', 9],
      ['HUP', 1],
      ['USR1', 10],
      ['SIGCHLD', 17],
      ['WINCH', 28],
      ['RTMIN', 34],
      ['RTMIN+3', 37],
      ['RTMAX-1', 63],
      ['SIGRTMAX', 64],
      ['64', 64],
    ];
    for (const [input, want] of ok) {
      it(`${input} -> ${want}`, () => assert.equal(parseSignal(input), want));
    }
    for (const bad of ['0', '65', '-1', 'FOO', 'SIG', '', 'RTMIN+16']) {
      it(`rejects ${JSON.stringify(bad)}`, () =>
        throwsMsg(() => parseSignal(bad), `invalid signal: ${bad}`));
    }
  });

  describe('parseStopTimeout', () => {
    it('parses ints like pflag', () => {
      assert.equal(parseStopTimeout('10'), 10);
      assert.equal(parseStopTimeout('-1'), -1);
      assert.equal(parseStopTimeout('0x10'), 16);
      assert.equal(parseStopTimeout('010'), 8);
    });
    it("uses strconv's errors", () => {
      throwsMsg(() => parseStopTimeout('1.5'), 'strconv.ParseInt: parsing "1.5": invalid syntax');
      throwsMsg(() => parseStopTimeout('ten'), 'strconv.ParseInt: parsing "ten": invalid syntax');
      throwsMsg(() => parseStopTimeout(''), 'strconv.ParseInt: parsing "": invalid syntax');
      throwsMsg(
        () => parseStopTimeout('99999999999999999999'),
        'strconv.ParseInt: parsing "99999999999999999999": value out of range',
      );
    });
  });

  describe('parseCapability', () => {
    it('normalizes', () => {
      assert.equal(parseCapability('NET_ADMIN'), 'CAP_NET_ADMIN');
      assert.equal(parseCapability('CAP_NET_ADMIN'), 'CAP_NET_ADMIN');
      assert.equal(parseCapability('sys_ptrace'), 'CAP_SYS_PTRACE');
      assert.equal(parseCapability('ALL'), 'ALL');
      assert.equal(parseCapability('all'), 'ALL');
      throwsMsg(() => parseCapability('NET_FOO'), 'unknown capability: "CAP_NET_FOO"');
    });
  });

  describe('parseSecurityOpt', () => {
    it('parses the supported options', () => {
      assert.deepEqual(parseSecurityOpt('no-new-privileges'), {
        kind: 'no-new-privileges',
        value: true,
      });
      assert.deepEqual(parseSecurityOpt('no-new-privileges:true'), {
        kind: 'no-new-privileges',
        value: true,
      });
      assert.deepEqual(parseSecurityOpt('no-new-privileges=false'), {
        kind: 'no-new-privileges',
        value: false,
      });
      assert.deepEqual(parseSecurityOpt('no-new-privileges:0'), {
        kind: 'no-new-privileges',
        value: false,
      });
      assert.deepEqual(parseSecurityOpt('seccomp=unconfined'), {
        kind: 'seccomp',
        profile: 'unconfined',
      });
      assert.deepEqual(parseSecurityOpt('seccomp:/p.json'), {
        kind: 'seccomp',
        profile: '/p.json',
      });
      assert.deepEqual(parseSecurityOpt('apparmor=unconfined'), {
        kind: 'apparmor',
        profile: 'unconfined',
      });
      assert.deepEqual(parseSecurityOpt('label=disable'), { kind: 'label', value: 'disable' });
      assert.deepEqual(parseSecurityOpt('systempaths=unconfined'), {
        kind: 'systempaths',
        value: 'unconfined',
      });
    });
    it("uses Docker's errors", () => {
      throwsMsg(() => parseSecurityOpt('seccomp'), 'Invalid --security-opt: "seccomp"');
      throwsMsg(() => parseSecurityOpt('apparmor='), 'Invalid --security-opt: "apparmor="');
      throwsMsg(
        () => parseSecurityOpt('no-new-privileges=maybe'),
        'invalid --security-opt 2: "no-new-privileges=maybe"',
      );
      throwsMsg(() => parseSecurityOpt('foo=bar'), 'invalid --security-opt 2: "foo=bar"');
      throwsMsg(
        () => parseSecurityOpt('systempaths=x'),
        'invalid --security-opt 2: "systempaths=x"',
      );
    });
  });

  describe('parseSysctl', () => {
    it('allows namespaced sysctls only', () => {
      assert.deepEqual(parseSysctl('net.ipv4.ip_forward=1'), ['net.ipv4.ip_forward', '1']);
      assert.deepEqual(parseSysctl('kernel.shmmax=1=2'), ['kernel.shmmax', '1=2']);
      assert.deepEqual(parseSysctl('fs.mqueue.msg_max=20'), ['fs.mqueue.msg_max', '20']);
      throwsMsg(
        () => parseSysctl('vm.swappiness=1'),
        "sysctl 'vm.swappiness=1' is not whitelisted",
      );
      throwsMsg(() => parseSysctl('net.x'), "sysctl 'net.x' is not whitelisted");
    });
  });

  describe('parseEnvFile / parseLabelFile', () => {
    const content = [
      '\ufeffFIRST=1',
      '# comment',
      '',
      '   ',
      '  INDENTED=keeps trailing  ',
      'QUOTED="not unquoted"',
      'EMPTY=',
      'HOSTVAR',
      'MISSING',
      'EQ=a=b',
      'CRLF=x\r',
      '\t# indented comment',
      'LAST=no newline',
    ].join('\n');
    const lookupEnv = (k: string) => (k === 'HOSTVAR' ? 'from host' : undefined);

    it("follows docker/cli's rules", () => {
      assert.deepEqual(parseEnvFile(content, { lookupEnv }), [
        'FIRST=1',
        'INDENTED=keeps trailing  ',
        'QUOTED="not unquoted"',
        'EMPTY=',
        'HOSTVAR=from host',
        'MISSING',
        'EQ=a=b',
        'CRLF=x',
        'LAST=no newline',
      ]);
    });

    it('reads Buffers the same way', () => {
      assert.deepEqual(
        parseEnvFile(Buffer.from(content), { lookupEnv }),
        parseEnvFile(content, { lookupEnv }),
      );
    });

    it('keeps bare label keys', () => {
      assert.deepEqual(parseLabelFile('a=1\nflag\n# x\n'), ['a=1', 'flag']);
    });

    it("uses docker/cli's errors", () => {
      throwsMsg(
        () => parseEnvFile('BAD KEY=1'),
        "poorly formatted environment: variable 'BAD KEY' contains whitespaces",
      );
      throwsMsg(
        () => parseEnvFile('=value'),
        "poorly formatted environment: no variable name on line '=value'",
      );
      throwsMsg(
        () => parseEnvFile('TRAIL \n'),
        "poorly formatted environment: variable 'TRAIL ' contains whitespaces",
      );
      throwsMsg(
        () =>
          parseEnvFile(Buffer.from([0x41, 0x3d, 0x31, 0x0a, 0x42, 0x3d, 0xff]), {
            filename: 'e.env',
          }),
        'env file e.env contains invalid utf8 bytes at line 2: [66 61 255]',
      );
    });
  });

  describe('parseAddHost', () => {
    it('accepts host:ip, host=ip, IPv6 and host-gateway', () => {
      assert.deepEqual(parseAddHost('db:10.0.0.2'), { host: 'db', ip: '10.0.0.2' });
      assert.deepEqual(parseAddHost('db=10.0.0.2'), { host: 'db', ip: '10.0.0.2' });
      assert.deepEqual(parseAddHost('v6:::1'), { host: 'v6', ip: '::1' });
      assert.deepEqual(parseAddHost('v6=[2001:db8::1]'), { host: 'v6', ip: '2001:db8::1' });
      assert.deepEqual(parseAddHost('gw:host-gateway'), { host: 'gw', ip: 'host-gateway' });
    });
    it("uses docker/cli's errors", () => {
      throwsMsg(() => parseAddHost('nohost'), 'bad format for add-host: "nohost"');
      throwsMsg(() => parseAddHost(':1.2.3.4'), 'bad format for add-host: ":1.2.3.4"');
      throwsMsg(() => parseAddHost('a:b=1.2.3.4'), 'bad format for add-host: "a:b=1.2.3.4"');
      throwsMsg(() => parseAddHost('h:999.1.1.1'), 'invalid IP address in add-host: "999.1.1.1"');
      throwsMsg(() => parseAddHost('h:'), 'invalid IP address in add-host: ""');
    });
  });

  describe('parsePublish', () => {
    const pm = (
      hostIP: string,
      hostPort: number,
      containerPort: number,
      protocol: PortMapping['protocol'] = 'tcp',
      hostPortEnd = hostPort,
    ): PortMapping => ({ hostIP, hostPort, hostPortEnd, containerPort, protocol });

    it('parses the short forms', () => {
      assert.deepEqual(parsePublish('80'), [pm('', 0, 80)]);
      assert.deepEqual(parsePublish('8080:80'), [pm('', 8080, 80)]);
      assert.deepEqual(parsePublish('127.0.0.1:8080:80'), [pm('127.0.0.1', 8080, 80)]);
      assert.deepEqual(parsePublish('127.0.0.1::80'), [pm('127.0.0.1', 0, 80)]);
      assert.deepEqual(parsePublish('53:53/udp'), [pm('', 53, 53, 'udp')]);
      assert.deepEqual(parsePublish('53:53/UDP'), [pm('', 53, 53, 'udp')]);
      assert.deepEqual(parsePublish('80/'), [pm('', 0, 80)]);
      assert.deepEqual(parsePublish('9:9/sctp'), [pm('', 9, 9, 'sctp')]);
    });

    it('parses ranges', () => {
      assert.deepEqual(parsePublish('8000-8001:80-81'), [pm('', 8000, 80), pm('', 8001, 81)]);
      assert.deepEqual(parsePublish('80-81'), [pm('', 0, 80), pm('', 0, 81)]);
      // One container port with a host range: pick a free port in the range.
      assert.deepEqual(parsePublish('8000-8010:80'), [pm('', 8000, 80, 'tcp', 8010)]);
    });

    it('parses IPv6 host addresses', () => {
      assert.deepEqual(parsePublish('[::1]:8080:80'), [pm('::1', 8080, 80)]);
      assert.deepEqual(parsePublish('::1:8080:80'), [pm('::1', 8080, 80)]);
      assert.deepEqual(parsePublish('[2001:db8::1]::80/udp'), [pm('2001:db8::1', 0, 80, 'udp')]);
    });

    it('parses the long syntax', () => {
      assert.deepEqual(parsePublish('target=80,published=8080'), [pm('', 8080, 80)]);
      assert.deepEqual(parsePublish('target=53,protocol=udp'), [pm('', 0, 53, 'udp')]);
      throwsMsg(
        () => parsePublish('target=80,bogus'),
        "invalid publish opts format (should be name=value but got 'bogus')",
      );
    });

    it("uses go-connections' errors", () => {
      throwsMsg(() => parsePublish(''), 'No port specified: <empty>');
      throwsMsg(() => parsePublish('8080:'), 'No port specified: 8080:<empty>');
      throwsMsg(() => parsePublish('abc'), 'Invalid containerPort: abc');
      throwsMsg(() => parsePublish('70000'), 'Invalid containerPort: 70000');
      throwsMsg(() => parsePublish('x:80'), 'Invalid hostPort: x');
      throwsMsg(() => parsePublish('81-80'), 'Invalid containerPort: 81-80');
      throwsMsg(() => parsePublish('1.2.3:80:80'), 'Invalid ip address: 1.2.3');
      throwsMsg(
        () => parsePublish('[::1:80:80'),
        "Invalid ip address [::1: address [::1:: missing ']' in address",
      );
      throwsMsg(() => parsePublish('80/icmp'), 'Invalid proto: icmp');
      throwsMsg(
        () => parsePublish('8000:80-81'),
        'Invalid ranges specified for container and host Ports: 80-81 and 8000',
      );
      throwsMsg(
        () => parsePublish('8000-8002:80-81'),
        'Invalid ranges specified for container and host Ports: 80-81 and 8000-8002',
      );
    });
  });

  describe('parseVolume (-v)', () => {
    it('parses binds', () => {
      assert.deepEqual(parseVolume('/h:/c'), {
        type: 'bind',
        source: '/h',
        target: '/c',
        readonly: false,
        createHostPath: true,
      });
      assert.deepEqual(parseVolume('/h:/c:ro,rshared,Z'), {
        type: 'bind',
        source: '/h',
        target: '/c',
        readonly: true,
        createHostPath: true,
        propagation: 'rshared',
        relabel: 'Z',
      });
      assert.equal((parseVolume('/h:/c:rw') as { readonly: boolean }).readonly, false);
      assert.deepEqual(parseVolume('./data:/c', '/work'), {
        type: 'bind',
        source: '/work/data',
        target: '/c',
        readonly: false,
        createHostPath: true,
      });
      assert.equal((parseVolume('.:/c', '/work') as { source: string }).source, '/work');
    });

    it('parses named and anonymous volumes', () => {
      assert.deepEqual(parseVolume('data:/c:ro'), {
        type: 'volume',
        name: 'data',
        target: '/c',
        readonly: true,
      });
      assert.deepEqual(parseVolume('data:/c:nocopy'), {
        type: 'volume',
        name: 'data',
        target: '/c',
        readonly: false,
        noCopy: true,
      });
      assert.deepEqual(parseVolume('/c'), { type: 'volume', target: '/c', readonly: false });
    });

    it("uses Docker's errors", () => {
      throwsMsg(() => parseVolume(''), "invalid volume specification: ''");
      throwsMsg(() => parseVolume(':/c'), "invalid volume specification: ':/c'");
      throwsMsg(() => parseVolume('/a:/b:ro:x'), "invalid volume specification: '/a:/b:ro:x'");
      throwsMsg(() => parseVolume('/c:ro'), "invalid volume specification: '/c:ro'");
      throwsMsg(() => parseVolume('/h:/c:rx'), 'invalid mode: rx');
      throwsMsg(() => parseVolume('/h:/c:ro,rw'), 'invalid mode: ro,rw');
      throwsMsg(
        () => parseVolume('/h:rel'),
        `invalid volume specification: '/h:rel': invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`,
      );
      throwsMsg(
        () => parseVolume('/h:/'),
        `invalid volume specification: '/h:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`,
      );
      throwsMsg(
        () => parseVolume('v:/c:rshared'),
        `invalid volume specification: 'v:/c:rshared': invalid mount config for type "volume": field BindOptions must not be specified`,
      );
      throwsMsg(
        () => parseVolume('a/b:/c'),
        'create a/b: "a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path',
      );
    });
  });

  describe('parseMount (--mount)', () => {
    it('parses binds', () => {
      assert.deepEqual(parseMount('type=bind,source=/h,target=/c'), {
        type: 'bind',
        source: '/h',
        target: '/c',
        readonly: false,
        createHostPath: false,
      });
      assert.deepEqual(
        parseMount('type=bind,src=/h,dst=/c,readonly,bind-propagation=rslave,bind-nonrecursive'),
        {
          type: 'bind',
          source: '/h',
          target: '/c',
          readonly: true,
          createHostPath: false,
          propagation: 'rslave',
          nonRecursive: true,
        },
      );
      assert.equal(
        (parseMount('Type=Bind,Source=./x,Destination=/c,ro=false', '/w') as { source: string })
          .source,
        '/w/x',
      );
      assert.deepEqual(parseMount('"type=bind","src=/a,b",dst=/c'), {
        type: 'bind',
        source: '/a,b',
        target: '/c',
        readonly: false,
        createHostPath: false,
      });
    });

    it('defaults to volumes and parses volume options', () => {
      assert.deepEqual(parseMount('target=/c'), { type: 'volume', target: '/c', readonly: false });
      assert.deepEqual(
        parseMount(
          'type=volume,src=v1,dst=/c,volume-nocopy,volume-driver=local,volume-label=a=b,volume-opt=o=1,volume-subpath=sub',
        ),
        {
          type: 'volume',
          name: 'v1',
          target: '/c',
          readonly: false,
          noCopy: true,
          driver: 'local',
          subpath: 'sub',
          labels: { a: 'b' },
          driverOptions: { o: '1' },
        },
      );
    });

    it('parses tmpfs with size and mode', () => {
      assert.deepEqual(parseMount('type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770'), {
        type: 'tmpfs',
        target: '/t',
        readonly: false,
        options: ['mode=1770', 'size=64m'],
      });
      assert.deepEqual(parseMount('type=tmpfs,dst=/t,ro,tmpfs-size=1000'), {
        type: 'tmpfs',
        target: '/t',
        readonly: true,
        options: ['ro', 'size=1000'],
      });
      assert.deepEqual(
        (parseMount('type=tmpfs,dst=/t,tmpfs-size=2g') as { options: string[] }).options,
        ['size=2g'],
      );
    });

    it("uses Docker's errors", () => {
      throwsMsg(() => parseMount('type=bind,src=/h'), 'target is required');
      throwsMsg(() => parseMount('type=,dst=/c'), 'type is required');
      throwsMsg(
        () => parseMount('type=bind,dst=/c,bogus'),
        "invalid field 'bogus' must be a key=value pair",
      );
      throwsMsg(() => parseMount('type=bind,dst=/c,foo=1'), "unexpected key 'foo' in 'foo=1'");
      throwsMsg(() => parseMount('dst=/c,readonly=maybe'), 'invalid value for readonly: maybe');
      throwsMsg(() => parseMount('dst=/c,volume-nocopy=2'), 'invalid value for volume-nocopy: 2');
      throwsMsg(
        () => parseMount('type=tmpfs,dst=/c,tmpfs-size=x'),
        'invalid value for tmpfs-size: x',
      );
      throwsMsg(
        () => parseMount('type=tmpfs,dst=/c,tmpfs-mode=9'),
        'invalid value for tmpfs-mode: 9',
      );
      throwsMsg(
        () => parseMount('type=bind,src=/h,dst=/c,volume-nocopy'),
        "cannot mix 'volume-*' options with mount type 'bind'",
      );
      throwsMsg(
        () => parseMount('type=volume,dst=/c,bind-propagation=shared'),
        "cannot mix 'bind-*' options with mount type 'volume'",
      );
      throwsMsg(
        () => parseMount('type=bind,src=/h,dst=/c,tmpfs-size=1m'),
        "cannot mix 'tmpfs-*' options with mount type 'bind'",
      );
      throwsMsg(
        () => parseMount('type=bind,dst=/c'),
        'invalid mount config for type "bind": field Source must not be empty',
      );
      throwsMsg(
        () => parseMount('type=bind,src=rel,dst=/c'),
        `invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`,
      );
      throwsMsg(
        () => parseMount('type=bind,src=/h,dst=c'),
        `invalid mount config for type "bind": invalid mount path: 'c' mount path must be absolute`,
      );
      throwsMsg(
        () => parseMount('type=bind,src=/h,dst=/'),
        `invalid mount config for type "bind": invalid specification: destination can't be '/'`,
      );
      throwsMsg(
        () => parseMount('type=bind,src=/h,dst=/c,bind-propagation=weird'),
        'invalid mount config for type "bind": invalid propagation mode: weird',
      );
      throwsMsg(
        () => parseMount('type=volume,dst=/c,ro'),
        'invalid mount config for type "volume": must not set ReadOnly mode when using anonymous volumes',
      );
      throwsMsg(
        () => parseMount('type=tmpfs,src=x,dst=/c'),
        'invalid mount config for type "tmpfs": field Source must not be specified',
      );
      throwsMsg(
        () => parseMount('type=npipe,dst=/c'),
        'invalid mount config for type "npipe": mount type unknown',
      );
      throwsMsg(
        () => parseMount('dst=/c,src=a"b'),
        'parse error on line 1, column 13: bare " in non-quoted field',
      );
    });
  });

  describe('parseTmpfs (--tmpfs)', () => {
    it('parses path and options', () => {
      assert.deepEqual(parseTmpfs('/run'), {
        type: 'tmpfs',
        target: '/run',
        readonly: false,
        options: [],
      });
      assert.deepEqual(parseTmpfs('/run:rw,size=64m,exec,mode=1777'), {
        type: 'tmpfs',
        target: '/run',
        readonly: false,
        options: ['rw', 'size=64m', 'exec', 'mode=1777'],
      });
    });
    it("uses moby's errors", () => {
      throwsMsg(() => parseTmpfs('run'), "invalid mount path: 'run' mount path must be absolute");
      throwsMsg(() => parseTmpfs('/'), "invalid specification: destination can't be '/'");
      throwsMsg(() => parseTmpfs('/run:foo'), 'invalid tmpfs option ["foo"]');
      throwsMsg(() => parseTmpfs('/run:size=1m,bogus=2'), 'invalid tmpfs option ["bogus" "2"]');
    });
  });
});
