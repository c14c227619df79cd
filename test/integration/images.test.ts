// The image life cycle against a real containerd and registry: pull (progress lines, GC labels,
// platforms, errors, digest mismatch, Ctrl-C and resume, concurrent pulls), images, tag, rmi,
// image inspect, history and image prune. Every test works in namespaces of its own so other
// files' images never change what is "already there".
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { Client } from '../../src/containerd/client.js';
import { NotFoundError } from '../../src/containerd/errors.js';
import { berth, berthAsync, ctr, env, type Result } from '../support/berth.js';

interface ImageInfo {
  digest: string;
  config: string;
  layers: { digest: string; size: number }[];
  diffIds: string[];
}

function fixture(): Record<string, ImageInfo> {
  return (
    JSON.parse(readFileSync(join(env.images, 'images.json'), 'utf8')) as {
      images: Record<string, ImageInfo>;
    }
  ).images;
}

const short = (digest: string): string => digest.replace(/^sha256:/, '').slice(0, 12);

/** Namespaces this file creates; all are emptied and removed at the end. */
const namespaces = new Set<string>();
function ns(suffix: string): string {
  const name = `${env.namespace}-img-${suffix}`;
  namespaces.add(name);
  return name;
}

function run(namespace: string, args: string[], extraEnv: Record<string, string> = {}): Result {
  return berth(args, { env: { CONTAINERD_NAMESPACE: namespace, ...extraEnv } });
}

function runAsync(namespace: string, args: string[], extraEnv: Record<string, string> = {}) {
  const p = berthAsync(args, { env: { CONTAINERD_NAMESPACE: namespace, ...extraEnv } });
  p.child.stdin.end();
  return p;
}

/**
 * For commands that talk to the in-process proxy: a blocking spawn would stop this process from
 * answering the very requests berth makes.
 */
function runP(
  namespace: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<Result> {
  return runAsync(namespace, args, extraEnv).done;
}

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l !== '');
}

function client(namespace: string): Client {
  return new Client({ address: env.address, namespace });
}

/** Leases, active ingests, image names and snapshots of a namespace, straight from containerd. */
async function state(namespace: string) {
  const c = client(namespace);
  try {
    const [{ leases }, { statuses }, { images }, snaps] = await Promise.all([
      c.leases.list({ filters: [] }),
      c.content.listStatuses({ filters: [] }),
      c.images.list({ filters: [] }),
      c.snapshots.list({ snapshotter: 'overlayfs', filters: [] }),
    ]);
    return {
      leases: leases.map((l) => l.id),
      ingests: statuses.map((s) => ({ ref: s.ref, offset: Number(s.offset) })),
      images: images.map((i) => i.name),
      snapshots: snaps.map((s) => ({ name: s.name, kind: s.kind })),
    };
  } finally {
    c.close();
  }
}

async function contentLabels(
  namespace: string,
  digest: string,
): Promise<Record<string, string> | undefined> {
  const c = client(namespace);
  try {
    return (await c.content.info({ digest })).info?.labels ?? {};
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  } finally {
    c.close();
  }
}

/** Runs containerd's garbage collector now (a throw-away lease deleted with sync). */
async function collectGarbage(namespace: string): Promise<void> {
  const c = client(namespace);
  try {
    const id = `gc-${Date.now()}`;
    await c.leases.create({ id, labels: {} });
    await c.leases.delete({ id, sync: true });
  } finally {
    c.close();
  }
}

/** Empties and removes a namespace: containers, images, ingests, then GC. */
async function dropNamespace(namespace: string): Promise<void> {
  const c = client(namespace);
  try {
    for (const ctrRecord of (await c.containers.list({ filters: [] })).containers) {
      await c.containers.delete({ id: ctrRecord.id }).catch(() => undefined);
      await c.snapshots
        .remove({ snapshotter: 'overlayfs', key: ctrRecord.snapshot_key })
        .catch(() => undefined);
    }
    for (const img of (await c.images.list({ filters: [] })).images)
      await c.images.delete({ name: img.name, sync: false });
    for (const s of (await c.content.listStatuses({ filters: [] })).statuses)
      await c.content.abort({ ref: s.ref }).catch(() => undefined);
    for (const l of (await c.leases.list({ filters: [] })).leases)
      await c.leases.delete({ id: l.id, sync: false }).catch(() => undefined);
    const id = `gc-${Date.now()}`;
    await c.leases.create({ id, labels: {} });
    await c.leases.delete({ id, sync: true });
    await c.namespaces.delete({ name: namespace }).catch(() => undefined);
  } finally {
    c.close();
  }
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function tarOf(name: string, data: Buffer): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name, size: data.length, mode: 0o644, mtime: new Date(0) }, data);
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts);
}

interface PushedImage {
  ref: string;
  repo: string;
  digest: string;
  config: string;
  layer: { digest: string; size: number };
  diffId: string;
}

/**
 * Pushes a one-layer image made of fresh random bytes, so no namespace of this containerd can
 * already hold its layer (containerd shares blobs between namespaces).
 */
