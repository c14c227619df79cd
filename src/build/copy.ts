/**
 * COPY/ADD layers: Docker's destination rules worked out against the parent's root filesystem
 * (read through the snapshot's directories, never mounted), then a tar stream of the result,
 * produced entry by entry (file contents streamed, never a whole layer in memory) for Diff.Apply.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { lstat, open, readlink } from 'node:fs/promises';
import { posix, join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Stats } from 'node:fs';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';

type Header = Parameters<tar.Pack['entry']>[0];
import { BerthError } from '../errors.js';
import type { Source } from './context.js';

/** A root filesystem seen through its snapshot's layer directories, top-most first. */
export class LayeredRoot {
  constructor(readonly dirs: readonly string[]) {}

  private async lstatLayers(p: string): Promise<{ st: Stats; dir: string } | undefined> {
    for (const dir of this.dirs) {
      try {
        const st = await lstat(join(dir, p));
        // overlayfs whiteout: hides the path in every lower layer.
        if (st.isCharacterDevice() && st.rdev === 0) return undefined;
        return { st, dir };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      }
    }
    return undefined;
  }

  /** `p` with every symlink resolved inside the root (targets never escape it). */
  async resolve(p: string, depth = 0): Promise<string> {
    if (depth > 40) throw new BerthError(`too many levels of symbolic links: ${p}`);
    const parts = posix.normalize(`/${p}`).split('/').filter(Boolean);
    let cur = '/';
    for (let i = 0; i < parts.length; i++) {
      const next = posix.join(cur, parts[i]!);
      const found = await this.lstatLayers(next);
      if (found?.st.isSymbolicLink()) {
        const target = await readlink(join(found.dir, next));
        const base = target.startsWith('/') ? target : posix.join(cur, target);
        return this.resolve(posix.join(base, ...parts.slice(i + 1)), depth + 1);
      }
      cur = next;
    }
    return cur;
  }

  /** Stat of the resolved path, or undefined if it does not exist. */
  async stat(p: string): Promise<Stats | undefined> {
    return (await this.lstatLayers(await this.resolve(p)))?.st;
  }
}

export interface Owner {
  uid: number;
  gid: number;
}

type Item =
  | { kind: 'entry'; header: Header; file?: string }
  | { kind: 'archive'; file: string; dest: string; owner?: Owner };

export interface CopyPlanOptions {
  sources: readonly Source[];
  /** Absolute destination, as normalised by the builder (trailing `/` kept). */
  dest: string;
  /** The parent image's root. */
  parent: LayeredRoot;
  owner?: Owner;
  /** ADD: local tar archives are extracted. */
  add: boolean;
  now: Date;
  verb: string;
}

/** What kind of archive a file is, by its first bytes (ADD's auto-extraction). */
export async function archiveKind(
  path: string,
): Promise<'tar' | 'gzip' | 'bzip2' | 'xz' | undefined> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    if (bytesRead >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return 'gzip';
    if (bytesRead >= 3 && buf.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
    if (
      bytesRead >= 6 &&
      buf.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]))
    ) {
      return 'xz';
    }
    if (bytesRead >= 262 && buf.toString('latin1', 257, 262) === 'ustar') return 'tar';
    return undefined;
  } finally {
    await fh.close();
  }
}

function typeOf(st: Stats): Header['type'] | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  return undefined;
}

