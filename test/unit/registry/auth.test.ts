import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  authConfigKey,
  convertToHostname,
  CredentialHelperError,
  dockerConfigDir,
  eraseCredentials,
  getCredentials,
  loadDockerConfig,
  storeCredentials,
} from '../../../src/registry/auth.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A credential helper speaking the docker-credential-helpers protocol, keeping its data in a JSON file. */
function helperScript(storeFile: string): string {
  return `#!${process.execPath}
const fs = require('node:fs');
const file = ${JSON.stringify(storeFile)};
const db = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const action = process.argv[2];
  if (action === 'get') {
    const e = db[input.trim()];
    if (!e) { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); }
    process.stdout.write(JSON.stringify({ ServerURL: input.trim(), Username: e.Username, Secret: e.Secret }));
  } else if (action === 'store') {
    const p = JSON.parse(input);
    if (p.Secret === 'explode') { process.stdout.write('keychain locked\\n'); process.exit(3); }
    db[p.ServerURL] = { Username: p.Username, Secret: p.Secret };
    fs.writeFileSync(file, JSON.stringify(db));
  } else if (action === 'erase') {
    delete db[input.trim()];
    fs.writeFileSync(file, JSON.stringify(db));
  } else { process.exit(2); }
});
`;
}

describe('registry/auth', function () {
  // Several tests spawn credential-helper processes; on a loaded 2-core machine each spawn of node
  // alone can take over a second, so mocha's 2 s default measures the machine, not the code.
  this.timeout(30_000);
  let dir: string;
  let configDir: string;
  let helperDb: string;
  const savedPath = process.env['PATH'];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-auth-'));
    configDir = join(dir, 'docker');
    helperDb = join(dir, 'helper-db.json');
    const bin = join(dir, 'bin');
    await mkdir(bin);
    const script = join(bin, 'docker-credential-test');
    await writeFile(script, helperScript(helperDb));
    await chmod(script, 0o755);
    process.env['PATH'] = `${bin}:${savedPath ?? ''}`;
  });

  afterEach(async () => {
    process.env['PATH'] = savedPath;
    await rm(dir, { recursive: true, force: true });
  });

  async function writeConfig(obj: unknown): Promise<void> {
    await mkdir(configDir, { recursive: true });
    await writeFile(join(configDir, 'config.json'), JSON.stringify(obj));
  }

  it('keys Docker Hub under its legacy URL, others by host', () => {
    assert.equal(authConfigKey('docker.io'), 'https://index.docker.io/v1/');
    assert.equal(authConfigKey('index.docker.io'), 'https://index.docker.io/v1/');
    assert.equal(authConfigKey('registry-1.docker.io'), 'https://index.docker.io/v1/');
    assert.equal(authConfigKey('localhost:5000'), 'localhost:5000');
    assert.equal(authConfigKey('https://ghcr.io/v2/'), 'ghcr.io');
    assert.equal(convertToHostname('http://a.example:5000/v1/'), 'a.example:5000');
  });

  it('finds the config directory from DOCKER_CONFIG', () => {
    assert.equal(dockerConfigDir({ DOCKER_CONFIG: '/x/y' }), '/x/y');
    assert.match(dockerConfigDir({}), /\.docker$/);
  });

  it('reads auths entries: base64 auth, username/password, identity token, legacy keys', async () => {
    await writeConfig({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hubuser:hubpass') },
        'localhost:5000': { username: 'u', password: 'p' },
        'https://legacy.example.com/v1/': { auth: b64('old:secret:with:colons') },
        'id.example.com': { auth: b64('me:'), identitytoken: 'refresh-123' },
        'empty.example.com': {},
      },
    });
    assert.deepEqual(await getCredentials('docker.io', { configDir }), {
      username: 'hubuser',
      password: 'hubpass',
    });
    assert.deepEqual(await getCredentials('localhost:5000', { configDir }), {
      username: 'u',
      password: 'p',
    });
    assert.deepEqual(await getCredentials('legacy.example.com', { configDir }), {
      username: 'old',
      password: 'secret:with:colons',
    });
    assert.deepEqual(await getCredentials('id.example.com', { configDir }), {
      username: 'me',
      identityToken: 'refresh-123',
    });
    assert.equal(await getCredentials('empty.example.com', { configDir }), undefined);
    assert.equal(await getCredentials('other.example.com', { configDir }), undefined);
  });

  it('uses DOCKER_CONFIG when no directory is given', async () => {
    await writeConfig({ auths: { 'envhost:1': { auth: b64('a:b') } } });
    const saved = process.env['DOCKER_CONFIG'];
    process.env['DOCKER_CONFIG'] = configDir;
    try {
      assert.deepEqual(await getCredentials('envhost:1'), { username: 'a', password: 'b' });
    } finally {
      if (saved === undefined) delete process.env['DOCKER_CONFIG'];
      else process.env['DOCKER_CONFIG'] = saved;
    }
  });

  it('treats a missing config as empty and reports a corrupt one with its path', async () => {
    assert.deepEqual(await loadDockerConfig(join(dir, 'nothing')), {});
    await mkdir(configDir, { recursive: true });
    await writeFile(join(configDir, 'config.json'), '{nope');
    await assert.rejects(getCredentials('x', { configDir }), /loading config file .*config\.json/);
  });

  it('asks credHelpers first, then credsStore', async () => {
    await writeFile(
      helperDb,
      JSON.stringify({
        'helper.example.com': { Username: 'hu', Secret: 'hs' },
        'https://index.docker.io/v1/': { Username: '<token>', Secret: 'idtok' },
      }),
    );
    await writeConfig({
      auths: { 'helper.example.com': { auth: b64('file:ignored') } },
      credHelpers: { 'helper.example.com': 'test' },
    });
    assert.deepEqual(await getCredentials('helper.example.com', { configDir }), {
      username: 'hu',
      password: 'hs',
    });
    assert.equal(await getCredentials('docker.io', { configDir }), undefined);

    await writeConfig({ credsStore: 'test' });
    assert.deepEqual(await getCredentials('docker.io', { configDir }), { identityToken: 'idtok' });
    assert.equal(await getCredentials('unknown.example.com', { configDir }), undefined);
  });

  it('reports a missing helper like Docker', async () => {
    await writeConfig({ credsStore: 'nosuch' });
    await assert.rejects(
      getCredentials('docker.io', { configDir }),
      (e: unknown) =>
        e instanceof CredentialHelperError &&
        e.message ===
          'error getting credentials - err: exec: "docker-credential-nosuch": executable file not found in $PATH, out: ``',
    );
  });

  it('stores into config.json with 0600 in a 0700 directory, keeping other keys', async () => {
    await storeCredentials('localhost:5000', 'alice', 's3cret', { configDir });
    assert.equal((await stat(configDir)).mode & 0o777, 0o700);
    const file = join(configDir, 'config.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), {
      auths: { 'localhost:5000': { auth: b64('alice:s3cret') } },
    });

    await writeConfig({
      psFormat: 'table {{.ID}}',
      auths: { 'localhost:5000': { auth: b64('alice:s3cret') } },
    });
    await storeCredentials('docker.io', 'bob', 'pw', { configDir });
    const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    assert.equal(saved['psFormat'], 'table {{.ID}}');
    assert.deepEqual(await getCredentials('docker.io', { configDir }), {
      username: 'bob',
      password: 'pw',
    });
    assert.deepEqual(await getCredentials('localhost:5000', { configDir }), {
      username: 'alice',
      password: 's3cret',
    });

    await storeCredentials('tok.example.com', 'carol', 'refresh', {
      configDir,
      identityToken: true,
    });
    assert.deepEqual(await getCredentials('tok.example.com', { configDir }), {
      username: 'carol',
      identityToken: 'refresh',
    });
  });

  it('erases from config.json, including legacy keys for the same host', async () => {
    await writeConfig({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('a:b') },
        'index.docker.io': { auth: b64('c:d') },
        'keep.example.com': { auth: b64('e:f') },
      },
    });
    await eraseCredentials('docker.io', { configDir });
    const saved = JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8')) as {
      auths: object;
    };
    assert.deepEqual(Object.keys(saved.auths), ['keep.example.com']);
    await eraseCredentials('not-there.example.com', { configDir });
  });

  it('stores and erases through the credential helper', async () => {
    await writeConfig({ credsStore: 'test' });
    await storeCredentials('docker.io', 'dave', 'pat', { configDir });
    const db = JSON.parse(await readFile(helperDb, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(db['https://index.docker.io/v1/'], { Username: 'dave', Secret: 'pat' });
    const saved = JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8')) as {
      auths: Record<string, unknown>;
      credsStore: string;
    };
    // Docker leaves an empty marker so `docker info`/logout know a login exists.
    assert.deepEqual(saved.auths, { 'https://index.docker.io/v1/': {} });
    assert.equal(saved.credsStore, 'test');
    assert.deepEqual(await getCredentials('docker.io', { configDir }), {
      username: 'dave',
      password: 'pat',
    });

    await eraseCredentials('docker.io', { configDir });
    assert.equal(await getCredentials('docker.io', { configDir }), undefined);
    const after = JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8')) as {
      auths: object;
    };
    assert.deepEqual(after.auths, {});

    await assert.rejects(
      storeCredentials('docker.io', 'x', 'explode', { configDir }),
      /error storing credentials - err: exit status 3, out: `keychain locked`/,
    );
  });
});
