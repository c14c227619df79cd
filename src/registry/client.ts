/**
 * A client for the OCI distribution API (https://github.com/opencontainers/distribution-spec,
 * v1.1): resolve and fetch manifests, stream blobs, push. It speaks to the registry directly, the
 * way `ctr`/nerdctl do on containerd < 2.0, and reports errors in Docker's words.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fetch, type Agent, type Dispatcher, type Response } from 'undici';
import { BerthError } from '../errors.js';
import { getCredentials, type Credentials } from './auth.js';
import { Authorizer, parseChallenges, repositoryScope } from './authorizer.js';
import { computeDigest, digestAlgorithm, verifyDigest } from './digest.js';
import {
  createRegistryError,
  DigestMismatchError,
  parseErrorBody,
  registryErrorEntry,
  connectionError,
  RegistryConnectionError,
  RegistryError,
  translatePullError,
  UnexpectedStatusError,
  UnsupportedManifestError,
  type RegistryErrorEntry,
} from './errors.js';
import {
  resolveEndpoints,
  type Capability,
  type HostsOptions,
  type RegistryEndpoint,
  type TlsSettings,
} from './hosts.js';
import { MANIFEST_ACCEPT, MediaType, type Descriptor } from './media-types.js';
import {
  isDigest,
  manifestReference,
  parseReference,
  trimTagAndDigest,
  withDefaultTag,
  withDigest,
  type ImageReference,
} from './reference.js';
import { tlsAgent } from './tls.js';

export { verifyDigest } from './digest.js';

/** containerd refuses manifests above 4 MiB; so does berth, to bound memory. */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;

