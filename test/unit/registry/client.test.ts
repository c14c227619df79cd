import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RegistryClient, verifyDigest } from '../../../src/registry/client.js';
import { computeDigest } from '../../../src/registry/digest.js';
import {
  BlobUnknownError,
  DeniedError,
  DigestMismatchError,
  ManifestUnknownError,
  NameUnknownError,
  RegistryConnectionError,
  UnauthorizedError,
} from '../../../src/registry/errors.js';
import { MediaType } from '../../../src/registry/media-types.js';
import { parseReference, type ImageReference } from '../../../src/registry/reference.js';
import { FakeRegistry } from './fake-registry.js';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const layer = Buffer.alloc(300_000, 7);
for (let i = 0; i < layer.length; i += 97) layer[i] = i % 251;
const config = Buffer.from(
  JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
);

function seed(
  reg: FakeRegistry,
  repo: string,
  tag = 'latest',
): {
  manifest: { digest: string; size: number; mediaType: string };
  layer: { digest: string; size: number };
} {
  const l = reg.addBlob(repo, layer);
  const c = reg.addBlob(repo, config);
  const manifest = reg.addManifest(repo, tag, MediaType.OciManifest, {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, ...c },
    layers: [{ mediaType: MediaType.OciLayerGzip, ...l }],
  });
  return { manifest, layer: l };
}