/** Works out the entries of the layer. Throws Docker's errors for impossible destinations. */
export async function planCopy(o: CopyPlanOptions): Promise<Item[]> {
  const items: Item[] = [];
  const made = new Set<string>();
  const destSlash = o.dest.endsWith('/') || o.dest.endsWith('/.');
  const dest = posix.normalize(o.dest).replace(/(.)\/$/, '$1');
  const destStat = await o.parent.stat(dest);
  const multi = o.sources.length > 1;
  if (multi && !destSlash && !destStat?.isDirectory()) {
    throw new BerthError(
      `When using ${o.verb} with more than one source file, the destination must be a directory and end with a /`,
    );
  }
  const destIsDir = destSlash || multi || Boolean(destStat?.isDirectory());
  const owner = (): Owner => o.owner ?? { uid: 0, gid: 0 };

  const ensureDir = async (dir: string, header?: Partial<Header>): Promise<void> => {
    if (dir === '/' || made.has(dir)) return;
    const st = await o.parent.stat(dir);
    if (st?.isDirectory() && !header) {
      made.add(dir);
      return;
    }
    await ensureDir(posix.dirname(dir));
    if (made.has(dir)) return;
    made.add(dir);
    if (st?.isDirectory() && header) return; // an existing directory keeps its metadata
    const ids = o.owner ?? { uid: 0, gid: 0 };
    items.push({
      kind: 'entry',
      header: {
        name: dir.slice(1),
        type: 'directory',
        mode: 0o755,
        uid: ids.uid,
        gid: ids.gid,
        mtime: o.now,
        ...header,
      },
    });
  };

  for (const src of o.sources) {
    const kind = o.add && src.stat.isFile() ? await archiveKind(src.path) : undefined;
    if (kind) {
      await ensureDir(dest);
      items.push({ kind: 'archive', file: src.path, dest, ...(o.owner ? { owner: o.owner } : {}) });
      continue;
    }
    if (src.stat.isDirectory()) {
      // A directory's contents go into the destination.
      for (const e of src.entries) {
        const target = e.rel === '' ? dest : posix.join(dest, e.rel);
        const ids = owner();
        const header: Header = {
          name: target.slice(1),
          type: typeOf(e.stat),
          mode: e.stat.mode & 0o7777,
          uid: ids.uid,
          gid: ids.gid,
          mtime: e.stat.mtime,
        };
        if (e.rel === '') {
          await ensureDir(dest, { mode: e.stat.mode & 0o7777, mtime: e.stat.mtime });
          continue;
        }
        if (!header.type) continue;
        if (header.type === 'directory') made.add(target);
        if (header.type === 'symlink') header.linkname = e.linkname ?? '';
        if (header.type === 'file') header.size = e.stat.size;
        items.push({ kind: 'entry', header, ...(header.type === 'file' ? { file: e.path } : {}) });
      }
      continue;
    }
    const target = destIsDir ? posix.join(dest, src.name) : dest;
    await ensureDir(posix.dirname(target));
    const e = src.entries[0]!;
    const type = typeOf(e.stat);
    if (!type) continue;
    const ids = owner();
    const header: Header = {
      name: target.slice(1),
      type,
      mode: e.stat.mode & 0o7777,
      uid: ids.uid,
      gid: ids.gid,
      mtime: e.stat.mtime,
    };
    if (type === 'symlink') header.linkname = e.linkname ?? '';
    if (type === 'file') header.size = e.stat.size;
    items.push({ kind: 'entry', header, ...(type === 'file' ? { file: e.path } : {}) });
  }
  return items;
}

function decompressed(file: string, kind: string): Readable {
  if (kind === 'gzip') return createReadStream(file).pipe(createGunzip());
  if (kind === 'tar') return createReadStream(file);
  const child = spawn(kind === 'xz' ? 'xz' : 'bzip2', ['-dc', file], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return child.stdout;
}

async function copyArchive(
  pack: tar.Pack,
  item: Extract<Item, { kind: 'archive' }>,
): Promise<void> {
  const kind = (await archiveKind(item.file)) ?? 'tar';
  const ex = tar.extract();
  const feeding = pipeline(decompressed(item.file, kind), ex);
  for await (const entry of ex) {
    const h: Header = { ...entry.header };
    const rel = posix.normalize(h.name).replace(/^(\.\.\/|\/|\.\/)+/, '');
    if (rel === '' || rel === '.' || rel.startsWith('..')) {
      entry.resume();
      continue;
    }
    h.name = posix.join(item.dest, rel).slice(1);
    if (h.type === 'link' && h.linkname) {
      h.linkname = posix.join(item.dest, posix.normalize(h.linkname).replace(/^\/+/, '')).slice(1);
    }
    if (item.owner) {
      h.uid = item.owner.uid;
      h.gid = item.owner.gid;
    }
    delete h.pax;
    await writeEntry(pack, h, entry as unknown as Readable);
  }
  await feeding;
}

function writeEntry(pack: tar.Pack, header: Header, body?: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    if (body) {
      body.on('error', reject);
      body.pipe(sink);
    } else sink.end(() => undefined);
  });
}

/** The layer as a tar stream; entries are read from disk as the consumer pulls. */
export function layerStream(items: readonly Item[]): Readable {
  const pack = tar.pack();
  const out = new PassThrough();
  pack.pipe(out);
  void (async () => {
    try {
      for (const item of items) {
        if (item.kind === 'archive') await copyArchive(pack, item);
        else
          await writeEntry(pack, item.header, item.file ? createReadStream(item.file) : undefined);
      }
      pack.finalize();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return out;
}