export interface RegistryClientOptions extends HostsOptions {
  /** Credential lookup; defaults to Docker's config.json and credential helpers. */
  credentials?: (host: string) => Promise<Credentials | undefined>;
  /** Directory of config.json for the default credential lookup. */
  dockerConfigDir?: string;
  userAgent?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface ResolvedManifest {
  /** The reference resolved, with the default tag applied. */
  ref: ImageReference;
  descriptor: Descriptor;
  /** The manifest exactly as served; its digest is descriptor.digest. */
  bytes: Buffer;
}

export interface FetchedManifest {
  descriptor: Descriptor;
  bytes: Buffer;
}

export interface FetchBlobOptions extends RequestOptions {
  /** Resume from this byte; the stream then starts at that offset. */
  offset?: number;
}

export interface UploadOptions extends RequestOptions {
  /** Upload in PATCH chunks of this many bytes instead of one PUT. */
  chunkSize?: number;
  /** An upload session already opened (by a mount attempt that fell back to upload). */
  uploadUrl?: string;
}

export interface MountResult {
  mounted: boolean;
  /** When not mounted, the registry opened an upload session; pass it to uploadBlob. */
  uploadUrl?: string;
}

interface RequestSpec {
  method: string;
  repo: ImageReference;
  /** Path under the API root (`/<repo>/manifests/latest`), or an absolute URL from a Location. */
  path?: string;
  url?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Uint8Array | AsyncIterable<Uint8Array>;
  scopes: readonly string[];
  capability: Capability;
  signal?: AbortSignal;
}

interface Sent {
  res: Response;
  url: string;
  endpoint: RegistryEndpoint;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export class RegistryClient {
  private readonly opts: RegistryClientOptions;
  private readonly authorizer: Authorizer;
  private readonly endpointCache = new Map<string, Promise<RegistryEndpoint[]>>();
  private readonly agents = new Map<string, Agent>();
  /** Which scheme an https-with-fallback host turned out to speak. */
  private readonly schemeCache = new Map<string, 'https' | 'http'>();
  /** Endpoints seen, so a token realm on the same host gets the same TLS settings. */
  private readonly knownEndpoints = new Map<string, RegistryEndpoint>();
  private readonly userAgent: string;

  constructor(opts: RegistryClientOptions = {}) {
    this.opts = opts;
    this.userAgent = opts.userAgent ?? 'berth';
    const lookup =
      opts.credentials ??
      ((host: string) => getCredentials(host, { configDir: opts.dockerConfigDir }));
    this.authorizer = new Authorizer({
      credentials: lookup,
      userAgent: this.userAgent,
      dispatcherFor: (realm) => {
        const ep = this.knownEndpoints.get(realm.hostname);
        return ep ? this.dispatcher(ep.tls) : undefined;
      },
    });
  }

  /** Releases pooled connections; the client must not be used afterwards. */
  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.close()));
  }

  // ---- pull ----------------------------------------------------------------------------------

  /**
   * Resolves a reference to its manifest (or index): HEAD for the digest, then GET by digest so
   * the bytes are verified. A bare name gets the `latest` tag.
   */
  async resolve(
    reference: ImageReference | string,
    opts: RequestOptions = {},
  ): Promise<ResolvedManifest> {
    const ref = withDefaultTag(
      typeof reference === 'string' ? parseReference(reference) : reference,
    );
    const head = await this.headManifestInternal(ref, opts);
    const target = ref.digest ?? head?.digest ?? manifestReference(ref);
    const { descriptor, bytes } = await this.getManifest(
      ref,
      target,
      head?.size,
      opts,
      head?.mediaType,
    );
    if (head?.digest !== undefined && descriptor.digest !== head.digest) {
      throw new DigestMismatchError(
        `digest mismatch: expected ${head.digest}, got ${descriptor.digest}`,
      );
    }
    return { ref, descriptor, bytes };
  }

  /**
   * The descriptor a reference points to, from a HEAD request alone when the registry sends the
   * digest (cheap: it does not count against Docker Hub's pull limit), else from a GET.
   */
  async headManifest(
    reference: ImageReference | string,
    opts: RequestOptions = {},
  ): Promise<Descriptor> {
    const ref = withDefaultTag(
      typeof reference === 'string' ? parseReference(reference) : reference,
    );
    const head = await this.headManifestInternal(ref, opts);
    if (head?.digest !== undefined && head.size !== undefined && head.mediaType !== undefined) {
      return { mediaType: head.mediaType, digest: head.digest, size: head.size };
    }
    return (await this.resolve(ref, opts)).descriptor;
  }

  /** Fetches a manifest or index by digest, checking digest and (if given) size. */
  async fetchManifest(
    repo: ImageReference,
    target: string | Descriptor,
    opts: RequestOptions = {},
  ): Promise<FetchedManifest> {
    const digest = typeof target === 'string' ? target : target.digest;
    const size = typeof target === 'string' ? undefined : target.size;
    const ref = withDigest(trimTagAndDigest(repo), digest);
    const expected = typeof target === 'string' ? undefined : target.mediaType;
    return this.getManifest(ref, digest, size, opts, expected);
  }

  /**
   * Streams a blob. Nothing is buffered: the caller pipes it (through verifyDigest) to its
   * destination. With `offset`, only the rest is sent, using a Range request where supported.
   */
  async fetchBlob(
    repo: ImageReference,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    opts: FetchBlobOptions = {},
  ): Promise<Readable> {
    digestAlgorithm(descriptor.digest);
    const offset = opts.offset ?? 0;
    if (offset < 0 || offset > descriptor.size) {
      throw new BerthError(
        `invalid offset ${offset} for ${descriptor.digest} of ${descriptor.size} bytes`,
      );
    }
    const { res, url } = await this.request({
      method: 'GET',
      repo,
      path: `/${repo.path}/blobs/${descriptor.digest}`,
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      scopes: [repositoryScope(repo.path, ['pull'])],
      capability: 'pull',
      signal: opts.signal,
    });
    if (res.status === 416 && offset === descriptor.size) {
      // Nothing left to fetch: some registries refuse an empty range instead of sending nothing.
      await discard(res);
      return Readable.from([]);
    }
    if (res.status !== 200 && res.status !== 206) {
      throw await this.responseError(res, 'GET', url, 'BLOB_UNKNOWN');
    }
    const body = res.body
      ? Readable.fromWeb(res.body as WebReadableStream<Uint8Array>)
      : Readable.from([]);
    if (offset > 0 && res.status === 200) {
      // The server ignored the Range header and sent the whole blob: drop what we already have.
      return body.pipe(skipBytes(offset));
    }
    return body;
  }

  /** A small blob (an image config) in memory, verified. */
  async fetchBlobBytes(
    repo: ImageReference,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    opts: RequestOptions & { maxSize?: number } = {},
  ): Promise<Buffer> {
    const max = opts.maxSize ?? 64 * 1024 * 1024;
    if (descriptor.size > max) {
      throw new BerthError(`blob ${descriptor.digest} is too large (${descriptor.size} bytes)`);
    }
    const chunks: Buffer[] = [];
    await pipeline(
      await this.fetchBlob(repo, descriptor, opts),
      verifyDigest(descriptor),
      async (src) => {
        for await (const chunk of src as AsyncIterable<Buffer>) chunks.push(chunk);
      },
    );
    return Buffer.concat(chunks);
  }

  /** All tags of a repository, following pagination. */
  async listTags(repo: ImageReference, opts: RequestOptions = {}): Promise<string[]> {
    const tags: string[] = [];
    let url: string | undefined;
    let path: string | undefined = `/${repo.path}/tags/list`;
    for (let page = 0; page < 10_000; page++) {
      const sent: Sent = await this.request({
        method: 'GET',
        repo,
        ...(url !== undefined ? { url } : { path }),
        scopes: [repositoryScope(repo.path, ['pull'])],
        capability: 'pull',
        signal: opts.signal,
      });
      if (!sent.res.ok) throw await this.responseError(sent.res, 'GET', sent.url, 'NAME_UNKNOWN');
      const body = (await sent.res.json()) as { tags?: unknown };
      if (Array.isArray(body.tags)) {
        for (const t of body.tags) if (typeof t === 'string') tags.push(t);
      }
      const next = nextLink(sent.res.headers.get('link'));
      if (next === undefined) break;
      url = new URL(next, sent.url).toString();
      path = undefined;
    }
    return tags;
  }

  // ---- push ----------------------------------------------------------------------------------

  /** True if the repository already has the blob, so a push can skip it. */
  async blobExists(
    repo: ImageReference,
    target: string | Pick<Descriptor, 'digest'>,
    opts: RequestOptions = {},
  ): Promise<boolean> {
    const digest = typeof target === 'string' ? target : target.digest;
    const { res, url } = await this.request({
      method: 'HEAD',
      repo,
      path: `/${repo.path}/blobs/${digest}`,
      scopes: [repositoryScope(repo.path, ['pull', 'push'])],
      capability: 'push',
      signal: opts.signal,
    });
    if (res.ok || res.status === 404) {
      await discard(res);
      return res.ok;
    }
    throw await this.responseError(res, 'HEAD', url);
  }

  /**
   * Asks the registry to link a blob from another repository instead of uploading it. Registries
   * that cannot open an upload session instead, which uploadBlob can continue.
   */
  async mountBlob(
    repo: ImageReference,
    descriptor: Pick<Descriptor, 'digest'>,
    from: ImageReference,
    opts: RequestOptions = {},
  ): Promise<MountResult> {
    if (from.domain !== repo.domain) return { mounted: false };
    const { res, url } = await this.request({
      method: 'POST',
      repo,
      path: `/${repo.path}/blobs/uploads/`,
      query: { mount: descriptor.digest, from: from.path },
      scopes: [repositoryScope(repo.path, ['pull', 'push']), repositoryScope(from.path, ['pull'])],
      capability: 'push',
      signal: opts.signal,
    });
    if (res.status === 201 || res.status === 202) await discard(res);
    if (res.status === 201) return { mounted: true };
    if (res.status === 202) {
      const location = res.headers.get('location');
      return location
        ? { mounted: false, uploadUrl: new URL(location, url).toString() }
        : { mounted: false };
    }
    throw await this.responseError(res, 'POST', url);
  }

  /**
   * Uploads a blob from a stream: POST to open a session, then one PUT (default) or PATCH chunks
   * and a closing PUT. The stream is checked against the descriptor on the way.
   */
  async uploadBlob(
    repo: ImageReference,
    content: Readable | AsyncIterable<Uint8Array>,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    opts: UploadOptions = {},
  ): Promise<void> {
    digestAlgorithm(descriptor.digest);
    const scopes = [repositoryScope(repo.path, ['pull', 'push'])];
    let location = opts.uploadUrl;
    if (location === undefined) {
      const { res, url } = await this.request({
        method: 'POST',
        repo,
        path: `/${repo.path}/blobs/uploads/`,
        scopes,
        capability: 'push',
        signal: opts.signal,
      });
      const loc = res.headers.get('location');
      if (res.status !== 202 || loc === null) throw await this.responseError(res, 'POST', url);
      await discard(res);
      location = new URL(loc, url).toString();
    }

    const source = content instanceof Readable ? content : Readable.from(content);
    const verified = source.pipe(verifyDigest(descriptor));
    // A source error must reach the request body, which only sees the verifier.
    source.once('error', (err) => verified.destroy(err));

    if (opts.chunkSize === undefined) {
      // The HTTP client may stop reading once Content-Length bytes are sent, before the verifier
      // has judged the end; so its verdict is caught here and cancels the request instead.
      const ac = new AbortController();
      const onAbort = (): void => ac.abort(opts.signal?.reason);
      if (opts.signal?.aborted) onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      let verifyError: unknown;
      verified.on('error', (err) => {
        verifyError ??= err;
        ac.abort(err);
      });
      try {
        const put = withQuery(location, { digest: descriptor.digest });
        const { res, url } = await this.request({
          method: 'PUT',
          repo,
          url: put,
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(descriptor.size),
          },
          body: verified,
          scopes,
          capability: 'push',
          signal: ac.signal,
        });
        if (verifyError !== undefined) throw verifyError;
        if (res.status !== 201) throw await this.responseError(res, 'PUT', url);
        await discard(res);
        return;
      } catch (err) {
        throw verifyError ?? err;
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
      }
    }

    let offset = 0;
    for await (const chunk of rechunk(verified, opts.chunkSize)) {
      const { res, url } = await this.request({
        method: 'PATCH',
        repo,
        url: location,
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + chunk.length - 1}`,
          'content-length': String(chunk.length),
        },
        body: chunk,
        scopes,
        capability: 'push',
        signal: opts.signal,
      });
      const loc = res.headers.get('location');
      if (res.status !== 202 || loc === null) throw await this.responseError(res, 'PATCH', url);
      await discard(res);
      location = new URL(loc, url).toString();
      offset += chunk.length;
    }
    const { res, url } = await this.request({
      method: 'PUT',
      repo,
      url: withQuery(location, { digest: descriptor.digest }),
      headers: { 'content-length': '0' },
      scopes,
      capability: 'push',
      signal: opts.signal,
    });
    if (res.status !== 201) throw await this.responseError(res, 'PUT', url);
    await discard(res);
  }

  /** Stores a manifest under the reference's tag (or digest); returns its descriptor. */
  async putManifest(
    ref: ImageReference,
    mediaType: string,
    bytes: Uint8Array,
    opts: RequestOptions = {},
  ): Promise<Descriptor> {
    const digest = computeDigest(bytes, ref.digest ? digestAlgorithm(ref.digest) : 'sha256');
    if (ref.digest !== undefined && ref.tag === undefined && ref.digest !== digest) {
      throw new DigestMismatchError(`digest mismatch: expected ${ref.digest}, got ${digest}`);
    }
    const target = ref.tag ?? ref.digest ?? 'latest';
    const { res, url } = await this.request({
      method: 'PUT',
      repo: ref,
      path: `/${ref.path}/manifests/${target}`,
      headers: { 'content-type': mediaType },
      body: bytes,
      scopes: [repositoryScope(ref.path, ['pull', 'push'])],
      capability: 'push',
      signal: opts.signal,
    });
    if (res.status !== 201 && res.status !== 200) throw await this.responseError(res, 'PUT', url);
    await discard(res);
    return { mediaType, digest, size: bytes.byteLength };
  }

  // ---- manifests -----------------------------------------------------------------------------

  private async headManifestInternal(
    ref: ImageReference,
    opts: RequestOptions,
  ): Promise<{ digest?: string; size?: number; mediaType?: string } | undefined> {
    const target = manifestReference(ref);
    const { res, url } = await this.request({
      method: 'HEAD',
      repo: ref,
      path: `/${ref.path}/manifests/${target}`,
      headers: { accept: MANIFEST_ACCEPT.join(', ') },
      scopes: [repositoryScope(ref.path, ['pull'])],
      capability: ref.digest ? 'pull' : 'resolve',
      signal: opts.signal,
    });
    await discard(res);
    if (res.ok) {
      const digest = res.headers.get('docker-content-digest') ?? undefined;
      const length = res.headers.get('content-length');
      const mediaType = contentType(res);
      return {
        ...(digest !== undefined && isDigest(digest) ? { digest } : {}),
        ...(length !== null && /^\d+$/.test(length) ? { size: Number(length) } : {}),
        ...(mediaType !== undefined && MANIFEST_ACCEPT.includes(mediaType) ? { mediaType } : {}),
      };
    }
    if (res.status === 404 || res.status === 401 || res.status === 403 || res.status === 429) {
      throw translatePullError(await this.responseError(res, 'HEAD', url, 'MANIFEST_UNKNOWN'), ref);
    }
    // Some registries refuse HEAD (405) or fail it oddly; the GET that follows will tell.
    return undefined;
  }

  private async getManifest(
    ref: ImageReference,
    target: string,
    expectedSize: number | undefined,
    opts: RequestOptions,
    expectedMediaType?: string,
  ): Promise<FetchedManifest> {
    const byDigest = isDigest(target);
    const { res, url } = await this.request({
      method: 'GET',
      repo: ref,
      path: `/${ref.path}/manifests/${target}`,
      headers: { accept: MANIFEST_ACCEPT.join(', ') },
      scopes: [repositoryScope(ref.path, ['pull'])],
      capability: byDigest ? 'pull' : 'resolve',
      signal: opts.signal,
    });
    if (!res.ok) {
      throw translatePullError(await this.responseError(res, 'GET', url, 'MANIFEST_UNKNOWN'), ref);
    }
    const bytes = await readLimited(res, MAX_MANIFEST_SIZE);
    if (bytes === undefined) {
      throw new UnsupportedManifestError(
        `manifest for ${ref.familiar} exceeds ${MAX_MANIFEST_SIZE} bytes`,
      );
    }
    const headerDigest = res.headers.get('docker-content-digest') ?? undefined;
    const algorithm = byDigest
      ? digestAlgorithm(target)
      : headerDigest !== undefined && isDigest(headerDigest)
        ? digestAlgorithm(headerDigest)
        : 'sha256';
    const digest = computeDigest(bytes, algorithm);
    if (byDigest && digest !== target) {
      throw new DigestMismatchError(`digest mismatch: expected ${target}, got ${digest}`);
    }
    if (headerDigest !== undefined && isDigest(headerDigest) && headerDigest !== digest) {
      throw new DigestMismatchError(`digest mismatch: expected ${headerDigest}, got ${digest}`);
    }
    if (expectedSize !== undefined && expectedSize !== bytes.length) {
      throw new DigestMismatchError(
        `size mismatch for ${digest}: expected ${expectedSize} bytes, got ${bytes.length}`,
      );
    }
    const mediaType = detectManifestMediaType(contentType(res), bytes, ref, expectedMediaType);
    return { descriptor: { mediaType, digest, size: bytes.length }, bytes };
  }

  // ---- transport -----------------------------------------------------------------------------

  private endpoints(domain: string): Promise<RegistryEndpoint[]> {
    let p = this.endpointCache.get(domain);
    if (p === undefined) {
      p = resolveEndpoints(domain, this.opts).then((eps) => {
        for (const ep of eps) {
          const hostname = new URL(`http://${ep.host}`).hostname;
          if (!this.knownEndpoints.has(hostname)) this.knownEndpoints.set(hostname, ep);
        }
        return eps;
      });
      p.catch(() => this.endpointCache.delete(domain));
      this.endpointCache.set(domain, p);
    }
    return p;
  }

  private dispatcher(tls: TlsSettings): Dispatcher | undefined {
    const key = JSON.stringify(tls);
    let agent = this.agents.get(key);
    if (agent === undefined) {
      agent = tlsAgent(tls);
      if (agent) this.agents.set(key, agent);
    }
    return agent;
  }

  /**
   * Sends a request to the first endpoint with the needed capability that answers; a mirror that
   * is down or lacks the content (404, 5xx) passes the request on to the next.
   */
  private async request(spec: RequestSpec): Promise<Sent> {
    const all = await this.endpoints(spec.repo.domain);
    let candidates = all.filter((ep) => ep.capabilities.has(spec.capability));
    if (spec.url !== undefined) {
      // A Location URL belongs to the endpoint that issued it (or to storage behind it).
      const host = new URL(spec.url).host;
      const owner = all.find((ep) => ep.host === host);
      candidates = owner ? [owner] : candidates.slice(-1);
    }
    if (candidates.length === 0) {
      throw new BerthError(`no configured host for ${spec.repo.domain} allows ${spec.capability}`);
    }
    const replayable =
      spec.body === undefined || typeof spec.body === 'string' || spec.body instanceof Uint8Array;
    for (let i = 0; i < candidates.length; i++) {
      const endpoint = candidates[i] as RegistryEndpoint;
      const last = i === candidates.length - 1 || !replayable;
      try {
        const sent = await this.sendToEndpoint(endpoint, spec);
        if (!last && (sent.res.status === 404 || sent.res.status >= 500)) {
          await discard(sent.res);
          continue;
        }
        return sent;
      } catch (err) {
        if (last || spec.signal?.aborted || !(err instanceof RegistryConnectionError)) throw err;
      }
    }
    throw new BerthError('unreachable');
  }

  private async sendToEndpoint(ep: RegistryEndpoint, spec: RequestSpec): Promise<Sent> {
    const cached = this.schemeCache.get(ep.host);
    if (ep.scheme === 'http' || !ep.httpFallback || cached === 'http') {
      return this.sendWithAuth(ep, cached ?? ep.scheme, spec);
    }
    if (cached === 'https') return this.sendWithAuth(ep, 'https', spec);
    try {
      const sent = await this.sendWithAuth(ep, 'https', spec);
      this.schemeCache.set(ep.host, 'https');
      return sent;
    } catch (err) {
      if (spec.signal?.aborted || !(err instanceof RegistryConnectionError)) throw err;
      // Docker's insecure-registry rule: when https cannot be spoken, try plain http.
      const sent = await this.sendWithAuth(ep, 'http', spec);
      this.schemeCache.set(ep.host, 'http');
      return sent;
    }
  }

  private buildUrl(ep: RegistryEndpoint, scheme: 'https' | 'http', spec: RequestSpec): URL {
    let url: URL;
    if (spec.url !== undefined) {
      url = new URL(spec.url);
      // Registries echo the scheme they think they have; a fallback host really speaks http.
      if (url.host === ep.host) url.protocol = `${scheme}:`;
    } else {
      url = new URL(`${scheme}://${ep.host}${ep.path}${spec.path ?? '/'}`);
    }
    for (const [k, v] of Object.entries(spec.query ?? {})) url.searchParams.set(k, v);
    if (ep.mirror && !url.searchParams.has('ns')) url.searchParams.set('ns', spec.repo.domain);
    return url;
  }

  private async sendWithAuth(
    ep: RegistryEndpoint,
    scheme: 'https' | 'http',
    spec: RequestSpec,
  ): Promise<Sent> {
    const url = this.buildUrl(ep, scheme, spec);
    const sameHost = url.host === ep.host;
    const replayable =
      spec.body === undefined || typeof spec.body === 'string' || spec.body instanceof Uint8Array;
    let auth = sameHost
      ? await this.authorizer.authorization(ep.host, ep.credentialHost, spec.scopes, {
          signal: spec.signal,
        })
      : undefined;
    for (let attempt = 0; ; attempt++) {
      const res = await this.fetchFollowing(ep, url, spec, auth);
      if (res.status !== 401 || !sameHost || !replayable || attempt > 0) {
        return { res, url: url.toString(), endpoint: ep };
      }
      const retry = await this.authorizer.challenged(
        ep.host,
        ep.credentialHost,
        res.headers.get('www-authenticate'),
      );
      if (!retry) return { res, url: url.toString(), endpoint: ep };
      const next = await this.authorizer.authorization(ep.host, ep.credentialHost, spec.scopes, {
        signal: spec.signal,
        fresh: auth !== undefined,
      });
      if (next === undefined || next === auth) return { res, url: url.toString(), endpoint: ep };
      await discard(res);
      auth = next;
    }
  }

  /** fetch, following redirects by hand so credentials never leak to another host (blob CDNs). */
  private async fetchFollowing(
    ep: RegistryEndpoint,
    start: URL,
    spec: RequestSpec,
    auth: string | undefined,
  ): Promise<Response> {
    let url = start;
    let method = spec.method;
    let body = spec.body;
    for (let hop = 0; hop <= 10; hop++) {
      const onEndpoint = url.host === ep.host;
      const headers: Record<string, string> = {
        'user-agent': this.userAgent,
        ...(onEndpoint ? ep.headers : {}),
        ...(spec.headers ?? {}),
      };
      if (auth !== undefined && onEndpoint) headers['authorization'] = auth;
      if (body === undefined) delete headers['content-length'];
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers,
          body: body as string | Uint8Array | AsyncIterable<Uint8Array> | undefined,
          redirect: 'manual',
          signal: spec.signal,
          dispatcher: onEndpoint ? this.dispatcher(ep.tls) : undefined,
          ...(body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)
            ? { duplex: 'half' as const }
            : {}),
        });
      } catch (err) {
        if (spec.signal?.aborted) throw spec.signal.reason ?? err;
        throw connectionError(err, method, url);
      }
      const location = res.headers.get('location');
      if (!REDIRECT_STATUSES.has(res.status) || location === null) return res;
      // Upload sessions answer with Location on 201/202, never 3xx, so only true redirects land here.
      await discard(res);
      url = new URL(location, url);
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
    }
    throw new BerthError(`${method} ${start.toString()}: stopped after 10 redirects`);
  }

  /**
   * docker/distribution's HandleErrorResponse: a Bearer challenge's `error` (invalid_token,
   * insufficient_scope) comes first, then the errcode body; `fallbackCode` stands in for the
   * empty body of a HEAD or an unhelpful 404.
   */
  private async responseError(
    res: Response,
    method: string,
    url: string,
    fallbackCode?: string,
  ): Promise<RegistryError> {
    const text =
      method === 'HEAD'
        ? ''
        : ((await readLimited(res, 64 * 1024, true)) ?? Buffer.alloc(0)).toString('utf8');
    const status = res.status;
    const entries: RegistryErrorEntry[] = [];
    if (status >= 400 && status < 500) {
      for (const c of parseChallenges(res.headers.get('www-authenticate') ?? '')) {
        if (c.scheme !== 'bearer') continue;
        const code =
          c.params['error'] === 'invalid_token'
            ? 'UNAUTHORIZED'
            : c.params['error'] === 'insufficient_scope'
              ? 'DENIED'
              : undefined;
        if (code === undefined) continue;
        entries.push(registryErrorEntry(code, c.params['error_description']));
        break;
      }
    }
    const body = parseErrorBody(status, text);
    if (body !== undefined) entries.push(...body);
    if (entries.length > 0) return createRegistryError(entries, { status });
    if (status === 401)
      return createRegistryError([registryErrorEntry('UNAUTHORIZED')], { status });
    if (status === 403) return createRegistryError([registryErrorEntry('DENIED')], { status });
    if (status === 429)
      return createRegistryError([registryErrorEntry('TOOMANYREQUESTS')], { status });
    if (status === 404 && fallbackCode !== undefined) {
      return createRegistryError([registryErrorEntry(fallbackCode)], { status });
    }
    const u = new URL(url);
    return new UnexpectedStatusError(
      status,
      `unexpected status from ${method} request to ${u.origin}${u.pathname}: ${status} ${res.statusText}`.trimEnd(),
    );
  }
}

