/**
 * Minimal Docker registry token service (https://distribution.github.io/distribution/spec/auth/token/)
 * for the `auth: token` mode of docker-registry 2.8, loopback only, for integration tests.
 *
 *   const ts = await startTokenServer({ user: 'alice', pass: 's3cret' });
 *   // registry.sh start DIR PORT ...ts.registryArgs
 *   //   = --token-realm ts.url --token-issuer ts.issuer --token-service ts.service --token-cert ts.certPath
 *   ...
 *   await ts.stop(); // also deletes the key/cert directory
 *
 * Tokens are RS256 JWTs signed with a fresh 2048-bit RSA key; the self-signed certificate of that key
 * (written to certPath, made with `openssl req -x509`) is the registry's `rootcertbundle`, and every
 * token carries it in its `x5c` header, which is how registry 2.8 picks the verification key.
 *
 * Endpoint (GET or POST) `/token`:
 *   GET  ?service=S&scope=repository:lab/busybox:pull,push[&scope=...][&account=U][&offline_token=true]
 *        with optional `Authorization: Basic` credentials.
 *   POST application/x-www-form-urlencoded: grant_type=password (username, password) or
 *        grant_type=refresh_token (refresh_token); service, scope (space separated), client_id.
 * Correct credentials get every requested action in `allowedActions` (default pull, push, delete, *).
 * Wrong credentials get 401. No credentials get a token with no access (the registry then answers 401
 * for repository requests), or pull-only access with `anonymous: 'pull'`.
 *
 * CLI (keeps running until SIGTERM/SIGINT, prints one JSON line {url,certPath,issuer,service,port}):
 *   node --import tsx test/support/token-server.ts --user U --pass P [--port N] [--dir D]
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TokenServerOptions {
  user: string;
  pass: string;
  /** 0 or unset: pick a free port. */
  port?: number;
  /** Listen address, default 127.0.0.1. */
  host?: string;
  /** Must match the registry's `auth.token.issuer`. */
  issuer?: string;
  /** Must match the registry's `auth.token.service`. */
  service?: string;
  /** Token lifetime, default 300 s. */
  ttlSeconds?: number;
  /** What a request without credentials gets; default 'none' (a token with empty access). */
  anonymous?: 'none' | 'pull';
  /** Actions an authenticated user may receive, default ['pull', 'push', 'delete', '*']. */
  allowedActions?: string[];
  /** Where to write key.pem/cert.pem; default a fresh temp dir (removed by stop()). */
  dir?: string;
}

export interface TokenAccess {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenRequestRecord {
  method: string;
  /** Authenticated user, '' for anonymous. */
  user: string;
  service: string;
  scopes: string[];
  granted: TokenAccess[];
  status: number;
}

export interface TokenServer {
  /** The token realm, e.g. http://127.0.0.1:41234/token */
  url: string;
  port: number;
  issuer: string;
  service: string;
  /** PEM certificate for the registry's `rootcertbundle`. */
  certPath: string;
  keyPath: string;
  /** registry.sh arguments for token mode. */
  registryArgs: string[];
  /** Every token request served so far, oldest first. */
  requests: TokenRequestRecord[];
  stop(): Promise<void>;
}

const b64url = (buf: Buffer | string): string => Buffer.from(buf).toString('base64url');

function parseScope(scope: string): TokenAccess | undefined {
  // type:name:actions, where name may itself contain ':' (e.g. a port in a catalog name).
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last <= first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter((a) => a !== ''),
  };
}

