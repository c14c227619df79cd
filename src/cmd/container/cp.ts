/**
 * `cp`: copy files between a container and the host, with docker/cli's destination rules.
 *
 * A running container's files are reached through /proc/<pid>/root; a created or stopped one's by
 * mounting its snapshot (Snapshots.Mounts) on a temporary directory, unmounted before returning.
 * Every container path is resolved the way moby's FollowSymlinkInScope does: symlinks are read and
 * re-resolved inside the container root and `..` stops at it, so the kernel is only ever handed
 * paths without symlinks or `..` below the root. Writes never follow a symlink at the target: an
 * existing non-directory is unlinked and the file is created exclusively.
 */
import { execFile } from 'node:child_process';
import { constants, promises as fsp } from 'node:fs';
import type { Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { Readable, Writable } from 'node:stream';
import type { Client } from '../../containerd/client.js';
import { BerthError, DaemonError } from '../../errors.js';
import { assertMutable, type Container } from '../../container/resolve.js';
import { getTask } from '../../container/state.js';

const run = promisify(execFile);

/** One side of `cp`: a host path (no container) or `CONTAINER:PATH`. */
export interface CpEndpoint {
  container?: string;
  path: string;
}

/** docker/cli splitCpArg: absolute paths and `./x:y` are local; otherwise split at the first `:`. */
export function splitCpArg(arg: string): CpEndpoint {
  if (arg.startsWith('/')) return { path: arg };
  // kubelet's names carry their own `:` (`k8s://ns/pod/ctr:/path`): split after the scheme.
  const colon = arg.indexOf(':', arg.startsWith('k8s://') ? 'k8s://'.length : 0);
  if (colon < 0 || arg.startsWith('.')) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/** The error dockerd gives for a missing path (exit 1). */
export class FileNotFoundError extends DaemonError {
  constructor(file: string, ref: string) {
    super(`Could not find the file ${file} in container ${ref}`, { kind: 'not-found' });
  }
}

const MAX_SYMLINKS = 255;

/** Creates a new file, failing rather than following a symlink or reusing an existing entry. */
const WRITE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function splitPath(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fsp.lstat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * moby's FollowSymlinkInScope: the container path `p` with every symlink resolved inside `root`
 * (absolute link targets restart at the root, `..` never climbs above it). The last component is
 * resolved only when `followFinal`. Components that do not exist are kept as written. Returns a
 * clean absolute container path; join it to `root` for the host path.
 */
export async function resolveInRoot(
  root: string,
  p: string,
  followFinal: boolean,
): Promise<string> {
  const queue = splitPath(p);
  let resolved: string[] = [];
  let links = 0;
  let missing = false;
  while (queue.length > 0) {
    const c = queue.shift()!;
    if (c === '..') {
      resolved.pop();
      continue;
    }
    const last = queue.length === 0;
    if (missing || (last && !followFinal)) {
      resolved.push(c);
      continue;
    }
    const hostPath = path.join(root, ...resolved, c);
    const st = await lstatOrUndefined(hostPath);
    if (!st) {
      missing = true;
      resolved.push(c);
      continue;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) {
        throw new DaemonError(`too many links in ${p}`);
      }
      const target = await fsp.readlink(hostPath);
      if (target.startsWith('/')) resolved = [];
      queue.unshift(...splitPath(target));
      continue;
    }
    resolved.push(c);
  }
  return `/${resolved.join('/')}`;
}

/** Host path of a resolved (clean, absolute) container path. */
function inRoot(root: string, cpath: string): string {
  return cpath === '/' ? root : path.join(root, cpath);
}

// --- reaching the container's filesystem -------------------------------------------------------

export interface ContainerRoot {
  /** Host directory that is the container's `/`. */
  root: string;
  /** Unmounts and removes what open() set up (idempotent). */
  release(): Promise<void>;
}

/** Splits a mount's options into mount(8)'s flags for `mount -o`. */
function mountArgs(
  m: { type: string; source: string; options: string[] },
  target: string,
): string[] {
  const args: string[] = [];
  if (m.type && m.type !== 'bind') args.push('-t', m.type);
  if (m.options.length > 0) args.push('-o', m.options.join(','));
  args.push(m.source, target);
  return args;
}

/**
 * The container's root filesystem: the init process's root while it runs, otherwise its snapshot
 * mounted read-write on a temporary directory (so `cp` into a stopped container persists).
 */
export async function openContainerRoot(
  client: Client,
  container: Container,
): Promise<ContainerRoot> {
  const task = await getTask(client, container.id);
  const status = String(task?.status ?? '');
  if (
    task &&
    task.pid > 0 &&
    (status === 'RUNNING' || status === 'PAUSED' || status === 'PAUSING')
  ) {
    return { root: `/proc/${task.pid}/root`, release: async () => {} };
  }
  if (!container.snapshot_key) {
    throw new DaemonError(`container ${container.id} has no root filesystem snapshot`);
  }
  const { mounts } = await client.snapshots.mounts({
    snapshotter: container.snapshotter,
    key: container.snapshot_key,
  });
  const dir = await fsp.mkdtemp(path.join(tmpdir(), 'berth-cp-'));
  const mounted: string[] = [];
  const release = async (): Promise<void> => {
    while (mounted.length > 0) {
      const target = mounted.pop()!;
      try {
        await run('umount', [target]);
      } catch {
        // Busy (a reader left behind): detach it so nothing stays visible in /proc/mounts.
        await run('umount', ['-l', target]).catch(() => undefined);
      }
    }
    await fsp.rmdir(dir).catch(() => undefined);
  };
  try {
    for (const m of mounts) {
      try {
        await run('mount', mountArgs(m, dir));
      } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new DaemonError(
          `mounting the filesystem of ${container.id}: ${(e.stderr ?? e.message).trim()}`,
          { cause: err },
        );
      }
      mounted.push(dir);
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { root: dir, release };
}

// --- copying -------------------------------------------------------------------------------------

export interface CopyOptions {
  /** Ownership to give a new entry (undefined: leave the creating user's). */
  owner?: (st: Stats) => { uid: number; gid: number } | undefined;
  signal?: AbortSignal;
}

/** Approximate tar stream size of what was copied, for the `Successfully copied` line. */
interface Counter {
  bytes: number;
}

function tarSize(st: Stats): number {
  return 512 + (st.isFile() ? Math.ceil(st.size / 512) * 512 : 0);
}

async function applyMeta(
  dst: string,
  st: Stats,
  opts: CopyOptions,
  isLink: boolean,
): Promise<void> {
  const owner = opts.owner?.(st);
  if (owner) await fsp.lchown(dst, owner.uid, owner.gid);
  if (!isLink) await fsp.chmod(dst, st.mode & 0o7777);
  await fsp.lutimes(dst, st.atime, st.mtime).catch(() => undefined);
}

/** Makes room for a non-directory at `dst`: refuses a directory, unlinks anything else. */
async function clearForNonDir(dst: string, src: string): Promise<void> {
  const existing = await lstatOrUndefined(dst);
  if (!existing) return;
  if (existing.isDirectory()) {
    throw new BerthError(`cannot overwrite directory "${dst}" with non-directory "${src}"`);
  }
  await fsp.unlink(dst);
}

/**
 * Copies one entry (recursively for a directory) from host path `src`, which is only lstat'ed and
 * never followed below its top, to `dst`, whose parent must be a real directory.
 */
export async function copyEntry(
  src: string,
  dst: string,
  opts: CopyOptions,
  counter: Counter = { bytes: 0 },
  srcStat?: Stats,
): Promise<void> {
  opts.signal?.throwIfAborted();
  const st = srcStat ?? (await fsp.lstat(src));
  counter.bytes += tarSize(st);
  if (st.isDirectory()) {
    const existing = await lstatOrUndefined(dst);
    if (existing && !existing.isDirectory()) {
      throw new BerthError(`cannot overwrite non-directory "${dst}" with directory "${src}"`);
    }
    if (!existing) await fsp.mkdir(dst, { mode: 0o700 });
    await copyDirContents(src, dst, opts, counter);
    await applyMeta(dst, st, opts, false);
  } else if (st.isFile()) {
    await clearForNonDir(dst, src);
    // Neither end follows a symlink: O_NOFOLLOW on the source, O_EXCL (after the unlink) on the target.
    const input = await fsp.open(src, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const output = await fsp.open(dst, WRITE_NEW, 0o600);
      try {
        // A plain read/write loop: FileHandle streams destroyed mid-way (Ctrl-C) never emit
        // 'close', so a pipeline of them would never settle.
        const buf = Buffer.allocUnsafe(1 << 20);
        for (;;) {
          opts.signal?.throwIfAborted();
          const { bytesRead } = await input.read(buf, 0, buf.length, null);
          if (bytesRead === 0) break;
          await output.write(buf, 0, bytesRead);
        }
      } finally {
        await output.close().catch(() => undefined);
      }
    } finally {
      await input.close().catch(() => undefined);
    }
    await applyMeta(dst, st, opts, false);
  } else if (st.isSymbolicLink()) {
    await clearForNonDir(dst, src);
    await fsp.symlink(await fsp.readlink(src), dst);
    await applyMeta(dst, st, opts, true);
  }
  // Sockets, FIFOs and devices are skipped.
}

async function copyDirContents(
  src: string,
  dst: string,
  opts: CopyOptions,
  counter: Counter,
): Promise<void> {
  for (const name of await fsp.readdir(src)) {
    await copyEntry(path.join(src, name), path.join(dst, name), opts, counter);
  }
}

// --- docker/cli's source and destination rules -------------------------------------------------

/** The source of a copy, resolved to a host path. */
interface Source {
  hostPath: string;
  stat: Stats;
  /** Name the copy gets inside a destination directory. */
  base: string;
  /** `dir/.`: copy the directory's contents, not the directory. */
  contentsOnly: boolean;
}

/** Where the copy goes, resolved to a host path. */
interface Destination {
  hostPath: string;
  stat?: Stats;
  /** The path as the user wrote it ended with `/`. */
  trailingSlash: boolean;
  /** The error for a missing parent directory. */
  missingParent: (parent: string) => BerthError;
}

function endsWithDot(p: string): boolean {
  return p === '.' || p.endsWith('/.');
}

async function place(src: Source, dst: Destination, opts: CopyOptions): Promise<number> {
  const counter = { bytes: 1024 };
  const srcIsDir = src.stat.isDirectory();
  if (dst.stat?.isDirectory()) {
    if (srcIsDir && src.contentsOnly) {
      await copyDirContents(src.hostPath, dst.hostPath, opts, counter);
    } else {
      await copyEntry(src.hostPath, path.join(dst.hostPath, src.base), opts, counter, src.stat);
    }
    return counter.bytes;
  }
  if (dst.stat) {
    if (srcIsDir) throw new BerthError('cannot copy directory');
    await copyEntry(src.hostPath, dst.hostPath, opts, counter, src.stat);
    return counter.bytes;
  }
  const parent = path.dirname(dst.hostPath);
  const parentStat = await lstatOrUndefined(parent);
  if (!parentStat) throw dst.missingParent(parent);
  if (!parentStat.isDirectory()) throw new BerthError('not a directory');
  if (!srcIsDir && dst.trailingSlash) throw new BerthError('no such directory');
  await copyEntry(src.hostPath, dst.hostPath, opts, counter, src.stat);
  return counter.bytes;
}

function baseName(p: string): string {
  const parts = splitPath(p).filter((c) => c !== '..');
  return parts[parts.length - 1] ?? '';
}

export interface CpOptions {
  /** `-a`: keep the source's uid/gid when copying into a container (default: container root). */
  archive: boolean;
  /** `-L`: follow a symlink given as SRC_PATH. */
  followLink: boolean;
  /** `--kube-force`: allow copying into a container kubelet manages. */
  kubeForce?: boolean;
  stdin?: Readable;
  stdout?: Writable;
  /** Stops the copy (Ctrl-C, closed pipe); the container's root is still released. */
  signal?: AbortSignal;
}

export interface CpResult {
  /** Approximate tar bytes copied (Docker's `Successfully copied` figure). */
  bytes: number;
  /** What Docker names as the destination in that line. */
  destination: string;
}

/** Host source, docker/cli CopyInfoSourcePath. */
async function hostSource(p: string, followLink: boolean): Promise<Source> {
  const abs = path.resolve(p);
  let hostPath = abs;
  let stat: Stats;
  try {
    stat = await fsp.lstat(abs);
    if (followLink && stat.isSymbolicLink()) {
      hostPath = await fsp.realpath(abs);
      stat = await fsp.lstat(hostPath);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new BerthError(`lstat ${abs}: no such file or directory`);
    throw new BerthError(e.message, { cause: err });
  }
  if (p.endsWith('/') && !stat.isDirectory()) throw new BerthError('not a directory');
  return { hostPath, stat, base: baseName(abs), contentsOnly: endsWithDot(p) };
}

async function containerSource(
  root: string,
  p: string,
  ref: string,
  followLink: boolean,
): Promise<Source> {
  const absolute = p.startsWith('/') ? p : `/${p}`;
  let cpath = await resolveInRoot(root, absolute, false);
  let stat = await lstatOrUndefined(inRoot(root, cpath));
  if (stat?.isSymbolicLink() && followLink) {
    cpath = await resolveInRoot(root, cpath, true);
    stat = await lstatOrUndefined(inRoot(root, cpath));
  }
  if (!stat) throw new FileNotFoundError(p, ref);
  if (p.endsWith('/') && !stat.isDirectory()) {
    throw new DaemonError(`not a directory`);
  }
  return {
    hostPath: inRoot(root, cpath),
    stat,
    base: baseName(absolute),
    contentsOnly: endsWithDot(p),
  };
}

async function hostDestination(p: string): Promise<Destination> {
  let hostPath = path.resolve(p);
  let stat = await lstatOrUndefined(hostPath);
  if (stat?.isSymbolicLink()) {
    // docker/cli follows a destination symlink on the host.
    try {
      hostPath = await fsp.realpath(hostPath);
      stat = await lstatOrUndefined(hostPath);
    } catch {
      stat = undefined;
    }
  }
  return {
    hostPath,
    stat,
    trailingSlash: p.endsWith('/'),
    missingParent: (parent) => new BerthError(`stat ${parent}: no such file or directory`),
  };
}

async function containerDestination(root: string, p: string, ref: string): Promise<Destination> {
  const absolute = p.startsWith('/') ? p : `/${p}`;
  const cpath = await resolveInRoot(root, absolute, true);
  const hostPath = inRoot(root, cpath);
  return {
    hostPath,
    stat: await lstatOrUndefined(hostPath),
    trailingSlash: p.endsWith('/'),
    missingParent: () => new FileNotFoundError(path.posix.dirname(cpath), ref),
  };
}

/** `cp CONTAINER:SRC -`: a tar of SRC on stdout. */
async function tarOut(src: Source, out: Writable, signal?: AbortSignal): Promise<number> {
  const { default: tar } = await import('tar-stream');
  const pack = tar.pack();
  const counter = { bytes: 1024 };
  const done = pipeline(pack, out, signal ? { signal } : {});
  // Awaited below; when the reader goes first it fails while entries are still being added.
  done.catch(() => undefined);
  const add = async (host: string, name: string, st: Stats): Promise<void> => {
    signal?.throwIfAborted();
    counter.bytes += tarSize(st);
    const common = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
    if (st.isDirectory()) {
      pack.entry({ ...common, type: 'directory' });
      for (const child of await fsp.readdir(host)) {
        const cHost = path.join(host, child);
        await add(cHost, `${name}/${child}`, await fsp.lstat(cHost));
      }
    } else if (st.isSymbolicLink()) {
      pack.entry({ ...common, type: 'symlink', linkname: await fsp.readlink(host) });
    } else if (st.isFile()) {
      const fh = await fsp.open(host, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        await new Promise<void>((resolve, reject) => {
          const entry = pack.entry({ ...common, type: 'file', size: st.size }, (err) =>
            err ? reject(err) : resolve(),
          );
          entry.on('error', reject);
          fh.createReadStream().on('error', reject).pipe(entry);
        });
      } finally {
        await fh.close().catch(() => undefined);
      }
    }
  };
  try {
    await add(src.hostPath, src.base || '.', src.stat);
    pack.finalize();
  } catch (err) {
    pack.destroy();
    // The pipeline's own failure (the reader went away) says more than the entry's.
    await done;
    throw err;
  }
  await done;
  return counter.bytes;
}

/** moby's breakout check: a tar entry's name, cleaned, must stay inside the destination. */
function entryPath(name: string, dest: string): string[] {
  const cleaned = path.posix.normalize(`/${name}`);
  const lexical = path.posix.normalize(name.startsWith('/') ? name : `./${name}`);
  if (lexical === '..' || lexical.startsWith('../')) {
    throw new TarBreakoutError(`${JSON.stringify(lexical)} is outside of ${JSON.stringify(dest)}`);
  }
  return splitPath(cleaned);
}

/** An entry refused by the extraction (moby's `breakoutError`, a link to nothing). */
class TarBreakoutError extends BerthError {}

/** `cp - CONTAINER:DIR`: extracts the tar on stdin into DIR, every entry resolved inside the root. */
async function tarIn(
  root: string,
  dirCpath: string,
  input: Readable,
  opts: CopyOptions,
  ref: string,
): Promise<number> {
  const { default: tar } = await import('tar-stream');
  const extract = tar.extract();
  let bytes = 1024;
  const feed = pipeline(input, extract, opts.signal ? { signal: opts.signal } : {});
  feed.catch(() => undefined); // awaited below; the loop may stop first on a bad entry
  const inDest = async (rel: string[]): Promise<string> =>
    inRoot(root, await resolveInRoot(root, `${dirCpath}/${rel.join('/')}`, true));
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const rel = entryPath(h.name, dirCpath);
      if (rel.length === 0) {
        entry.resume();
        continue;
      }
      const parentCpath = await resolveInRoot(
        root,
        `${dirCpath}/${rel.slice(0, -1).join('/')}`,
        true,
      );
      const parent = inRoot(root, parentCpath);
      const parentStat = await lstatOrUndefined(parent);
      if (!parentStat?.isDirectory()) {
        entry.resume();
        throw new FileNotFoundError(parentCpath, ref);
      }
      const dst = path.join(parent, rel[rel.length - 1]!);
      const meta = { mode: (h.mode ?? 0o644) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0 } as Stats;
      const owner = opts.owner?.(meta);
      bytes += 512 + Math.ceil((h.size ?? 0) / 512) * 512;
      if (h.type === 'directory') {
        const existing = await lstatOrUndefined(dst);
        if (existing && !existing.isDirectory()) await fsp.unlink(dst);
        if (!existing?.isDirectory()) await fsp.mkdir(dst, { mode: 0o700 });
        await fsp.chmod(dst, meta.mode);
        entry.resume();
      } else if (h.type === 'symlink') {
        await clearForNonDir(dst, h.name);
        await fsp.symlink(h.linkname ?? '', dst);
        entry.resume();
      } else if (h.type === 'link') {
        // As moby: the target is named relative to the destination and must stay inside it.
        const linkname = h.linkname ?? '';
        const target = path.posix.normalize(`${dirCpath}/${linkname}`);
        const within = dirCpath === '/' ? '/' : `${dirCpath}/`;
        if (
          linkname === '' ||
          (!linkname.startsWith('/') &&
            path.posix.normalize(`./${linkname}`).split('/')[0] === '..') ||
          (target !== dirCpath && !target.startsWith(within))
        ) {
          entry.resume();
          throw new TarBreakoutError(
            `invalid hardlink ${JSON.stringify(target)} -> ${JSON.stringify(linkname)}`,
          );
        }
        const source = await inDest(entryPath(linkname, dirCpath));
        const st = await lstatOrUndefined(source);
        if (!st || st.isDirectory()) {
          entry.resume();
          throw new TarBreakoutError(
            `link ${target} ${path.posix.join(dirCpath, ...rel)}: ${st ? 'operation not permitted' : 'no such file or directory'}`,
          );
        }
        await clearForNonDir(dst, h.name);
        await fsp.link(source, dst);
        entry.resume();
        continue; // a hard link shares its target's owner, mode and times
      } else if (h.type === 'file' || h.type === 'contiguous-file' || !h.type) {
        await clearForNonDir(dst, h.name);
        const fh = await fsp.open(dst, WRITE_NEW, 0o600);
        try {
          // Not pipeline() into fh.createWriteStream(): when the entry fails (input cut short),
          // that stream never emits 'close', the pipeline never settles and node just exits 0.
          for await (const chunk of entry as AsyncIterable<Buffer>) await fh.write(chunk);
        } finally {
          await fh.close().catch(() => undefined);
        }
        await fsp.chmod(dst, meta.mode);
      } else {
        entry.resume();
        continue;
      }
      if (owner) await fsp.lchown(dst, owner.uid, owner.gid);
      if (h.mtime) await fsp.lutimes(dst, h.mtime, h.mtime).catch(() => undefined);
    }
    await feed;
  } catch (err) {
    extract.destroy();
    if (opts.signal?.aborted) throw err;
    // An entry's own error is only "destroyed"; the extraction's says why (end of input).
    const cause = await feed.then(
      () => err,
      (e: unknown) =>
        /^Unexpected end of data|^Invalid tar header/.test((e as Error).message) ? e : err,
    );
    if (err instanceof TarBreakoutError) {
      throw new DaemonError(`Error processing tar file(exit status 1): ${err.message}`);
    }
    if (err instanceof BerthError) throw err;
    throw new DaemonError(`Error processing tar file(exit status 1): ${tarErrorText(cause)}`, {
      cause,
    });
  }
  return bytes;
}

/** A short reason for a stream that is not a tar archive or ends too early. */
function tarErrorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ERR_STREAM_PREMATURE_CLOSE' || /^Unexpected end of data/.test(e.message ?? '')) {
    return 'unexpected EOF';
  }
  if (/^Invalid tar header/.test(e.message ?? '')) return 'archive/tar: invalid tar header';
  return e.message ?? String(err);
}

