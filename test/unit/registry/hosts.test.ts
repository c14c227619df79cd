import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultServerHost,
  isInsecureRegistry,
  isLoopbackHost,
  resolveEndpoints,
  splitHostPort,
} from '../../../src/registry/hosts.js';

describe('registry/hosts', () => {
  let root: string;
  let dockerRoot: string;

  beforeEach(async () => {
    const base = await mkdtemp(join(tmpdir(), 'berth-hosts-'));
    root = join(base, 'containerd');
    dockerRoot = join(base, 'docker');
    await mkdir(root);
    await mkdir(dockerRoot);
  });

  afterEach(async () => {
    await rm(join(root, '..'), { recursive: true, force: true });
  });

  it('recognises loopback hosts', () => {
    for (const h of [
      'localhost',
      'localhost:5000',
      '127.0.0.1',
      '127.1.2.3:5000',
      '[::1]:5000',
      'foo.localhost',
    ]) {
      assert.ok(isLoopbackHost(h), h);
    }
    for (const h of ['10.0.0.1:5000', 'example.com', '[::2]:5000', '128.0.0.1']) {
      assert.ok(!isLoopbackHost(h), h);
    }
  });

  it('matches insecure registries by name, port and CIDR', () => {
    const opts = {
      insecureRegistries: [
        'myreg:5000',
        'plain.example',
        '10.0.0.0/8',
        'fd00::/8',
        'http://other:1/',
      ],
    };
    assert.ok(isInsecureRegistry('myreg:5000', opts));
    assert.ok(!isInsecureRegistry('myreg:6000', opts));
    assert.ok(isInsecureRegistry('plain.example:443', opts));
    assert.ok(isInsecureRegistry('10.1.2.3:5000', opts));
    assert.ok(!isInsecureRegistry('11.1.2.3:5000', opts));
    assert.ok(isInsecureRegistry('[fd00::1]:5000', opts));
    assert.ok(isInsecureRegistry('other:1', opts));
    assert.ok(isInsecureRegistry('anything', { insecureAll: true }));
    assert.ok(!isInsecureRegistry('docker.io'));
  });

  it('splits host and port', () => {
    assert.deepEqual(splitHostPort('a:1'), { hostname: 'a', port: '1' });
    assert.deepEqual(splitHostPort('[::1]:5000'), { hostname: '::1', port: '5000' });
    assert.deepEqual(splitHostPort('[::1]'), { hostname: '::1' });
    assert.deepEqual(splitHostPort('a'), { hostname: 'a' });
  });

  it('defaults: https to the registry, Docker Hub on registry-1.docker.io', async () => {
    const [hub] = await resolveEndpoints('docker.io', { hostsDirs: [root] });
    assert.equal(defaultServerHost('docker.io'), 'registry-1.docker.io');
    assert.deepEqual(
      {
        scheme: hub?.scheme,
        host: hub?.host,
        path: hub?.path,
        fallback: hub?.httpFallback,
        cred: hub?.credentialHost,
      },
      {
        scheme: 'https',
        host: 'registry-1.docker.io',
        path: '/v2',
        fallback: false,
        cred: 'docker.io',
      },
    );
    assert.deepEqual([...(hub?.capabilities ?? [])], ['pull', 'resolve', 'push']);

    const [local] = await resolveEndpoints('127.0.0.1:5000', { hostsDirs: [root] });
    assert.equal(local?.httpFallback, true);
    assert.equal(local?.tls.skipVerify, true);
  });

  it('reads Docker-style certs.d directories', async () => {
    const d = join(dockerRoot, 'certs.example:5000');
    await mkdir(d);
    await writeFile(join(d, 'ca.crt'), 'CA-PEM');
    await writeFile(join(d, 'client.cert'), 'CERT-PEM');
    await writeFile(join(d, 'client.key'), 'KEY-PEM');
    const [ep] = await resolveEndpoints('certs.example:5000', { hostsDirs: [root, dockerRoot] });
    assert.deepEqual(ep?.tls, { ca: ['CA-PEM'], cert: 'CERT-PEM', key: 'KEY-PEM' });

    await writeFile(join(d, 'lonely.cert'), 'X');
    await assert.rejects(
      resolveEndpoints('certs.example:5000', { hostsDirs: [dockerRoot] }),
      /missing key lonely\.key for client certificate lonely\.cert\. CA certificates must use the extension \.crt/,
    );
  });

  it('reads hosts.toml mirrors, capabilities, CAs and the server', async () => {
    const d = join(root, 'docker.io');
    await mkdir(d);
    await writeFile(join(d, 'mirror-ca.pem'), 'MIRROR-CA');
    await writeFile(
      join(d, 'hosts.toml'),
      `server = "https://registry-1.docker.io"

[host."https://mirror.example:8443"]
  capabilities = ["pull", "resolve"]
  ca = "mirror-ca.pem"
  [host."https://mirror.example:8443".header]
    x-mirror = ["a", "b"]

[host."http://plain.example/prefix/v2"]
  capabilities = ["pull"]
  override_path = true

[host."https://skip.example"]
  skip_verify = true
`,
    );
    const eps = await resolveEndpoints('docker.io', { hostsDirs: [root, dockerRoot] });
    assert.deepEqual(
      eps.map((e) => [
        e.scheme,
        e.host,
        e.path,
        [...e.capabilities].join(','),
        e.mirror,
        e.credentialHost,
      ]),
      [
        ['https', 'mirror.example:8443', '/v2', 'pull,resolve', true, 'mirror.example:8443'],
        ['http', 'plain.example', '/prefix/v2', 'pull', true, 'plain.example'],
        ['https', 'skip.example', '/v2', 'pull,resolve,push', true, 'skip.example'],
        ['https', 'registry-1.docker.io', '/v2', 'pull,resolve,push', false, 'docker.io'],
      ],
    );
    assert.deepEqual(eps[0]?.tls, { ca: ['MIRROR-CA'] });
    assert.deepEqual(eps[0]?.headers, { 'x-mirror': 'a, b' });
    assert.equal(eps[2]?.tls.skipVerify, true);
  });

  it('uses a plain-http server from hosts.toml and the _default directory', async () => {
    const d = join(root, '_default');
    await mkdir(d);
    await writeFile(join(d, 'hosts.toml'), 'capabilities = ["pull", "resolve"]\n');
    const [ep] = await resolveEndpoints('any.example', { hostsDirs: [root] });
    assert.equal(ep?.host, 'any.example');
    assert.deepEqual([...(ep?.capabilities ?? [])], ['pull', 'resolve']);

    const r = join(root, 'r.example');
    await mkdir(r);
    await writeFile(join(r, 'hosts.toml'), 'server = "http://r.example:8080"\n');
    const [plain] = await resolveEndpoints('r.example', { hostsDirs: [root] });
    assert.equal(plain?.scheme, 'http');
    assert.equal(plain?.host, 'r.example:8080');
  });

  it('reports a broken hosts.toml with its path', async () => {
    const d = join(root, 'bad.example');
    await mkdir(d);
    await writeFile(join(d, 'hosts.toml'), 'server = \n');
    await assert.rejects(
      resolveEndpoints('bad.example', { hostsDirs: [root] }),
      /failed to parse .*hosts\.toml/,
    );
    await writeFile(join(d, 'hosts.toml'), '[host."https://m"]\ncapabilities = ["fly"]\n');
    await assert.rejects(
      resolveEndpoints('bad.example', { hostsDirs: [root] }),
      /unknown capability "fly"/,
    );
  });
});
