import assert from 'node:assert/strict';
import {
  familiarName,
  familiarString,
  isDigestReference,
  manifestReference,
  parseDockerRef,
  parseExactReference,
  parseReference,
  validateDigest,
  withDefaultTag,
  withDigest,
  withTag,
  InvalidReferenceError,
} from '../../../src/registry/reference.js';

const D = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('registry/reference', () => {
  describe('parseReference normalises like Docker', () => {
    const cases: {
      in: string;
      domain: string;
      path: string;
      tag?: string;
      digest?: string;
      full: string;
      familiar: string;
    }[] = [
      {
        in: 'busybox',
        domain: 'docker.io',
        path: 'library/busybox',
        full: 'docker.io/library/busybox',
        familiar: 'busybox',
      },
      {
        in: 'busybox:1.36',
        domain: 'docker.io',
        path: 'library/busybox',
        tag: '1.36',
        full: 'docker.io/library/busybox:1.36',
        familiar: 'busybox:1.36',
      },
      {
        in: 'user/app',
        domain: 'docker.io',
        path: 'user/app',
        full: 'docker.io/user/app',
        familiar: 'user/app',
      },
      {
        in: 'docker.io/busybox',
        domain: 'docker.io',
        path: 'library/busybox',
        full: 'docker.io/library/busybox',
        familiar: 'busybox',
      },
      {
        in: 'index.docker.io/library/busybox:latest',
        domain: 'docker.io',
        path: 'library/busybox',
        tag: 'latest',
        full: 'docker.io/library/busybox:latest',
        familiar: 'busybox:latest',
      },
      {
        in: 'index.docker.io/user/app',
        domain: 'docker.io',
        path: 'user/app',
        full: 'docker.io/user/app',
        familiar: 'user/app',
      },
      {
        in: 'docker.io/library/a/b',
        domain: 'docker.io',
        path: 'library/a/b',
        full: 'docker.io/library/a/b',
        familiar: 'library/a/b',
      },
      {
        in: 'localhost:5000/a/b',
        domain: 'localhost:5000',
        path: 'a/b',
        full: 'localhost:5000/a/b',
        familiar: 'localhost:5000/a/b',
      },
      {
        in: 'localhost/a',
        domain: 'localhost',
        path: 'a',
        full: 'localhost/a',
        familiar: 'localhost/a',
      },
      {
        in: '127.0.0.1:5000/x:1',
        domain: '127.0.0.1:5000',
        path: 'x',
        tag: '1',
        full: '127.0.0.1:5000/x:1',
        familiar: '127.0.0.1:5000/x:1',
      },
      {
        in: '[::1]:5000/foo/bar:v1',
        domain: '[::1]:5000',
        path: 'foo/bar',
        tag: 'v1',
        full: '[::1]:5000/foo/bar:v1',
        familiar: '[::1]:5000/foo/bar:v1',
      },
      {
        in: 'Registry.Example.com/app',
        domain: 'Registry.Example.com',
        path: 'app',
        full: 'Registry.Example.com/app',
        familiar: 'Registry.Example.com/app',
      },
      {
        in: `busybox@${D}`,
        domain: 'docker.io',
        path: 'library/busybox',
        digest: D,
        full: `docker.io/library/busybox@${D}`,
        familiar: `busybox@${D}`,
      },
      {
        in: `busybox:1.36@${D}`,
        domain: 'docker.io',
        path: 'library/busybox',
        tag: '1.36',
        digest: D,
        full: `docker.io/library/busybox:1.36@${D}`,
        familiar: `busybox:1.36@${D}`,
      },
      {
        in: 'localhost:5000',
        domain: 'docker.io',
        path: 'library/localhost',
        tag: '5000',
        full: 'docker.io/library/localhost:5000',
        familiar: 'localhost:5000',
      },
      {
        in: 'example.com',
        domain: 'docker.io',
        path: 'library/example.com',
        full: 'docker.io/library/example.com',
        familiar: 'example.com',
      },
      {
        in: 'a_b__c---d/e.f:Tag_1.x-Y',
        domain: 'docker.io',
        path: 'a_b__c---d/e.f',
        tag: 'Tag_1.x-Y',
        full: 'docker.io/a_b__c---d/e.f:Tag_1.x-Y',
        familiar: 'a_b__c---d/e.f:Tag_1.x-Y',
      },
      {
        in: 'quay.io/org/sub/image:v2',
        domain: 'quay.io',
        path: 'org/sub/image',
        tag: 'v2',
        full: 'quay.io/org/sub/image:v2',
        familiar: 'quay.io/org/sub/image:v2',
      },
    ];
    for (const c of cases) {
      it(c.in, () => {
        const r = parseReference(c.in);
        assert.equal(r.domain, c.domain);
        assert.equal(r.path, c.path);
        assert.equal(r.tag, c.tag);
        assert.equal(r.digest, c.digest);
        assert.equal(r.name, `${c.domain}/${c.path}`);
        assert.equal(r.full, c.full);
        assert.equal(String(r), c.full);
        assert.equal(r.familiar, c.familiar);
        assert.equal(familiarString(r), c.familiar);
      });
    }
  });

  describe('invalid references give Docker’s exact errors', () => {
    const hex64 = 'a'.repeat(64);
    const cases: [string, string][] = [
      ['', 'invalid reference format'],
      ['a:b:c', 'invalid reference format'],
      [':tag', 'invalid reference format'],
      ['busybox:', 'invalid reference format'],
      ['-busybox', 'invalid reference format'],
      ['busybox.', 'invalid reference format'],
      ['foo___bar', 'invalid reference format'],
      // An upper-case first element is taken as a host (docker/cli), then refused as Docker
      // Engine does, never looked up in DNS.
      ['UPPER/case', 'invalid reference format: repository name must be lowercase'],
      ['Bad/Ref', 'invalid reference format: repository name (Ref) must be lowercase'],
      ['foo//bar', 'invalid reference format'],
      ['busybox@sha256:abc', 'invalid reference format'],
      [`busybox:${'t'.repeat(129)}`, 'invalid reference format'],
      ['Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
      ['user/App:latest', 'invalid reference format: repository name (user/App) must be lowercase'],
      [
        'example.com/Foo/bar',
        'invalid reference format: repository name (Foo/bar) must be lowercase',
      ],
      [hex64, `invalid repository name (${hex64}), cannot specify 64-byte hexadecimal strings`],
      [`busybox@sha256:${'a'.repeat(32)}`, 'invalid checksum digest length'],
      [`busybox@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
      [`busybox@sha256:${'A'.repeat(64)}`, 'invalid checksum digest format'],
      ['a'.repeat(256), 'repository name must not be more than 255 characters'],
    ];
    for (const [input, message] of cases) {
      it(JSON.stringify(input.length > 40 ? input.slice(0, 40) + '…' : input), () => {
        assert.throws(
          () => parseReference(input),
          (err: unknown) => err instanceof InvalidReferenceError && err.message === message,
        );
      });
    }
  });

  it('parseExactReference does not normalise and reports upper case plainly', () => {
    const r = parseExactReference('busybox');
    assert.equal(r.domain, '');
    assert.equal(r.path, 'busybox');
    assert.equal(r.familiar, 'busybox');
    assert.throws(
      () => parseExactReference('Busybox'),
      /^InvalidReferenceError: repository name must be lowercase$/,
    );
    assert.throws(
      () => parseExactReference(''),
      /repository name must have at least one component/,
    );
  });

  it('withDefaultTag adds latest only to bare names', () => {
    assert.equal(
      withDefaultTag(parseReference('busybox')).full,
      'docker.io/library/busybox:latest',
    );
    assert.equal(withDefaultTag(parseReference('busybox')).familiar, 'busybox:latest');
    assert.equal(withDefaultTag(parseReference('busybox:1')).full, 'docker.io/library/busybox:1');
    assert.equal(
      withDefaultTag(parseReference(`busybox@${D}`)).full,
      `docker.io/library/busybox@${D}`,
    );
  });

  it('parseDockerRef drops the tag when a digest pins the image', () => {
    assert.equal(parseDockerRef(`busybox:1@${D}`).full, `docker.io/library/busybox@${D}`);
    assert.equal(parseDockerRef('busybox').full, 'docker.io/library/busybox:latest');
  });

  it('withTag / withDigest / isDigestReference / manifestReference', () => {
    const r = parseReference('localhost:5000/a/b');
    assert.equal(withTag(r, 'v1').full, 'localhost:5000/a/b:v1');
    assert.throws(() => withTag(r, '-bad'), /invalid tag format/);
    const pinned = withDigest(withTag(r, 'v1'), D);
    assert.equal(pinned.full, `localhost:5000/a/b:v1@${D}`);
    assert.ok(isDigestReference(pinned));
    assert.ok(!isDigestReference(r));
    assert.equal(withTag(pinned, 'v2').full, `localhost:5000/a/b:v2@${D}`);
    assert.equal(manifestReference(pinned), D);
    assert.equal(manifestReference(withTag(r, 'v1')), 'v1');
    assert.equal(manifestReference(r), 'latest');
    assert.throws(() => withDigest(r, 'nope'), /invalid digest format/);
    assert.equal(familiarName(pinned), 'localhost:5000/a/b');
  });

  it('references are immutable', () => {
    const r = parseReference('busybox');
    assert.ok(Object.isFrozen(r));
  });

  it('validateDigest accepts sha256/sha384/sha512', () => {
    validateDigest(D);
    validateDigest(`sha384:${'0'.repeat(96)}`);
    validateDigest(`sha512:${'0'.repeat(128)}`);
    assert.throws(() => validateDigest('sha256'), /invalid checksum digest format/);
    assert.throws(() => validateDigest('sha256:'), /invalid checksum digest format/);
    assert.throws(() => validateDigest('Weird!:abc'), /invalid checksum digest format/);
  });
});
