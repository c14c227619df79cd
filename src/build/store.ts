/**
 * What the builder keeps in containerd: blobs written from streams whose digest is only known at
 * the end, step configs labelled with their cache keys (held by one long-lived lease per
 * namespace, `berth-build-cache`, so the cache survives across runs until `builder prune`), and
 * the final manifest and image records.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Client } from '../containerd/client.js';
import { AlreadyExistsError, NotFoundError } from '../containerd/errors.js';
import { timestampToDate } from '../containerd/helpers.js';
import type { Descriptor, ImageConfig, ImageManifest } from '../registry/media-types.js';
import { MediaType } from '../registry/media-types.js';
import { putImageRecord } from '../image/record.js';
import { snapshotGcLabelKey } from '../image/unpack.js';

/** Lease holding the build cache's step configs (no expiry: `builder prune` deletes it). */
export const CACHE_LEASE = 'berth-build-cache';
/** Label on a step's config: the cache key it answers. */
export const CACHE_KEY_LABEL = 'berth.build/cache-key';
/** Label on a step's config: the diff ID of the layer the step added, if any. */
export const CACHE_LAYER_LABEL = 'berth.build/layer';
/** Label on a step's config: that layer's size in bytes. */
export const CACHE_LAYER_SIZE_LABEL = 'berth.build/layer-size';

export interface CacheEntry {
  /** The step's config. */
  digest: string;
  /** Diff ID (= digest: layers are stored uncompressed) of the layer the step added. */
  layer?: string;
  size?: number;
}
export const LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar';

// The content-store writer is the image library's; the builder's modules import it from here.
export { holdBlob, writeStreamBlob } from '../image/blob-writer.js';
import { holdBlob, writeStreamBlob } from '../image/blob-writer.js';

