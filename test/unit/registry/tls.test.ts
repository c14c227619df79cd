import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { tlsAgent, tlsConnectOptions } from '../../../src/registry/tls.js';

const EXTRA_CA = '-----BEGIN CERTIFICATE-----\nEXTRA-CA\n-----END CERTIFICATE-----\n';

describe('registry/tls', () => {
  it("trusts node's roots plus a certs.d CA, not the CA alone", () => {
    const saved = process.env['NODE_EXTRA_CA_CERTS'];
    delete process.env['NODE_EXTRA_CA_CERTS'];
    let opts;
    try {
      opts = tlsConnectOptions({ ca: [EXTRA_CA] });
    } finally {
      if (saved !== undefined) process.env['NODE_EXTRA_CA_CERTS'] = saved;
    }
    const ca = opts?.ca ?? [];
    assert.ok(rootCertificates.length > 0);
    for (const root of rootCertificates) assert.ok(ca.includes(root), 'a root is missing');
    assert.ok(ca.includes(EXTRA_CA), 'the certs.d CA is missing');
    assert.equal(ca.length, rootCertificates.length + 1);
    assert.equal(opts?.rejectUnauthorized, true);
  });

  it('keeps NODE_EXTRA_CA_CERTS, which node adds to its roots, when a CA is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-tls-'));
    const saved = process.env['NODE_EXTRA_CA_CERTS'];
    try {
      const extraFile = join(dir, 'extra.pem');
      const extra = '-----BEGIN CERTIFICATE-----\nFROM-ENV\n-----END CERTIFICATE-----\n';
      writeFileSync(extraFile, extra);
      process.env['NODE_EXTRA_CA_CERTS'] = extraFile;
      const ca = tlsConnectOptions({ ca: [EXTRA_CA] })?.ca ?? [];
      assert.ok(ca.includes(extra), 'NODE_EXTRA_CA_CERTS is missing');
      assert.ok(ca.includes(EXTRA_CA));
      assert.equal(ca.length, rootCertificates.length + 2);
    } finally {
      if (saved === undefined) delete process.env['NODE_EXTRA_CA_CERTS'];
      else process.env['NODE_EXTRA_CA_CERTS'] = saved;
      rmSync(dir, { recursive: true, force: true });
    }
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
