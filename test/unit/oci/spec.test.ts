import assert from 'node:assert/strict';

import {
  DEFAULT_PATH_ENV,
  OCI_VERSION,
  RLIM_INFINITY,
  defaultSpec,
  specToJSON,
} from '../../../src/oci/spec.js';
import {
  allCapabilities,
  capabilitiesFromMask,
  currentCapabilities,
  normalizeCapability,
  tweakCapabilities,
  KNOWN_CAPABILITIES,
} from '../../../src/oci/capabilities.js';
import { devMajor, devMinor } from '../../../src/oci/devices.js';
import { cleanPath, mergeTmpfsOptions, tmpfsSpecMount } from '../../../src/oci/mounts.js';

const DEFAULT_CAPS = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

describe('oci/spec', () => {
  describe('defaultSpec', () => {
    it("matches containerd 1.6's populateDefaultUnixSpec field for field", () => {
      assert.deepEqual(defaultSpec('default', 'abc'), {
        ociVersion: '1.0.2-dev',
        process: {
          user: { uid: 0, gid: 0 },
          env: [DEFAULT_PATH_ENV],
          cwd: '/',
          capabilities: {
            bounding: DEFAULT_CAPS,
            effective: DEFAULT_CAPS,
            permitted: DEFAULT_CAPS,
          },
          rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
          noNewPrivileges: true,
        },
        root: { path: 'rootfs' },
        mounts: [
          {
            destination: '/proc',
            type: 'proc',
            source: 'proc',
            options: ['nosuid', 'noexec', 'nodev'],
          },
          {
            destination: '/dev',
            type: 'tmpfs',
            source: 'tmpfs',
            options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
          },
          {
            destination: '/dev/pts',
            type: 'devpts',
            source: 'devpts',
            options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
          },
          {
            destination: '/dev/shm',
            type: 'tmpfs',
            source: 'shm',
            options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
          },
          {
            destination: '/dev/mqueue',
            type: 'mqueue',
            source: 'mqueue',
            options: ['nosuid', 'noexec', 'nodev'],
          },
          {
            destination: '/sys',
            type: 'sysfs',
            source: 'sysfs',
            options: ['nosuid', 'noexec', 'nodev', 'ro'],
          },
          {
            destination: '/run',
            type: 'tmpfs',
            source: 'tmpfs',
            options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
          },
        ],
        linux: {
          resources: { devices: [{ allow: false, access: 'rwm' }] },
          cgroupsPath: '/default/abc',
          namespaces: [
            { type: 'pid' },
            { type: 'ipc' },
            { type: 'uts' },
            { type: 'mount' },
            { type: 'network' },
          ],
          maskedPaths: [
            '/proc/acpi',
            '/proc/asound',
            '/proc/kcore',
            '/proc/keys',
            '/proc/latency_stats',
            '/proc/timer_list',
            '/proc/timer_stats',
            '/proc/sched_debug',
            '/sys/firmware',
            '/proc/scsi',
          ],
          readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
        },
      });
      assert.equal(OCI_VERSION, '1.0.2-dev');
    });

    it('has no inheritable or ambient capabilities', () => {
      const caps = defaultSpec('n', 'i').process?.capabilities;
      assert.equal(caps?.inheritable, undefined);
      assert.equal(caps?.ambient, undefined);
    });

    it('cleans the cgroups path like filepath.Join', () => {
      assert.equal(defaultSpec('k8s.io', 'x')?.linux?.cgroupsPath, '/k8s.io/x');
      assert.equal(defaultSpec('a/', '/b')?.linux?.cgroupsPath, '/a/b');
    });

    it('returns independent objects on every call', () => {
      const a = defaultSpec('n', 'i');
      a.process?.capabilities?.bounding?.push('CAP_SYS_ADMIN');
      a.mounts?.[0]?.options?.push('ro');
      const b = defaultSpec('n', 'i');
      assert.equal(b.process?.capabilities?.bounding?.length, 14);
      assert.deepEqual(b.mounts?.[0]?.options, ['nosuid', 'noexec', 'nodev']);
      assert.equal(b.process?.capabilities?.effective?.length, 14);
    });
  });

  describe('specToJSON', () => {
    it('writes bigint rlimits as exact integers', () => {
      const json = specToJSON({ rlimits: [{ type: 'RLIMIT_CORE', soft: RLIM_INFINITY, hard: 5 }] });
      assert.equal(
        json,
        '{"rlimits":[{"type":"RLIMIT_CORE","soft":18446744073709551615,"hard":5}]}',
      );
    });

    it('equals JSON.stringify without bigints', () => {
      const spec = defaultSpec('default', 'x');
      assert.equal(specToJSON(spec), JSON.stringify(spec));
    });

    it('leaves lookalike strings alone', () => {
      assert.equal(specToJSON({ a: 'bigint:5' }), '{"a":"bigint:5"}');
    });
  });
});