// ---- helpers -----------------------------------------------------------------------------------

function contentType(res: Response): string | undefined {
  const ct = res.headers.get('content-type');
  if (ct === null) return undefined;
  return ct.split(';')[0]?.trim().toLowerCase() || undefined;
}

/**
 * The manifest's media type: the Content-Type when it is a manifest type, else the document's own
 * `mediaType`, else the referring descriptor's, else inferred from its shape, as containerd does
 * for registries that send `application/json`.
 */
export function detectManifestMediaType(
  header: string | undefined,
  bytes: Uint8Array,
  ref: ImageReference,
  expected?: string,
): string {
  let doc: { mediaType?: unknown; schemaVersion?: unknown; manifests?: unknown; config?: unknown } =
    {};
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof doc;
  } catch {
    throw new UnsupportedManifestError(`invalid manifest for ${ref.familiar}: not JSON`);
  }
  if (
    doc.schemaVersion === 1 ||
    header === MediaType.DockerManifestSchema1 ||
    header === MediaType.DockerManifestSchema1Signed
  ) {
    throw new UnsupportedManifestError(
      '[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1 ' +
        `support has been removed. Suggest the author of ${ref.familiar} to upgrade the image to ` +
        'the OCI Format or Docker Image manifest v2, schema 2. More information at ' +
        'https://docs.docker.com/go/deprecated-image-specs/',
    );
  }
  if (header !== undefined && MANIFEST_ACCEPT.includes(header)) return header;
  if (typeof doc.mediaType === 'string' && doc.mediaType !== '') return doc.mediaType;
  // The descriptor that led here (an index entry) is the next best authority.
  if (expected !== undefined && expected !== '') return expected;
  if (Array.isArray(doc.manifests)) return MediaType.OciIndex;
  if (doc.config !== undefined) return MediaType.OciManifest;
  throw new UnsupportedManifestError(
    `unsupported manifest media type ${header ?? '(none)'} for ${ref.familiar}`,
  );
}

