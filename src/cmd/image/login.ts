/**
 * `berth login` / `berth logout`: check credentials against a registry's `/v2/` endpoint (Basic
 * or the token flow, whichever the registry's challenge asks for) and store them where the Docker
 * CLI keeps them: config.json (mode 0600) or the configured credential helper.
 */
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fetch, type Response } from 'undici';
import { BerthError, DaemonError } from '../../errors.js';
import {
  authConfigKey,
  convertToHostname,
  dockerConfigDir,
  eraseCredentials,
  getCredentials,
  loadDockerConfig,
  storeCredentials,
  type Credentials,
} from '../../registry/auth.js';
import { Authorizer } from '../../registry/authorizer.js';
import { connectionError, RegistryConnectionError, RegistryError } from '../../registry/errors.js';
import { resolveEndpoints, type HostsOptions } from '../../registry/hosts.js';
import { DEFAULT_DOMAIN } from '../../registry/reference.js';
import { tlsAgent } from '../../registry/tls.js';

export interface LoginCommandOptions {
  server?: string;
  username?: string;
  password?: string;
  passwordStdin: boolean;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
  hosts: HostsOptions;
  /** Asks for what is missing on a terminal; absent when there is none. */
  prompt?: {
    username(defaultValue?: string): Promise<string>;
    password(): Promise<string>;
  };
  configDir?: string;
  signal?: AbortSignal;
}

/** The registry name a `login SERVER` argument stands for (`https://host:5000/v2/` -> `host:5000`). */
export function registryDomain(server: string | undefined): string {
  if (server === undefined || server === '') return DEFAULT_DOMAIN;
  const host = convertToHostname(server);
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? DEFAULT_DOMAIN : host;
}

/** The name Docker prints and stores: Docker Hub's legacy URL, else `host[:port]`. */
function displayServer(domain: string): string {
  return authConfigKey(domain);
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** `/v2/` of the registry itself (not a mirror), with the scheme it really speaks. */
interface Ping {
  url: string;
  res: Response;
}

/**
 * Verifies credentials the way the Docker daemon's login does: GET /v2/; on a 401, answer the
 * challenge (Basic, or a token from the realm fetched with the credentials) and GET /v2/ again.
 * Throws Docker's `Get "<url>": unauthorized: …` when the registry says no.
 */
export async function verifyLogin(
  domain: string,
  creds: Credentials,
  hosts: HostsOptions,
  signal?: AbortSignal,
): Promise<void> {
  const eps = await resolveEndpoints(domain, hosts);
  const ep = eps.find((e) => !e.mirror) ?? eps[eps.length - 1];
  if (!ep) throw new BerthError(`no endpoint for ${domain}`);
  const dispatcher = tlsAgent(ep.tls);
  const get = async (scheme: string, authorization?: string): Promise<Ping> => {
    const url = `${scheme}://${ep.host}${ep.path}/`;
    try {
      const res = await fetch(url, {
        method: 'GET',
        headers: {
          'user-agent': 'berth',
          ...ep.headers,
          ...(authorization ? { authorization } : {}),
        },
        ...(dispatcher ? { dispatcher } : {}),
        ...(signal ? { signal } : {}),
      });
      return { url, res };
    } catch (err) {
      if (signal?.aborted) throw err;
      throw connectionError(err, 'GET', new URL(url));
    }
  };
  const fail = (url: string, detail: string): BerthError =>
    new DaemonError(`Get "${url}": ${detail}`, { exitCode: 1 });

  try {
    let scheme = ep.scheme;
    let first: Ping;
    try {
      first = await get(scheme);
    } catch (err) {
      if (!ep.httpFallback || !(err instanceof RegistryConnectionError)) throw err;
      // Docker's rule for insecure registries: when TLS cannot be spoken, try plain HTTP.
      scheme = 'http';
      first = await get(scheme);
    }
    await first.res.body?.cancel().catch(() => undefined);
    if (first.res.ok) return;
    if (first.res.status !== 401) {
      throw fail(
        first.url,
        `unexpected status: ${first.res.status} ${first.res.statusText}`.trimEnd(),
      );
    }
    const authorizer = new Authorizer({
      credentials: () => Promise.resolve(creds),
      userAgent: 'berth',
      dispatcherFor: () => dispatcher,
    });
    if (
      !(await authorizer.challenged(ep.host, domain, first.res.headers.get('www-authenticate')))
    ) {
      throw fail(first.url, 'unauthorized: authentication required');
    }
    let authorization: string | undefined;
    try {
      authorization = await authorizer.authorization(ep.host, domain, [], signal ? { signal } : {});
    } catch (err) {
      if (err instanceof RegistryError) throw fail(first.url, err.message);
      throw err;
    }
    const second = await get(scheme, authorization);
    const text = await second.res.text().catch(() => '');
    if (second.res.ok) return;
    if (second.res.status === 401) {
      throw fail(second.url, `unauthorized: ${errorMessage(text) ?? 'authentication required'}`);
    }
    throw fail(
      second.url,
      `unexpected status: ${second.res.status} ${second.res.statusText}`.trimEnd(),
    );
  } catch (err) {
    if (err instanceof RegistryConnectionError) {
      throw new DaemonError(`${err.message}`, {
        exitCode: 1,
        cause: err,
      });
    }
    throw err;
  } finally {
    await dispatcher?.close();
  }
}

function errorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { errors?: { message?: unknown }[] };
    const m = parsed.errors?.[0]?.message;
    return typeof m === 'string' && m !== '' ? m : undefined;
  } catch {
    return undefined;
  }
}

