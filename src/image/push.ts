/**
 * Pushing an image (`berth push`, `compose push`): uploads a local image's blobs and manifests to its registry, with Docker's
 * output. Each layer is skipped when the repository has it, mounted from another repository of
 * the same registry when berth knows one that holds it, and uploaded (streamed from the content
 * store) otherwise. Manifests go up byte for byte as stored, so the pushed digest is the local one,
 * except when a manifest lists uncompressed layers (images berth built, committed or imported):
 * those go up gzip-compressed, as Docker pushes its own layers, under a manifest rewritten for them.
 */
import { publishEvent } from '../events/index.js';
import { createGzip } from 'node:zlib';
import { computeDigest } from '../registry/digest.js';
import { withLease } from '../containerd/leases.js';
import { writeStreamBlob } from './blob-writer.js';
import type { Writable } from 'node:stream';
import type { Client } from '../containerd/client.js';
import type { CallOptions } from '../containerd/connection.js';
import { BerthError } from '../errors.js';
import {
  distributionSourceKey,
  hasBlob,
  mergeSources,
  openBlob,
  readBlob,
  readJsonBlob,
} from './content.js';
import { getImageRecord, loadRecord, type LocalImage } from './local.js';
import { parsePlatform } from './platform.js';
import { newRegistryClient } from './pull.js';
import type { RegistryClient } from '../registry/client.js';
import {
  isIndexMediaType,
  MediaType,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from '../registry/media-types.js';
import {
  parseReference,
  trimTagAndDigest,
  withTag,
  type ImageReference,
} from '../registry/reference.js';

export interface PushSettings {
  hostsDir: string[];
  insecureRegistry: boolean;
}

export interface PushCommandOptions {
  allTags: boolean;
  quiet: boolean;
  platform?: string;
  stdout: Writable;
  signal?: AbortSignal;
}

/** Docker's short layer ID in push output: the first 12 hex digits of the diff ID. */
function shortHex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

interface PushContext {
  client: Client;
  registry: RegistryClient;
  repo: ImageReference;
  call: CallOptions;
  opts: PushCommandOptions;
  /** Blobs already handled in this run (an index's manifests share layers). */
  done: Set<string>;
  line: (s: string) => void;
}

/** Repositories of the same registry that hold `digest`: from blob labels, then local images. */
async function mountCandidates(ctx: PushContext, digest: string): Promise<string[]> {
  const out: string[] = [];
  try {
    const { info } = await ctx.client.content.info({ digest }, ctx.call);
    const label = info?.labels?.[distributionSourceKey(ctx.repo.domain)];
    for (const r of (label ?? '').split(',')) if (r !== '' && r !== ctx.repo.path) out.push(r);
  } catch {
    // No info, no hint: the upload path still works.
  }
  if (out.length > 0) return out;
  // Images tagged for this registry that contain the blob are just as good a source.
  const { images } = await ctx.client.images.list({ filters: [] }, ctx.call);
  for (const rec of images) {
    if (out.length >= 3) break;
    let ref: ImageReference;
    try {
      ref = parseReference(rec.name);
    } catch {
      continue;
    }
    if (
      ref.domain !== ctx.repo.domain ||
      ref.path === ctx.repo.path ||
      out.includes(ref.path) ||
      !rec.target
    )
      continue;
    try {
      const local = await loadRecord(
        ctx.client,
        rec,
        rec.name,
        ctx.opts.signal ? { signal: ctx.opts.signal } : {},
      );
      if (local.manifest.layers.some((l) => l.digest === digest)) out.push(ref.path);
    } catch {
      continue;
    }
  }
  return out;
}

/** Remembers that the repository now holds the blob, so a later push elsewhere can mount it. */
async function recordSource(ctx: PushContext, digest: string): Promise<void> {
  try {
    const key = distributionSourceKey(ctx.repo.domain);
    const { info } = await ctx.client.content.info({ digest }, ctx.call);
    const have = info?.labels?.[key];
    const value = mergeSources(have, ctx.repo.path);
    if (value === have) return;
    await ctx.client.content.update(
      {
        info: { digest, labels: { ...(info?.labels ?? {}), [key]: value } },
        update_mask: { paths: [`labels.${key}`] },
      },
      ctx.call,
    );
  } catch {
    // Only a hint for later pushes; never worth failing this one.
  }
}

type BlobOutcome = 'exists' | 'mounted' | 'pushed';

async function pushBlob(
  ctx: PushContext,
  desc: Descriptor,
): Promise<{ outcome: BlobOutcome; from?: string }> {
  const req = ctx.opts.signal ? { signal: ctx.opts.signal } : {};
  if (await ctx.registry.blobExists(ctx.repo, desc.digest, req)) return { outcome: 'exists' };
  let uploadUrl: string | undefined;
  for (const path of await mountCandidates(ctx, desc.digest)) {
    const from = trimTagAndDigest(parseReference(`${ctx.repo.domain}/${path}`));
    const r = await ctx.registry.mountBlob(ctx.repo, desc, from, req);
    if (r.mounted) return { outcome: 'mounted', from: path };
    // A refused mount opens an upload session; use the first one rather than leaking several.
    uploadUrl ??= r.uploadUrl;
  }
  await ctx.registry.uploadBlob(ctx.repo, openBlob(ctx.client, desc.digest, ctx.call), desc, {
    ...req,
    ...(uploadUrl !== undefined ? { uploadUrl } : {}),
  });
  return { outcome: 'pushed' };
}

/** Uncompressed layer media types and what their gzip-compressed form is called. */
const GZIPPED: Record<string, string> = {
  [MediaType.OciLayer]: MediaType.OciLayerGzip,
  'application/vnd.docker.image.rootfs.diff.tar': MediaType.DockerLayerGzip,
};
/**
 * Label on an uncompressed layer naming its gzip-compressed copy; a GC reference, so the copy
 * lives as long as the layer and later pushes send the same bytes.
 */
const GZIP_LABEL = 'containerd.io/gc.ref.content.berth.gzip';

/** The gzip-compressed copy of an uncompressed layer, made (and kept) on first push. */
async function gzipped(
  ctx: PushContext,
  layer: Descriptor,
  mediaType: string,
): Promise<Descriptor> {
  const { info } = await ctx.client.content.info({ digest: layer.digest }, ctx.call);
  const known = info?.labels?.[GZIP_LABEL];
  if (known && (await hasBlob(ctx.client, known, ctx.call))) {
    const { info: z } = await ctx.client.content.info({ digest: known }, ctx.call);
    return { mediaType, digest: known, size: Number(z?.size ?? 0) };
  }
  return withLease(ctx.client, async (lease) => {
    const blob = await writeStreamBlob(
      ctx.client,
      openBlob(ctx.client, layer.digest, ctx.call).pipe(createGzip()),
      {
        lease,
        labels: { 'containerd.io/uncompressed': layer.digest },
        ...(ctx.opts.signal ? { signal: ctx.opts.signal } : {}),
      },
    );
    await ctx.client.content.update(
      {
        info: { digest: layer.digest, labels: { [GZIP_LABEL]: blob.digest } },
        update_mask: { paths: [`labels.${GZIP_LABEL}`] },
      },
      ctx.call,
    );
    return { mediaType, digest: blob.digest, size: blob.size };
  });
}

/** Pushes one manifest's config and layers (with status lines), then the manifest by digest or tag. */
async function pushManifest(
  ctx: PushContext,
  desc: Descriptor,
  tag: string | undefined,
): Promise<Descriptor> {
  const manifest = await readJsonBlob<ImageManifest>(ctx.client, desc.digest, ctx.call);
  const config = await readJsonBlob<{ rootfs?: { diff_ids?: string[] } }>(
    ctx.client,
    manifest.config.digest,
    ctx.call,
  );
  const diffIds = config.rootfs?.diff_ids ?? [];
  let layers = manifest.layers ?? [];
  let rewritten: Buffer | undefined;
  if (layers.some((l) => GZIPPED[l.mediaType] !== undefined)) {
    layers = await Promise.all(
      layers.map((l) => {
        const z = GZIPPED[l.mediaType];
        return z !== undefined ? gzipped(ctx, l, z) : Promise.resolve(l);
      }),
    );
    rewritten = Buffer.from(JSON.stringify({ ...manifest, layers }));
  }
  // Docker lists the top layer first.
  const order = layers.map((l, i) => ({ l, id: shortHex(diffIds[i] ?? l.digest) })).reverse();
  const todo = order.filter(({ l }) => !ctx.done.has(l.digest));
  for (const { id } of todo) ctx.line(`${id}: Preparing`);
  for (const { l, id } of todo) {
    const r = await pushBlob(ctx, l);
    ctx.done.add(l.digest);
    if (r.outcome === 'exists') ctx.line(`${id}: Layer already exists`);
    else if (r.outcome === 'mounted') ctx.line(`${id}: Mounted from ${r.from ?? ''}`);
    else ctx.line(`${id}: Pushed`);
    await recordSource(ctx, l.digest);
  }
  if (!ctx.done.has(manifest.config.digest)) {
    await pushBlob(ctx, manifest.config);
    ctx.done.add(manifest.config.digest);
    await recordSource(ctx, manifest.config.digest);
  }
  if (!rewritten) {
    await putManifestAs(ctx, desc, tag);
    return desc;
  }
  const pushed: Descriptor = {
    ...desc,
    digest: computeDigest(rewritten),
    size: rewritten.length,
  };
  await putManifestAs(ctx, pushed, tag, rewritten);
  return pushed;
}

/** Uploads a stored manifest or index (or the bytes given for it) under `tag`, or by digest. */
async function putManifestAs(
  ctx: PushContext,
  desc: Descriptor,
  tag: string | undefined,
  given?: Buffer,
): Promise<void> {
  const bytes = given ?? (await readBlob(ctx.client, desc.digest, ctx.call));
  const target =
    tag !== undefined ? withTag(ctx.repo, tag) : parseReference(`${ctx.repo.name}@${desc.digest}`);
  await ctx.registry.putManifest(
    target,
    desc.mediaType,
    bytes,
    ctx.opts.signal ? { signal: ctx.opts.signal } : {},
  );
}

/** True if the index and every manifest under it (with config and layers) are in the store. */
async function indexComplete(ctx: PushContext, desc: Descriptor, depth = 0): Promise<boolean> {
  if (depth > 4 || !(await hasBlob(ctx.client, desc.digest, ctx.call))) return false;
  if (isIndexMediaType(desc.mediaType)) {
    const idx = await readJsonBlob<ImageIndex>(ctx.client, desc.digest, ctx.call);
    for (const m of idx.manifests ?? [])
      if (!(await indexComplete(ctx, m, depth + 1))) return false;
    return true;
  }
  const m = await readJsonBlob<ImageManifest>(ctx.client, desc.digest, ctx.call);
  for (const b of [m.config, ...(m.layers ?? [])])
    if (!(await hasBlob(ctx.client, b.digest, ctx.call))) return false;
  return true;
}

async function pushIndex(
  ctx: PushContext,
  desc: Descriptor,
  tag: string | undefined,
  depth = 0,
): Promise<Descriptor> {
  const idx = await readJsonBlob<ImageIndex>(ctx.client, desc.digest, ctx.call);
  const manifests: Descriptor[] = [];
  for (const child of idx.manifests ?? []) {
    manifests.push(
      isIndexMediaType(child.mediaType)
        ? await pushIndex(ctx, child, undefined, depth + 1)
        : await pushManifest(ctx, child, undefined),
    );
  }
  // A child rewritten for compressed layers has a new digest: so has the index.
  if (manifests.every((m, i) => m.digest === idx.manifests[i]?.digest)) {
    await putManifestAs(ctx, desc, tag);
    return desc;
  }
  const bytes = Buffer.from(JSON.stringify({ ...idx, manifests }));
  const pushed: Descriptor = { ...desc, digest: computeDigest(bytes), size: bytes.length };
  await putManifestAs(ctx, pushed, tag, bytes);
  return pushed;
}

/**
 * Pushes one tag. A multi-platform image goes up whole when all its platforms are local; when
 * only some were pulled, the tag is pushed as the platform manifest berth has, since a registry
 * refuses an index whose manifests it never received.
 */
async function pushTag(ctx: PushContext, local: LocalImage, tag: string): Promise<Descriptor> {
  let root = local.target;
  if (isIndexMediaType(root.mediaType) && !(await indexComplete(ctx, root)))
    root = local.manifestDescriptor;
  if (isIndexMediaType(root.mediaType)) return pushIndex(ctx, root, tag);
  return pushManifest(ctx, root, tag);
}

/** Tags of the repository that exist locally, for `push --all-tags`. */
async function localTags(
  client: Client,
  repo: ImageReference,
  call: CallOptions,
): Promise<string[]> {
  const { images } = await client.images.list({ filters: [] }, call);
  const prefix = `${repo.name}:`;
  return images
    .map((i) => i.name)
    .filter((n) => n.startsWith(prefix) && !n.includes('@'))
    .map((n) => n.slice(prefix.length))
    .sort();
}

export async function runPush(
  client: Client,
  settings: PushSettings,
  name: string,
  opts: PushCommandOptions,
): Promise<void> {
  const ref = parseReference(name);
  if (ref.digest !== undefined)
    throw new BerthError(`cannot push a digest reference`, { exitCode: 1 });
  if (opts.allTags && ref.tag !== undefined)
    throw new BerthError("tag can't be used with --all-tags/-a", { exitCode: 1 });
  const out = (s: string): void => void opts.stdout.write(`${s}\n`);
  const line = opts.quiet ? (): void => undefined : out;
  if (!opts.allTags && ref.tag === undefined) line('Using default tag: latest');
  const repo = trimTagAndDigest(ref);
  const call: CallOptions = opts.signal ? { signal: opts.signal } : {};
  line(`The push refers to repository [${repo.name}]`);

  const tags = opts.allTags ? await localTags(client, repo, call) : [ref.tag ?? 'latest'];
  const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
  const locals: { tag: string; local: LocalImage }[] = [];
  for (const tag of tags) {
    const record = await getImageRecord(client, withTag(repo, tag).full, call);
    if (!record) break;
    locals.push({
      tag,
      local: await loadRecord(client, record, withTag(repo, tag).familiar, {
        ...(platform ? { platform } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      }),
    });
  }
  if (locals.length === 0 || locals.length !== tags.length) {
    throw new BerthError(`An image does not exist locally with the tag: ${repo.familiarName}`, {
      exitCode: 1,
    });
  }

  const registry = newRegistryClient(settings);
  const ctx: PushContext = { client, registry, repo, call, opts, done: new Set(), line };
  try {
    for (const { tag, local } of locals) {
      const root = await pushTag(ctx, local, tag);
      line(`${tag}: digest: ${root.digest} size: ${root.size}`);
      await publishEvent(client, 'image', 'push', withTag(repo, tag).familiar, {
        name: repo.familiarName,
      });
      if (opts.quiet) out(withTag(repo, tag).familiar);
    }
  } finally {
    await registry.close();
  }
}