describe('oci/capabilities', () => {
  it('lists 41 known capabilities in kernel order', () => {
    assert.equal(KNOWN_CAPABILITIES.length, 41);
    assert.equal(KNOWN_CAPABILITIES[21], 'CAP_SYS_ADMIN');
    assert.equal(KNOWN_CAPABILITIES[40], 'CAP_CHECKPOINT_RESTORE');
  });

  it('limits allCapabilities to the kernel last cap', () => {
    assert.equal(allCapabilities(37).length, 38);
    assert.equal(allCapabilities(37).at(-1), 'CAP_AUDIT_READ');
    assert.equal(allCapabilities(99).length, 41);
  });

  it('decodes /proc status capability masks', () => {
    // This sandbox's mask: everything up to 40 except CAP_SYS_RESOURCE (24).
    const caps = capabilitiesFromMask(0x000001fffeffffffn);
    assert.equal(caps.length, 40);
    assert.ok(!caps.includes('CAP_SYS_RESOURCE'));
    assert.deepEqual(capabilitiesFromMask(0x3n), ['CAP_CHOWN', 'CAP_DAC_OVERRIDE']);
    assert.deepEqual(capabilitiesFromMask(0n), []);
  });

  it('defaults allCapabilities to the capabilities this process holds', () => {
    assert.deepEqual(allCapabilities(), currentCapabilities());
  });

  it('normalizes names', () => {
    assert.equal(normalizeCapability('net_admin'), 'CAP_NET_ADMIN');
    assert.equal(normalizeCapability('CAP_SYS_ADMIN'), 'CAP_SYS_ADMIN');
    assert.equal(normalizeCapability('all'), 'ALL');
    assert.throws(() => normalizeCapability('foo'), { message: 'unknown capability: "CAP_FOO"' });
  });

  describe('tweakCapabilities (Docker semantics)', () => {
    const base = ['CAP_CHOWN', 'CAP_KILL'];
    it('drops then adds', () => {
      assert.deepEqual(tweakCapabilities(base, ['NET_ADMIN', 'KILL'], ['KILL']), [
        'CAP_CHOWN',
        'CAP_NET_ADMIN',
        'CAP_KILL',
      ]);
    });
    it('add ALL means all except drops', () => {
      const caps = tweakCapabilities(base, ['ALL'], ['CAP_SYS_ADMIN'], 40);
      assert.equal(caps.length, 40);
      assert.ok(!caps.includes('CAP_SYS_ADMIN'));
    });
    it('drop ALL keeps only adds', () => {
      assert.deepEqual(tweakCapabilities(base, ['net_raw'], ['all']), ['CAP_NET_RAW']);
    });
    it('returns the base when nothing changes', () => {
      assert.deepEqual(tweakCapabilities(base, [], []), base);
    });
  });
});

describe('oci/mounts', () => {
  it('merges tmpfs options with later ones winning', () => {
    assert.deepEqual(
      mergeTmpfsOptions(['noexec', 'nosuid', 'nodev', 'rprivate', 'exec', 'size=1m', 'size=2m']),
      ['nosuid', 'nodev', 'rprivate', 'exec', 'size=2m'],
    );
    assert.deepEqual(mergeTmpfsOptions(['rprivate', 'shared', 'defaults']), ['shared']);
  });

  it("rejects unknown tmpfs options with moby's message", () => {
    assert.throws(() => mergeTmpfsOptions(['foo']), { message: 'invalid tmpfs option ["foo"]' });
    assert.throws(() => mergeTmpfsOptions(['bar=1']), {
      message: 'invalid tmpfs option ["bar" "1"]',
    });
  });

  it('builds the dockerd tmpfs mount', () => {
    assert.deepEqual(
      tmpfsSpecMount({ type: 'tmpfs', target: '/t', readonly: true, options: ['size=64m'] }),
      {
        destination: '/t',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['noexec', 'nosuid', 'nodev', 'rprivate', 'size=64m', 'ro'],
      },
    );
  });

  it('cleans paths', () => {
    assert.equal(cleanPath('/a//b/../c/'), '/a/c');
    assert.equal(cleanPath('/..'), '/');
  });
});

describe('oci/devices', () => {
  // glibc's makedev, to build test values independently of the decoder.
  const makedev = (major: bigint, minor: bigint) =>
    ((major & 0xfffn) << 8n) |
    ((major & ~0xfffn) << 32n) |
    (minor & 0xffn) |
    ((minor & ~0xffn) << 12n);

  it('decodes dev_t like glibc', () => {
    assert.equal(devMajor(makedev(1n, 3n)), 1);
    assert.equal(devMinor(makedev(1n, 3n)), 3);
    assert.equal(devMajor(makedev(0x1005n, 0x12345n)), 0x1005);
    assert.equal(devMinor(makedev(0x1005n, 0x12345n)), 0x12345);
  });
});