export async function runLogin(opts: LoginCommandOptions): Promise<void> {
  if (opts.password !== undefined && opts.passwordStdin) {
    throw new BerthError('--password and --password-stdin are mutually exclusive', { exitCode: 1 });
  }
  if (opts.passwordStdin && (opts.username === undefined || opts.username === '')) {
    throw new BerthError('Must provide --username with --password-stdin', { exitCode: 1 });
  }
  if (opts.password !== undefined) {
    opts.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  }
  const domain = registryDomain(opts.server);
  const server = displayServer(domain);
  const configDir = opts.configDir ?? dockerConfigDir();

  let password = opts.password;
  if (opts.passwordStdin) {
    password = (await readAll(opts.stdin)).replace(/\n$/, '').replace(/\r$/, '');
  }
  let username = opts.username;

  // Like Docker: with nothing given, try what is stored before asking.
  if (username === undefined && password === undefined) {
    const stored = await getCredentials(domain, { configDir }).catch(() => undefined);
    if (stored?.username !== undefined && stored.password !== undefined) {
      try {
        await verifyLogin(domain, stored, opts.hosts, opts.signal);
        opts.stderr.write(
          `Authenticating with existing credentials... [Username: ${stored.username}]\n`,
        );
        opts.stdout.write('Login Succeeded\n');
        return;
      } catch {
        // Stale: fall through to asking.
      }
    }
  }

  if (username === undefined || username === '') {
    if (!opts.prompt)
      throw new BerthError('Error: Cannot perform an interactive login from a non TTY device', {
        exitCode: 1,
      });
    username = (await opts.prompt.username()).trim();
    if (username === '') throw new BerthError('Error: Non-null Username Required', { exitCode: 1 });
  }
  if (password === undefined) {
    if (!opts.prompt)
      throw new BerthError('Error: Cannot perform an interactive login from a non TTY device', {
        exitCode: 1,
      });
    password = await opts.prompt.password();
  }
  if (password === '') throw new BerthError('Error: Password Required', { exitCode: 1 });

  await verifyLogin(domain, { username, password }, opts.hosts, opts.signal);
  const config = await loadDockerConfig(configDir);
  await storeCredentials(domain, username, password, { configDir });
  const helper = config.credHelpers?.[server] ?? config.credsStore;
  if (helper === undefined || helper === '') {
    opts.stderr.write(
      `WARNING! Your credentials are stored unencrypted in '${join(configDir, 'config.json')}'.\n` +
        'Configure a credential helper to remove this warning. See\n' +
        'https://docs.docker.com/go/credential-store/\n\n',
    );
  }
  opts.stdout.write('Login Succeeded\n');
}

export interface LogoutCommandOptions {
  server?: string;
  stdout: Writable;
  configDir?: string;
}

export async function runLogout(opts: LogoutCommandOptions): Promise<void> {
  const domain = registryDomain(opts.server);
  const server = displayServer(domain);
  const configDir = opts.configDir ?? dockerConfigDir();
  const config = await loadDockerConfig(configDir);
  const host = convertToHostname(server);
  const inFile = Object.keys(config.auths ?? {}).some(
    (k) => k === server || convertToHostname(k) === host,
  );
  const helper = config.credHelpers?.[server] ?? config.credsStore;
  if (!inFile && (helper === undefined || helper === '')) {
    opts.stdout.write(`Not logged in to ${server}\n`);
    return;
  }
  opts.stdout.write(`Removing login credentials for ${server}\n`);
  await eraseCredentials(domain, { configDir });
}
