/**
 * Which URLs serve a registry and how to reach them: containerd's hosts directories
 * (`/etc/containerd/certs.d/<host>/hosts.toml`, mirrors and TLS settings), Docker's
 * `/etc/docker/certs.d/<host>/*.crt`, and Docker's plain-HTTP fallback for insecure registries.
 *
 * Follows containerd core/remotes/docker/config/hosts.go (v2.0) and moby's registry package.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { parse as parseToml, type TomlTable, type TomlValue } from 'smol-toml';
import { BerthError } from '../errors.js';
import { DEFAULT_DOMAIN } from './reference.js';

export type Capability = 'pull' | 'resolve' | 'push';

const ALL_CAPABILITIES: readonly Capability[] = ['pull', 'resolve', 'push'];

export const DEFAULT_HOSTS_DIRS: readonly string[] = [
  '/etc/containerd/certs.d',
  '/etc/docker/certs.d',
];

export interface TlsSettings {
  /** Extra CA certificates (PEM text), trusted in addition to the system roots. */
  ca?: string[];
  skipVerify?: boolean;
  /** Client certificate and key (PEM text) for registries that require mutual TLS. */
  cert?: string;
  key?: string;
}

export interface RegistryEndpoint {
  scheme: 'https' | 'http';
  /** `host[:port]` to connect to. */
  host: string;
  /** API root on that host, normally `/v2`. */
  path: string;
  capabilities: ReadonlySet<Capability>;
  tls: TlsSettings;
  headers: Readonly<Record<string, string>>;
  /** If an https attempt fails to connect, try plain http (Docker's insecure registries). */
  httpFallback: boolean;
  /** A mirror of another registry: requests name the upstream with `?ns=<domain>`. */
  mirror: boolean;
  /** The registry name credentials are looked up under. */
  credentialHost: string;
}

export interface HostsOptions {
  /** Directories searched in order for a `<host>` subdirectory; the first one found is used. */
  hostsDirs?: readonly string[];
  /** Registries (`host[:port]`, or CIDR ranges of IP hosts) to reach without TLS verification, falling back to http. */
  insecureRegistries?: readonly string[];
  /** Treat every registry as insecure (nerdctl's --insecure-registry). */
  insecureAll?: boolean;
}

/** The host serving a registry name's API: Docker Hub's API lives on registry-1.docker.io. */
export function defaultServerHost(domain: string): string {
  return domain === DEFAULT_DOMAIN ? 'registry-1.docker.io' : domain;
}

/** Splits `host:port`, `[v6]:port` or `host` into hostname (brackets removed) and port. */
export function splitHostPort(host: string): { hostname: string; port?: string } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (v6)
    return v6[2] === undefined ? { hostname: v6[1] ?? '' } : { hostname: v6[1] ?? '', port: v6[2] };
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && host.indexOf(':') === colon) {
    return { hostname: host.slice(0, colon), port: host.slice(colon + 1) };
  }
  return { hostname: host };
}

/** localhost, 127.0.0.0/8 or ::1: Docker treats these as insecure without being told. */
export function isLoopbackHost(host: string): boolean {
  const { hostname } = splitHostPort(host);
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  if (isIP(hostname) === 4) return hostname.startsWith('127.');
  if (isIP(hostname) === 6) return hostname === '::1' || hostname === '0:0:0:0:0:0:0:1';
  return false;
}

