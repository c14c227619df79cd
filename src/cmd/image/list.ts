/**
 * `berth images`: Docker's classic image table. One row per repository:tag (digest-only names get
 * `<none>` as tag), IMAGE ID from the config digest, CREATED from the config, SIZE unpacked.
 */
import type { Client } from '../../containerd/client.js';
import { BerthError, DaemonError } from '../../errors.js';
import { ImageRow } from '../../formatter/image.js';
import {
  listLocalImages,
  recordReference,
  resolveLocalImage,
  type LocalImage,
} from '../../image/local.js';
import { pathMatch } from '../../image/match.js';
import { imageSizes } from '../../image/size.js';
import {
  boolValue,
  isBoolValue,
  labelsMatch,
  parseFilterFlags,
  untilTimes,
  type Filters,
} from '../../filters.js';

/** Docker's image summary: one per image ID, with all its names. */
export interface ImageSummary {
  /** `sha256:<config hex>`. */
  id: string;
  created?: Date;
  size: number;
  /** Familiar `repo:tag`. */
  repoTags: string[];
  /** Familiar `repo@digest`. */
  repoDigests: string[];
  labels: Record<string, string>;
  images: LocalImage[];
}

/** Groups records by image ID, as the daemon's image list does. */
export function summarize(
  images: readonly LocalImage[],
  sizes: ReadonlyMap<string, number>,
): ImageSummary[] {
  const byId = new Map<string, ImageSummary>();
  for (const img of images) {
    let s = byId.get(img.configDigest);
    if (!s) {
      const created = img.config.created ? new Date(img.config.created) : undefined;
      s = {
        id: img.configDigest,
        ...(created && !Number.isNaN(created.getTime()) ? { created } : {}),
        size: sizes.get(img.configDigest) ?? 0,
        repoTags: [],
        repoDigests: [],
        labels: img.config.config?.Labels ?? {},
        images: [],
      };
      byId.set(img.configDigest, s);
    }
    s.images.push(img);
    const ref = recordReference(img.name);
    if (!ref) continue;
    if (ref.tag !== undefined) s.repoTags.push(`${ref.familiarName}:${ref.tag}`);
    const digest = ref.digest ?? img.target.digest;
    const rd = `${ref.familiarName}@${digest}`;
    if (!s.repoDigests.includes(rd)) s.repoDigests.push(rd);
  }
  // Newest first, as the daemon sorts them.
  return [...byId.values()].sort(
    (a, b) => (b.created?.getTime() ?? 0) - (a.created?.getTime() ?? 0),
  );
}

function splitRepo(s: string, sep: '@' | ':'): [string, string] {
  const i = sep === '@' ? s.indexOf('@') : s.lastIndexOf(':');
  return [s.slice(0, i), s.slice(i + 1)];
}

/** docker/cli's imageFormat: rows per tag, digests per tag with --digests, digest-only rows last. */
export function rowsOf(s: ImageSummary, opts: { digests: boolean; trunc: boolean }): ImageRow[] {
  const rows: ImageRow[] = [];
  const repoTags = new Map<string, string[]>();
  const repoDigests = new Map<string, string[]>();
  for (const t of s.repoTags) {
    const [repo, tag] = splitRepo(t, ':');
    repoTags.set(repo, [...(repoTags.get(repo) ?? []), tag]);
  }
  for (const d of s.repoDigests) {
    const [repo, digest] = splitRepo(d, '@');
    repoDigests.set(repo, [...(repoDigests.get(repo) ?? []), digest]);
  }
  for (const repo of [...repoTags.keys()].sort()) {
    const tags = (repoTags.get(repo) ?? []).sort();
    const digests = opts.digests ? (repoDigests.get(repo) ?? []) : [];
    repoDigests.delete(repo);
    for (const tag of tags) {
      if (digests.length === 0) rows.push(new ImageRow(s, repo, tag, '<none>', opts.trunc));
      for (const d of digests) rows.push(new ImageRow(s, repo, tag, d, opts.trunc));
    }
  }
  for (const repo of [...repoDigests.keys()].sort()) {
    if (opts.digests) {
      for (const d of repoDigests.get(repo) ?? [])
        rows.push(new ImageRow(s, repo, '<none>', d, opts.trunc));
    } else {
      rows.push(new ImageRow(s, repo, '<none>', '<none>', opts.trunc));
    }
  }
  if (s.repoTags.length === 0 && s.repoDigests.length === 0) {
    rows.push(new ImageRow(s, '<none>', '<none>', '<none>', opts.trunc));
  }
  return rows;
}

