/** `berth history`: an image's config history, newest first, with each layer's unpacked size. */
import type { Client } from '../../containerd/client.js';
import { NotFoundError } from '../../containerd/errors.js';
import { BerthError, DaemonError } from '../../errors.js';
import { HistoryRow, type HistoryEntry } from '../../formatter/history.js';
import { chainIds } from '../../image/chain.js';
import { resolveLocalImage } from '../../image/local.js';
import type { Platform } from '../../image/platform.js';

export async function historyRows(
  client: Client,
  name: string,
  opts: { human: boolean; noTrunc: boolean; platform?: Platform; snapshotter: string },
): Promise<HistoryRow[]> {
  let img;
  try {
    img = await resolveLocalImage(client, name, opts.platform ? { platform: opts.platform } : {});
  } catch (err) {
    if (err instanceof BerthError) throw new DaemonError(`${err.message}`, { cause: err });
    throw err;
  }
  const chain = chainIds(img.diffIds);
  // Each layer's own size: the snapshot's usage when unpacked, else its compressed blob size.
  const layerSizes = await Promise.all(
    chain.map(async (key, i) => {
      try {
        return Number((await client.snapshots.usage({ snapshotter: opts.snapshotter, key })).size);
      } catch (err) {
        if (err instanceof NotFoundError) return img.manifest.layers[i]?.size ?? 0;
        throw err;
      }
    }),
  );
  const history = img.config.history ?? [];
  let layer = 0;
  const entries: HistoryEntry[] = history.map((h) => {
    const size = h.empty_layer ? 0 : (layerSizes[layer++] ?? 0);
    const created = h.created ? new Date(h.created) : undefined;
    return {
      id: '<missing>',
      ...(created && !Number.isNaN(created.getTime()) ? { created } : {}),
      createdBy: h.created_by ?? '',
      size,
      comment: h.comment ?? '',
    };
  });
  if (entries.length === 0) {
    // An image without history still has its layers; Docker shows one row per layer then.
    for (const size of layerSizes)
      entries.push({ id: '<missing>', createdBy: '', size, comment: '' });
  }
  entries.reverse();
  const top = entries[0];
  if (top) top.id = img.configDigest;
  return entries.map((e) => new HistoryRow(e, opts));
}