/** Canonical bytes of a JSON document and its digest. */
export function jsonBlob(value: unknown): { bytes: Buffer; digest: string } {
  const bytes = Buffer.from(JSON.stringify(value));
  return { bytes, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

/** Writes a small blob (config, manifest) with labels, under the lease. */
export async function writeSmallBlob(
  client: Client,
  bytes: Buffer,
  opts: { lease: string; labels?: Record<string, string>; labelsFromContent?: boolean },
): Promise<string> {
  if (opts.labelsFromContent) {
    // A manifest already stored (a rebuild that changed nothing) is held, not written again.
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const known = await client.content.info({ digest }).then(
      () => true,
      (err: unknown) => {
        if (err instanceof NotFoundError) return false;
        throw err;
      },
    );
    if (known) {
      await holdBlob(client, digest, opts.lease, {});
      return digest;
    }
  }
  const { digest } = await writeStreamBlob(client, Readable.from([bytes]), opts);
  return digest;
}

/** The GC references a step config carries: its snapshot and its layers. */
export function configGcLabels(
  snapshotter: string,
  chainId: string,
  layers: readonly Pick<Descriptor, 'digest'>[],
): Record<string, string> {
  const labels: Record<string, string> = {};
  if (chainId) labels[snapshotGcLabelKey(snapshotter)] = chainId;
  layers.forEach((l, i) => (labels[`containerd.io/gc.ref.content.l.${i}`] = l.digest));
  return labels;
}

/** The cache lease, made on first use. */
export async function ensureCacheLease(client: Client): Promise<void> {
  try {
    await client.leases.create({ id: CACHE_LEASE, labels: {} });
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
}

/** Every cached step: cache key -> its config digest and the diff ID of the layer it added. */
export async function loadCacheIndex(client: Client): Promise<Map<string, CacheEntry>> {
  const infos = await client.content.list({ filters: [`labels."${CACHE_KEY_LABEL}"`] });
  const index = new Map<string, CacheEntry>();
  for (const i of infos) {
    const key = i.labels?.[CACHE_KEY_LABEL];
    if (!key) continue;
    const e: CacheEntry = { digest: i.digest };
    const layer = i.labels?.[CACHE_LAYER_LABEL];
    const size = Number(i.labels?.[CACHE_LAYER_SIZE_LABEL] ?? NaN);
    if (layer) e.layer = layer;
    if (Number.isSafeInteger(size)) e.size = size;
    index.set(key, e);
  }
  return index;
}

/** One cached step, as `system df -v` lists it. */
export interface BuildCacheRecord {
  /** The step's config digest. */
  id: string;
  /** Bytes the step holds: its layer (if it added one) and its config. */
  size: number;
  created?: Date;
  /** True when an image uses the step's layer or config (pruning keeps it). */
  shared: boolean;
}

export interface BuildCacheUsage {
  count: number;
  active: number;
  size: number;
  reclaimable: number;
  records: BuildCacheRecord[];
}

/**
 * What the build cache holds (`system df`): its cached steps, and the bytes of their configs and
 * layers, each once; reclaimable is what no image uses, which `builder prune` lets the GC take.
 */
export async function buildCacheUsage(
  client: Client,
  used: ReadonlySet<string>,
): Promise<BuildCacheUsage> {
  const [labelled, held] = await Promise.all([
    client.content.list({ filters: [`labels."${CACHE_KEY_LABEL}"`] }),
    client.leases.listResources({ id: CACHE_LEASE }).then(
      (r) => new Set(r.resources.filter((x) => x.type === 'content').map((x) => x.id)),
      (err: unknown) => {
        if (err instanceof NotFoundError) return new Set<string>();
        throw err;
      },
    ),
  ]);
  // Only what the cache's lease holds: an image's config keeps its cache label after a prune.
  const infos = labelled.filter((i) => held.has(i.digest));
  const counted = new Set<string>();
  let size = 0;
  let reclaimable = 0;
  const records: BuildCacheRecord[] = [];
  for (const i of infos) {
    let bytes = 0;
    let shared = used.has(i.digest);
    const parts: [string, number][] = [[i.digest, Number(i.size)]];
    const layer = i.labels?.[CACHE_LAYER_LABEL];
    const layerSize = Number(i.labels?.[CACHE_LAYER_SIZE_LABEL] ?? NaN);
    if (layer && Number.isSafeInteger(layerSize)) {
      parts.push([layer, layerSize]);
      shared ||= used.has(layer);
    }
    for (const [digest, n] of parts) {
      bytes += n;
      if (counted.has(digest)) continue;
      counted.add(digest);
      size += n;
      if (!used.has(digest)) reclaimable += n;
    }
    const created = timestampToDate(i.created_at);
    records.push({ id: i.digest, size: bytes, ...(created ? { created } : {}), shared });
  }
  return { count: infos.length, active: 0, size, reclaimable, records };
}

/** `builder prune`: drops the cache lease so the GC takes what no image references. */
export async function pruneBuildCache(client: Client): Promise<boolean> {
  try {
    await client.leases.delete({ id: CACHE_LEASE, sync: true });
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}

export interface FinalImage {
  configBytes: Buffer;
  configDigest: string;
  layers: Descriptor[];
}

/**
 * Writes the manifest and points each tag at it (with `sha256:<id>` as the record of an untagged
 * image, and in k8s.io as well, where CRI keeps one record per image ID).
 */
export async function storeImage(
  client: Client,
  img: FinalImage,
  tags: readonly string[],
  lease: string,
): Promise<Descriptor> {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: {
      mediaType: MediaType.OciConfig,
      digest: img.configDigest,
      size: img.configBytes.length,
    },
    layers: img.layers,
  } as ImageManifest;
  const { bytes, digest } = jsonBlob(manifest);
  const labels: Record<string, string> = {
    'containerd.io/gc.ref.content.config': img.configDigest,
  };
  img.layers.forEach((l, i) => (labels[`containerd.io/gc.ref.content.l.${i}`] = l.digest));
  await writeSmallBlob(client, bytes, { lease, labels, labelsFromContent: true });
  const target: Descriptor = { mediaType: MediaType.OciManifest, digest, size: bytes.length };
  const names = [...tags];
  if (names.length === 0 || client.namespace === 'k8s.io') names.push(img.configDigest);
  for (const name of names) {
    await putImageRecord(client, { namespace: client.namespace }, name, target, {}, { lease });
  }
  return target;
}

/**
 * A new image from a config and its layers (already in the store): the config blob, the
 * manifest and the records. Returns the image ID.
 */
export async function writeImage(
  client: Client,
  lease: string,
  config: ImageConfig,
  layers: Descriptor[],
  names: readonly string[],
): Promise<string> {
  const { bytes, digest } = jsonBlob(config);
  await writeSmallBlob(client, bytes, { lease });
  await storeImage(client, { configBytes: bytes, configDigest: digest, layers }, names, lease);
  return digest;
}
