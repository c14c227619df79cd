/**
 * Copying an image between containerd namespaces (for example from `default`, where a developer
 * pulled or built it, into `k8s.io` for kubelet) without downloading or recompressing anything:
 * each blob is committed in the target namespace under its digest (containerd shares the bytes
 * it already holds; otherwise they stream from the local store), with the source's labels (GC
 * references, uncompressed digests, distribution sources); the layers are unpacked into the
 * target's snapshots; then the record is created there (in k8s.io with CRI's records and label).
 */
import { Client } from '../containerd/client.js';
import { NotFoundError } from '../containerd/errors.js';
import { withLease } from '../containerd/leases.js';
import { BerthError } from '../errors.js';
import type { Descriptor } from '../registry/media-types.js';
import { openBlob, writeBlob } from './content.js';
import { isIndexMediaType } from '../registry/media-types.js';
import type { LocalImage } from './local.js';
import { putImageRecord } from './record.js';
import { snapshotGcLabels, unpackImage } from './unpack.js';

export interface CopyOptions {
  /** Namespace the image is read from (the client's own). */
  from: string;
  to: string;
  snapshotter: string;
  signal?: AbortSignal;
}

export interface CopyResult {
  name: string;
  target: Descriptor;
  /** Blobs committed in the target namespace (0 when it already had them all). */
  blobs: number;
}

async function labelsIn(
  client: Client,
  digest: string,
  namespace: string,
): Promise<Record<string, string>> {
  try {
    const { info } = await client.content.info({ digest }, { namespace });
    return info?.labels ?? {};
  } catch (err) {
    if (err instanceof NotFoundError) return {};
    throw err;
  }
}

/** Copies one resolved image (its record's target, the platform manifest, config and layers). */
export async function copyImage(
  client: Client,
  img: LocalImage,
  o: CopyOptions,
): Promise<CopyResult> {
  if (o.from === o.to) {
    throw new BerthError(`image ${img.name} is already in namespace ${o.to}`);
  }
  const target = new Client({ address: client.address, namespace: o.to });
  try {
    // Children before parents, as a pull writes them: nothing may reference a missing blob.
    const blobs: Descriptor[] = [
      ...img.manifest.layers,
      img.manifest.config,
      img.manifestDescriptor,
    ];
    if (
      img.target.digest !== img.manifestDescriptor.digest &&
      isIndexMediaType(img.target.mediaType)
    ) {
      blobs.push(img.target);
    }
    let written = 0;
    await withLease(
      target,
      async (lease) => {
        const wopts = { lease, ...(o.signal ? { signal: o.signal } : {}) };
        for (const d of blobs) {
          const labels = await labelsIn(client, d.digest, o.from);
          if (d.digest === img.configDigest) {
            Object.assign(labels, snapshotGcLabels(o.snapshotter, img.chainId));
          }
          const r = await writeBlob(
            target,
            { digest: d.digest, size: d.size, mediaType: d.mediaType },
            (offset) => Promise.resolve(openBlob(client, d.digest, { namespace: o.from, offset })),
            { ...wopts, labels },
          );
          if (r.status === 'written') written++;
        }
        await unpackImage(target, img.manifest.layers, img.diffIds, {
          snapshotter: o.snapshotter,
          lease,
          ...(o.signal ? { signal: o.signal } : {}),
        });
        await putImageRecord(target, { namespace: o.to }, img.name, img.target, img.labels, wopts);
      },
      { ...(o.signal ? { signal: o.signal } : {}) },
    );
    return { name: img.name, target: img.target, blobs: written };
  } finally {
    target.close();
  }
}
