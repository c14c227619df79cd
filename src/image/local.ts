/**
 * Images already in containerd: finding one by what a user typed (a reference, a full or short
 * image ID) the way Docker does, and reading its manifest and config for a platform.
 */
import type { Client } from '../containerd/client.js';
import type { CallOptions } from '../containerd/connection.js';
import { NotFoundError } from '../containerd/errors.js';
import { timestampToDate } from '../containerd/helpers.js';
import type { Descriptor__Output as CtrDescriptor } from '../containerd/generated/containerd/types/Descriptor.js';
import type { Image__Output } from '../containerd/generated/containerd/services/images/v1/Image.js';
import { BerthError } from '../errors.js';
import {
  isIndexMediaType,
  isManifestMediaType,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
} from '../registry/media-types.js';
import { parseDockerRef, parseExactReference, type ImageReference } from '../registry/reference.js';
import { chainId as computeChainId } from './chain.js';
import { readJsonBlob } from './content.js';
import {
  formatPlatform,
  fromOciPlatform,
  hostPlatform,
  platformMatcher,
  selectManifests,
  type Platform,
} from './platform.js';

/** An image as berth uses it: the record, and the manifest and config of one platform. */
export interface LocalImage {
  /** The image record's name, normally a full reference: `docker.io/library/busybox:latest`. */
  name: string;
  /** The record's target: a manifest, or an index of manifests. */
  target: Descriptor;
  /** The platform manifest chosen (equal to target when the target is a manifest). */
  manifestDescriptor: Descriptor;
  manifest: ImageManifest;
  /** The OCI image config. */
  config: ImageConfig;
  /** Digest of the config; its hex is Docker's image ID. */
  configDigest: string;
  /** Chain ID of all layers: the name of the committed snapshot a container starts from. */
  chainId: string;
  diffIds: string[];
  platform: Platform;
  /** Labels of the image record. */
  labels: Record<string, string>;
  /** When the record was created in containerd (not the build time, which is config.created). */
  recordCreatedAt?: Date;
}

/** No image by that name or ID. `ref` is how Docker names it in the message (`x:latest`). */
export class NoSuchImageError extends BerthError {
  readonly ref: string;

  constructor(ref: string, cause?: unknown) {
    super(`No such image: ${ref}`, { exitCode: 1, cause });
    this.ref = ref;
  }
}

/** The image is there, but not for the platform asked for. */
export class PlatformNotAvailableError extends BerthError {}

export interface ResolveOptions {
  /** Wanted platform; default the host's, with fallback to any platform present. */
  platform?: Platform;
  signal?: AbortSignal;
}

/** containerd's descriptor message as an OCI descriptor. */
export function fromCtrDescriptor(d: CtrDescriptor): Descriptor {
  const out: Descriptor = { mediaType: d.media_type, digest: d.digest, size: Number(d.size) };
  if (d.annotations && Object.keys(d.annotations).length > 0) out.annotations = d.annotations;
  return out;
}

/** An OCI descriptor as containerd's message. */
export function toCtrDescriptor(d: Descriptor): {
  media_type: string;
  digest: string;
  size: number;
  annotations: Record<string, string>;
} {
  return {
    media_type: d.mediaType,
    digest: d.digest,
    size: d.size,
    annotations: d.annotations ?? {},
  };
}

const FULL_ID_RE = /^(?:sha256:)?([a-f0-9]{64})$/;
const ID_PREFIX_RE = /^(?:sha256:)?([a-f0-9]{1,64})$/;