/** `-f key=value` list into a map of values per key; Docker's errors for malformed ones. */
export function parseImageFilters(list: readonly string[]): Filters {
  return parseFilterFlags(list, {
    keys: ['dangling', 'label', 'before', 'since', 'reference', 'until'],
    values: { dangling: isBoolValue },
  });
}

/** Docker's reference filter: the pattern against `repo` and `repo:tag` of every name. */
function referenceMatches(s: ImageSummary, pattern: string): boolean {
  const names = [...s.repoTags, ...s.repoDigests];
  return names.some((n) => {
    const repo = n.includes('@') ? splitRepo(n, '@')[0] : splitRepo(n, ':')[0];
    return pathMatch(pattern, n) || pathMatch(pattern, repo);
  });
}

/** Narrows a summary's names to those matching the reference filters (Docker shows only those). */
function keepMatchingNames(s: ImageSummary, patterns: readonly string[]): ImageSummary {
  const ok = (n: string): boolean => {
    const repo = n.includes('@') ? splitRepo(n, '@')[0] : splitRepo(n, ':')[0];
    return patterns.some((p) => pathMatch(p, n) || pathMatch(p, repo));
  };
  return { ...s, repoTags: s.repoTags.filter(ok), repoDigests: s.repoDigests.filter(ok) };
}

export interface ListImagesOptions {
  filters: string[];
  /** `images REPOSITORY[:TAG]`: like a reference filter. */
  reference?: string;
  digests: boolean;
  noTrunc: boolean;
  snapshotter: string;
  /** Skip measuring sizes (e.g. `-q`). */
  sizes?: boolean;
}

/** The rows `berth images` prints. */
export async function listImageRows(client: Client, opts: ListImagesOptions): Promise<ImageRow[]> {
  const filters = parseImageFilters(opts.filters);
  const images = await listLocalImages(client);
  const sizes =
    opts.sizes === false
      ? new Map<string, number>()
      : await imageSizes(client, opts.snapshotter, images);
  let summaries = summarize(images, sizes);

  const refTime = async (value: string): Promise<number> => {
    try {
      const img = await resolveLocalImage(client, value);
      return img.config.created ? new Date(img.config.created).getTime() : 0;
    } catch (err) {
      if (err instanceof BerthError) {
        throw new DaemonError(`${err.message}`, { cause: err });
      }
      throw err;
    }
  };
  const before = await Promise.all((filters.get('before') ?? []).map((v) => refTime(v)));
  const since = await Promise.all((filters.get('since') ?? []).map((v) => refTime(v)));
  const until = untilTimes(filters);
  const dangling = filters.get('dangling')?.map(boolValue);
  const refs = [...(filters.get('reference') ?? []), ...(opts.reference ? [opts.reference] : [])];

  summaries = summaries.filter((s) => {
    const t = s.created?.getTime() ?? 0;
    if (before.some((b) => t >= b)) return false;
    if (since.some((b) => t <= b)) return false;
    if (until.some((u) => t >= u)) return false;
    if (dangling && dangling.some((d) => d !== (s.repoTags.length === 0))) return false;
    if (!labelsMatch(filters, s.labels)) return false;
    if (refs.length > 0 && !refs.some((r) => referenceMatches(s, r))) return false;
    return true;
  });
  if (refs.length > 0) summaries = summaries.map((s) => keepMatchingNames(s, refs));
  return summaries.flatMap((s) => rowsOf(s, { digests: opts.digests, trunc: !opts.noTrunc }));
}
