/**
 * The build context: a directory (or a tar from stdin, extracted to a private temp dir), with
 * `.dockerignore` applied by @balena/dockerignore (Docker's matching rules, `!` exceptions
 * included), and the file trees COPY/ADD take from it or from another stage's root.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Stats } from 'node:fs';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { createRequire } from 'node:module';
import type ignoreModule from '@balena/dockerignore';
import { BerthError } from '../errors.js';

type IgnoreFactory = (typeof ignoreModule)['default'];
let ignoreFactory: IgnoreFactory | undefined;
// Required on first use, never at load: only `build` needs it, and a package evaluated while the
// start-up snapshot is made would be in every command's heap (and a CommonJS module loaded then
// makes node refuse the snapshot). The package is CommonJS with `exports.default`.
function ignore(): ReturnType<IgnoreFactory> {
  if (!ignoreFactory) {
    const m = createRequire(import.meta.url)('@balena/dockerignore') as {
      default?: IgnoreFactory;
    };
    ignoreFactory = m.default ?? (m as unknown as IgnoreFactory);
  }
  return ignoreFactory();
}

export interface BuildContext {
  /** Absolute directory the context's files are in. */
  root: string;
  /** True for a path (relative, `/`-separated) that `.dockerignore` leaves out. */
  excluded: (rel: string) => boolean;
  /** The `!` exceptions of `.dockerignore`, without the `!`. */
  exceptions: string[];
  /** Removes a temp dir made for a tar context. */
  dispose: () => Promise<void>;
}

function patternsOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const neg = l.startsWith('!');
      const p = posix.normalize((neg ? l.slice(1) : l).trim()).replace(/^\/+/, '');
      return neg ? `!${p}` : p;
    });
}

export async function directoryContext(root: string): Promise<BuildContext> {
  let text = '';
  try {
    text = await readFile(join(root, '.dockerignore'), 'utf8');
  } catch {
    // no .dockerignore
  }
  const patterns = patternsOf(text);
  const ig = ignore().add(patterns);
  return {
    root,
    excluded: (rel) => rel !== '' && rel !== '.' && ig.ignores(rel),
    exceptions: patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1)),
    dispose: async () => undefined,
  };
}