async function discard(res: Response): Promise<void> {
  if (res.body && !res.bodyUsed) {
    try {
      await res.body.cancel();
    } catch {
      // Already closed or errored: nothing to free.
    }
  }
}

/** The body up to `limit` bytes; undefined if larger (or truncated when `truncate`). */
async function readLimited(
  res: Response,
  limit: number,
  truncate = false,
): Promise<Buffer | undefined> {
  if (!res.body) return Buffer.alloc(0);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (!truncate && declared > limit) {
    await discard(res);
    return undefined;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      if (!truncate) return undefined;
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength - (total - limit)));
      break;
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks);
}

function skipBytes(n: number): Transform {
  let toSkip = n;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
      if (toSkip >= chunk.length) {
        toSkip -= chunk.length;
        cb();
        return;
      }
      const rest = chunk.subarray(toSkip);
      toSkip = 0;
      cb(null, rest);
    },
  });
}

/** Regroups a byte stream into chunks of exactly `size` bytes (the last may be shorter). */
async function* rechunk(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  if (!Number.isInteger(size) || size <= 0) throw new BerthError(`invalid chunk size ${size}`);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of source) {
    let buf = chunk;
    while (pendingBytes + buf.length >= size) {
      const take = size - pendingBytes;
      pending.push(buf.subarray(0, take));
      yield Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      buf = buf.subarray(take);
    }
    if (buf.length > 0) {
      pending.push(buf);
      pendingBytes += buf.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

function withQuery(location: string, params: Record<string, string>): string {
  const u = new URL(location);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

/** The `rel="next"` target of an RFC 8288 Link header, as registries paginate tag lists. */
function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(',')) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /\brel="?next"?/.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}
