/**
 * `berth import`: a filesystem tarball (file or `-`, gzip-compressed or not) as a one-layer
 * image, with `-c` changes. URLs are refused: berth fetches nothing from the network here.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Client } from '../../containerd/client.js';
import { withLease } from '../../containerd/leases.js';
import { BerthError } from '../../errors.js';
import { hostPlatform } from '../../image/platform.js';
import { MediaType, type ImageConfig } from '../../registry/media-types.js';
import { parseDockerRef } from '../../registry/reference.js';
import { applyChanges } from '../../build/changes.js';
import { writeImage, writeStreamBlob } from '../../build/store.js';

export interface ImportOptions {
  changes: string[];
  message?: string;
  stdin: Readable;
}

async function openSource(source: string, stdin: Readable): Promise<Readable> {
  if (source === '-') return stdin;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    throw new BerthError(
      `berth import: importing from a URL (${source}) is not supported: berth does not download anything; fetch the file and import it from a path`,
      { exitCode: 1 },
    );
  }
  try {
    await (await open(source, 'r')).close();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BerthError(
      `open ${source}: ${code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`,
      { exitCode: 1 },
    );
  }
  return createReadStream(source);
}

/** The chunks of `input`; `gzip` is decided from the first bytes, the uncompressed digest on the way. */
async function* sniffing(
  input: Readable,
  state: { gzip?: boolean; diffId?: Promise<string> },
): AsyncGenerator<Buffer> {
  let gunzip: PassThrough | undefined;
  for await (const raw of input) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as string);
    if (state.gzip === undefined) {
      state.gzip = chunk[0] === 0x1f && chunk[1] === 0x8b;
      if (state.gzip) {
        gunzip = new PassThrough();
        const hash = createHash('sha256');
        const z = gunzip.pipe(createGunzip());
        state.diffId = new Promise((resolve, reject) => {
          z.on('data', (d: Buffer) => hash.update(d));
          z.on('end', () => resolve(`sha256:${hash.digest('hex')}`));
          z.on('error', reject);
        });
      }
    }
    gunzip?.write(chunk);
    yield chunk;
  }
  gunzip?.end();
}

export async function importImage(
  client: Client,
  source: string,
  repo: string | undefined,
  o: ImportOptions,
): Promise<string> {
  const name = repo !== undefined ? parseDockerRef(repo).full : undefined;
  const p = hostPlatform();
  const rc = applyChanges({}, o.changes);
  const input = await openSource(source, o.stdin);
  return withLease(client, async (lease) => {
    const state: { gzip?: boolean; diffId?: Promise<string> } = {};
    const blob = await writeStreamBlob(client, sniffing(input, state), { lease });
    const diffId = state.gzip ? await state.diffId! : blob.digest;
    const now = new Date().toISOString();
    const config: ImageConfig = {
      architecture: p.architecture,
      os: p.os,
      created: now,
      config: rc,
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [
        {
          created: now,
          comment: o.message ?? `Imported from ${source}`,
        },
      ],
    };
    const mediaType = state.gzip ? MediaType.OciLayerGzip : MediaType.OciLayer;
    if (state.gzip) {
      await client.content.update({
        info: { digest: blob.digest, labels: { 'containerd.io/uncompressed': diffId } },
        update_mask: { paths: ['labels.containerd.io/uncompressed'] },
      });
    }
    return writeImage(
      client,
      lease,
      config,
      [{ mediaType, digest: blob.digest, size: blob.size }],
      name ? [name] : [],
    );
  });
}