/**
 * The whole `cp SRC DEST`: exactly one side names a container (`find` resolves it). Returns what
 * the command reports; throws Docker's errors.
 */
export async function copy(
  client: Client,
  srcArg: string,
  dstArg: string,
  opts: CpOptions,
  find: (ref: string) => Promise<Container>,
): Promise<CpResult> {
  const src = srcArg === '-' ? { path: '-' } : splitCpArg(srcArg);
  const dst = dstArg === '-' ? { path: '-' } : splitCpArg(dstArg);
  if (src.path === '' && src.container !== undefined)
    throw new BerthError('source can not be empty');
  if (dst.path === '' && dst.container !== undefined) {
    throw new BerthError('destination can not be empty');
  }
  if (src.container !== undefined && dst.container !== undefined) {
    throw new BerthError('copying between containers is not supported');
  }
  if (src.container === undefined && dst.container === undefined) {
    throw new BerthError('must specify at least one container source');
  }

  const ref = (src.container ?? dst.container)!;
  const container = await find(ref);
  if (dst.container !== undefined) assertMutable(container, ref, 'copy into', opts.kubeForce);
  const handle = await openContainerRoot(client, container);
  try {
    if (src.container !== undefined) {
      // From the container to the host (or stdout).
      const source = await containerSource(handle.root, src.path, ref, opts.followLink);
      if (dst.path === '-') {
        const bytes = await tarOut(source, opts.stdout ?? process.stdout, opts.signal);
        return { bytes, destination: '-' };
      }
      const bytes = await place(source, await hostDestination(dst.path), {
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      return { bytes, destination: dst.path };
    }
    // From the host (or stdin) into the container: new entries belong to the container's root
    // unless -a keeps the source's owner.
    const owner: CopyOptions['owner'] = opts.archive
      ? (st) => ({ uid: st.uid, gid: st.gid })
      : () => ({ uid: 0, gid: 0 });
    const destination = `${ref}:${dst.path}`;
    if (src.path === '-') {
      const target = await containerDestination(handle.root, dst.path, ref);
      if (!target.stat) throw new FileNotFoundError(dst.path, ref);
      if (!target.stat.isDirectory()) {
        throw new BerthError(`destination "${destination}" must be a directory`);
      }
      const dirCpath = await resolveInRoot(
        handle.root,
        dst.path.startsWith('/') ? dst.path : `/${dst.path}`,
        true,
      );
      const bytes = await tarIn(
        handle.root,
        dirCpath,
        opts.stdin ?? process.stdin,
        { owner, ...(opts.signal ? { signal: opts.signal } : {}) },
        ref,
      );
      return { bytes, destination };
    }
    const source = await hostSource(src.path, opts.followLink);
    const target = await containerDestination(handle.root, dst.path, ref);
    const bytes = await place(source, target, {
      owner,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return { bytes, destination };
  } finally {
    await handle.release();
  }
}