async function pushUniqueImage(bytes: number): Promise<PushedImage> {
  const repo = `lab/imgtest-${process.pid}-${randomBytes(4).toString('hex')}`;
  const layerTar = await tarOf('data.bin', randomBytes(bytes));
  const layer = gzipSync(layerTar, { level: 1 });
  const diffId = sha(layerTar);
  const config = Buffer.from(
    JSON.stringify({
      created: '2024-01-02T03:04:05Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: '2024-01-02T03:04:05Z', created_by: 'ADD data.bin /' }],
    }),
  );
  const base = `http://${env.registry}/v2/${repo}`;
  for (const blob of [layer, config]) {
    const start = await fetch(`${base}/blobs/uploads/`, { method: 'POST' });
    const loc = new URL(start.headers.get('location') ?? '', base);
    loc.searchParams.set('digest', sha(blob));
    const put = await fetch(loc, {
      method: 'PUT',
      body: blob,
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(put.status, 201, `upload of ${sha(blob)}`);
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha(config),
        size: config.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: sha(layer),
          size: layer.length,
        },
      ],
    }),
  );
  const put = await fetch(`${base}/manifests/latest`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  assert.equal(put.status, 201, 'manifest upload');
  return {
    ref: `${env.registry}/${repo}:latest`,
    repo,
    digest: sha(manifest),
    config: sha(config),
    layer: { digest: sha(layer), size: layer.length },
    diffId,
  };
}

interface ProxyRequest {
  method: string;
  url: string;
  range?: string;
}

/**
 * A registry in front of the test registry that can misbehave on cue: hold a blob after N bytes,
 * corrupt a blob, slow blobs down, or demand credentials. It records what it was asked.
 */