function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > 1 << 20) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const host = opts.host ?? '127.0.0.1';
  const issuer = opts.issuer ?? 'berth-test-token-issuer';
  const service = opts.service ?? 'berth-test-registry';
  const ttl = opts.ttlSeconds ?? 300;
  const allowed = new Set(opts.allowedActions ?? ['pull', 'push', 'delete', '*']);
  const anonymous = opts.anonymous ?? 'none';

  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'berth-token-')));
  await fs.mkdir(dir, { recursive: true });
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');

  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  await fs.writeFile(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  try {
    await execFileAsync('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      keyPath,
      '-sha256',
      '-days',
      '3650',
      '-subj',
      '/CN=berth test token signer',
      '-out',
      certPath,
    ]);
  } catch (err) {
    if (ownDir) await fs.rm(dir, { recursive: true, force: true });
    throw new Error(
      `token-server: openssl failed to create the signing certificate: ${String(err)}`,
    );
  }
  const cert = new crypto.X509Certificate(await fs.readFile(certPath));
  const header = b64url(
    JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [cert.raw.toString('base64')] }),
  );

  const refreshTokens = new Map<string, string>(); // refresh token -> user
  const requests: TokenRequestRecord[] = [];

  const sign = (sub: string, access: TokenAccess[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub,
      aud: service,
      exp: now + ttl,
      nbf: now - 10,
      iat: now,
      jti: crypto.randomBytes(16).toString('hex'),
      access,
    };
    const input = `${header}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${b64url(crypto.sign('sha256', Buffer.from(input), privateKey))}`;
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, extra = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      ...extra,
    });
    res.end(text);
  };
  const unauthorized = (res: http.ServerResponse, message: string): void =>
    send(
      res,
      401,
      { errors: [{ code: 'UNAUTHORIZED', message, detail: null }], details: message },
      { 'WWW-Authenticate': 'Basic realm="berth-test-token-server"' },
    );

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    if (url.pathname !== '/token') {
      send(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'not found' }] });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      send(res, 405, { errors: [{ code: 'UNSUPPORTED', message: 'method not allowed' }] });
      return;
    }
    const params = new URLSearchParams(url.search);
    let scopes = params.getAll('scope');
    let user: string | undefined;
    let pass: string | undefined;
    let refresh: string | undefined;
    const wantsRefresh = req.method === 'POST' || params.get('offline_token') === 'true';

    const authz = req.headers.authorization;
    if (authz?.toLowerCase().startsWith('basic ')) {
      const decoded = Buffer.from(authz.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      user = colon >= 0 ? decoded.slice(0, colon) : decoded;
      pass = colon >= 0 ? decoded.slice(colon + 1) : '';
    }
    let requestedService = params.get('service') ?? '';
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      requestedService = form.get('service') ?? requestedService;
      scopes = scopes.concat(form.getAll('scope'));
      const grant = form.get('grant_type');
      if (grant === 'password') {
        user = form.get('username') ?? '';
        pass = form.get('password') ?? '';
      } else if (grant === 'refresh_token') {
        refresh = form.get('refresh_token') ?? '';
      } else {
        send(res, 400, { error: 'unsupported_grant_type' });
        return;
      }
    }
    scopes = scopes.flatMap((s) => s.split(' ')).filter((s) => s !== '');

    const record: TokenRequestRecord = {
      method: req.method,
      user: '',
      service: requestedService,
      scopes,
      granted: [],
      status: 200,
    };
    requests.push(record);

    if (requestedService !== '' && requestedService !== service) {
      record.status = 400;
      send(res, 400, {
        errors: [{ code: 'DENIED', message: `unknown service ${requestedService}` }],
      });
      return;
    }

    let subject = '';
    if (refresh !== undefined) {
      const owner = refreshTokens.get(refresh);
      if (owner === undefined) {
        record.status = 401;
        unauthorized(res, 'invalid refresh token');
        return;
      }
      subject = owner;
    } else if (user !== undefined) {
      if (!safeEqual(user, opts.user) || !safeEqual(pass ?? '', opts.pass)) {
        record.status = 401;
        unauthorized(res, 'incorrect username or password');
        return;
      }
      subject = user;
    }
    record.user = subject;

    const granted: TokenAccess[] = [];
    for (const s of scopes) {
      const access = parseScope(s);
      if (access === undefined) continue;
      const actions =
        subject !== ''
          ? access.actions.filter((a) => allowed.has(a))
          : anonymous === 'pull' && access.type === 'repository'
            ? access.actions.filter((a) => a === 'pull')
            : [];
      if (actions.length > 0) granted.push({ ...access, actions });
    }
    record.granted = granted;

    const token = sign(subject, granted);
    const body: Record<string, unknown> = {
      token,
      access_token: token,
      expires_in: ttl,
      issued_at: new Date().toISOString(),
    };
    if (wantsRefresh && subject !== '') {
      const rt = refresh ?? crypto.randomBytes(24).toString('base64url');
      refreshTokens.set(rt, subject);
      body.refresh_token = rt;
    }
    send(res, 200, body);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { errors: [{ code: 'UNKNOWN', message: String(err) }] });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    if (ownDir) await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}/token`;

  let stopped = false;
  return {
    url,
    port,
    issuer,
    service,
    certPath,
    keyPath,
    registryArgs: [
      '--token-realm',
      url,
      '--token-issuer',
      issuer,
      '--token-service',
      service,
      '--token-cert',
      certPath,
    ],
    requests,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownDir) await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) {
      throw new Error(`bad argument ${argv[i]}`);
    }
    args.set(argv[i].slice(2), argv[i + 1]);
  }
  const user = args.get('user');
  const pass = args.get('pass');
  if (user === undefined || pass === undefined) {
    throw new Error(
      'usage: token-server.ts --user U --pass P [--port N] [--dir D] [--issuer I] [--service S]',
    );
  }
  const ts = await startTokenServer({
    user,
    pass,
    port: args.has('port') ? Number(args.get('port')) : undefined,
    dir: args.get('dir'),
    issuer: args.get('issuer'),
    service: args.get('service'),
  });
  process.stdout.write(
    JSON.stringify({
      url: ts.url,
      certPath: ts.certPath,
      issuer: ts.issuer,
      service: ts.service,
      port: ts.port,
    }) + '\n',
  );
  const shutdown = (): void => {
    ts.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`token-server: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
