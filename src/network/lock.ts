/**
 * Host-wide locks between berth processes: an O_EXCL file with the holder's pid under
 * /run/berth/locks, taken over when that process is gone (berth killed mid-run). Node has no
 * flock(2). Held only around short check-then-write steps: a network's iptables rules, choosing
 * a subnet and writing the network's conflist, reserving host ports.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { processAlive } from '../process.js';

export const LOCK_DIR = '/run/berth/locks';

/** Lock names of their own beside the bridges' (`berth0`, `br-<12 hex>`), which cannot clash. */
export const SUBNETS_LOCK = 'subnets';
export const PORTS_LOCK = 'ports';

/** Runs fn holding the lock file `path`; `what` names what is locked in the timeout error. */
export async function withLockFile<T>(
  path: string,
  what: string,
  fn: () => Promise<T> | T,
  timeoutMs = 30_000,
): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!holderAlive(path)) {
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${what} is locked by another berth (${path})`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}

/** Runs fn holding the host-wide lock `name` (a file under LOCK_DIR). */
export function withHostLock<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  return withLockFile(join(LOCK_DIR, `${name}.lock`), name, fn);
}

/** Runs fn holding the lock of the network whose bridge is `bridge`. */
export function withNetworkLock<T>(bridge: string, fn: () => Promise<T> | T): Promise<T> {
  return withLockFile(join(LOCK_DIR, `${bridge}.lock`), `network ${bridge}`, fn);
}

function holderAlive(path: string): boolean {
  let pid: number;
  let age: number;
  try {
    pid = Number(readFileSync(path, 'utf8'));
    age = Date.now() - statSync(path).mtimeMs;
  } catch {
    return true; // gone or being replaced: look again
  }
  // An empty file is a lock being written, or one whose writer died before writing its pid.
  if (!Number.isInteger(pid) || pid <= 0) return age < 5_000;
  return processAlive(pid);
}
