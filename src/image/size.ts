/**
 * An image's SIZE as Docker shows it: the disk usage of its unpacked layers. Measuring that costs
 * one Snapshots.Usage per layer, so it is measured once (at pull, or the first time an image is
 * listed) and kept in a label on the config blob; afterwards one Content.List answers for all
 * images.
 */
import type { Client } from '../containerd/client.js';
import type { CallOptions } from '../containerd/connection.js';
import type { LocalImage } from './local.js';
import { unpackedSize } from './unpack.js';

/** Where berth caches an image's unpacked size, on its config blob (per snapshotter). */
export function sizeLabelKey(snapshotter: string): string {
  return `berth/unpacked-size.${snapshotter}`;
}

/** Sizes by config digest for `images`; never one RPC per blob on the common path. */
export async function imageSizes(
  client: Client,
  snapshotter: string,
  images: readonly LocalImage[],
  call: CallOptions = {},
): Promise<Map<string, number>> {
  const key = sizeLabelKey(snapshotter);
  const sizes = new Map<string, number>();
  const infos = await client.content.list({ filters: [`labels."${key}"`] }, call);
  for (const info of infos) {
    const n = Number(info.labels?.[key]);
    if (Number.isFinite(n)) sizes.set(info.digest, n);
  }
  const missing = new Map<string, LocalImage>();
  for (const img of images) if (!sizes.has(img.configDigest)) missing.set(img.configDigest, img);
  await Promise.all(
    [...missing.values()].map(async (img) => {
      const measured = await unpackedSize(client, snapshotter, img.diffIds, call);
      if (measured === undefined) {
        // Not unpacked (e.g. pulled for another platform by another tool): the blobs' sizes.
        sizes.set(
          img.configDigest,
          img.manifest.layers.reduce((a, l) => a + l.size, 0),
        );
        return;
      }
      sizes.set(img.configDigest, measured);
      // Cache it; a failure only means measuring again next time.
      await client.content
        .update(
          {
            info: { digest: img.configDigest, labels: { [key]: String(measured) } },
            update_mask: { paths: [`labels.${key}`] },
          },
          call,
        )
        .catch(() => undefined);
    }),
  );
  return sizes;
}
