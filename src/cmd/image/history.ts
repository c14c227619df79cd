/** `berth history`: an image's config history, newest first, with each layer's unpacked size. */
import type { Client } from '../../containerd/client.js';
import { NotFoundError } from '../../containerd/errors.js';
import { BerthError, DaemonError } from '../../errors.js';
import { formatAge, humanSizeWithPrecision } from '../../formatter/units.js';
import { chainIds } from '../../image/chain.js';
import { resolveLocalImage, shortId } from '../../image/local.js';
import type { Platform } from '../../image/platform.js';
import { ellipsis } from '../../formatter/text.js';

export const HISTORY_DEFAULT_FORMAT =
  'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
export const HISTORY_HEADERS: Readonly<Record<string, string>> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

interface Entry {
  id: string;
  created?: Date;
  createdBy: string;
  size: number;
  comment: string;
}

export class HistoryRow {
  constructor(
    private readonly e: Entry,
    private readonly opts: { human: boolean; noTrunc: boolean },
  ) {}

  get ID(): string {
    if (this.e.id === '<missing>' || this.opts.noTrunc) return this.e.id;
    return shortId(this.e.id);
  }

  get CreatedSince(): string {
    if (!this.e.created) return 'N/A';
    return this.opts.human ? formatAge(this.e.created) : this.CreatedAt;
  }

  get CreatedAt(): string {
    if (!this.e.created) return 'N/A';
    // Docker prints RFC 3339 here (time.Format(time.RFC3339)), in UTC for a UTC daemon.
    return this.e.created.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  get CreatedBy(): string {
    const s = this.e.createdBy.replaceAll('\t', ' ');
    return this.opts.noTrunc ? s : ellipsis(s, 45);
  }

  get Size(): string {
    return this.opts.human ? humanSizeWithPrecision(this.e.size, 3) : String(this.e.size);
  }

  get Comment(): string {
    return this.e.comment;
  }

  toJSON(): Record<string, string> {
    return {
      Comment: this.Comment,
      CreatedAt: this.CreatedAt,
      CreatedBy: this.CreatedBy,
      CreatedSince: this.CreatedSince,
      ID: this.ID,
      Size: this.Size,
    };
  }
}

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
  const entries: Entry[] = history.map((h) => {
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
