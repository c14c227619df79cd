/**
 * The size of the build context as Docker's CLI sends it (`Sending build context to Docker
 * daemon  16.38kB`): the bytes of the uncompressed tar its archive package writes for the
 * context directory. berth reads the directory in place and sends nothing, so the figure is
 * computed from a walk with the same rules: `.dockerignore` exclusions (an excluded directory is
 * still entered when a `!` exception starts inside it), the Dockerfile and `.dockerignore` always
 * kept, the root itself left out, hard links sent once, Go's tar headers (USTAR when the names
 * fit, a PAX record otherwise) and two zero blocks at the end.
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

const BLOCK = 512;
const NAME_SIZE = 100;
const PREFIX_SIZE = 155;
const MAX_USTAR_SIZE = 0o77777777777;

const padded = (n: number): number => Math.ceil(n / BLOCK) * BLOCK;

const isAscii = (s: string): boolean => /^[\x00-\x7f]*$/.test(s);

/** Go's archive/tar splitUSTARPath: can a long name go into USTAR's prefix and name fields? */
function splitsIntoUstar(name: string): boolean {
  let length = Buffer.byteLength(name);
  if (length <= NAME_SIZE || !isAscii(name)) return false;
  if (length > PREFIX_SIZE + 1) length = PREFIX_SIZE + 1;
  else if (name[length - 1] === '/') length--;
  const i = name.slice(0, length).lastIndexOf('/');
  const nlen = name.length - i - 1;
  return !(i <= 0 || nlen > NAME_SIZE || nlen === 0 || i > PREFIX_SIZE);
}

/** One PAX record, `"%d %s=%s\n"`, whose length counts its own digits. */
function paxRecordLength(key: string, value: string): number {
  const size = Buffer.byteLength(key) + Buffer.byteLength(value) + 3;
  let n = size + String(size).length;
  if (String(n).length !== String(size).length) n = size + String(n).length;
  return n;
}

/** Bytes a header takes in Go's tar writer: one block, plus a PAX header when USTAR cannot hold it. */
export function tarHeaderBytes(name: string, linkname = '', size = 0): number {
  let pax = 0;
  if (!isAscii(name) || Buffer.byteLength(name) > NAME_SIZE) {
    if (!splitsIntoUstar(name)) pax += paxRecordLength('path', name);
  }
  if (!isAscii(linkname) || Buffer.byteLength(linkname) > NAME_SIZE) {
    pax += paxRecordLength('linkpath', linkname);
  }
  if (size > MAX_USTAR_SIZE) pax += paxRecordLength('size', String(size));
  return BLOCK + (pax > 0 ? BLOCK + padded(pax) : 0);
}

/** A regular file's entry: header and content padded to whole blocks. */
export const tarFileBytes = (name: string, size: number): number =>
  tarHeaderBytes(name, '', size) + padded(size);

/** The two zero blocks that end Go's tar stream. */
export const TAR_TRAILER = 2 * BLOCK;

export interface ContextWalkRules {
  /** True for a path (relative, `/`-separated) that `.dockerignore` leaves out. */
  excluded: (rel: string) => boolean;
  /** The `!` patterns of `.dockerignore` (without the `!`). */
  exceptions: readonly string[];
  /** Paths the CLI keeps whatever `.dockerignore` says (Dockerfile, .dockerignore). */
  keep: readonly string[];
}

/** Size of the tar Docker's CLI makes of the context directory `root`. */
export async function contextTarSize(root: string, rules: ContextWalkRules): Promise<number> {
  const seen = new Map<string, string>();
  const keep = new Set(rules.keep);
  let total = 0;
  const walk = async (rel: string): Promise<void> => {
    const names = await readdir(join(root, rel)).catch(() => [] as string[]);
    const stats = await Promise.all(
      names.map(async (n) => {
        const r = rel ? `${rel}/${n}` : n;
        return { r, st: await lstat(join(root, r)).catch(() => undefined) };
      }),
    );
    for (const { r, st } of stats) {
      if (!st) continue;
      if (rules.excluded(r) && !keep.has(r)) {
        // Go's walk skips an excluded directory unless an exception may match inside it.
        if (st.isDirectory() && rules.exceptions.some((p) => `${p}/`.startsWith(`${r}/`))) {
          await walk(r);
        }
        continue;
      }
      if (st.isDirectory()) {
        total += tarHeaderBytes(`${r}/`);
        await walk(r);
      } else if (st.isSymbolicLink()) {
        total += tarHeaderBytes(r, await readlink(join(root, r)).catch(() => ''));
      } else if (st.isFile()) {
        const inode = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? seen.get(inode) : undefined;
        if (first !== undefined) {
          total += tarHeaderBytes(r, first);
        } else {
          if (st.nlink > 1) seen.set(inode, r);
          total += tarFileBytes(r, st.size);
        }
      } else if (st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO()) {
        total += tarHeaderBytes(r);
      }
    }
  };
  await walk('');
  return total + TAR_TRAILER;
}
