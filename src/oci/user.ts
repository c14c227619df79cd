import { lstat, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where to look up files of the container's root filesystem: one directory (a mounted rootfs), or
 * overlay layer directories listed top-most first (an unmounted snapshot's upperdir + lowerdirs),
 * which avoids needing root to mount the snapshot just to read /etc/passwd.
 */
export type RootfsLookup = string | readonly string[];

const MAX_SYMLINKS = 255;
const MAX_ID = 2147483647; // runc rejects ids above MaxInt32

/**
 * Reads `file` (an absolute path inside the container) from the rootfs, resolving symlinks as the
 * container would see them: absolute targets and `..` never escape the root directory. Returns
 * undefined if the file does not exist (or is whited out in an upper layer).
 */
export async function readRootfsFile(
  rootfs: RootfsLookup,
  file: string,
): Promise<string | undefined> {
  const layers = typeof rootfs === 'string' ? [rootfs] : rootfs;
  for (const layer of layers) {
    const resolved = await resolveInRoot(layer, file);
    let st;
    try {
      st = await lstat(resolved);
    } catch (err) {
      if (isNotFound(err)) continue;
      throw err;
    }
    // overlayfs whiteout: a 0/0 character device hides the file in all lower layers.
    if (st.isCharacterDevice() && st.rdev === 0) return undefined;
    if (!st.isFile()) return undefined;
    return readFile(resolved, 'utf8');
  }
  return undefined;
}

async function resolveInRoot(root: string, unsafePath: string): Promise<string> {
  let pending = unsafePath.split('/').filter((s) => s !== '');
  let current: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const seg = pending.shift() as string;
    if (seg === '.') continue;
    if (seg === '..') {
      current.pop();
      continue;
    }
    const full = path.join(root, ...current, seg);
    let isLink = false;
    try {
      isLink = (await lstat(full)).isSymbolicLink();
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!isLink) {
      current.push(seg);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new Error(`too many symlinks resolving ${unsafePath}`);
    const target = await readlink(full);
    if (target.startsWith('/')) current = [];
    pending = [...target.split('/').filter((s) => s !== ''), ...pending];
  }
  return path.join(root, ...current);
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** Parses /etc/passwd the way runc's libcontainer/user does (missing fields read as empty/0). */
export function parsePasswd(content: string): PasswdEntry[] {
  return dataLines(content).map((line) => {
    const f = line.split(':');
    return { name: f[0] ?? '', uid: atoi(f[2]), gid: atoi(f[3]), home: f[5] ?? '' };
  });
}

/** Parses /etc/group the way runc's libcontainer/user does. */
export function parseGroup(content: string): GroupEntry[] {
  return dataLines(content).map((line) => {
    const f = line.split(':');
    const list = f[3] ?? '';
    return { name: f[0] ?? '', gid: atoi(f[2]), members: list === '' ? [] : list.split(',') };
  });
}

function dataLines(content: string): string[] {
  return content
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function atoi(s: string | undefined): number {
  const n = parseStrictInt(s ?? '');
  return n ?? 0;
}

function parseStrictInt(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups, always including the primary gid first (containerd 1.6.18+ does so). */
  additionalGids: number[];
}

/**
 * Resolves Docker's `--user`/image `USER` value against the container's /etc/passwd and /etc/group
 * with runc's `GetExecUser` rules, which is what dockerd does:
 * - `uid` or `name`: uid/gid from passwd (numeric uid without an entry: gid 0), supplementary gids
 *   from every group listing the user as a member;
 * - `user:group`: the group overrides the gid and no supplementary groups are added;
 * - names that don't exist are errors, numbers that don't exist are taken literally.
 * An empty spec means root. Without `rootfs` (or without the files) only numbers resolve.
 */
export async function resolveUser(
  userSpec: string,
  rootfs?: RootfsLookup,
  groupAdd: readonly string[] = [],
): Promise<ResolvedUser> {
  const [passwdText, groupText] =
    rootfs === undefined
      ? [undefined, undefined]
      : await Promise.all([
          readRootfsFile(rootfs, '/etc/passwd'),
          readRootfsFile(rootfs, '/etc/group'),
        ]);
  const passwd = passwdText === undefined ? [] : parsePasswd(passwdText);
  const groups = groupText === undefined ? [] : parseGroup(groupText);

  const colon = userSpec.indexOf(':');
  const userArg = colon < 0 ? userSpec : userSpec.slice(0, colon);
  const groupArgRaw = colon < 0 ? '' : userSpec.slice(colon + 1);
  // runc's parseLine ignores anything after a second colon.
  const groupArg = groupArgRaw.split(':')[0] ?? '';
  const uidArg = parseStrictInt(userArg);
  const gidArg = parseStrictInt(groupArg);

  let uid = 0;
  let gid = 0;
  let sgids: number[] = [];

  const matchUser = passwd.find((u) => {
    if (userArg === '') return u.uid === 0;
    if (uidArg !== undefined) return u.uid === uidArg;
    return u.name === userArg;
  });
  if (matchUser) {
    uid = matchUser.uid;
    gid = matchUser.gid;
  } else if (userArg !== '') {
    if (uidArg === undefined) {
      throw new Error(`unable to find user ${userArg}: no matching entries in passwd file`);
    }
    uid = uidArg;
    if (uid < 0 || uid > MAX_ID) throw new Error(`uids and gids must be in range 0-${MAX_ID}`);
  }

  if (groupArg !== '') {
    const g = groups.find((e) => (gidArg !== undefined ? e.gid === gidArg : e.name === groupArg));
    if (g) {
      gid = g.gid;
    } else {
      if (gidArg === undefined) {
        throw new Error(`unable to find group ${groupArg}: no matching entries in group file`);
      }
      gid = gidArg;
      if (gid < 0 || gid > MAX_ID) throw new Error(`uids and gids must be in range 0-${MAX_ID}`);
    }
  } else if (matchUser) {
    sgids = groups.filter((g) => g.members.includes(matchUser.name)).map((g) => g.gid);
  }

  for (const ag of groupAdd) {
    const n = parseStrictInt(ag);
    const g = groups.find((e) => e.name === ag || (n !== undefined && e.gid === n));
    if (g) sgids.push(g.gid);
    else if (n !== undefined && n >= 0 && n <= MAX_ID) sgids.push(n);
    else throw new Error(`Unable to find group ${ag}: no matching entries in group file`);
  }

  const additionalGids = [gid, ...sgids.filter((g) => g !== gid)];
  return { uid, gid, additionalGids: [...new Set(additionalGids)] };
}
