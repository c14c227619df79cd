/**
 * The registry authentication dance: read the `WWW-Authenticate` challenge of a 401, then answer
 * with Basic credentials or a Bearer token fetched from the challenge's realm, as Docker's
 * distribution client does (registry/client/auth; docs: distribution spec "Token Authentication").
 */
import { fetch, type Dispatcher, type Response } from 'undici';
import type { Credentials } from './auth.js';
import {
  connectionError,
  createRegistryError,
  parseErrorBody,
  UnexpectedStatusError,
} from './errors.js';

export interface Challenge {
  /** Lower-cased scheme: `bearer`, `basic`, … */
  scheme: string;
  /** Parameters with lower-cased names: realm, service, scope, error, … */
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * Parses a `WWW-Authenticate` value, which may hold several challenges
 * (`Bearer realm="…",service="…", Basic realm="…"`), per RFC 7235's grammar.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skip = (chars: RegExp): void => {
    while (i < n && chars.test(header.charAt(i))) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && TOKEN_CHAR.test(header.charAt(i))) i++;
    return header.slice(start, i);
  };
  const bare = (): string => {
    const start = i;
    while (i < n && !/[\s,]/.test(header.charAt(i))) i++;
    return header.slice(start, i);
  };
  const quoted = (): string => {
    let s = '';
    i++; // opening quote
    while (i < n && header.charAt(i) !== '"') {
      if (header.charAt(i) === '\\' && i + 1 < n) i++;
      s += header.charAt(i);
      i++;
    }
    i++; // closing quote
    return s;
  };

  while (i < n) {
    skip(/[\s,]/);
    const scheme = token();
    if (scheme === '') {
      i++; // not a token character: skip it rather than loop forever on junk
      continue;
    }
    const params: Record<string, string> = {};
    for (;;) {
      const save = i;
      skip(/[\s,]/);
      const name = token();
      skip(/[ \t]/);
      if (name === '' || header.charAt(i) !== '=') {
        // Not `name=value`: the next challenge's scheme (or a token68 we have no use for).
        i = save;
        break;
      }
      i++;
      skip(/[ \t]/);
      // Unquoted values are read up to the next separator, more leniently than RFC 7235's token,
      // because some registries send `scope=repository:x:pull` unquoted.
      params[name.toLowerCase()] = header.charAt(i) === '"' ? quoted() : bare();
    }
    out.push({ scheme: scheme.toLowerCase(), params });
    // A token68 after the scheme would otherwise stall the loop.
    if (Object.keys(params).length === 0) {
      skip(/[^,]/);
    }
  }
  return out;
}

/** The repository scope strings of the token spec: `repository:library/busybox:pull,push`. */
export function repositoryScope(repo: string, actions: readonly string[]): string {
  return `repository:${repo}:${actions.join(',')}`;
}

