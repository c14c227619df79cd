/**
 * Registry credentials shared with the Docker CLI: `$DOCKER_CONFIG/config.json` (default
 * `~/.docker/config.json`) and the `docker-credential-<name>` helpers it names, so `docker login`
 * and `berth login` see each other's logins. Mirrors docker/cli's cli/config/credentials package.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { BerthError } from '../errors.js';
import { DEFAULT_DOMAIN, LEGACY_DEFAULT_DOMAIN } from './reference.js';

/** The key Docker files Docker Hub credentials under, a relic of the v1 index. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth refresh token, exchanged at the token endpoint instead of a password. */
  identityToken?: string;
  /** A bearer token to send to the registry as is. */
  registryToken?: string;
}

/** One entry of config.json's `auths`. */
export interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
  email?: string;
  [key: string]: unknown;
}

/** The parts of config.json berth reads; every other key is kept untouched when writing. */
export interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

export interface AuthOptions {
  /** Directory holding config.json; defaults to $DOCKER_CONFIG, then ~/.docker. */
  configDir?: string;
  signal?: AbortSignal;
}

export class CredentialHelperError extends BerthError {}

/** The directory Docker reads config.json from. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env['DOCKER_CONFIG'];
  return dir !== undefined && dir !== '' ? dir : join(homedir(), '.docker');
}

/**
 * The key a registry's credentials are stored under: Docker Hub's legacy URL for docker.io, the
 * bare `host[:port]` for everything else (what `docker login host` writes).
 */
export function authConfigKey(host: string): string {
  const h = convertToHostname(host);
  return h === DEFAULT_DOMAIN || h === LEGACY_DEFAULT_DOMAIN || h === 'registry-1.docker.io'
    ? DOCKER_HUB_AUTH_KEY
    : h;
}

