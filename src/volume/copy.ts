/**
 * Docker's "copy the image's content into a new volume": when a volume that is still empty is
 * mounted over a path that holds files in the image, those files (with ownership and modes) are
 * copied into the volume first (moby daemon/volumes_unix.go copyExistingContents). This is the
 * filesystem half; reading an image's snapshot through containerd is src/container/volumes.ts.
 */
import { execFile } from 'node:child_process';
import { chmod, lchown, lstat, mkdtemp, readdir, readlink, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BerthError } from '../errors.js';

const run = promisify(execFile);

/** A containerd mount (`containerd.types.Mount`), as Snapshots.View/Mounts return them. */
export interface SnapshotMount {
  type: string;
  source: string;
  options: string[];
}

/**
 * Prefix of the temporary mount points made here and of the view snapshots the copy from an image
 * snapshot makes (visible in `ctr snapshots ls` while copying).
 */
export const VIEW_KEY_PREFIX = 'berth-volcopy-';

/**
 * Resolves `path` (absolute, in the image) inside `root` the way the container would see it:
 * symlinks are followed but can never leave `root` (`/..` stays at the root, absolute links are
 * relative to it). Returns undefined if a component does not exist.
 */
export async function resolveInRoot(root: string, path: string): Promise<string | undefined> {
  const pending = path.split('/').filter((s) => s !== '' && s !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    let st;
    try {
      st = await lstat(host);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw err;
    }
    if (!st.isSymbolicLink()) {
      done.push(part);
      continue;
    }
    if (++links > 255)
      throw new BerthError(`too many levels of symbolic links resolving ${path} in the image`);
    const target = await readlink(host);
    if (target.startsWith('/')) done.length = 0;
    pending.unshift(...target.split('/').filter((s) => s !== '' && s !== '.'));
  }
  return join(root, ...done);
}

export async function isEmptyDir(dir: string): Promise<boolean> {
  return (await readdir(dir)).length === 0;
}

/**
 * Copies the content of `containerPath` under the image root filesystem `root` into `hostDir`,
 * only if `hostDir` is empty and the path is a directory in the image (Docker's rule). Ownership,
 * modes, timestamps, links and xattrs are kept (`cp -a`), and `hostDir` itself takes the owner and
 * mode of the image directory. Returns whether anything was copied.
 */
export async function copyFromRootfs(
  root: string,
  containerPath: string,
  hostDir: string,
): Promise<boolean> {
  const src = await resolveInRoot(root, containerPath);
  if (src === undefined) return false;
  const srcStat = await stat(src);
  if (!srcStat.isDirectory()) return false;
  if (!(await isEmptyDir(hostDir))) return false;
  if (!(await isEmptyDir(src))) {
    try {
      await run('cp', ['-a', '--', `${src}/.`, `${hostDir}/`], { maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
      throw new BerthError(
        `failed to copy image content at ${containerPath} into the volume: ${stderr || String(err)}`,
        {
          cause: err,
        },
      );
    }
  }
  // dockerd's copyOwnership: the volume root gets the image directory's owner and mode.
  await lchown(hostDir, srcStat.uid, srcStat.gid);
  await chmod(hostDir, srcStat.mode & 0o7777);
  return true;
}

/**
 * Mounts containerd mounts read-only on a temporary directory, runs `fn` with it, and unmounts.
 * A lone bind mount (a single-layer view, or a snapshotter like `native`) is not mounted at all:
 * its source is read directly.
 */
export async function withMountedRootfs<T>(
  mounts: readonly SnapshotMount[],
  fn: (root: string) => Promise<T>,
): Promise<T> {
  if (mounts.length === 1 && mounts[0]!.type === 'bind') return fn(mounts[0]!.source);
  if (mounts.length !== 1) {
    throw new BerthError(`cannot read image content: expected one mount, got ${mounts.length}`);
  }
  const m = mounts[0]!;
  const dir = await mkdtemp(join(tmpdir(), VIEW_KEY_PREFIX));
  try {
    const options = m.options.includes('ro') ? m.options : ['ro', ...m.options];
    try {
      await run('mount', ['-t', m.type, '-o', options.join(','), m.source, dir]);
    } catch (err) {
      const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
      throw new BerthError(
        `cannot mount the image to copy its content into a volume: ${stderr || String(err)}`,
        {
          cause: err,
        },
      );
    }
    try {
      return await fn(dir);
    } finally {
      await unmount(dir);
    }
  } finally {
    await rmdir(dir).catch(() => undefined);
  }
}

async function unmount(dir: string): Promise<void> {
  try {
    await run('umount', [dir]);
  } catch {
    // Busy (something still walks it): detach now, the kernel finishes when it is released.
    await run('umount', ['-l', dir]).catch(() => undefined);
  }
}

/** The overlay lowerdirs of an image (top layer first) as the mount list withMountedRootfs takes. */
export function lowerdirMounts(lowerdirs: readonly string[]): SnapshotMount[] {
  if (lowerdirs.length === 0) throw new BerthError('cannot read image content: no layers');
  if (lowerdirs.length === 1)
    return [{ type: 'bind', source: lowerdirs[0]!, options: ['ro', 'rbind'] }];
  return [
    { type: 'overlay', source: 'overlay', options: ['ro', `lowerdir=${lowerdirs.join(':')}`] },
  ];
}
