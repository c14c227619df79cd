import assert from 'node:assert/strict';
import {
  createRegistryError,
  DeniedError,
  formatRegistryErrors,
  ManifestUnknownError,
  NameUnknownError,
  parseErrorBody,
  registryErrorEntry,
  translatePullError,
  UnauthorizedError,
} from '../../../src/registry/errors.js';
import { parseReference, withDefaultTag } from '../../../src/registry/reference.js';
import { BerthError } from '../../../src/errors.js';

describe('registry/errors', () => {
  it('formats errcode errors like Docker', () => {
    assert.equal(
      formatRegistryErrors([registryErrorEntry('MANIFEST_UNKNOWN')]),
      'manifest unknown: manifest unknown',
    );
    assert.equal(
      formatRegistryErrors([registryErrorEntry('UNAUTHORIZED')]),
      'unauthorized: authentication required',
    );
    assert.equal(
      formatRegistryErrors([registryErrorEntry('DENIED'), registryErrorEntry('UNAUTHORIZED', 'x')]),
      'errors:\ndenied: requested access to the resource is denied\nunauthorized: x\n',
    );
    assert.equal(
      formatRegistryErrors([registryErrorEntry('SOMETHING_NEW', 'odd')]),
      'unknown: odd',
    );
  });

  it('parses errcode bodies and the token service’s details form', () => {
    assert.deepEqual(
      parseErrorBody(
        404,
        '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}',
      ),
      [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }],
    );
    assert.deepEqual(parseErrorBody(401, '{"details":"incorrect username or password"}'), [
      { code: 'UNAUTHORIZED', message: 'incorrect username or password' },
    ]);
    assert.equal(parseErrorBody(500, '<html>'), undefined);
    assert.equal(parseErrorBody(404, '{"errors":[]}'), undefined);
  });

  it('picks the subclass from the first code', () => {
    assert.ok(
      createRegistryError([registryErrorEntry('UNAUTHORIZED')]) instanceof UnauthorizedError,
    );
    const e = createRegistryError([registryErrorEntry('MANIFEST_UNKNOWN')], { status: 404 });
    assert.ok(e instanceof ManifestUnknownError);
    assert.ok(e instanceof BerthError);
    assert.equal(e.exitCode, 1);
    assert.equal(e.status, 404);
    assert.equal(e.code, 'MANIFEST_UNKNOWN');
  });

  it('translatePullError words pull failures as Docker does', () => {
    const ref = withDefaultTag(parseReference('127.0.0.1:5000/lab/busybox:nosuchtag'));
    const m = translatePullError(
      createRegistryError([registryErrorEntry('MANIFEST_UNKNOWN')]),
      ref,
    );
    assert.ok(m instanceof ManifestUnknownError);
    assert.equal(
      m.message,
      'manifest for 127.0.0.1:5000/lab/busybox:nosuchtag not found: manifest unknown: manifest unknown',
    );
    const hub = withDefaultTag(parseReference('nosuchimage'));
    const d = translatePullError(createRegistryError([registryErrorEntry('DENIED')]), hub);
    assert.ok(d instanceof DeniedError);
    assert.equal(
      d.message,
      "pull access denied for nosuchimage, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    );
    const n = translatePullError(createRegistryError([registryErrorEntry('NAME_UNKNOWN')]), hub);
    assert.ok(n instanceof NameUnknownError);
    assert.equal(
      n.message,
      'repository nosuchimage not found: name unknown: repository name not known to registry',
    );
    const other = createRegistryError([registryErrorEntry('TOOMANYREQUESTS', 'slow down')]);
    assert.equal(translatePullError(other, hub).message, 'toomanyrequests: slow down');
  });
});