/** True if `host` is listed as insecure, by name (with or without port) or by CIDR. */
export function isInsecureRegistry(host: string, opts: HostsOptions = {}): boolean {
  if (opts.insecureAll || isLoopbackHost(host)) return true;
  const list = opts.insecureRegistries ?? [];
  const { hostname } = splitHostPort(host);
  const family = isIP(hostname);
  for (const entry of list) {
    const e = entry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    if (e === host || e === hostname) return true;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(e);
    if (cidr && family !== 0) {
      const [, net = '', bits = ''] = cidr;
      const netFamily = isIP(net);
      if (netFamily !== family) continue;
      const block = new BlockList();
      block.addSubnet(net, Number(bits), netFamily === 4 ? 'ipv4' : 'ipv6');
      if (block.check(hostname, family === 4 ? 'ipv4' : 'ipv6')) return true;
    }
  }
  return false;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function findHostDir(domain: string, dirs: readonly string[]): Promise<string | undefined> {
  for (const root of dirs) {
    const dir = join(root, domain);
    if (await isDirectory(dir)) return dir;
  }
  // containerd's fallback for every registry without a directory of its own.
  for (const root of dirs) {
    const dir = join(root, '_default');
    if (await isDirectory(dir)) return dir;
  }
  return undefined;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new BerthError(`failed to read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Docker's certs.d layout: `*.crt` are CAs, `x.cert` + `x.key` a client pair. */
async function loadCertDir(dir: string): Promise<TlsSettings> {
  const tls: TlsSettings = {};
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return tls;
  }
  for (const name of names) {
    if (name.endsWith('.crt')) {
      (tls.ca ??= []).push(await readText(join(dir, name)));
    } else if (name.endsWith('.cert')) {
      const keyName = name.slice(0, -'.cert'.length) + '.key';
      if (!names.includes(keyName)) {
        throw new BerthError(
          `missing key ${keyName} for client certificate ${name}. CA certificates must use the extension .crt`,
        );
      }
      if (tls.cert === undefined) {
        tls.cert = await readText(join(dir, name));
        tls.key = await readText(join(dir, keyName));
      }
    } else if (name.endsWith('.key')) {
      const certName = name.slice(0, -'.key'.length) + '.cert';
      if (!names.includes(certName)) {
        throw new BerthError(`missing client certificate ${certName} for key ${name}`);
      }
    }
  }
  return tls;
}

function asStringList(v: TomlValue | undefined): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

function isTable(v: TomlValue | undefined): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

interface HostSection {
  capabilities?: Capability[];
  tls: TlsSettings;
  headers: Record<string, string>;
  overridePath: boolean;
}

async function readHostSection(t: TomlTable, baseDir: string, file: string): Promise<HostSection> {
  const resolvePath = (p: string): string => (isAbsolute(p) ? p : join(baseDir, p));
  const tls: TlsSettings = {};
  for (const ca of asStringList(t['ca'])) (tls.ca ??= []).push(await readText(resolvePath(ca)));
  if (t['skip_verify'] === true) tls.skipVerify = true;

  // `client` is a path, a list of paths, or a list of [cert, key] pairs.
  const client = t['client'];
  const pairs: [string, string | undefined][] = [];
  if (typeof client === 'string') pairs.push([client, undefined]);
  else if (Array.isArray(client)) {
    for (const c of client) {
      if (typeof c === 'string') pairs.push([c, undefined]);
      else if (Array.isArray(c) && typeof c[0] === 'string') {
        pairs.push([c[0], typeof c[1] === 'string' ? c[1] : undefined]);
      }
    }
  }
  const [first] = pairs;
  if (first) {
    tls.cert = await readText(resolvePath(first[0]));
    // A lone path is a PEM holding both the certificate and its key.
    tls.key = first[1] === undefined ? tls.cert : await readText(resolvePath(first[1]));
  }

  const headers: Record<string, string> = {};
  const h = t['header'];
  if (isTable(h)) {
    for (const [k, v] of Object.entries(h)) headers[k] = asStringList(v).join(', ');
  }

  let capabilities: Capability[] | undefined;
  if (t['capabilities'] !== undefined) {
    capabilities = [];
    for (const c of asStringList(t['capabilities'])) {
      if (c !== 'pull' && c !== 'resolve' && c !== 'push') {
        throw new BerthError(`${file}: unknown capability "${c}"`);
      }
      capabilities.push(c);
    }
  }
  return { capabilities, tls, headers, overridePath: t['override_path'] === true };
}

function mergeTls(a: TlsSettings, b: TlsSettings): TlsSettings {
  const out: TlsSettings = { ...a, ...b };
  const ca = [...(a.ca ?? []), ...(b.ca ?? [])];
  if (ca.length > 0) out.ca = ca;
  return out;
}

function parseHostUrl(raw: string, file: string): URL {
  // containerd assumes https for entries written without a scheme.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new BerthError(`${file}: invalid host URL "${raw}"`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new BerthError(`${file}: unsupported scheme in "${raw}"`);
  }
  return u;
}

function apiPath(u: URL, overridePath: boolean): string {
  const base = u.pathname.replace(/\/+$/, '');
  if (overridePath) return base;
  return base.endsWith('/v2') ? base : `${base}/v2`;
}

/**
 * The endpoints to try for a registry name, in order: mirrors from hosts.toml first, then the
 * registry itself. Each says what it may be used for and how to connect.
 */
export async function resolveEndpoints(
  domain: string,
  opts: HostsOptions = {},
): Promise<RegistryEndpoint[]> {
  const dirs = opts.hostsDirs ?? DEFAULT_HOSTS_DIRS;
  const hostDir = await findHostDir(domain, dirs);
  const insecure = isInsecureRegistry(domain, opts);
  const serverHost = defaultServerHost(domain);

  const defaultEndpoint = (
    tls: TlsSettings,
    extra: Partial<RegistryEndpoint> = {},
  ): RegistryEndpoint => ({
    scheme: 'https',
    host: serverHost,
    path: '/v2',
    capabilities: new Set(ALL_CAPABILITIES),
    tls: insecure ? { ...tls, skipVerify: true } : tls,
    headers: {},
    httpFallback: insecure,
    mirror: false,
    credentialHost: domain,
    ...extra,
  });

  if (hostDir === undefined) return [defaultEndpoint({})];

  const tomlPath = join(hostDir, 'hosts.toml');
  let tomlText: string | undefined;
  try {
    tomlText = await readFile(tomlPath, 'utf8');
  } catch {
    tomlText = undefined;
  }
  if (tomlText === undefined) return [defaultEndpoint(await loadCertDir(hostDir))];

  let doc: TomlTable;
  try {
    doc = parseToml(tomlText);
  } catch (err) {
    throw new BerthError(`failed to parse ${tomlPath}: ${(err as Error).message}`, { cause: err });
  }

  const endpoints: RegistryEndpoint[] = [];
  const hostTable = doc['host'];
  if (isTable(hostTable)) {
    for (const [rawUrl, section] of Object.entries(hostTable)) {
      if (!isTable(section)) continue;
      const u = parseHostUrl(rawUrl, tomlPath);
      const s = await readHostSection(section, hostDir, tomlPath);
      const hostInsecure = isInsecureRegistry(u.host, opts);
      endpoints.push({
        scheme: u.protocol === 'http:' ? 'http' : 'https',
        host: u.host,
        path: apiPath(u, s.overridePath),
        capabilities: new Set(s.capabilities ?? ALL_CAPABILITIES),
        tls: hostInsecure ? { ...s.tls, skipVerify: true } : s.tls,
        headers: s.headers,
        httpFallback: false,
        mirror: u.host !== serverHost,
        credentialHost: u.host === serverHost ? domain : u.host,
      });
    }
  }

  const top = await readHostSection(doc, hostDir, tomlPath);
  const server = doc['server'];
  if (typeof server === 'string' && server !== '') {
    const u = parseHostUrl(server, tomlPath);
    endpoints.push({
      scheme: u.protocol === 'http:' ? 'http' : 'https',
      host: u.host,
      path: apiPath(u, top.overridePath),
      capabilities: new Set(top.capabilities ?? ALL_CAPABILITIES),
      tls: isInsecureRegistry(u.host, opts) ? { ...top.tls, skipVerify: true } : top.tls,
      headers: top.headers,
      httpFallback: u.protocol === 'https:' && isInsecureRegistry(u.host, opts),
      mirror: false,
      credentialHost: domain,
    });
  } else {
    endpoints.push(
      defaultEndpoint(mergeTls(await loadCertDir(hostDir), top.tls), {
        capabilities: new Set(top.capabilities ?? ALL_CAPABILITIES),
        headers: top.headers,
      }),
    );
  }
  return endpoints;
}
