/**
 * Per-layer disk usage of images, for `system df`: shared layers must be counted once, so an
 * image's total (size.ts) is not enough. The sizes of an image's layers are measured once (one
 * Snapshots.Usage per layer not measured yet) and kept in a label on its config blob; afterwards
 * one Content.List answers for every image.
 */
import type { Client } from '../containerd/client.js';
import { NotFoundError } from '../containerd/errors.js';
import { chainIds } from './chain.js';
import type { LocalImage } from './local.js';

export function layerSizesLabelKey(snapshotter: string): string {
  return `berth/layer-sizes.${snapshotter}`;
}

/** Usage of each layer (by chain ID) of the given images. A layer not unpacked counts 0. */
export async function layerSizes(
  client: Client,
  snapshotter: string,
  images: readonly LocalImage[],
): Promise<Map<string, number>> {
  const key = layerSizesLabelKey(snapshotter);
  const sizes = new Map<string, number>();
  const cached = new Set<string>();
  const byConfig = new Map(images.map((i) => [i.configDigest, i]));
  for (const info of await client.content.list({ filters: [`labels."${key}"`] })) {
    const img = byConfig.get(info.digest);
    if (!img) continue;
    try {
      const list = JSON.parse(info.labels?.[key] ?? '') as unknown;
      const chains = chainIds(img.diffIds);
      if (!Array.isArray(list) || list.length !== chains.length) continue;
      chains.forEach((c, i) => sizes.set(c, Number(list[i]) || 0));
      cached.add(img.configDigest);
    } catch {
      // Measured again below.
    }
  }
  const missing = [...byConfig.values()].filter((i) => !cached.has(i.configDigest));
  const toMeasure = new Set(
    missing.flatMap((i) => chainIds(i.diffIds)).filter((c) => !sizes.has(c)),
  );
  await Promise.all(
    [...toMeasure].map(async (chain) => {
      try {
        sizes.set(chain, Number((await client.snapshots.usage({ snapshotter, key: chain })).size));
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        sizes.set(chain, 0);
      }
    }),
  );
  await Promise.all(
    missing.map((img) =>
      client.content
        .update({
          info: {
            digest: img.configDigest,
            labels: { [key]: JSON.stringify(chainIds(img.diffIds).map((c) => sizes.get(c) ?? 0)) },
          },
          update_mask: { paths: [`labels.${key}`] },
        })
        .catch(() => undefined),
    ),
  );
  return sizes;
}