class RegistryProxy {
  readonly requests: ProxyRequest[] = [];
  private server!: http.Server;
  private stalls = new Map<
    string,
    {
      after: number;
      release: Promise<void>;
      resolve: () => void;
      hit: () => void;
      hitP: Promise<void>;
    }
  >();
  corrupt = new Set<string>();
  blobDelayMs = 0;
  basicAuth: string | undefined;

  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
  }

  async stop(): Promise<void> {
    for (const s of this.stalls.values()) s.resolve();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Holds the first full GET of `digest` after `after` bytes until release() is called; resolves `reached` when it stalls. */
  stall(digest: string, after: number): { reached: Promise<void>; release: () => void } {
    let resolve!: () => void;
    let hit!: () => void;
    const release = new Promise<void>((r) => (resolve = r));
    const hitP = new Promise<void>((r) => (hit = r));
    this.stalls.set(digest, { after, release, resolve, hit, hitP });
    return { reached: hitP, release: resolve };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    this.requests.push({
      method: req.method ?? '',
      url,
      ...(req.headers.range ? { range: req.headers.range } : {}),
    });
    if (this.basicAuth !== undefined) {
      const want = `Basic ${Buffer.from(this.basicAuth).toString('base64')}`;
      if (req.headers.authorization !== want) {
        res.writeHead(401, {
          'content-type': 'application/json; charset=utf-8',
          'docker-distribution-api-version': 'registry/2.0',
          'www-authenticate': 'Basic realm="Registry Realm"',
        });
        res.end(
          '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}\n',
        );
        return;
      }
    }
    const blob = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url)?.[1];
    const headers = { ...req.headers, host: env.registry };
    delete headers.authorization;
    const up = http.request(
      {
        host: '127.0.0.1',
        port: Number(env.registry.split(':')[1]),
        method: req.method,
        path: url,
        headers,
      },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        if (!blob || req.method !== 'GET') {
          ur.pipe(res);
          return;
        }
        void this.sendBlob(blob, req, ur, res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  }

  private async sendBlob(
    digest: string,
    req: http.IncomingMessage,
    ur: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    if (this.blobDelayMs > 0) await new Promise((r) => setTimeout(r, this.blobDelayMs));
    const stall = req.headers.range ? undefined : this.stalls.get(digest);
    if (stall) this.stalls.delete(digest);
    let sent = 0;
    for await (const chunk of ur as AsyncIterable<Buffer>) {
      let data = chunk;
      if (this.corrupt.has(digest)) data = Buffer.from(data.map((b) => b ^ 0xff));
      if (stall && sent + data.length > stall.after) {
        const head = data.subarray(0, stall.after - sent);
        if (head.length > 0) res.write(head);
        stall.hit();
        await stall.release;
        if (res.destroyed) return;
        res.write(data.subarray(head.length));
        sent += data.length;
        continue;
      }
      if (!res.write(data)) await new Promise((r) => res.once('drain', r));
      sent += data.length;
    }
    res.end();
  }
}

async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 20000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('images: pull, images, tag, rmi, inspect, history, prune', function () {
  this.timeout(120000);
  const img = fixture();
  const busybox = img.busybox as ImageInfo;
  const multi = img.multi as ImageInfo;
  let BUSYBOX = '';
  let MULTI = '';
  let INDEX = '';

  before(() => {
    BUSYBOX = `${env.registry}/lab/busybox:latest`;
    MULTI = `${env.registry}/lab/multi:latest`;
    INDEX = `${env.registry}/lab/index:latest`;
  });

  after(async () => {
    for (const n of namespaces) await dropNamespace(n);
  });

  describe('pull', () => {
    const N = (): string => ns('pull');

    it("prints Docker's plain progress, stores content with GC labels, unpacks, leaves no lease", async () => {
      const r = run(N(), ['pull', BUSYBOX]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const id = short(busybox.layers[0]!.digest);
      assert.deepEqual(lines(r.stdout), [
        'latest: Pulling from lab/busybox',
        `${id}: Pulling fs layer`,
        `${id}: Verifying Checksum`,
        `${id}: Download complete`,
        `${id}: Pull complete`,
        `Digest: ${busybox.digest}`,
        `Status: Downloaded newer image for ${BUSYBOX}`,
        BUSYBOX,
      ]);
      const s = await state(N());
      assert.deepEqual(s.images, [BUSYBOX]);
      assert.deepEqual(s.leases, [], 'the pull lease is gone');
      assert.deepEqual(s.ingests, []);
      // manifest -> config and layers, config -> snapshot, layer -> diff ID
      const m = await contentLabels(N(), busybox.digest);
      assert.equal(m?.['containerd.io/gc.ref.content.config'], busybox.config);
      assert.equal(m?.['containerd.io/gc.ref.content.l.0'], busybox.layers[0]!.digest);
      const cfg = await contentLabels(N(), busybox.config);
      assert.equal(cfg?.['containerd.io/gc.ref.snapshot.overlayfs'], busybox.diffIds[0]);
      const layer = await contentLabels(N(), busybox.layers[0]!.digest);
      assert.equal(layer?.['containerd.io/uncompressed'], busybox.diffIds[0]);
      // Everything survives a GC now that only the image record holds it.
      await collectGarbage(N());
      assert.ok(await contentLabels(N(), busybox.layers[0]!.digest), 'layer blob survived GC');
      assert.ok(
        (await state(N())).snapshots.some(
          (x) => x.name === busybox.diffIds[0] && x.kind === 'COMMITTED',
        ),
      );
    });

    it('a second pull is up to date (no layer lines, as Docker); -q prints only the reference', () => {
      const r = run(N(), ['pull', `${env.registry}/lab/busybox`]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(lines(r.stdout), [
        'Using default tag: latest',
        'latest: Pulling from lab/busybox',
        `Digest: ${busybox.digest}`,
        `Status: Image is up to date for ${BUSYBOX}`,
        BUSYBOX,
      ]);
      const q = run(N(), ['pull', '-q', BUSYBOX]);
      assert.equal(q.code, 0, q.stderr);
      assert.equal(q.stdout, `${BUSYBOX}\n`);
    });

    it('shared layers already present say "Already exists"; the rest are pulled', () => {
      const r = run(N(), ['image', 'pull', MULTI]);
      assert.equal(r.code, 0, r.stderr);
      const out = lines(r.stdout);
      assert.equal(out[0], 'latest: Pulling from lab/multi');
      assert.equal(out[1], `${short(multi.layers[0]!.digest)}: Already exists`);
      for (const l of multi.layers.slice(1)) {
        const id = short(l.digest);
        const mine = out.filter((x) => x.startsWith(`${id}: `));
        assert.deepEqual(mine, [
          `${id}: Pulling fs layer`,
          `${id}: Verifying Checksum`,
          `${id}: Download complete`,
          `${id}: Pull complete`,
        ]);
      }
      assert.deepEqual(out.slice(-3), [
        `Digest: ${multi.digest}`,
        `Status: Downloaded newer image for ${MULTI}`,
        MULTI,
      ]);
    });

    it('an OCI index: the host platform by default, --platform for another; both listed once', async () => {
      const n = ns('platform');
      const r = run(n, ['pull', '-q', INDEX]);
      assert.equal(r.code, 0, r.stderr);
      const amd = JSON.parse(run(n, ['image', 'inspect', INDEX]).stdout)[0];
      assert.equal(amd.Architecture, 'amd64');
      const arm = run(n, ['pull', '--platform', 'linux/arm64', INDEX]);
      assert.equal(arm.code, 0, arm.stderr);
      assert.match(arm.stdout, /Status: (Downloaded newer image|Image is up to date) for /);
      const inspected = run(n, [
        'image',
        'inspect',
        '--platform',
        'linux/arm64',
        '--format',
        '{{.Architecture}} {{.Os}}',
        INDEX,
      ]);
      assert.equal(inspected.stdout, 'arm64 linux\n', inspected.stderr);
      const index = await contentLabels(n, img.index!.digest);
      assert.ok(
        index?.['containerd.io/gc.ref.content.m.0'] && index['containerd.io/gc.ref.content.m.1'],
      );
      assert.equal(lines(run(n, ['images', '-q']).stdout).length, 1);
    });

    it('a Docker schema 2 image', () => {
      const ref = `${env.registry}/lab/busybox-docker:v2s2`;
      const r = run(N(), ['pull', ref]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(lines(r.stdout)[0], 'v2s2: Pulling from lab/busybox-docker');
      assert.match(
        r.stdout,
        new RegExp(
          `^Digest: sha256:[a-f0-9]{64}\nStatus: Downloaded newer image for ${ref.replace(/\./g, '\\.')}\n${ref.replace(/\./g, '\\.')}\n$`,
          'm',
        ),
      );
    });

    it("unknown tag or repository: Docker's message, exit 1, nothing stored", async () => {
      const n = ns('missing');
      for (const ref of [
        `${env.registry}/lab/busybox:nosuchtag`,
        `${env.registry}/lab/nosuchrepo:latest`,
      ]) {
        const r = run(n, ['pull', ref]);
        assert.equal(r.code, 1);
        assert.equal(r.stdout, '');
        assert.equal(
          r.stderr,
          `Error response from daemon: manifest for ${ref} not found: manifest unknown: manifest unknown\n`,
        );
      }
      const s = await state(n);
      assert.deepEqual([s.images, s.leases], [[], []]);
    });

    it('an invalid reference is refused before any network call', () => {
      const r = run(N(), ['pull', 'UPPER']);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        'invalid reference format: repository name (library/UPPER) must be lowercase\n',
      );
      const a = run(N(), ['pull', '-a', `${env.registry}/lab/busybox:latest`]);
      assert.equal(a.code, 1);
      assert.equal(a.stderr, "tag can't be used with --all-tags/-a\n");
    });

    it("a port no socket can have: dockerd's dialer error, exit 1", () => {
      const r = run(N(), ['pull', '127.0.0.1:99999/lab/busybox']);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        'Error response from daemon: Get "http://127.0.0.1:99999/v2/": dial tcp: address 99999: invalid port\n',
      );
    });

    it('a registry that is down: one line naming the address, exit 1', async () => {
      const srv = http.createServer();
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const port = (srv.address() as AddressInfo).port;
      await new Promise<void>((r) => srv.close(() => r()));
      const r = run(N(), ['pull', `127.0.0.1:${port}/lab/busybox`]);
      assert.equal(r.code, 1);
      const err = lines(r.stderr);
      assert.equal(err.length, 1, r.stderr);
      assert.match(
        err[0]!,
        new RegExp(
          `^Error response from daemon: \\w+ "https?://127\\.0\\.0\\.1:${port}/v2/.*": dial tcp 127\\.0\\.0\\.1:${port}: connect: connection refused$`,
        ),
      );
    });

    describe('against a misbehaving registry', () => {
      const proxy = new RegistryProxy();
      before(() => proxy.start());
      after(() => proxy.stop());
      afterEach(() => {
        proxy.corrupt.clear();
        proxy.blobDelayMs = 0;
        proxy.basicAuth = undefined;
      });

      it('wrong password: unauthorized, exit 1, nothing stored', async () => {
        const n = ns('auth');
        proxy.basicAuth = 'alice:s3cret';
        const dir = mkdtempSync(join(tmpdir(), 'berth-img-auth-'));
        try {
          writeFileSync(
            join(dir, 'config.json'),
            JSON.stringify({
              auths: { [proxy.host]: { auth: Buffer.from('alice:wrong').toString('base64') } },
            }),
          );
          const r = await runP(n, ['pull', `${proxy.host}/lab/busybox`], { DOCKER_CONFIG: dir });
          assert.equal(r.code, 1);
          const err = lines(r.stderr);
          assert.equal(err.length, 1, r.stderr);
          assert.match(
            err[0]!,
            /^Error response from daemon: .*unauthorized: authentication required$/,
          );
          const s = await state(n);
          assert.deepEqual([s.images, s.leases], [[], []]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it('a blob whose digest does not match: nothing committed, no image, no lease, no ingest', async () => {
        const n = ns('corrupt');
        const u = await pushUniqueImage(256 * 1024);
        proxy.corrupt.add(u.layer.digest);
        const r = await runP(n, ['pull', `${proxy.host}/${u.repo}`]);
        assert.equal(r.code, 1);
        assert.equal(
          lines(r.stderr).at(-1),
          `Error response from daemon: filesystem layer verification failed for digest ${u.layer.digest}`,
        );
        const s = await state(n);
        assert.deepEqual(s.images, []);
        assert.deepEqual(s.leases, []);
        assert.deepEqual(s.ingests, []);
        assert.equal(
          await contentLabels(n, u.layer.digest),
          undefined,
          'the bad blob was not committed',
        );
        assert.ok(!s.snapshots.some((x) => x.kind === 'ACTIVE'), 'no half-made snapshot');
        // The same image from the honest registry is fine afterwards.
        const ok = run(n, ['pull', '-q', u.ref]);
        assert.equal(ok.code, 0, ok.stderr);
      });

      it('Ctrl-C mid-download: exit 130, no image, no lease; the next pull resumes where it stopped', async () => {
        const n = ns('cancel');
        const u = await pushUniqueImage(3 * 1024 * 1024);
        // One full WRITE (1 MiB) reaches containerd, then the registry goes quiet.
        const stall = proxy.stall(u.layer.digest, 1024 * 1024 + 100);
        const ref = `${proxy.host}/${u.repo}:latest`;
        const p = runAsync(n, ['pull', ref]);
        await stall.reached;
        const ingestRef = `berth-${u.layer.digest}`;
        await until('the partial ingest', async () => {
          const ing = (await state(n)).ingests.find((i) => i.ref === ingestRef);
          return (ing?.offset ?? 0) >= 1024 * 1024;
        });
        p.child.kill('SIGINT');
        const r = await p.done;
        stall.release();
        assert.equal(r.code, 130, r.stderr);
        let s = await state(n);
        assert.deepEqual(s.images, []);
        assert.deepEqual(s.leases, []);
        assert.ok(!s.snapshots.some((x) => x.kind === 'ACTIVE'), 'no half-made snapshot');
        const offset = s.ingests.find((i) => i.ref === ingestRef)?.offset ?? 0;
        assert.ok(
          offset >= 1024 * 1024 && offset < u.layer.size,
          `partial ingest kept (${offset} bytes)`,
        );
        // The partial download outlives the lease, even through a GC.
        await collectGarbage(n);
        s = await state(n);
        assert.deepEqual(s.ingests, [{ ref: ingestRef, offset }]);

        proxy.requests.length = 0;
        const again = await runP(n, ['pull', ref]);
        assert.equal(again.code, 0, again.stderr);
        assert.match(
          again.stdout,
          new RegExp(`Status: Downloaded newer image for ${ref.replace(/\./g, '\\.')}`),
        );
        const blobGets = proxy.requests.filter(
          (q) => q.method === 'GET' && q.url.endsWith(u.layer.digest),
        );
        assert.deepEqual(
          blobGets.map((q) => q.range),
          [`bytes=${offset}-`],
          'only the rest was fetched',
        );
        s = await state(n);
        assert.deepEqual([s.images, s.leases, s.ingests], [[ref], [], []]);
        assert.equal(
          (await contentLabels(n, u.layer.digest))?.['containerd.io/uncompressed'],
          u.diffId,
        );
        assert.ok(
          s.snapshots.some((x) => x.name === u.diffId && x.kind === 'COMMITTED'),
          'unpacked',
        );
      });

      it('containerd restarted mid-pull: one clear line, exit 1; the next pull finishes', async () => {
        // A containerd of the test's own, so stopping it disturbs nothing else.
        const dir = mkdtempSync(join(tmpdir(), 'berth-img-restart-'));
        const sock = join(dir, 'c.sock');
        const sys = (verb: string): Result =>
          berth([
            '-a',
            sock,
            '--data-root',
            join(dir, 'data'),
            'system',
            verb,
            '--state-dir',
            join(dir, 'state'),
          ]);
        assert.equal(sys('start').code, 0);
        const n = `${env.namespace}-img-restart`;
        const e = { CONTAINERD_ADDRESS: sock };
        try {
          const u = await pushUniqueImage(3 * 1024 * 1024);
          const stall = proxy.stall(u.layer.digest, 1024 * 1024 + 100);
          const ref = `${proxy.host}/${u.repo}:latest`;
          const p = runAsync(n, ['pull', ref], e);
          await stall.reached;
          assert.equal(sys('stop').code, 0);
          stall.release();
          const r = await p.done;
          assert.equal(r.code, 1, r.stderr);
          const err = lines(r.stderr).filter(
            (l) =>
              !/: (Pulling fs layer|Waiting|Downloading|Verifying Checksum|Download complete)/.test(
                l,
              ),
          );
          assert.equal(err.length, 1, r.stderr);
          assert.match(
            err[0]!,
            /^Error response from daemon: lost the connection to containerd at .*c\.sock/,
          );
          assert.equal(sys('start').code, 0);
          const again = await runP(n, ['pull', ref], e);
          assert.equal(again.code, 0, again.stderr);
          assert.match(again.stdout, /Status: Downloaded newer image for /);
          const listed = await runP(n, ['images', '--format', '{{.Repository}}:{{.Tag}}'], e);
          assert.equal(listed.stdout, `${ref}\n`);
          const leases = await runP(n, ['info', '--format', '{{.Images}}'], e);
          assert.equal(leases.stdout, '1\n');
        } finally {
          sys('stop');
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it('two concurrent pulls of the same image both succeed with one copy stored', async () => {
        const n = ns('concurrent');
        // Fresh content, so both really race for the same ingest and the same snapshot.
        const u = await pushUniqueImage(2 * 1024 * 1024);
        proxy.blobDelayMs = 300;
        const ref = `${proxy.host}/${u.repo}:latest`;
        const a = runAsync(n, ['pull', ref]);
        const b = runAsync(n, ['pull', ref]);
        const [ra, rb] = await Promise.all([a.done, b.done]);
        assert.equal(ra.code, 0, ra.stderr);
        assert.equal(rb.code, 0, rb.stderr);
        assert.equal(lines(ra.stdout).at(-1), ref);
        assert.equal(lines(rb.stdout).at(-1), ref);
        const s = await state(n);
        assert.deepEqual([s.images, s.leases, s.ingests], [[ref], [], []]);
        assert.deepEqual(
          s.snapshots,
          [{ name: u.diffId, kind: 'COMMITTED' }],
          'one snapshot, none left half-made',
        );
        const blobs = ctr(['content', 'ls', '-q'], n).stdout.split('\n').filter(Boolean);
        assert.deepEqual(blobs.sort(), [u.digest, u.config, u.layer.digest].sort());
      });
    });

    /** Runs berth in k8s.io and checks the record it makes carries the CRI's label. */
    async function criManaged(name: string, args: string[]): Promise<void> {
      const n = 'k8s.io';
      const before = (await state(n)).images.includes(name);
      const r = run(n, args);
      assert.equal(r.code, 0, r.stderr);
      const c = client(n);
      try {
        const { image } = await c.images.get({ name });
        assert.equal(image?.labels['io.cri-containerd.image'], 'managed');
      } finally {
        if (!before) await c.images.delete({ name, sync: true }).catch(() => undefined);
        c.close();
      }
    }

    it('in the k8s.io namespace the image is marked as managed for the CRI', async () => {
      const name = `${env.registry}/lab/nocmd:latest`;
      await criManaged(name, ['pull', '-q', name]);
    });

    it('and so is an image loaded there from an archive', async () => {
      await criManaged('docker.io/lab/busybox:latest', [
        'load',
        '-i',
        join(env.images, 'busybox-oci.tar'),
      ]);
    });
  });

  describe('images', () => {
    const N = (): string => ns('list');
    before(() => {
      for (const ref of [BUSYBOX, MULTI]) assert.equal(run(N(), ['pull', '-q', ref]).code, 0);
    });

    it('lists REPOSITORY TAG IMAGE ID CREATED SIZE with familiar names', () => {
      const r = run(N(), ['images']);
      assert.equal(r.code, 0, r.stderr);
      const out = lines(r.stdout);
      assert.match(out[0]!, /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$/);
      const row = out.find((l) => l.startsWith(`${env.registry}/lab/busybox `));
      assert.match(
        row ?? '',
        new RegExp(
          `^${env.registry.replace(/\./g, '\\.')}/lab/busybox +latest +${short(busybox.config)} +\\d+ \\w+ ago +\\d[\\d.]*[kMG]?B$`,
        ),
      );
      assert.equal(out.length, 3);
    });

    it('-q, --no-trunc, --digests, --format and json', () => {
      assert.deepEqual(
        lines(run(N(), ['images', '-q']).stdout).sort(),
        [short(busybox.config), short(multi.config)].sort(),
      );
      assert.match(
        run(N(), ['images', '--no-trunc']).stdout,
        new RegExp(`\\s${busybox.config}\\s`),
      );
      const d = run(N(), ['images', '--digests']);
      assert.match(lines(d.stdout)[0]!, /^REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE$/);
      assert.match(
        d.stdout,
        new RegExp(`lab/busybox +latest +${busybox.digest} +${short(busybox.config)} `),
      );
      const f = run(N(), ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.CreatedAt}}']);
      assert.ok(
        lines(f.stdout).includes(
          `${BUSYBOX} ${short(busybox.config)} 2024-01-02 03:04:05 +0000 UTC`,
        ),
        f.stdout,
      );
      const j = lines(run(N(), ['images', '--format', 'json']).stdout).map(
        (l) => JSON.parse(l) as Record<string, string>,
      );
      const row = j.find((x) => x.Repository === `${env.registry}/lab/multi`);
      assert.equal(row?.Tag, 'latest');
      assert.equal(row?.ID, short(multi.config));
      // docker/cli prints Size with three significant digits (`2.01MB`).
      assert.match(row?.Size ?? '', /^\d[\d.]*MB$/);
      assert.ok((row?.Size ?? '').replace(/\D/g, '').length <= 3, row?.Size);
      assert.match(row?.CreatedSince ?? '', / ago$/);
      // {{json .}} prints every field, so sizes are measured for it as for `json`; a format that
      // prints {{.Digest}} gets the digests without --digests (docker/cli's needDigest).
      const jt = lines(run(N(), ['images', '--format', '{{json .}}']).stdout).map(
        (l) => JSON.parse(l) as Record<string, string>,
      );
      assert.equal(jt.find((x) => x.Repository === `${env.registry}/lab/multi`)?.Size, row?.Size);
      assert.ok(
        lines(run(N(), ['images', '--format', '{{.Repository}} {{.Digest}}']).stdout).includes(
          `${env.registry}/lab/busybox ${busybox.digest}`,
        ),
      );
    });

    it('filters: reference, dangling, label, before/since; a positional repository', () => {
      const q = (args: string[]): string[] =>
        lines(run(N(), ['images', '--format', '{{.Repository}}', ...args]).stdout);
      assert.deepEqual(q(['-f', 'reference=*/lab/multi']), [`${env.registry}/lab/multi`]);
      assert.deepEqual(q([`${env.registry}/lab/busybox`]), [`${env.registry}/lab/busybox`]);
      assert.deepEqual(q(['-f', 'dangling=true']), []);
      assert.equal(q(['-f', 'dangling=false']).length, 2);
      assert.deepEqual(q(['-f', 'label=org.berth.test=multi']), [`${env.registry}/lab/multi`]);
      assert.deepEqual(q(['-f', 'label=org.opencontainers.image.title']), [
        `${env.registry}/lab/busybox`,
      ]);
      // Both were built at the same instant, so neither is before or since the other.
      assert.deepEqual(q(['-f', `before=${BUSYBOX}`]), []);
      assert.deepEqual(q(['-f', `since=${BUSYBOX}`]), []);
      const bad = run(N(), ['images', '-f', 'nope=1']);
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, "Error response from daemon: invalid filter 'nope'\n");
      const malformed = run(N(), ['images', '-f', 'dangling']);
      assert.equal(malformed.code, 125);
      assert.match(malformed.stderr, /bad format of filter \(expected name=value\)/);
    });
  });

  describe('tag, rmi', () => {
    it('info counts images, not their names (tags and digest records count once)', () => {
      const n = ns('info');
      assert.equal(run(n, ['pull', '-q', BUSYBOX]).code, 0);
      assert.equal(run(n, ['tag', BUSYBOX, 'mybox:1']).code, 0);
      assert.equal(run(n, ['tag', BUSYBOX, 'mybox:2']).code, 0);
      assert.equal(run(n, ['info', '--format', '{{.Images}}']).stdout, '1\n');
    });

    const N = (): string => ns('tag');
    before(() => assert.equal(run(N(), ['pull', '-q', BUSYBOX]).code, 0));

    it('tag makes a second name for the same image; rmi of one name only untags', async () => {
      const t = run(N(), ['tag', BUSYBOX, 'mybox:1']);
      assert.equal(t.code, 0, t.stderr);
      assert.equal(t.stdout, '');
      assert.equal(
        run(N(), ['image', 'tag', short(busybox.config), 'example.com/x/mybox:2']).code,
        0,
      );
      const names = (await state(N())).images.sort();
      assert.deepEqual(
        names,
        [BUSYBOX, 'docker.io/library/mybox:1', 'example.com/x/mybox:2'].sort(),
      );
      const rows = lines(
        run(N(), ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']).stdout,
      ).sort();
      assert.deepEqual(
        rows,
        [
          `${BUSYBOX} ${short(busybox.config)}`,
          `example.com/x/mybox:2 ${short(busybox.config)}`,
          `mybox:1 ${short(busybox.config)}`,
        ].sort(),
      );
      const r = run(N(), ['rmi', 'mybox:1']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Untagged: mybox:1\n');
    });

    it("missing images: Docker's messages and exit 1", () => {
      const t = run(N(), ['tag', 'lab-missing:latest', `${env.registry}/lab/x:1`]);
      assert.equal(t.code, 1);
      assert.equal(t.stderr, 'Error response from daemon: No such image: lab-missing:latest\n');
      const r = run(N(), ['rmi', 'nosuch']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'Error response from daemon: No such image: nosuch:latest\n');
      // With -f a missing image is reported but is no failure (docker/cli's rmi).
      const f = run(N(), ['rmi', '-f', 'nosuch']);
      assert.equal(f.code, 0);
      assert.equal(f.stderr, 'Error response from daemon: No such image: nosuch:latest\n');
    });

    it('refuses an image a container uses unless -f; by ID with several repositories needs -f', async () => {
      const cid = `imgtest${Date.now()}`;
      const made = ctr(['containers', 'create', BUSYBOX, cid], N());
      assert.equal(made.code, 0, made.stderr);
      // example.com/x/mybox:2 still names the image: removing BUSYBOX is just an untag.
      const untag = run(N(), ['rmi', BUSYBOX]);
      assert.equal(untag.code, 0, untag.stderr);
      assert.equal(lines(untag.stdout)[0], `Untagged: ${BUSYBOX}`);
      assert.equal(run(N(), ['tag', 'example.com/x/mybox:2', BUSYBOX]).code, 0);
      assert.equal(run(N(), ['rmi', 'example.com/x/mybox:2']).code, 0);
      // Now BUSYBOX is the last name and a container uses it.
      const r = run(N(), ['rmi', BUSYBOX]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `Error response from daemon: conflict: unable to remove repository reference "${BUSYBOX}" (must force) - container ${cid.slice(0, 12)} is using its referenced image ${short(busybox.config)}\n`,
      );
      const byId = run(N(), ['rmi', short(busybox.config)]);
      assert.equal(byId.code, 1);
      assert.equal(
        byId.stderr,
        `Error response from daemon: conflict: unable to delete ${short(busybox.config)} (must be forced) - image is being used by stopped container ${cid.slice(0, 12)}\n`,
      );
      const f = run(N(), ['rmi', '-f', BUSYBOX]);
      assert.equal(f.code, 0, f.stderr);
      assert.deepEqual(lines(f.stdout).slice(0, 3), [
        `Untagged: ${BUSYBOX}`,
        `Untagged: ${env.registry}/lab/busybox@${busybox.digest}`,
        `Deleted: ${busybox.config}`,
      ]);
      assert.deepEqual((await state(N())).images, []);
      ctr(['containers', 'rm', cid], N());
    });

    it('rmi by ID removes every name of one repository and deletes the content', async () => {
      const n = ns('rmid');
      assert.equal(run(n, ['pull', '-q', MULTI]).code, 0);
      assert.equal(run(n, ['tag', MULTI, `${env.registry}/lab/multi:two`]).code, 0);
      const r = run(n, ['rmi', short(multi.config)]);
      assert.equal(r.code, 0, r.stderr);
      const out = lines(r.stdout);
      assert.ok(
        out.includes(`Untagged: ${MULTI}`) &&
          out.includes(`Untagged: ${env.registry}/lab/multi:two`),
        r.stdout,
      );
      assert.ok(out.includes(`Deleted: ${multi.config}`));
      const s = await state(n);
      assert.deepEqual([s.images, s.snapshots], [[], []]);
      assert.equal(await contentLabels(n, multi.layers[2]!.digest), undefined);
    });
  });

  describe('image inspect, history', () => {
    const N = (): string => ns('inspect');
    before(() => assert.equal(run(N(), ['pull', '-q', MULTI]).code, 0));

    it('image inspect: Docker-shaped JSON', () => {
      const r = run(N(), ['image', 'inspect', MULTI]);
      assert.equal(r.code, 0, r.stderr);
      const [o] = JSON.parse(r.stdout) as Record<string, unknown>[];
      assert.equal(o?.Id, multi.config);
      assert.deepEqual(o?.RepoTags, [MULTI]);
      assert.deepEqual(o?.RepoDigests, [`${env.registry}/lab/multi@${multi.digest}`]);
      assert.equal(o?.Created, '2024-01-02T03:04:05Z');
      assert.equal(o?.Architecture, 'amd64');
      assert.equal(o?.Os, 'linux');
      assert.ok(typeof o?.Size === 'number' && o.Size > 2_000_000);
      const cfg = o?.Config as Record<string, unknown>;
      assert.deepEqual(cfg.Entrypoint, ['/bin/sh', '-c']);
      assert.deepEqual(cfg.Cmd, ['cat /hello.txt']);
      assert.equal(cfg.WorkingDir, '/data');
      assert.deepEqual(cfg.ExposedPorts, { '80/tcp': {} });
      assert.deepEqual(cfg.Volumes, { '/vol': {} });
      assert.equal((cfg.Labels as Record<string, string>)['org.berth.test'], 'multi');
      assert.deepEqual(o?.RootFS, { Type: 'layers', Layers: multi.diffIds });
      const keys = Object.keys(o ?? {});
      assert.deepEqual(keys.slice(0, 4), ['Id', 'RepoTags', 'RepoDigests', 'Parent']);
    });

    it('--format, and a missing image prints [] and Error: No such image', () => {
      const f = run(N(), [
        'image',
        'inspect',
        '--format',
        '{{.Id}} {{index .Config.Labels "org.berth.test"}}',
        MULTI,
      ]);
      assert.equal(f.stdout, `${multi.config} multi\n`);
      const m = run(N(), ['image', 'inspect', 'nosuch']);
      assert.equal(m.code, 1);
      assert.equal(m.stdout, '[]\n');
      assert.equal(m.stderr, 'Error: No such image: nosuch\n');
    });

    it('a template that does not parse: template parsing error, exit 64', () => {
      for (const args of [
        ['image', 'inspect', '--format', '{{.Id', MULTI],
        ['image', 'inspect', '-f', '{{.Id', 'nosuch'],
        ['inspect', '-f', '{{.Id', MULTI],
      ]) {
        const r = run(N(), args);
        assert.equal(r.code, 64, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr, 'template parsing error: template: :1: unclosed action\n');
        assert.equal(r.stdout, '');
      }
    });

    it('history: IMAGE CREATED CREATED BY SIZE COMMENT, newest first', () => {
      const r = run(N(), ['history', MULTI]);
      assert.equal(r.code, 0, r.stderr);
      const out = lines(r.stdout);
      assert.match(out[0]!, /^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
      assert.equal(out.length, 4);
      assert.match(
        out[1]!,
        new RegExp(
          `^${short(multi.config)} +\\d+ years? ago +RUN head -c 1048576 /dev/urandom >/data/big +1\\.\\d\\dMB `,
        ),
      );
      assert.match(out[3]!, /^<missing> +.* +COPY busybox rootfs \/ # berth test fixture +\d/);
      const q = run(N(), ['history', '-q', '--no-trunc', MULTI]);
      assert.deepEqual(lines(q.stdout), [multi.config, '<missing>', '<missing>']);
      const raw = run(N(), [
        'history',
        '-H=false',
        '--format',
        '{{.Size}}|{{.CreatedSince}}',
        MULTI,
      ]);
      assert.match(lines(raw.stdout)[0]!, /^\d+\|2024-01-02T03:04:05Z$/);
      const missing = run(N(), ['history', 'nosuch']);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, 'Error response from daemon: No such image: nosuch:latest\n');
    });
  });

  describe('image prune', () => {
    const N = (): string => ns('prune');

    it('off a terminal asks on stdout and reads the answer from stdin, like docker', () => {
      const r = berth(['image', 'prune', '-a'], { env: { CONTAINERD_NAMESPACE: N() } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        'WARNING! This will remove all images without at least one container associated to them.\n' +
          'Are you sure you want to continue? [y/N] ',
      );
      const y = berth(['image', 'prune'], { env: { CONTAINERD_NAMESPACE: N() }, input: 'y\n' });
      assert.equal(y.code, 0, y.stderr);
      assert.match(
        y.stdout,
        /^WARNING! This will remove all dangling images\.\n.*\[y\/N\] Total reclaimed space: 0B\n$/,
      );
    });

    it('-f with nothing dangling reclaims 0B; -a -f removes unused images, keeps used ones', async () => {
      for (const ref of [BUSYBOX, MULTI]) assert.equal(run(N(), ['pull', '-q', ref]).code, 0);
      const none = run(N(), ['image', 'prune', '-f']);
      assert.equal(none.code, 0, none.stderr);
      assert.equal(none.stdout, 'Total reclaimed space: 0B\n');
      const cid = `prunetest${Date.now()}`;
      assert.equal(ctr(['containers', 'create', BUSYBOX, cid], N()).code, 0);
      try {
        const r = run(N(), ['image', 'prune', '-a', '-f']);
        assert.equal(r.code, 0, r.stderr);
        const out = lines(r.stdout);
        assert.equal(out[0], 'Deleted Images:');
        assert.ok(out.includes(`untagged: ${MULTI}`), r.stdout);
        assert.ok(out.includes(`deleted: ${multi.config}`), r.stdout);
        assert.ok(!out.some((l) => l.includes('lab/busybox')), 'the image in use stays');
        assert.match(out.at(-1)!, /^Total reclaimed space: \d[\d.]*MB$/);
        assert.deepEqual((await state(N())).images, [BUSYBOX]);
      } finally {
        ctr(['containers', 'rm', cid], N());
      }
    });
  });
});