/** Merges scopes so one token covers them all; actions for the same resource are unioned. */
export function mergeScopes(scopes: readonly string[]): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of scopes) {
    for (const part of scope.split(' ')) {
      const last = part.lastIndexOf(':');
      if (last === -1) continue;
      const resource = part.slice(0, last);
      const actions = byResource.get(resource) ?? new Set<string>();
      for (const a of part.slice(last + 1).split(',')) if (a !== '') actions.add(a);
      byResource.set(resource, actions);
    }
  }
  return [...byResource.entries()]
    .map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`)
    .sort();
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

interface HostAuthState {
  challenge: Challenge;
}

export interface AuthorizerOptions {
  /** Looks up credentials for a registry name; called at most once per name. */
  credentials: (host: string) => Promise<Credentials | undefined>;
  userAgent: string;
  /** The HTTP connection settings for a token realm, so a private CA also covers the auth server. */
  dispatcherFor: (realm: URL) => Dispatcher | undefined;
}

/** Tokens live this long when the server does not say, per the token spec. */
const DEFAULT_TOKEN_SECONDS = 60;

/**
 * Keeps what each registry host asked for and the tokens obtained, so that after the first 401
 * every request carries the right Authorization up front.
 */
export class Authorizer {
  private readonly opts: AuthorizerOptions;
  private readonly hosts = new Map<string, HostAuthState>();
  private readonly tokens = new Map<string, Promise<CachedToken>>();
  private readonly creds = new Map<string, Promise<Credentials | undefined>>();

  constructor(opts: AuthorizerOptions) {
    this.opts = opts;
  }

  private credentials(credentialHost: string): Promise<Credentials | undefined> {
    let p = this.creds.get(credentialHost);
    if (p === undefined) {
      p = this.opts.credentials(credentialHost);
      this.creds.set(credentialHost, p);
    }
    return p;
  }

  /**
   * The Authorization header for a request to `origin` needing `scopes`, or undefined when the
   * host has not challenged us (yet). `fresh` skips the token cache after a rejected token.
   */
  async authorization(
    origin: string,
    credentialHost: string,
    scopes: readonly string[],
    opts: { signal?: AbortSignal; fresh?: boolean } = {},
  ): Promise<string | undefined> {
    const state = this.hosts.get(origin);
    if (state === undefined) return undefined;
    const creds = await this.credentials(credentialHost);
    const { challenge } = state;
    if (challenge.scheme === 'basic') {
      if (creds?.username === undefined || creds.password === undefined) return undefined;
      return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    if (creds?.registryToken !== undefined) return `Bearer ${creds.registryToken}`;
    const challengeScope = challenge.params['scope'];
    const allScopes = mergeScopes(challengeScope ? [...scopes, challengeScope] : scopes);
    const token = await this.token(challenge, allScopes, creds, opts);
    return `Bearer ${token}`;
  }

  /**
   * Records a 401's challenge. Returns false when there is nothing new to try: no challenge we
   * understand, or Basic without credentials.
   */
  async challenged(
    origin: string,
    credentialHost: string,
    wwwAuthenticate: string | null,
  ): Promise<boolean> {
    const challenges = parseChallenges(wwwAuthenticate ?? '');
    const chosen =
      challenges.find((c) => c.scheme === 'bearer' && c.params['realm']) ??
      challenges.find((c) => c.scheme === 'basic');
    if (chosen === undefined) return false;
    // Remember the scope-free part only: the scope belongs to the request that was refused.
    const params = Object.fromEntries(
      Object.entries(chosen.params).filter(
        ([k]) => k !== 'scope' && k !== 'error' && k !== 'error_description',
      ),
    );
    this.hosts.set(origin, { challenge: { scheme: chosen.scheme, params } });
    if (chosen.scheme === 'basic') {
      const creds = await this.credentials(credentialHost);
      return creds?.username !== undefined && creds.password !== undefined;
    }
    return true;
  }

  private token(
    challenge: Challenge,
    scopes: readonly string[],
    creds: Credentials | undefined,
    opts: { signal?: AbortSignal; fresh?: boolean },
  ): Promise<string> {
    const realm = challenge.params['realm'] ?? '';
    const service = challenge.params['service'] ?? '';
    const key = `${realm}\n${service}\n${scopes.join(' ')}\n${creds?.username ?? ''}`;
    const cached = this.tokens.get(key);
    if (cached !== undefined && !opts.fresh) {
      return cached.then((t) => {
        if (t.expiresAt > Date.now()) return t.value;
        this.tokens.delete(key);
        return this.token(challenge, scopes, creds, opts);
      });
    }
    const p = this.fetchToken(realm, service, scopes, creds, opts.signal);
    this.tokens.set(key, p);
    // A failed fetch must not poison the cache for the next attempt.
    p.catch(() => this.tokens.delete(key));
    return p.then((t) => t.value);
  }

  private async send(
    url: URL,
    init: {
      method: string;
      headers: Record<string, string>;
      body?: string;
      signal?: AbortSignal;
      dispatcher?: Dispatcher;
    },
  ): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (err) {
      if (init.signal?.aborted) throw init.signal.reason ?? err;
      throw connectionError(err, init.method, url);
    }
  }

  private async fetchToken(
    realm: string,
    service: string,
    scopes: readonly string[],
    creds: Credentials | undefined,
    signal: AbortSignal | undefined,
  ): Promise<CachedToken> {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new UnexpectedStatusError(0, `invalid token realm "${realm}"`);
    }
    const dispatcher = this.opts.dispatcherFor(url);
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent };
    let res;
    if (creds?.identityToken !== undefined) {
      // An identity token is an OAuth2 refresh token; it only works with the POST form.
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        service,
        client_id: 'berth',
        access_type: 'offline',
      });
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      headers['content-type'] = 'application/x-www-form-urlencoded';
      res = await this.send(url, {
        method: 'POST',
        headers,
        body: form.toString(),
        signal,
        dispatcher,
      });
    } else {
      if (service !== '') url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      if (creds?.username !== undefined && creds.password !== undefined) {
        const basic = Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
        headers['authorization'] = `Basic ${basic}`;
      }
      res = await this.send(url, { method: 'GET', headers, signal, dispatcher });
    }
    const text = await res.text();
    if (!res.ok) {
      const errors = parseErrorBody(res.status, text);
      if (errors !== undefined) throw createRegistryError(errors, { status: res.status });
      if (res.status === 401) {
        throw createRegistryError([{ code: 'UNAUTHORIZED', message: 'authentication required' }], {
          status: 401,
        });
      }
      throw new UnexpectedStatusError(
        res.status,
        `failed to fetch ${creds ? 'oauth' : 'anonymous'} token: unexpected status from ` +
          `${creds?.identityToken !== undefined ? 'POST' : 'GET'} request to ${url.origin}${url.pathname}: ` +
          `${res.status} ${res.statusText}`.trimEnd(),
      );
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new UnexpectedStatusError(res.status, `invalid token response from ${url.origin}`);
    }
    const value =
      typeof body.access_token === 'string' && body.access_token !== ''
        ? body.access_token
        : typeof body.token === 'string'
          ? body.token
          : '';
    if (value === '')
      throw new UnexpectedStatusError(res.status, `no token in response from ${url.origin}`);
    const seconds =
      typeof body.expires_in === 'number' && body.expires_in > 0
        ? body.expires_in
        : DEFAULT_TOKEN_SECONDS;
    // Renew a little early so a token never expires between cache lookup and use.
    const margin = Math.min(10, seconds / 4);
    return { value, expiresAt: Date.now() + (seconds - margin) * 1000 };
  }
}
