import assert from 'node:assert/strict';
import { mergeScopes, parseChallenges, repositoryScope } from '../../../src/registry/authorizer.js';

describe('registry/authorizer', () => {
  describe('parseChallenges', () => {
    it('parses Docker Hub’s Bearer challenge', () => {
      assert.deepEqual(
        parseChallenges(
          'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
        ),
        [
          {
            scheme: 'bearer',
            params: {
              realm: 'https://auth.docker.io/token',
              service: 'registry.docker.io',
              scope: 'repository:library/busybox:pull',
            },
          },
        ],
      );
    });

    it('parses Basic with spaces and mixed-case names', () => {
      assert.deepEqual(parseChallenges('Basic Realm="Registry Realm"'), [
        { scheme: 'basic', params: { realm: 'Registry Realm' } },
      ]);
    });

    it('parses several challenges in one header', () => {
      const got = parseChallenges(
        'Bearer realm="https://r/token", service="svc", error="insufficient_scope", Basic realm="x"',
      );
      assert.equal(got.length, 2);
      assert.deepEqual(got[0], {
        scheme: 'bearer',
        params: { realm: 'https://r/token', service: 'svc', error: 'insufficient_scope' },
      });
      assert.deepEqual(got[1], { scheme: 'basic', params: { realm: 'x' } });
    });

    it('handles escapes, commas inside quotes and unquoted values', () => {
      assert.deepEqual(parseChallenges('Bearer realm="a,\\"b\\"", scope=repository:x:pull,push'), [
        { scheme: 'bearer', params: { realm: 'a,"b"', scope: 'repository:x:pull' } },
        { scheme: 'push', params: {} },
      ]);
    });

    it('survives a bare scheme, token68 and junk', () => {
      assert.deepEqual(parseChallenges('Negotiate'), [{ scheme: 'negotiate', params: {} }]);
      assert.deepEqual(parseChallenges('Negotiate abc==, Basic realm="r"').pop(), {
        scheme: 'basic',
        params: { realm: 'r' },
      });
      assert.deepEqual(parseChallenges(''), []);
      assert.doesNotThrow(() => parseChallenges('"" ,,, =  @@ Bearer'));
    });
  });

  it('repositoryScope and mergeScopes', () => {
    assert.equal(repositoryScope('library/busybox', ['pull']), 'repository:library/busybox:pull');
    assert.deepEqual(
      mergeScopes([
        'repository:a:pull',
        'repository:a:push',
        'repository:b:pull repository:a:pull',
        'registry:catalog:*',
      ]),
      ['registry:catalog:*', 'repository:a:pull,push', 'repository:b:pull'],
    );
  });
});