/** Extracts a (possibly gzip-compressed) tar context into a new directory under `parent`. */
export async function tarContext(input: Readable, parent: string): Promise<BuildContext> {
  await mkdir(parent, { recursive: true });
  const root = await mkdtemp(join(parent, 'context-'));
  const dispose = (): Promise<void> => rm(root, { recursive: true, force: true });
  try {
    await extractTar(input, root);
  } catch (err) {
    await dispose();
    throw new BerthError(`failed to read the build context from stdin: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const ctx = await directoryContext(root);
  return { ...ctx, dispose };
}

async function extractTar(input: Readable, root: string): Promise<void> {
  const mk = mkdir;
  const source = await sniffGzip(input);
  const ex = tar.extract();
  const done = (async () => {
    for await (const entry of ex) {
      const h = entry.header;
      const rel = posix.normalize(h.name).replace(/^(\.\.\/|\/)+/, '');
      const dest = join(root, rel);
      if (rel === '' || rel === '.' || rel.startsWith('..')) {
        entry.resume();
        continue;
      }
      await mk(dirname(dest), { recursive: true });
      if (h.type === 'directory') {
        await mk(dest, { recursive: true, mode: (h.mode ?? 0o755) & 0o7777 });
        entry.resume();
      } else if (h.type === 'symlink') {
        await symlink(h.linkname ?? '', dest).catch(() => undefined);
        entry.resume();
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        await pipeline(entry, createWriteStream(dest, { mode: (h.mode ?? 0o644) & 0o7777 }));
      } else {
        entry.resume();
      }
    }
  })();
  await Promise.all([pipeline(source, ex), done]);
}

/** The stream, gunzipped if it starts with gzip's magic. */
export async function sniffGzip(input: Readable): Promise<Readable> {
  const head = await new Promise<Buffer>((resolve, reject) => {
    const onReadable = (): void => {
      const chunk = input.read() as Buffer | null;
      cleanup();
      resolve(chunk ?? Buffer.alloc(0));
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.alloc(0));
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const cleanup = (): void => {
      input.off('readable', onReadable);
      input.off('end', onEnd);
      input.off('error', onError);
    };
    input.once('readable', onReadable);
    input.once('end', onEnd);
    input.once('error', onError);
  });
  const out = new PassThrough();
  out.write(head);
  input.pipe(out);
  if (head[0] === 0x1f && head[1] === 0x8b) return out.pipe(createGunzip());
  return out;
}

// ---------------------------------------------------------------------------------------------
// sources

/** A file tree to copy: files on the host, named by their path relative to `base`. */
export interface SourceEntry {
  /** Host path. */
  path: string;
  /** Relative name inside the copied tree ('' for the source itself). */
  rel: string;
  stat: Stats;
  linkname?: string;
}

export interface Source {
  /** The source as matched (its base name becomes the target name for files). */
  name: string;
  path: string;
  stat: Stats;
  /** The source and, for a directory, everything below it (not excluded), parents first. */
  entries: SourceEntry[];
}

/** Go's filepath.Match as a RegExp: `*` and `?` stop at `/`, `[...]` classes, `\` escapes. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new BerthError(`syntax error in pattern: ${pattern}`);
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = `!${cls.slice(1)}`;
      re += `[${cls.startsWith('!') ? `^${cls.slice(1)}` : cls}]`;
      i = end;
    } else if (ch === '\\' && i + 1 < pattern.length) {
      re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export const hasGlob = (p: string): boolean => /[*?[]/.test(p);

/** Every path below `root` (relative, `/`-separated) that is not excluded; for glob matching. */
async function walkAll(
  root: string,
  excluded: (rel: string) => boolean,
  rel = '',
  out: string[] = [],
): Promise<string[]> {
  const names = await readdir(join(root, rel)).catch(() => [] as string[]);
  names.sort();
  for (const n of names) {
    const r = rel ? `${rel}/${n}` : n;
    if (excluded(r)) continue;
    out.push(r);
    const st = await lstat(join(root, r));
    if (st.isDirectory()) await walkAll(root, excluded, r, out);
  }
  return out;
}

async function entriesOf(
  root: string,
  rel: string,
  excluded: (rel: string) => boolean,
): Promise<SourceEntry[]> {
  const path = join(root, rel);
  const stat = await lstat(path);
  const first: SourceEntry = { path, rel: '', stat };
  if (stat.isSymbolicLink()) first.linkname = await readlink(path);
  const out: SourceEntry[] = [first];
  if (!stat.isDirectory()) return out;
  const walk = async (sub: string): Promise<void> => {
    const names = await readdir(join(path, sub));
    names.sort();
    for (const n of names) {
      const r = sub ? `${sub}/${n}` : n;
      const ctxRel = rel ? `${rel}/${r}` : r;
      if (excluded(ctxRel)) continue;
      const p = join(path, r);
      const st = await lstat(p);
      const e: SourceEntry = { path: p, rel: r, stat: st };
      if (st.isSymbolicLink()) e.linkname = await readlink(p);
      out.push(e);
      if (st.isDirectory()) await walk(r);
    }
  };
  await walk('');
  return out;
}

export class SourceError extends BerthError {}

/**
 * The sources of a COPY/ADD, relative to `root` (a context or another stage's root): globs
 * expanded, `..` refused, excluded paths treated as absent.
 */
export async function resolveSources(
  root: string,
  patterns: readonly string[],
  excluded: (rel: string) => boolean,
  verb: string,
): Promise<Source[]> {
  const out: Source[] = [];
  let all: string[] | undefined;
  for (const raw of patterns) {
    const norm = posix.normalize(raw.replace(/^\/+/, '') || '.');
    if (norm === '..' || norm.startsWith('../')) {
      throw new SourceError(`${verb} failed: forbidden path outside the build context: ${raw} ()`);
    }
    const rel = norm === '.' ? '' : norm.replace(/\/$/, '');
    if (hasGlob(rel)) {
      all ??= await walkAll(root, excluded);
      const re = globToRegExp(rel);
      const matched = all.filter((p) => re.test(p));
      if (matched.length === 0) {
        throw new SourceError(`${verb} failed: no source files were specified`);
      }
      for (const m of matched) {
        const entries = await entriesOf(root, m, excluded);
        out.push({ name: posix.basename(m), path: join(root, m), stat: entries[0]!.stat, entries });
      }
      continue;
    }
    if (rel !== '' && excluded(rel)) {
      throw new SourceError(
        `${verb} failed: file not found in build context or excluded by .dockerignore: stat ${rel}: file does not exist`,
      );
    }
    let entries: SourceEntry[];
    try {
      entries = await entriesOf(root, rel, excluded);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new SourceError(
          `${verb} failed: file not found in build context or excluded by .dockerignore: stat ${rel}: file does not exist`,
        );
      }
      throw err;
    }
    out.push({
      name: posix.basename(rel || '.'),
      path: join(root, rel),
      stat: entries[0]!.stat,
      entries,
    });
  }
  return out;
}

/**
 * Content hash of the sources for the cache key and history (`file:<hash>`, `dir:<hash>`):
 * names, modes, link targets and contents; not times, as Docker's classic builder.
 */
export async function hashSources(sources: readonly Source[]): Promise<string> {
  const h = createHash('sha256');
  for (const s of sources) {
    h.update(`source ${s.name}\0`);
    for (const e of s.entries) {
      h.update(`${e.rel}\0${e.stat.mode}\0${e.stat.size}\0${e.linkname ?? ''}\0`);
      if (e.stat.isFile()) {
        for await (const chunk of createReadStream(e.path)) h.update(chunk as Buffer);
      }
    }
  }
  return h.digest('hex');
}
