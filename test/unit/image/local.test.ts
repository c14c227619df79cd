import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Client } from '../../../src/containerd/client.js';
import { NotFoundError } from '../../../src/containerd/errors.js';
import {
  listLocalImages,
  NoSuchImageError,
  PlatformNotAvailableError,
  recordReference,
  resolveLocalImage,
} from '../../../src/image/local.js';
import { InvalidReferenceError } from '../../../src/registry/reference.js';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Images and blobs in memory, behind the two calls local.ts makes (Images.Get/List, Content.Read). */
class FakeStore {
  blobs = new Map<string, Buffer>();
  images: {
    name: string;
    labels: Record<string, string>;
    target: {
      media_type: string;
      digest: string;
      size: string;
      annotations: Record<string, string>;
    };
  }[] = [];

  put(obj: unknown): { digest: string; size: number } {
    const b = Buffer.from(JSON.stringify(obj));
    this.blobs.set(sha(b), b);
    return { digest: sha(b), size: b.length };
  }

  /** A one-layer image for `arch`; returns the manifest descriptor and config digest. */
  image(
    arch: string,
    seed: string,
  ): { manifest: { mediaType: string; digest: string; size: number }; config: string } {
    const config = this.put({
      architecture: arch,
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [`sha256:${seed.repeat(64).slice(0, 64)}`] },
    });
    const m = this.put({
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: `sha256:${'1'.repeat(64)}`,
          size: 1,
        },
      ],
    });
    return {
      manifest: { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m },
      config: config.digest,
    };
  }

  record(name: string, target: { mediaType: string; digest: string; size: number }): void {
    this.images.push({
      name,
      labels: {},
      target: {
        media_type: target.mediaType,
        digest: target.digest,
        size: String(target.size),
        annotations: {},
      },
    });
  }

  client(): Client {
    const images = {
      get: async ({ name }: { name: string }) => {
        const image = this.images.find((i) => i.name === name);
        if (!image) throw new NotFoundError(5, `image "${name}": not found`);
        return { image };
      },
      list: async ({ filters }: { filters: string[] }) => {
        const want = filters[0]?.startsWith('target.digest==')
          ? filters[0].slice('target.digest=='.length)
          : undefined;
        return { images: this.images.filter((i) => !want || i.target.digest === want) };
      },
    };
    const content = {
      readBlob: async ({ digest }: { digest: string }) => {
        const b = this.blobs.get(digest);
        if (!b) throw new NotFoundError(5, `content digest ${digest}: not found`);
        return b;
      },
    };
    return { images, content } as unknown as Client;
  }
}

describe('image/local resolveLocalImage', () => {
  const store = new FakeStore();
  const amd = store.image('amd64', 'a');
  const other = store.image('amd64', 'b');
  store.record('docker.io/library/busybox:latest', amd.manifest);
  store.record('127.0.0.1:5000/lab/busybox:latest', amd.manifest);
  store.record('docker.io/library/other:1', other.manifest);
  // An index with amd64 and arm64 where only arm64's content is present.
  const arm = store.image('arm64', 'c');
  const absent = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${'9'.repeat(64)}`,
    size: 5,
  };
  const index = store.put({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { ...absent, platform: { os: 'linux', architecture: 'amd64' } },
      { ...arm.manifest, platform: { os: 'linux', architecture: 'arm64' } },
    ],
  });
  store.record('docker.io/library/multi:latest', {
    mediaType: 'application/vnd.oci.image.index.v1+json',
    ...index,
  });
  const client = store.client();

  it('by name, normalised like Docker (busybox = docker.io/library/busybox:latest)', async () => {
    const img = await resolveLocalImage(client, 'busybox');
    assert.equal(img.name, 'docker.io/library/busybox:latest');
    assert.equal(img.configDigest, amd.config);
    assert.equal(img.chainId, `sha256:${'a'.repeat(64)}`);
    assert.deepEqual(img.platform, { os: 'linux', architecture: 'amd64' });
  });

  it('by full ID, sha256: ID, or an unambiguous prefix', async () => {
    const hex = other.config.slice('sha256:'.length);
    for (const id of [hex, other.config, hex.slice(0, 12), `sha256:${hex.slice(0, 6)}`]) {
      assert.equal((await resolveLocalImage(client, id)).configDigest, other.config, id);
    }
  });

  it('"No such image" names the reference as Docker does; bad names fail on parsing', async () => {
    await assert.rejects(
      resolveLocalImage(client, 'nosuch'),
      (e: unknown) =>
        e instanceof NoSuchImageError &&
        e.message === 'No such image: nosuch:latest' &&
        e.exitCode === 1,
    );
    await assert.rejects(
      resolveLocalImage(client, `sha256:${'f'.repeat(64)}`),
      /No such image: sha256:f{64}/,
    );
    await assert.rejects(resolveLocalImage(client, 'UPPER'), InvalidReferenceError);
  });

  it('an index resolves to the platform whose content is present; a missing one is an error', async () => {
    const img = await resolveLocalImage(client, 'multi');
    assert.equal(img.platform.architecture, 'arm64');
    assert.equal(img.target.digest, index.digest);
    assert.equal(img.manifestDescriptor.digest, arm.manifest.digest);
    await assert.rejects(
      resolveLocalImage(client, 'multi', { platform: { os: 'linux', architecture: 'amd64' } }),
      (e: unknown) =>
        e instanceof PlatformNotAvailableError &&
        /does not match the specified platform: wanted linux\/amd64/.test(e.message),
    );
  });

  it('lists every record, reading shared targets once', async () => {
    const all = await listLocalImages(client);
    assert.deepEqual(all.map((i) => i.name).sort(), [
      '127.0.0.1:5000/lab/busybox:latest',
      'docker.io/library/busybox:latest',
      'docker.io/library/multi:latest',
      'docker.io/library/other:1',
    ]);
  });

  it('record names that are not references', () => {
    assert.equal(recordReference(`sha256:${'a'.repeat(64)}`), undefined);
    assert.equal(recordReference('docker.io/library/busybox:latest')?.familiar, 'busybox:latest');
  });
});
