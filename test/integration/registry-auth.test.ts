// login / logout / push / pull against registries that need credentials: one with Basic auth
// (htpasswd), one with the token flow (test/support/token-server.ts). Each test has its own
// DOCKER_CONFIG so nothing touches the user's credentials.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, berthAsync, ctr, env, ROOT, uniqueName, type Result } from '../support/berth.js';
import { startTokenServer, type TokenServer } from '../support/token-server.js';

const BUSYBOX = 'docker.io/lab/busybox:latest';
const REGISTRY_SH = join(ROOT, 'scripts', 'test-env', 'registry.sh');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function startRegistry(dir: string, port: number, args: string[]): string {
  return execFileSync(REGISTRY_SH, ['start', dir, String(port), ...args], {
    encoding: 'utf8',
  }).trim();
}

function stopRegistry(dir: string, port: number): void {
  try {
    execFileSync(REGISTRY_SH, ['stop', dir, String(port)], { stdio: 'ignore' });
  } catch {
    // Already gone.
  }
}

interface AuthCase {
  kind: string;
  host: string;
  dockerConfig: string;
}

/** The checks both registries must pass: login, push, pull, wrong password, logout. */
function authSuite(get: () => AuthCase): void {
  let c: AuthCase;
  // Asynchronous on purpose: the token server lives in this process, so a blocking spawn would
  // keep it from answering the very requests berth makes.
  const run = (args: string[], input = ''): Promise<Result> => {
    const p = berthAsync(args, { env: { DOCKER_CONFIG: c.dockerConfig } });
    p.child.stdin.end(input);
    return p.done;
  };

  beforeEach(() => {
    c = get();
    rmSync(c.dockerConfig, { recursive: true, force: true });
  });

  it('push without credentials is refused', async () => {
    const image = `${c.host}/lab/${uniqueName('anon')}:latest`;
    ctr(['images', 'tag', BUSYBOX, image]);
    const r = await run(['push', image]);
    assert.equal(r.code, 1, `signal ${r.signal}: ${r.stderr}`);
    // Docker words it by what the registry says: Basic answers 401, a token with no access 403.
    assert.match(
      r.stderr,
      /^(unauthorized: authentication required|denied: requested access to the resource is denied)\n$/,
    );
  });

  it('wrong password: one line, exit 1, nothing stored', async () => {
    const r = await run(['login', c.host, '-u', 'alice', '-p', 'wrong']);
    assert.equal(r.code, 1, `signal ${r.signal}: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(
      lines[0],
      'WARNING! Using --password via the CLI is insecure. Use --password-stdin.',
    );
    assert.match(
      lines[1] ?? '',
      new RegExp(`^Error response from daemon: Get "https?://${c.host}/v2/": unauthorized: `),
    );
    assert.equal(lines.length, 2);
    assert.ok(!existsSync(join(c.dockerConfig, 'config.json')));
  });

  it('login -p: warns, stores config.json 0600, Login Succeeded', async () => {
    const r = await run(['login', c.host, '-u', 'alice', '-p', 's3cret']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Login Succeeded\n');
    assert.match(
      r.stderr,
      /^WARNING! Using --password via the CLI is insecure\. Use --password-stdin\.\n/,
    );
    const file = join(c.dockerConfig, 'config.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const config = JSON.parse(readFileSync(file, 'utf8')) as {
      auths: Record<string, { auth: string }>;
    };
    assert.equal(config.auths[c.host]?.auth, Buffer.from('alice:s3cret').toString('base64'));
  });

  it('login --password-stdin, then push, pull, logout', async () => {
    const login = await run(['login', '-u', 'alice', '--password-stdin', c.host], 's3cret\n');
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout, 'Login Succeeded\n');
    assert.doesNotMatch(login.stderr, /--password via the CLI/);

    const image = `${c.host}/lab/${uniqueName('auth')}:latest`;
    ctr(['images', 'tag', BUSYBOX, image]);
    const push = await run(['push', image]);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /^latest: digest: sha256:[0-9a-f]{64} size: \d+$/m);

    ctr(['images', 'rm', image]);
    const pull = await run(['pull', image]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(
      pull.stdout,
      new RegExp(`Status: Downloaded newer image for ${image.replace(/\./g, '\\.')}`),
    );

    const again = await run(['login', c.host]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'Login Succeeded\n');

    const out = await run(['logout', c.host]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, `Removing login credentials for ${c.host}\n`);
    const config = JSON.parse(readFileSync(join(c.dockerConfig, 'config.json'), 'utf8')) as {
      auths: object;
    };
    assert.deepEqual(config.auths, {});
    const twice = await run(['logout', c.host]);
    assert.equal(twice.stdout, `Not logged in to ${c.host}\n`);

    const denied = await run(['push', image]);
    assert.equal(denied.code, 1);
  });

  it('refuses to prompt without a terminal and checks flag combinations', async () => {
    const noTty = await run(['login', c.host], '');
    assert.equal(noTty.code, 1);
    assert.equal(
      noTty.stderr,
      'Error: Cannot perform an interactive login from a non TTY device\n',
    );
    const both = await run(['login', c.host, '-u', 'alice', '-p', 'x', '--password-stdin'], 'x');
    assert.equal(both.code, 1);
    assert.match(both.stderr, /--password and --password-stdin are mutually exclusive/);
    const noUser = await run(['login', c.host, '--password-stdin'], 'x');
    assert.equal(noUser.code, 1);
    assert.match(noUser.stderr, /Must provide --username with --password-stdin/);
  });
}

describe('registry auth: login, logout, push and pull with credentials', function () {
  this.timeout(120000);
  const work = mkdtempSync(join(tmpdir(), 'berth-auth-'));

  before(() => {
    if (!ctr(['images', 'ls', '-q']).stdout.split('\n').includes(BUSYBOX)) {
      const r = berth(['load', '-i', join(env.images, 'busybox-oci.tar')]);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  after(() => {
    for (const name of ctr(['images', 'ls', '-q']).stdout.split('\n').filter(Boolean))
      ctr(['images', 'rm', name]);
    rmSync(work, { recursive: true, force: true });
  });

  describe('Basic auth (htpasswd)', () => {
    const dir = join(work, 'basic');
    let port = 0;
    let host = '';
    before(async () => {
      port = await freePort();
      host = startRegistry(dir, port, ['--htpasswd', 'alice:s3cret']);
    });
    after(() => stopRegistry(dir, port));
    authSuite(() => ({ kind: 'basic', host, dockerConfig: join(work, 'docker-basic') }));
  });

  describe('token auth', () => {
    const dir = join(work, 'token');
    let port = 0;
    let host = '';
    let ts: TokenServer | undefined;
    before(async () => {
      ts = await startTokenServer({ user: 'alice', pass: 's3cret' });
      port = await freePort();
      host = startRegistry(dir, port, ts.registryArgs);
    });
    after(async () => {
      stopRegistry(dir, port);
      await ts?.stop();
    });
    authSuite(() => ({ kind: 'token', host, dockerConfig: join(work, 'docker-token') }));

    it('asked the token server with the credentials', async () => {
      assert.ok((ts?.requests.length ?? 0) > 0);
    });
  });
});
