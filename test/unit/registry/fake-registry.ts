/**
 * An in-process registry speaking enough of the OCI distribution API, with Docker Hub's token
 * flow, to exercise RegistryClient end to end on loopback.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  method: string;
  url: string;
  authorization?: string;
  range?: string;
}

export interface FakeRegistryOptions {
  auth?: 'none' | 'bearer' | 'basic';
  /** user -> password accepted at the token endpoint (or for Basic). */
  users?: Record<string, string>;
  /** Repositories only an authenticated user may pull. */
  privateRepos?: string[];
  /** Ignore Range headers, as some servers do. */
  ignoreRange?: boolean;
  /** Token realm to advertise instead of this server's own /token. */
  realm?: string;
  /** Blob digests answered with a redirect to this base URL. */
  redirectBlobsTo?: { base: string; digests: Set<string> };
}

interface Stored {
  mediaType: string;
  bytes: Buffer;
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export class FakeRegistry {
  readonly log: LoggedRequest[] = [];
  readonly tokenRequests: { url: URL; authorization?: string }[] = [];
  readonly manifests = new Map<string, Map<string, Stored>>();
  readonly blobs = new Map<string, Buffer>();
  readonly repoBlobs = new Map<string, Set<string>>();
  private readonly uploads = new Map<string, Buffer[]>();
  private server: Server | undefined;
  port = 0;

  constructor(readonly opts: FakeRegistryOptions = {}) {}

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  addBlob(repo: string, data: Buffer): { digest: string; size: number } {
    const digest = sha256(data);
    this.blobs.set(digest, data);
    this.link(repo, digest);
    return { digest, size: data.length };
  }

  addManifest(
    repo: string,
    tag: string | undefined,
    mediaType: string,
    doc: unknown,
  ): { mediaType: string; digest: string; size: number } {
    const bytes = Buffer.from(JSON.stringify(doc));
    const digest = sha256(bytes);
    const m = this.manifests.get(repo) ?? new Map<string, Stored>();
    m.set(digest, { mediaType, bytes });
    if (tag !== undefined) m.set(tag, { mediaType, bytes });
    this.manifests.set(repo, m);
    return { mediaType, digest, size: bytes.length };
  }

  private link(repo: string, digest: string): void {
    const s = this.repoBlobs.get(repo) ?? new Set<string>();
    s.add(digest);
    this.repoBlobs.set(repo, s);
  }

  private async body(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  private json(
    res: ServerResponse,
    status: number,
    obj: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(obj));
  }

  private error(
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    this.json(res, status, { errors: [{ code, message, detail: null }] }, headers);
  }

  private checkBasic(header: string | undefined): string | undefined | false {
    if (header === undefined || !header.startsWith('Basic ')) return undefined;
    const [user = '', pass] = Buffer.from(header.slice(6), 'base64').toString().split(':');
    return this.opts.users?.[user] === pass ? user : false;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    this.log.push({
      method: req.method ?? '',
      url: url.pathname + url.search,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(req.headers.range ? { range: req.headers.range } : {}),
    });

    if (url.pathname === '/token') return this.token(req, res, url);
    if (!url.pathname.startsWith('/v2/')) return this.error(res, 404, 'UNSUPPORTED', 'not here');

    const m = /^\/v2\/(.+?)\/(manifests|blobs\/uploads|blobs|tags)\/?(.*)$/.exec(url.pathname);
    if (url.pathname === '/v2/' || m === null) return this.json(res, 200, {});
    const [, repo = '', kind = '', rest = ''] = m;
    const write = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
    const needed = [`repository:${repo}:${write ? 'push' : 'pull'}`];
    const from = url.searchParams.get('from');
    if (from && url.searchParams.get('mount')) needed.push(`repository:${from}:pull`);
    if (!this.authorized(req, res, repo, needed, write)) return;
    if (write && repo === 'lab/readonly') {
      return this.error(res, 403, 'DENIED', 'requested access to the resource is denied');
    }

    if (kind === 'manifests') return this.manifest(req, res, repo, decodeURIComponent(rest));
    if (kind === 'blobs') return this.blob(req, res, repo, rest);
    if (kind === 'blobs/uploads') return this.upload(req, res, repo, rest, url);
    if (kind === 'tags') return this.tags(res, repo, url);
  }

  private authorized(
    req: IncomingMessage,
    res: ServerResponse,
    repo: string,
    needed: string[],
    write: boolean,
  ): boolean {
    const mode = this.opts.auth ?? 'none';
    const isPrivate = this.opts.privateRepos?.includes(repo) ?? false;
    if (mode === 'none') return true;
    if (mode === 'basic') {
      const user = this.checkBasic(req.headers.authorization);
      if (user) return true;
      if (user === undefined && !isPrivate && !write) return true;
      this.error(res, 401, 'UNAUTHORIZED', 'authentication required', {
        'www-authenticate': 'Basic realm="fake"',
      });
      return false;
    }
    const challenge = (error?: string): string =>
      `Bearer realm="${this.opts.realm ?? `http://${this.host}/token`}",service="fake-registry",scope="${needed[0] ?? ''}"` +
      (error ? `,error="${error}"` : '');
    const auth = req.headers.authorization;
    if (auth === undefined || !auth.startsWith('Bearer ')) {
      this.error(res, 401, 'UNAUTHORIZED', 'authentication required', {
        'www-authenticate': challenge(),
      });
      return false;
    }
    const granted = JSON.parse(Buffer.from(auth.slice(7), 'base64').toString()) as {
      access: string[];
    };
    if (!needed.every((n) => granted.access.includes(n))) {
      // Docker Hub's answer for a repository the token does not cover.
      this.error(res, 401, 'UNAUTHORIZED', 'authentication required', {
        'www-authenticate': challenge('insufficient_scope'),
      });
      return false;
    }
    return true;
  }

  private token(req: IncomingMessage, res: ServerResponse, url: URL): void {
    this.tokenRequests.push({
      url,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const user = this.checkBasic(req.headers.authorization);
    if (user === false) return this.json(res, 401, { details: 'incorrect username or password' });
    const access: string[] = [];
    for (const scope of url.searchParams.getAll('scope')) {
      const [, repo = '', actions = ''] = /^repository:(.+):([^:]+)$/.exec(scope) ?? [];
      if (this.opts.privateRepos?.includes(repo) && !user) continue;
      for (const a of actions.split(',')) access.push(`repository:${repo}:${a}`);
    }
    const token = Buffer.from(JSON.stringify({ access, n: this.tokenRequests.length })).toString(
      'base64',
    );
    this.json(res, 200, { access_token: token, expires_in: 300 });
  }

  private manifest(
    req: IncomingMessage,
    res: ServerResponse,
    repo: string,
    ref: string,
  ): Promise<void> | void {
    if (req.method === 'PUT') {
      return this.body(req).then((bytes) => {
        const mediaType = req.headers['content-type'] ?? 'application/octet-stream';
        const digest = sha256(bytes);
        const m = this.manifests.get(repo) ?? new Map<string, Stored>();
        m.set(digest, { mediaType, bytes });
        m.set(ref, { mediaType, bytes });
        this.manifests.set(repo, m);
        res.writeHead(201, {
          location: `/v2/${repo}/manifests/${digest}`,
          'docker-content-digest': digest,
        });
        res.end();
      });
    }
    const stored = this.manifests.get(repo)?.get(ref);
    if (!stored) return this.error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
    res.writeHead(200, {
      'content-type': stored.mediaType,
      'content-length': String(stored.bytes.length),
      'docker-content-digest': sha256(stored.bytes),
    });
    res.end(req.method === 'HEAD' ? undefined : stored.bytes);
  }

  private blob(req: IncomingMessage, res: ServerResponse, repo: string, digest: string): void {
    const data = this.repoBlobs.get(repo)?.has(digest) ? this.blobs.get(digest) : undefined;
    if (!data) return this.error(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
    const redirect = this.opts.redirectBlobsTo;
    if (redirect?.digests.has(digest) && req.method === 'GET') {
      res.writeHead(307, { location: `${redirect.base}/${digest}` });
      res.end();
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && !this.opts.ignoreRange) {
      const start = Number(range[1]);
      if (start >= data.length) {
        res.writeHead(416, { 'content-range': `bytes */${data.length}` });
        res.end();
        return;
      }
      res.writeHead(206, {
        'content-length': String(data.length - start),
        'content-range': `bytes ${start}-${data.length - 1}/${data.length}`,
      });
      res.end(req.method === 'HEAD' ? undefined : data.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': String(data.length), 'docker-content-digest': digest });
    res.end(req.method === 'HEAD' ? undefined : data);
  }

  private async upload(
    req: IncomingMessage,
    res: ServerResponse,
    repo: string,
    id: string,
    url: URL,
  ): Promise<void> {
    if (req.method === 'POST') {
      const mount = url.searchParams.get('mount');
      const from = url.searchParams.get('from');
      if (mount && from && this.repoBlobs.get(from)?.has(mount)) {
        this.link(repo, mount);
        res.writeHead(201, {
          location: `/v2/${repo}/blobs/${mount}`,
          'docker-content-digest': mount,
        });
        res.end();
        return;
      }
      const uuid = randomUUID();
      this.uploads.set(uuid, []);
      res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${uuid}?_state=s0`, range: '0-0' });
      res.end();
      return;
    }
    const parts = this.uploads.get(id);
    if (!parts)
      return this.error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
    const chunk = await this.body(req);
    parts.push(chunk);
    if (req.method === 'PATCH') {
      const size = parts.reduce((n, p) => n + p.length, 0);
      res.writeHead(202, {
        location: `/v2/${repo}/blobs/uploads/${id}?_state=s${size}`,
        range: `0-${size - 1}`,
      });
      res.end();
      return;
    }
    const data = Buffer.concat(parts);
    const digest = url.searchParams.get('digest') ?? '';
    if (sha256(data) !== digest)
      return this.error(
        res,
        400,
        'DIGEST_INVALID',
        'provided digest did not match uploaded content',
      );
    this.blobs.set(digest, data);
    this.link(repo, digest);
    this.uploads.delete(id);
    res.writeHead(201, {
      location: `/v2/${repo}/blobs/${digest}`,
      'docker-content-digest': digest,
    });
    res.end();
  }

  private tags(res: ServerResponse, repo: string, url: URL): void {
    const all = [...(this.manifests.get(repo)?.keys() ?? [])]
      .filter((k) => !k.startsWith('sha256:'))
      .sort();
    if (all.length === 0)
      return this.error(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
    const n = Number(url.searchParams.get('n') ?? '2');
    const last = url.searchParams.get('last');
    const start = last === null ? 0 : all.indexOf(last) + 1;
    const page = all.slice(start, start + n);
    const headers: Record<string, string> = {};
    if (start + n < all.length) {
      headers['link'] =
        `</v2/${repo}/tags/list?n=${n}&last=${page[page.length - 1] ?? ''}>; rel="next"`;
    }
    this.json(res, 200, { name: repo, tags: page }, headers);
  }
}