/** docker/cli's ConvertToHostname: `https://host:5000/v1/` -> `host:5000`. */
export function convertToHostname(address: string): string {
  const stripped = address.replace(/^https?:\/\//, '');
  const slash = stripped.indexOf('/');
  return slash === -1 ? stripped : stripped.slice(0, slash);
}

/** Reads config.json; a missing file is an empty config, a corrupt one an error naming it. */
export async function loadDockerConfig(configDir?: string): Promise<DockerConfigFile> {
  const file = join(configDir ?? dockerConfigDir(), 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new BerthError(`loading config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('not a JSON object');
    }
    return parsed as DockerConfigFile;
  } catch (err) {
    throw new BerthError(`loading config file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function helperFor(config: DockerConfigFile, key: string): string | undefined {
  const specific = config.credHelpers?.[key] ?? config.credHelpers?.[convertToHostname(key)];
  if (specific !== undefined && specific !== '') return specific;
  return config.credsStore !== undefined && config.credsStore !== ''
    ? config.credsStore
    : undefined;
}

function findAuthEntry(config: DockerConfigFile, key: string): AuthEntry | undefined {
  const auths = config.auths ?? {};
  const exact = auths[key];
  if (exact !== undefined) return exact;
  // Older CLIs wrote keys like `https://host/v1/`; Docker still matches them by hostname.
  const host = convertToHostname(key);
  for (const [k, entry] of Object.entries(auths)) {
    if (convertToHostname(k) === host) return entry;
  }
  return undefined;
}

function decodeEntry(entry: AuthEntry): Credentials | undefined {
  const creds: Credentials = {};
  if (typeof entry.username === 'string' && entry.username !== '') creds.username = entry.username;
  if (typeof entry.password === 'string' && entry.password !== '') creds.password = entry.password;
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) throw new BerthError('invalid auth configuration file');
    creds.username = decoded.slice(0, colon);
    // Docker trims the NUL padding some tools leave after the password.
    const password = decoded.slice(colon + 1).replace(/\0+$/, '');
    if (password !== '') creds.password = password;
    else delete creds.password;
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') {
    creds.identityToken = entry.identitytoken;
  }
  if (typeof entry.registrytoken === 'string' && entry.registrytoken !== '') {
    creds.registryToken = entry.registrytoken;
  }
  const empty = !creds.username && !creds.password && !creds.identityToken && !creds.registryToken;
  return empty ? undefined : creds;
}

interface HelperResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runHelper(
  helper: string,
  action: 'get' | 'store' | 'erase',
  input: string,
  signal?: AbortSignal,
): Promise<HelperResult> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], { stdio: ['pipe', 'pipe', 'pipe'], signal });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      const reason =
        e.code === 'ENOENT' ? `exec: "${program}": executable file not found in $PATH` : e.message;
      reject(
        new CredentialHelperError(`error ${verb(action)} credentials - err: ${reason}, out: \`\``, {
          cause: e,
        }),
      );
    });
    child.on('close', (code) => {
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    // A helper that exits before reading stdin would otherwise surface as an EPIPE crash.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

function verb(action: 'get' | 'store' | 'erase'): string {
  return action === 'get' ? 'getting' : action === 'store' ? 'storing' : 'erasing';
}

function helperFailure(action: 'get' | 'store' | 'erase', r: HelperResult): CredentialHelperError {
  const out = r.stdout.trim() || r.stderr.trim();
  return new CredentialHelperError(
    `error ${verb(action)} credentials - err: exit status ${r.code}, out: \`${out}\``,
  );
}

const NOT_FOUND_TEXT = 'credentials not found in native keychain';

async function helperGet(
  helper: string,
  serverUrl: string,
  signal?: AbortSignal,
): Promise<Credentials | undefined> {
  const r = await runHelper(helper, 'get', serverUrl, signal);
  if (r.code !== 0) {
    if (r.stdout.includes(NOT_FOUND_TEXT) || r.stderr.includes(NOT_FOUND_TEXT)) return undefined;
    throw helperFailure('get', r);
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(r.stdout) as { Username?: unknown; Secret?: unknown };
  } catch (e) {
    throw new CredentialHelperError(
      `error getting credentials - err: ${(e as Error).message}, out: \`${r.stdout.trim()}\``,
    );
  }
  const username = typeof parsed.Username === 'string' ? parsed.Username : '';
  const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
  if (secret === '' && username === '') return undefined;
  // The credential-helper protocol marks identity tokens with this placeholder user name.
  if (username === '<token>') return { identityToken: secret };
  return { username, password: secret };
}

/**
 * Credentials for `host` (`docker.io`, `localhost:5000`, …), from a credential helper if one is
 * configured for it, else from config.json. Undefined when there are none.
 */
export async function getCredentials(
  host: string,
  opts: AuthOptions = {},
): Promise<Credentials | undefined> {
  const config = await loadDockerConfig(opts.configDir);
  const key = authConfigKey(host);
  const helper = helperFor(config, key);
  if (helper !== undefined) return helperGet(helper, key, opts.signal);
  const entry = findAuthEntry(config, key);
  return entry === undefined ? undefined : decodeEntry(entry);
}

/** Writes config.json atomically, 0600 in a 0700 directory, following a symlinked file. */
async function saveDockerConfig(config: DockerConfigFile, configDir?: string): Promise<void> {
  const dir = configDir ?? dockerConfigDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let target = join(dir, 'config.json');
  try {
    target = await realpath(target);
  } catch {
    // Not there yet: write it in place.
  }
  const tmp = join(dirname(target), `.config.json.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, JSON.stringify(config, null, '\t') + '\n', { mode: 0o600 });
    // writeFile's mode is filtered by the umask; credentials must never be group-readable.
    await chmod(tmp, 0o600);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new BerthError(`saving config file ${target}: ${(err as Error).message}`, { cause: err });
  }
}

export interface StoreOptions extends AuthOptions {
  /** The secret is an identity token from the registry rather than a password. */
  identityToken?: boolean;
}

/**
 * Saves a login for `host`: through the configured credential helper (leaving an empty marker
 * entry in config.json, as Docker does) or base64-encoded in config.json.
 */
export async function storeCredentials(
  host: string,
  username: string,
  secret: string,
  opts: StoreOptions = {},
): Promise<void> {
  const config = await loadDockerConfig(opts.configDir);
  const key = authConfigKey(host);
  const helper = helperFor(config, key);
  const auths = { ...(config.auths ?? {}) };
  if (helper !== undefined) {
    const payload = JSON.stringify({
      ServerURL: key,
      Username: opts.identityToken ? '<token>' : username,
      Secret: secret,
    });
    const r = await runHelper(helper, 'store', payload, opts.signal);
    if (r.code !== 0) throw helperFailure('store', r);
    auths[key] = {};
  } else if (opts.identityToken) {
    auths[key] = {
      auth: Buffer.from(`${username}:`).toString('base64'),
      identitytoken: secret,
    };
  } else {
    auths[key] = { auth: Buffer.from(`${username}:${secret}`).toString('base64') };
  }
  await saveDockerConfig({ ...config, auths }, opts.configDir);
}

/** Removes a login for `host` from the helper (if any) and from config.json. */
export async function eraseCredentials(host: string, opts: AuthOptions = {}): Promise<void> {
  const config = await loadDockerConfig(opts.configDir);
  const key = authConfigKey(host);
  const helper = helperFor(config, key);
  if (helper !== undefined) {
    const r = await runHelper(helper, 'erase', key, opts.signal);
    if (r.code !== 0 && !(r.stdout + r.stderr).includes(NOT_FOUND_TEXT)) {
      throw helperFailure('erase', r);
    }
  }
  if (config.auths === undefined) return;
  const hostname = convertToHostname(key);
  const auths = Object.fromEntries(
    Object.entries(config.auths).filter(([k]) => k !== key && convertToHostname(k) !== hostname),
  );
  if (Object.keys(auths).length === Object.keys(config.auths).length) return;
  await saveDockerConfig({ ...config, auths }, opts.configDir);
}