describe('registry/client (in-process registry on loopback)', function () {
  this.timeout(10_000);
  let reg: FakeRegistry;
  let client: RegistryClient;
  const noCreds = async (): Promise<undefined> => undefined;
  const ref = (s: string): ImageReference => parseReference(`${reg.host}/${s}`);

  beforeEach(async () => {
    reg = await new FakeRegistry({
      auth: 'bearer',
      users: { alice: 'wonder' },
      privateRepos: ['lab/private'],
    }).start();
    client = new RegistryClient({ credentials: noCreds, hostsDirs: [] });
  });

  afterEach(async () => {
    await client.close();
    await reg.stop();
  });

  it('resolves a tag through the token flow, HEAD then GET by digest, over the http fallback', async () => {
    const { manifest } = seed(reg, 'lab/busybox');
    const r = await client.resolve(ref('lab/busybox'));
    assert.equal(r.ref.familiar, `${reg.host}/lab/busybox:latest`);
    assert.deepEqual(r.descriptor, manifest);
    assert.equal(computeDigest(r.bytes), manifest.digest);
    const v2 = reg.log.filter((l) => l.url.startsWith('/v2/'));
    assert.deepEqual(
      v2.map((l) => `${l.method} ${l.url} ${l.authorization ? 'auth' : 'anon'}`),
      [
        'HEAD /v2/lab/busybox/manifests/latest anon',
        'HEAD /v2/lab/busybox/manifests/latest auth',
        `GET /v2/lab/busybox/manifests/${manifest.digest} auth`,
      ],
    );
    assert.equal(reg.tokenRequests.length, 1);
    assert.deepEqual(reg.tokenRequests[0]?.url.searchParams.getAll('scope'), [
      'repository:lab/busybox:pull',
    ]);
    assert.equal(reg.tokenRequests[0]?.url.searchParams.get('service'), 'fake-registry');

    // The token is cached per scope: a second resolve sends it up front.
    await client.resolve(ref('lab/busybox:latest'));
    assert.equal(reg.tokenRequests.length, 1);
    assert.equal(reg.log.filter((l) => l.url.startsWith('/v2/') && !l.authorization).length, 1);
  });

  it('headManifest answers from HEAD alone', async () => {
    const { manifest } = seed(reg, 'lab/busybox');
    assert.deepEqual(await client.headManifest(ref('lab/busybox')), manifest);
    assert.ok(!reg.log.some((l) => l.method === 'GET' && l.url.includes('/manifests/')));
  });

  it('reports a missing tag or repository exactly like docker pull', async () => {
    seed(reg, 'lab/busybox');
    await assert.rejects(client.resolve(ref('lab/busybox:nosuchtag')), (e: unknown) => {
      assert.ok(e instanceof ManifestUnknownError);
      assert.equal(
        e.message,
        `manifest for ${reg.host}/lab/busybox:nosuchtag not found: manifest unknown: manifest unknown`,
      );
      return true;
    });
    await assert.rejects(
      client.resolve(ref('lab/nosuchrepo:latest')),
      new RegExp(
        `^ManifestUnknownError: manifest for ${reg.host}/lab/nosuchrepo:latest not found: manifest unknown: manifest unknown$`,
      ),
    );
  });

  it('turns insufficient_scope into Docker’s "pull access denied"', async () => {
    seed(reg, 'lab/private');
    await assert.rejects(client.resolve(ref('lab/private')), (e: unknown) => {
      assert.ok(e instanceof DeniedError);
      assert.equal(
        e.message,
        `pull access denied for ${reg.host}/lab/private, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
      );
      return true;
    });
  });

  it('sends credentials to the token endpoint and reports wrong ones', async () => {
    const { manifest } = seed(reg, 'lab/private');
    const good = new RegistryClient({
      hostsDirs: [],
      credentials: async () => ({ username: 'alice', password: 'wonder' }),
    });
    try {
      assert.equal((await good.resolve(ref('lab/private'))).descriptor.digest, manifest.digest);
      assert.equal(
        reg.tokenRequests.at(-1)?.authorization,
        `Basic ${Buffer.from('alice:wonder').toString('base64')}`,
      );
    } finally {
      await good.close();
    }
    const bad = new RegistryClient({
      hostsDirs: [],
      credentials: async () => ({ username: 'alice', password: 'nope' }),
    });
    try {
      await assert.rejects(
        bad.resolve(ref('lab/private')),
        (e: unknown) =>
          e instanceof UnauthorizedError &&
          e.message === 'unauthorized: incorrect username or password',
      );
    } finally {
      await bad.close();
    }
  });

  it('fetchManifest verifies digest and size', async () => {
    const { manifest } = seed(reg, 'lab/busybox');
    const got = await client.fetchManifest(ref('lab/busybox'), manifest);
    assert.equal(got.descriptor.digest, manifest.digest);
    assert.equal(got.descriptor.mediaType, MediaType.OciManifest);
    // Corrupt what the registry serves under that digest.
    const stored = reg.manifests.get('lab/busybox')?.get(manifest.digest);
    assert.ok(stored);
    stored.bytes = Buffer.from(stored.bytes.toString().replace('amd64', 'arm64') + ' ');
    await assert.rejects(
      client.fetchManifest(ref('lab/busybox'), manifest.digest),
      DigestMismatchError,
    );
    await assert.rejects(
      client.fetchManifest(ref('lab/busybox'), `sha256:${'0'.repeat(64)}`),
      new RegExp(
        `manifest for ${reg.host}/lab/busybox@sha256:0+ not found: manifest unknown: manifest unknown`,
      ),
    );
  });

  it('streams blobs, verifies them, and resumes with Range', async () => {
    const { layer: l } = seed(reg, 'lab/busybox');
    const out: Buffer[] = [];
    await pipeline(await client.fetchBlob(ref('lab/busybox'), l), verifyDigest(l), async (src) => {
      for await (const c of src as AsyncIterable<Buffer>) out.push(c);
    });
    assert.deepEqual(Buffer.concat(out), layer);

    const tail = await collect(await client.fetchBlob(ref('lab/busybox'), l, { offset: 123_456 }));
    assert.deepEqual(tail, layer.subarray(123_456));
    assert.equal(reg.log.at(-1)?.range, 'bytes=123456-');
    assert.equal(
      (await collect(await client.fetchBlob(ref('lab/busybox'), l, { offset: l.size }))).length,
      0,
    );

    await assert.rejects(
      client.fetchBlob(ref('lab/busybox'), { digest: `sha256:${'1'.repeat(64)}`, size: 1 }),
      (e: unknown) =>
        e instanceof BlobUnknownError && e.message === 'blob unknown: blob unknown to registry',
    );
    assert.deepEqual(
      JSON.parse(
        (
          await client.fetchBlobBytes(ref('lab/busybox'), {
            digest: computeDigest(config),
            size: config.length,
          })
        ).toString(),
      ).os,
      'linux',
    );
  });

  it('copes with a server that ignores Range', async () => {
    await reg.stop();
    reg = await new FakeRegistry({ ignoreRange: true }).start();
    const { layer: l } = seed(reg, 'lab/busybox');
    const tail = await collect(await client.fetchBlob(ref('lab/busybox'), l, { offset: 1000 }));
    assert.deepEqual(tail, layer.subarray(1000));
  });

  it('follows blob redirects without leaking the Authorization header', async () => {
    let cdnHeaders: IncomingHttpHeaders | undefined;
    const cdn: Server = createServer((req, res) => {
      cdnHeaders = req.headers;
      res.end(reg.blobs.get(req.url?.slice(1) ?? ''));
    });
    await new Promise<void>((r) => cdn.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
      await reg.stop();
      reg = await new FakeRegistry({
        auth: 'bearer',
        redirectBlobsTo: { base, digests: new Set() },
      }).start();
      const { layer: l } = seed(reg, 'lab/busybox');
      reg.opts.redirectBlobsTo?.digests.add(l.digest);
      const data = await collect(await client.fetchBlob(ref('lab/busybox'), l));
      assert.deepEqual(data, layer);
      assert.ok(cdnHeaders);
      assert.equal(cdnHeaders.authorization, undefined);
      assert.ok(
        reg.log.some((x) => x.url.includes('/blobs/') && x.authorization?.startsWith('Bearer ')),
      );
    } finally {
      cdn.closeAllConnections();
      await new Promise<void>((r) => cdn.close(() => r()));
    }
  });

  it('pushes: exists check, monolithic and chunked upload, mount, manifest, tags', async () => {
    const repo = ref('lab/pushed');
    const blob = Buffer.from('x'.repeat(10_000) + 'end');
    const desc = { digest: computeDigest(blob), size: blob.length };
    assert.equal(await client.blobExists(repo, desc), false);
    await client.uploadBlob(
      repo,
      Readable.from([blob.subarray(0, 5000), blob.subarray(5000)]),
      desc,
    );
    assert.equal(await client.blobExists(repo, desc.digest), true);
    assert.deepEqual(reg.blobs.get(desc.digest), blob);
    assert.ok(
      reg.tokenRequests.some((t) =>
        t.url.searchParams.getAll('scope').includes('repository:lab/pushed:pull,push'),
      ),
    );

    const blob2 = Buffer.from('chunky '.repeat(1000));
    const desc2 = { digest: computeDigest(blob2), size: blob2.length };
    await client.uploadBlob(repo, Readable.from([blob2]), desc2, { chunkSize: 1024 });
    assert.deepEqual(reg.blobs.get(desc2.digest), blob2);
    assert.equal(
      reg.log.filter((l) => l.method === 'PATCH').length,
      Math.ceil(blob2.length / 1024),
    );

    const other = ref('lab/other');
    assert.deepEqual(await client.mountBlob(other, desc, repo), { mounted: true });
    assert.equal(await client.blobExists(other, desc), true);
    const notMounted = await client.mountBlob(other, { digest: `sha256:${'2'.repeat(64)}` }, repo);
    assert.equal(notMounted.mounted, false);
    assert.match(
      notMounted.uploadUrl ?? '',
      new RegExp(`^http://${reg.host}/v2/lab/other/blobs/uploads/`),
    );

    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.DockerManifest,
        config: desc,
        layers: [],
      }),
    );
    for (const tag of ['v1', 'v2', 'v3', 'v4', 'v5']) {
      const d = await client.putManifest(
        parseReference(`${reg.host}/lab/pushed:${tag}`),
        MediaType.DockerManifest,
        manifest,
      );
      assert.equal(d.digest, computeDigest(manifest));
    }
    const resolved = await client.resolve(`${reg.host}/lab/pushed:v3`);
    assert.equal(resolved.descriptor.mediaType, MediaType.DockerManifest);
    assert.deepEqual(await client.listTags(repo), ['v1', 'v2', 'v3', 'v4', 'v5']);
    await assert.rejects(client.listTags(ref('lab/empty')), NameUnknownError);
    await assert.rejects(
      client.putManifest(ref('lab/readonly:v1'), MediaType.DockerManifest, manifest),
      (e: unknown) =>
        e instanceof DeniedError &&
        e.message === 'denied: requested access to the resource is denied',
    );
    await assert.rejects(
      client.uploadBlob(ref('lab/readonly'), Readable.from([blob]), desc),
      (e: unknown) => e instanceof DeniedError && e.status === 403,
    );
  });

  it('refuses to upload content that does not match its descriptor', async () => {
    const blob = Buffer.from('real content');
    const wrong = { digest: computeDigest(Buffer.from('other content')), size: blob.length };
    await assert.rejects(
      client.uploadBlob(ref('lab/bad'), Readable.from([blob]), wrong),
      (e: unknown) =>
        e instanceof DigestMismatchError &&
        e.message.startsWith(`digest mismatch: expected ${wrong.digest}`),
    );
    assert.equal(reg.blobs.has(wrong.digest), false);
    // Content longer than announced is cut off mid-stream.
    const long = Readable.from([Buffer.alloc(1000), Buffer.alloc(1000), Buffer.alloc(1000)]);
    await assert.rejects(
      client.uploadBlob(ref('lab/bad'), long, {
        digest: computeDigest(Buffer.alloc(1500)),
        size: 1500,
      }),
      /size mismatch for sha256:[0-9a-f]+: expected 1500 bytes, got 2000/,
    );
    await assert.rejects(
      client.uploadBlob(ref('lab/bad'), Readable.from([blob]), wrong, { chunkSize: 4 }),
      DigestMismatchError,
    );
  });

  it('names the host when nothing listens', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    await assert.rejects(client.resolve(`127.0.0.1:${port}/lab/x`), (e: unknown) => {
      assert.ok(e instanceof RegistryConnectionError);
      assert.equal(
        e.message,
        `Head "http://127.0.0.1:${port}/v2/lab/x/manifests/latest": dial tcp 127.0.0.1:${port}: connect: connection refused`,
      );
      assert.equal(e.host, `127.0.0.1:${port}`);
      return true;
    });
  });

  it('names the token server when it cannot be reached', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    await reg.stop();
    reg = await new FakeRegistry({
      auth: 'bearer',
      realm: `http://127.0.0.1:${port}/token`,
    }).start();
    seed(reg, 'lab/busybox');
    await assert.rejects(
      client.resolve(ref('lab/busybox')),
      (e: unknown) =>
        e instanceof RegistryConnectionError &&
        e.message.startsWith(`Get "http://127.0.0.1:${port}/token?service=fake-registry&scope=`) &&
        e.message.endsWith(`": dial tcp 127.0.0.1:${port}: connect: connection refused`),
    );
  });

  it('honours an AbortSignal', async () => {
    seed(reg, 'lab/busybox');
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(client.resolve(ref('lab/busybox'), { signal: ac.signal }), {
      name: 'AbortError',
    });
  });

  it('speaks Basic auth when challenged for it', async () => {
    await reg.stop();
    reg = await new FakeRegistry({
      auth: 'basic',
      users: { bob: 'pw' },
      privateRepos: ['lab/private'],
    }).start();
    const { manifest } = seed(reg, 'lab/private');
    await assert.rejects(client.resolve(ref('lab/private')), UnauthorizedError);
    const withCreds = new RegistryClient({
      hostsDirs: [],
      credentials: async () => ({ username: 'bob', password: 'pw' }),
    });
    try {
      assert.equal(
        (await withCreds.resolve(ref('lab/private'))).descriptor.digest,
        manifest.digest,
      );
    } finally {
      await withCreds.close();
    }
  });

  it('infers the media type when the registry sends application/json', async () => {
    const repo = 'lab/plainjson';
    const d = reg.addManifest(repo, 'latest', 'application/json', {
      schemaVersion: 2,
      manifests: [],
    });
    const r = await client.resolve(ref(repo));
    assert.equal(r.descriptor.mediaType, MediaType.OciIndex);
    assert.equal(r.descriptor.digest, d.digest);
    reg.addManifest(repo, 'old', 'application/vnd.docker.distribution.manifest.v1+prettyjws', {
      schemaVersion: 1,
    });
    await assert.rejects(client.resolve(ref(`${repo}:old`)), /schema 1 support has been removed/);
  });
});