/** The record for a normalised reference, or undefined. */
export async function getImageRecord(
  client: Client,
  name: string,
  opts: CallOptions = {},
): Promise<Image__Output | undefined> {
  try {
    const { image } = await client.images.get({ name }, opts);
    return image ?? undefined;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

function callOpts(opts: ResolveOptions): CallOptions {
  return opts.signal ? { signal: opts.signal } : {};
}

/** Manifest, config and platform under a record's target. */
export interface ResolvedTarget {
  manifestDescriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
  configDigest: string;
  diffIds: string[];
  chainId: string;
  platform: Platform;
}

async function tryRead<T>(
  client: Client,
  digest: string,
  opts: CallOptions,
): Promise<T | undefined> {
  try {
    return await readJsonBlob<T>(client, digest, opts);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

async function fromManifest(
  client: Client,
  desc: Descriptor,
  opts: CallOptions,
): Promise<ResolvedTarget | undefined> {
  const manifest = await tryRead<ImageManifest>(client, desc.digest, opts);
  if (!manifest?.config) return undefined;
  const config = await tryRead<ImageConfig>(client, manifest.config.digest, opts);
  if (!config) return undefined;
  const diffIds = config.rootfs?.diff_ids ?? [];
  return {
    manifestDescriptor: desc,
    manifest,
    config,
    configDigest: manifest.config.digest,
    diffIds,
    chainId: computeChainId(diffIds),
    platform: fromOciPlatform({
      os: config.os,
      architecture: config.architecture,
      ...(config.variant ? { variant: config.variant } : {}),
      ...(config['os.version'] ? { 'os.version': config['os.version'] } : {}),
    }),
  };
}

/**
 * Follows a record's target to the manifest and config for `want` (host platform by default).
 * Index entries whose content is not present are passed over, so an image pulled for one
 * platform out of several resolves fine. With `strict`, a platform mismatch is an error; without,
 * any platform present is the last resort (listing, inspect).
 */
export async function resolveTarget(
  client: Client,
  target: Descriptor,
  opts: { platform?: Platform; strict?: boolean; signal?: AbortSignal } = {},
  depth = 0,
): Promise<ResolvedTarget | undefined> {
  const call = callOpts(opts);
  const want = opts.platform ?? hostPlatform();
  if (
    isIndexMediaType(target.mediaType) ||
    (!isManifestMediaType(target.mediaType) && depth === 0)
  ) {
    const index = await tryRead<ImageIndex & Partial<ImageManifest>>(client, target.digest, call);
    if (!index) return undefined;
    if (!Array.isArray(index.manifests)) {
      // Unknown media type that is really a manifest.
      return index.config ? fromManifest(client, target, call) : undefined;
    }
    if (depth > 4) return undefined;
    const ordered = selectManifests(index, want);
    for (const desc of ordered) {
      const r = isIndexMediaType(desc.mediaType)
        ? await resolveTarget(client, desc, { ...opts, platform: want }, depth + 1)
        : await fromManifest(client, desc, call);
      if (r && (!desc.platform ? platformMatcher(want).match(r.platform) : true)) return r;
    }
    if (opts.strict) return undefined;
    for (const desc of index.manifests) {
      if (ordered.includes(desc)) continue;
      if (!isManifestMediaType(desc.mediaType) && !isIndexMediaType(desc.mediaType)) continue;
      if (desc.annotations?.['vnd.docker.reference.type']) continue;
      const r = isIndexMediaType(desc.mediaType)
        ? await resolveTarget(client, desc, opts, depth + 1)
        : await fromManifest(client, desc, call);
      if (r) return r;
    }
    return undefined;
  }
  const r = await fromManifest(client, target, call);
  if (r && opts.strict && !platformMatcher(want).match(r.platform)) return undefined;
  return r;
}

function toLocal(record: Image__Output, resolved: ResolvedTarget): LocalImage {
  const created = timestampToDate(record.created_at);
  return {
    name: record.name,
    target: fromCtrDescriptor(record.target as CtrDescriptor),
    ...resolved,
    labels: record.labels ?? {},
    ...(created ? { recordCreatedAt: created } : {}),
  };
}

/** The display name Docker uses in "No such image" for what the user typed. */
function notFoundName(input: string, ref: ImageReference | undefined): string {
  return ref ? ref.familiar : input;
}

/**
 * Builds the LocalImage for a record, or throws: the record exists but its content for the
 * platform does not.
 */
export async function loadRecord(
  client: Client,
  record: Image__Output,
  display: string,
  opts: ResolveOptions = {},
): Promise<LocalImage> {
  if (!record.target) throw new NoSuchImageError(display);
  const target = fromCtrDescriptor(record.target);
  const resolved = await resolveTarget(client, target, {
    ...(opts.platform ? { platform: opts.platform, strict: true } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (!resolved) {
    if (opts.platform) {
      throw new PlatformNotAvailableError(
        `image with reference ${display} was found but does not match the specified platform: wanted ${formatPlatform(opts.platform)}`,
      );
    }
    throw new BerthError(`content of image ${display} is missing (try pulling it again)`);
  }
  return toLocal(record, resolved);
}

/**
 * Finds a local image the way Docker does: by reference (normalised, `latest` by default), by
 * full image ID (`sha256:<hex>` or 64 hex), or by an unambiguous ID prefix. Throws
 * NoSuchImageError (`No such image: busybox:latest`) when nothing matches; invalid references
 * throw InvalidReferenceError with Docker's wording.
 */
export async function resolveLocalImage(
  client: Client,
  nameOrId: string,
  opts: ResolveOptions = {},
): Promise<LocalImage> {
  const call = callOpts(opts);
  const full = FULL_ID_RE.exec(nameOrId);
  if (full) {
    return findById(client, full[1] as string, nameOrId, opts, true);
  }
  let ref: ImageReference | undefined;
  if (!nameOrId.startsWith('sha256:')) {
    ref = parseDockerRef(nameOrId);
    const record = await getImageRecord(client, ref.full, call);
    if (record) return loadRecord(client, record, ref.familiar, opts);
    if (ref.digest !== undefined) {
      // `repo@sha256:…` also names a tagged record whose target is that digest.
      const { images } = await client.images.list(
        { filters: [`target.digest==${ref.digest}`] },
        call,
      );
      const same = images.find(
        (i) => i.name.startsWith(`${ref?.name}:`) || i.name.startsWith(`${ref?.name}@`),
      );
      if (same) return loadRecord(client, same, ref.familiar, opts);
    }
  }
  const prefix = ID_PREFIX_RE.exec(nameOrId);
  if (prefix)
    return findById(client, prefix[1] as string, notFoundName(nameOrId, ref), opts, false);
  throw new NoSuchImageError(notFoundName(nameOrId, ref));
}

async function findById(
  client: Client,
  hex: string,
  display: string,
  opts: ResolveOptions,
  exact: boolean,
): Promise<LocalImage> {
  const matches = (await listLocalImages(client, opts)).filter((i) =>
    exact ? i.configDigest === `sha256:${hex}` : i.configDigest.startsWith(`sha256:${hex}`),
  );
  const ids = new Set(matches.map((m) => m.configDigest));
  if (matches.length === 0 || ids.size > 1) throw new NoSuchImageError(display);
  return matches[0] as LocalImage;
}

/**
 * Every image record resolved for the platform (host by default, any present as fallback).
 * Records sharing a target are read once. Records whose content is gone are left out.
 */
export async function listLocalImages(
  client: Client,
  opts: ResolveOptions & { filters?: string[] } = {},
): Promise<LocalImage[]> {
  const call = callOpts(opts);
  const { images } = await client.images.list({ filters: opts.filters ?? [] }, call);
  const byTarget = new Map<string, Promise<ResolvedTarget | undefined>>();
  const resolved = await Promise.all(
    images.map(async (record) => {
      if (!record.target) return undefined;
      const target = fromCtrDescriptor(record.target);
      let p = byTarget.get(target.digest);
      if (!p) {
        p = resolveTarget(client, target, {
          ...(opts.platform ? { platform: opts.platform } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        byTarget.set(target.digest, p);
      }
      const r = await p;
      return r ? toLocal(record, r) : undefined;
    }),
  );
  return resolved.filter((r): r is LocalImage => r !== undefined);
}

/**
 * The reference an image record's name stands for, or undefined for names that are not one
 * (the CRI also records images as `sha256:<config hex>`, which only looks like `name:tag`).
 */
export function recordReference(name: string): ImageReference | undefined {
  if (/^sha256:[a-f0-9]{64}$/.test(name)) return undefined;
  try {
    return parseExactReference(name);
  } catch {
    return undefined;
  }
}
