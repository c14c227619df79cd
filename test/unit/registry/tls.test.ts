import assert from 'node:assert/strict';
import { rootCertificates } from 'node:tls';
import { tlsAgent, tlsConnectOptions } from '../../../src/registry/tls.js';

const EXTRA_CA = '-----BEGIN CERTIFICATE-----\nEXTRA-CA\n-----END CERTIFICATE-----\n';

describe('registry/tls', () => {
  it('trusts the system roots plus a certs.d CA, not the CA alone', () => {
    const opts = tlsConnectOptions({ ca: [EXTRA_CA] });
    const ca = opts?.ca ?? [];
    assert.ok(rootCertificates.length > 0);
    for (const root of rootCertificates) assert.ok(ca.includes(root), 'a system root is missing');
    assert.ok(ca.includes(EXTRA_CA), 'the certs.d CA is missing');
    assert.equal(ca.length, rootCertificates.length + 1);
    assert.equal(opts?.rejectUnauthorized, true);
  });

  it('leaves the default trust store alone without a CA', () => {
    assert.equal(tlsConnectOptions({}), undefined);
    assert.equal(tlsAgent({}), undefined);
    assert.deepEqual(tlsConnectOptions({ skipVerify: true }), { rejectUnauthorized: false });
  });

  it('passes a client certificate and key through', () => {
    assert.deepEqual(tlsConnectOptions({ cert: 'CERT', key: 'KEY' }), {
      rejectUnauthorized: true,
      cert: 'CERT',
      key: 'KEY',
    });
  });
});
