import assert from 'node:assert/strict';
import {
  compatiblePlatforms,
  formatPlatform,
  fromOciPlatform,
  hostPlatform,
  InvalidPlatformError,
  matchPlatform,
  NoMatchingManifestError,
  normalizePlatform,
  parsePlatform,
  platformMatcher,
  selectManifest,
  selectManifests,
  toOciPlatform,
  type Platform,
} from '../../../src/image/platform.js';
import { MediaType, type Descriptor, type OciPlatform } from '../../../src/registry/media-types.js';

function entry(
  spec: string | undefined,
  n: number,
  mediaType: string = MediaType.OciManifest,
): Descriptor {
  const d: Descriptor = { mediaType, digest: `sha256:${String(n).padStart(64, '0')}`, size: n };
  if (spec !== undefined) {
    const [os = '', architecture = '', variant] = spec.split('/');
    const p: OciPlatform = { os, architecture };
    if (variant) p.variant = variant;
    d.platform = p;
  }
  return d;
}

const host = hostPlatform();

describe('image/platform', () => {
  describe('parsePlatform', () => {
    const cases: [string, Platform][] = [
      ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
      ['linux/x86_64', { os: 'linux', architecture: 'amd64' }],
      ['linux/x86-64', { os: 'linux', architecture: 'amd64' }],
      ['linux/amd64/v1', { os: 'linux', architecture: 'amd64' }],
      ['linux/amd64/v3', { os: 'linux', architecture: 'amd64', variant: 'v3' }],
      ['linux/i386', { os: 'linux', architecture: '386' }],
      ['linux/arm64', { os: 'linux', architecture: 'arm64' }],
      ['linux/aarch64', { os: 'linux', architecture: 'arm64' }],
      ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
      ['linux/aarch64/8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
      ['linux/arm64/v8.2', { os: 'linux', architecture: 'arm64', variant: 'v8.2' }],
      ['linux/arm', { os: 'linux', architecture: 'arm' }],
      ['linux/armhf', { os: 'linux', architecture: 'arm' }],
      ['linux/armel', { os: 'linux', architecture: 'arm', variant: 'v6' }],
      ['linux/arm/7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
      ['linux/arm/v6', { os: 'linux', architecture: 'arm', variant: 'v6' }],
      ['Linux/ARM64', { os: 'linux', architecture: 'arm64' }],
      ['macos/arm64', { os: 'darwin', architecture: 'arm64' }],
      ['linux/ppc64le', { os: 'linux', architecture: 'ppc64le' }],
      ['linux/s390x', { os: 'linux', architecture: 's390x' }],
      [
        'windows(10.0.17763)/amd64',
        { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763' },
      ],
      [
        'windows(10.0.17763+win32k)/amd64',
        { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763', osFeatures: ['win32k'] },
      ],
      ['aarch64', { os: host.os, architecture: 'arm64' }],
      ['armhf', { os: host.os, architecture: 'arm' }],
    ];
    for (const [input, want] of cases) {
      it(input, () => assert.deepEqual(parsePlatform(input), want));
    }

    it('a lone OS takes the host architecture', () => {
      const p = parsePlatform('linux');
      assert.equal(p.os, 'linux');
      assert.equal(p.architecture, host.architecture);
    });

    const bad: [string, string][] = [
      ['linux/*', '"linux/*": wildcards not yet supported: invalid argument'],
      ['nosuch', '"nosuch": unknown operating system or architecture: invalid argument'],
      ['linux/amd64/v1/x', '"linux/amd64/v1/x": cannot parse platform specifier: invalid argument'],
      [
        'linux/am d64',
        '"am d64" is an invalid component of "linux/am d64": platform specifier component must match "^[A-Za-z0-9_.-]+$": invalid argument',
      ],
      [
        '',
        '"" is an invalid OS component of "": OSAndVersion specifier component must match "^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.%-]*)((?:\\\\+[A-Za-z0-9_.%-]+)*)\\\\))?$": invalid argument',
      ],
    ];
    for (const [input, message] of bad) {
      it(`rejects ${JSON.stringify(input)}`, () => {
        assert.throws(
          () => parsePlatform(input),
          (e: unknown) => e instanceof InvalidPlatformError && e.message === message,
        );
      });
    }
  });

  it('formatPlatform', () => {
    assert.equal(formatPlatform(parsePlatform('linux/arm64/v8')), 'linux/arm64/v8');
    assert.equal(formatPlatform(parsePlatform('linux/arm64')), 'linux/arm64');
    assert.equal(formatPlatform(parsePlatform('linux/arm/v7')), 'linux/arm/v7');
    assert.equal(formatPlatform({ os: '', architecture: 'amd64' }), 'unknown');
  });

  it('normalizePlatform drops default variants and lower-cases', () => {
    assert.deepEqual(normalizePlatform({ os: 'Linux', architecture: 'AArch64', variant: 'V8' }), {
      os: 'linux',
      architecture: 'arm64',
    });
    assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'arm' }), {
      os: 'linux',
      architecture: 'arm',
      variant: 'v7',
    });
    assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'amd64', variant: 'v1' }), {
      os: 'linux',
      architecture: 'amd64',
    });
  });

  it('hostPlatform maps Node names to OCI names', () => {
    const p = hostPlatform();
    assert.ok(
      ['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64', 'loong64'].includes(
        p.architecture,
      ) || p.architecture !== '',
    );
    if (process.arch === 'x64') assert.deepEqual(p, { os: 'linux', architecture: 'amd64' });
    if (process.arch === 'arm64') assert.equal(formatPlatform(p), 'linux/arm64/v8');
  });

  it('OCI platform conversion round-trips', () => {
    const oci: OciPlatform = {
      os: 'windows',
      architecture: 'amd64',
      'os.version': '10.0.1',
      'os.features': ['a'],
    };
    assert.deepEqual(toOciPlatform(fromOciPlatform(oci)), oci);
  });

  describe('matchPlatform (containerd platforms.Only)', () => {
    const table: [string, string, boolean][] = [
      ['linux/amd64', 'linux/amd64', true],
      ['linux/amd64', 'linux/386', true],
      ['linux/amd64', 'linux/arm64', false],
      ['linux/amd64', 'windows/amd64', false],
      ['linux/amd64', 'linux/amd64/v2', false],
      ['linux/amd64/v3', 'linux/amd64/v2', true],
      ['linux/amd64/v3', 'linux/amd64', true],
      ['linux/amd64/v2', 'linux/amd64/v3', false],
      ['linux/arm64/v8', 'linux/arm64', true],
      ['linux/arm64', 'linux/arm64/v8', true],
      ['linux/arm64', 'linux/arm/v7', true],
      ['linux/arm64', 'linux/arm/v5', true],
      ['linux/arm64', 'linux/amd64', false],
      ['linux/arm64/v8.2', 'linux/arm64/v8.1', true],
      ['linux/arm64/v8.1', 'linux/arm64/v8.2', false],
      ['linux/arm64/v9', 'linux/arm64/v8.5', true],
      ['linux/arm/v7', 'linux/arm', true],
      ['linux/arm/v7', 'linux/arm/v6', true],
      ['linux/arm/v6', 'linux/arm/v7', false],
      ['linux/aarch64', 'linux/arm64/v8', true],
    ];
    for (const [want, candidate, expected] of table) {
      it(`${want} ${expected ? 'runs' : 'does not run'} ${candidate}`, () => {
        assert.equal(matchPlatform(parsePlatform(want), parsePlatform(candidate)), expected);
      });
    }

    it('strict matching accepts only the platform itself', () => {
      const m = platformMatcher(parsePlatform('linux/amd64'), { strict: true });
      assert.ok(m.match(parsePlatform('linux/x86_64')));
      assert.ok(!m.match(parsePlatform('linux/386')));
    });

    it('OS features must be provided by the wanted platform', () => {
      const want: Platform = { os: 'windows', architecture: 'amd64', osFeatures: ['win32k'] };
      assert.ok(
        matchPlatform(want, { os: 'windows', architecture: 'amd64', osFeatures: ['win32k'] }),
      );
      assert.ok(!matchPlatform({ os: 'windows', architecture: 'amd64' }, want));
    });

    it('compatiblePlatforms orders arm64 like containerd', () => {
      assert.deepEqual(compatiblePlatforms(parsePlatform('linux/arm64/v8')).map(formatPlatform), [
        'linux/arm64',
        'linux/arm/v8',
        'linux/arm/v7',
        'linux/arm/v6',
        'linux/arm/v5',
      ]);
      assert.deepEqual(compatiblePlatforms(parsePlatform('linux/amd64/v3')).map(formatPlatform), [
        'linux/amd64/v3',
        'linux/amd64/v2',
        'linux/amd64/v1',
        'linux/386',
      ]);
    });
  });

  describe('selectManifest', () => {
    const index = {
      manifests: [
        entry('linux/386', 1),
        entry('linux/amd64', 2),
        entry('linux/arm/v6', 3),
        entry('linux/arm/v7', 4),
        entry('linux/arm64/v8', 5),
        entry('unknown/unknown', 6),
        entry('linux/ppc64le', 7),
      ],
    };

    it('picks the exact platform over compatible ones', () => {
      assert.equal(selectManifest(index, parsePlatform('linux/amd64')).size, 2);
      assert.equal(selectManifest(index, parsePlatform('linux/arm64')).size, 5);
      assert.equal(selectManifest(index, parsePlatform('linux/arm/v7')).size, 4);
      assert.equal(selectManifest(index, parsePlatform('linux/arm/v6')).size, 3);
    });

    it('falls back to compatible platforms in preference order', () => {
      assert.deepEqual(
        selectManifests(index, parsePlatform('linux/amd64')).map((d) => d.size),
        [2, 1],
      );
      const armOnly = { manifests: [entry('linux/arm/v6', 1), entry('linux/arm/v7', 2)] };
      assert.equal(selectManifest(armOnly, parsePlatform('linux/arm64/v8')).size, 2);
      assert.equal(
        selectManifest({ manifests: [entry('linux/386', 9)] }, parsePlatform('linux/amd64')).size,
        9,
      );
    });

    it('keeps index order among equal matches and puts platform-less entries last', () => {
      const idx = {
        manifests: [
          entry(undefined, 1),
          entry('linux/amd64', 2),
          entry('linux/amd64', 3),
          entry(undefined, 4, MediaType.OciIndex),
          entry('linux/amd64', 5, 'application/vnd.example.sbom'),
        ],
      };
      assert.deepEqual(
        selectManifests(idx, parsePlatform('linux/amd64')).map((d) => d.size),
        [2, 3, 1, 4],
      );
    });

    it('uses strict matching on request', () => {
      const idx = { manifests: [entry('linux/386', 1)] };
      assert.throws(
        () => selectManifest(idx, parsePlatform('linux/amd64'), { strict: true }),
        NoMatchingManifestError,
      );
    });

    it('throws Docker’s message when nothing fits', () => {
      const idx = { manifests: [entry('linux/amd64', 1), entry('unknown/unknown', 2)] };
      assert.throws(
        () => selectManifest(idx, parsePlatform('linux/arm64/v8')),
        (e: unknown) =>
          e instanceof NoMatchingManifestError &&
          e.message === 'no matching manifest for linux/arm64/v8 in the manifest list entries',
      );
    });
  });
});
