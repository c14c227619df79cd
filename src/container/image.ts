/**
 * What `run`/`create` need from a local image: its record name, the runtime config (Env, Cmd, …)
 * and the chain ID of its rootfs (the committed snapshot to Prepare from).
 */
import type { Client } from '../containerd/client.js';
import { DaemonError } from '../errors.js';
import { parsePlatform } from '../image/platform.js';
import { fromCtrDescriptor, resolveTarget } from '../image/local.js';
import { NotFoundError } from '../containerd/errors.js';
import type { Descriptor } from '../registry/media-types.js';
import type { ImageRuntimeConfig } from '../registry/media-types.js';

export interface RunImage {
  /** The image record's name in containerd (normalised reference). */
  name: string;
  /** The target descriptor's digest (manifest or index). */
  digest: string;
  /** Config digest: Docker's image ID. */
  configDigest: string;
  config: ImageRuntimeConfig;
  /** Chain ID of the top layer: the committed snapshot the container's rootfs is prepared from. */
  chainId: string;
  /**
   * Unpacks the layers into the snapshotter when the chain ID's snapshot is missing (checked by
   * the caller's Prepare failing with not found, which spares a Stat on every run).
   */
  unpack(): Promise<void>;
}

/** Docker's reference normalisation for lookups: `busybox` → `docker.io/library/busybox:latest`. */
export function normaliseRef(ref: string): string {
  let name = ref;
  let suffix = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    suffix = name.slice(at);
    name = name.slice(0, at);
  }
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  let tag = '';
  if (colon > slash) {
    tag = name.slice(colon);
    name = name.slice(0, colon);
  }
  const first = name.split('/')[0] ?? '';
  const hasDomain =
    name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasDomain) name = name.includes('/') ? `docker.io/${name}` : `docker.io/library/${name}`;
  if (!tag && !suffix) tag = ':latest';
  return `${name}${tag}${suffix}`;
}

/** Docker's familiar form for messages: `docker.io/library/x:latest` → `x:latest`. */
export function familiarRef(ref: string): string {
  return ref.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

export class NoSuchImageError extends DaemonError {
  constructor(ref: string) {
    super(`No such image: ${familiarRef(normaliseRef(ref))}`, {
      kind: 'not-found',
      exitCode: 125,
    });
  }
}

/**
 * The image for run/create through the images engineer's ensureImage (`--pull` policy, Docker's
 * `Unable to find image` line and pull progress on stderr). Errors become Docker's 125 lines.
 */
export async function ensureRunImage(
  client: Client,
  settings: import('../config/index.js').Settings,
  ref: string,
  pull: 'always' | 'missing' | 'never',
  platform?: string,
  signal?: AbortSignal,
): Promise<RunImage> {
  const { ensureImage } = await import('../image/ensure.js');
  const local = await ensureImage(client, settings, ref, {
    pull,
    ...(platform ? { platform: parsePlatform(platform) } : {}),
    ...(signal ? { signal } : {}),
  });
  return {
    name: local.name,
    digest: local.target.digest,
    configDigest: local.configDigest,
    config: (local.config.config ?? {}) as ImageRuntimeConfig,
    chainId: local.chainId,
    unpack: () => ensureUnpacked(client, settings.snapshotter, local),
  };
}

/**
 * Like `ctr run`: an image whose layers are in the content store but not (or no longer) unpacked
 * in this snapshotter (loaded, imported by another tool, or pulled for another snapshotter) is
 * unpacked before the container is made, and its config labelled so GC keeps the snapshot.
 */
async function ensureUnpacked(
  client: Client,
  snapshotter: string,
  local: {
    chainId: string;
    configDigest: string;
    manifest: { layers?: Descriptor[] };
    diffIds: string[];
  },
): Promise<void> {
  const { hasSnapshot, unpackImage, snapshotGcLabels } = await import('../image/unpack.js');
  if (!local.chainId || (await hasSnapshot(client, snapshotter, local.chainId))) return;
  const { withLease } = await import('../containerd/leases.js');
  await withLease(client, async (lease) => {
    const top = await unpackImage(client, local.manifest.layers ?? [], local.diffIds, {
      snapshotter,
      lease,
    });
    const labels = snapshotGcLabels(snapshotter, top);
    await client.content.update({
      info: { digest: local.configDigest, labels },
      update_mask: { paths: Object.keys(labels).map((k) => `labels.${k}`) },
    });
  });
}

/**
 * The image's config digest (Docker's image ID) for inspect and ps: the record's target resolved
 * to the host platform (or the one the container was created for); '' when the image is gone.
 */
export async function imageConfigDigest(
  client: Client,
  imageName: string,
  platform?: string,
): Promise<string> {
  if (!imageName) return '';
  try {
    const { image } = await client.images.get({ name: imageName });
    if (!image?.target) return '';
    let want;
    try {
      want = platform ? parsePlatform(platform) : undefined;
    } catch {
      // A label berth did not write: the host platform, as for a container without one.
    }
    const resolved = await resolveTarget(
      client,
      fromCtrDescriptor(image.target),
      want ? { platform: want } : {},
    );
    return resolved?.configDigest ?? '';
  } catch (err) {
    if (err instanceof NotFoundError) return '';
    throw err;
  }
}
