/**
 * Host-wide locks between berth processes: an O_EXCL file with the holder's pid under
 * /run/berth/locks, taken over when that process is gone (berth killed mid-run). Node has no
 * flock(2). Held only around short check-then-write steps: a network's iptables rules, choosing
 * a subnet and writing the network's conflist, reserving host ports.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { processAlive, processStartTime } from '../process.js';

export const LOCK_DIR = '/run/berth/locks';

/** Lock names of their own beside the bridges' (`berth0`, `br-<12 hex>`), which cannot clash. */
export const SUBNETS_LOCK = 'subnets';
export const PORTS_LOCK = 'ports';

/** What a lock file holds: its holder's pid and start time, so a reused pid is not mistaken for it. */
function holderStamp(): string {
  return `${process.pid} ${processStartTime(process.pid) ?? ''}`.trim();
}

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
      writeSync(fd, holderStamp());
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const stale = staleContent(path);
      if (stale !== undefined) {
        breakStale(path, stale);
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

/**
 * Removes a dead holder's lock, unless it changed since it was read. Two waiters that both found
 * it dead would otherwise both remove "it" (the second one the first one's new lock) and both
 * hold the lock; a short-lived breaker file lets one of them at a time check and remove.
 */
function breakStale(path: string, seen: string): void {
  const breaker = `${path}.break`;
  try {
    closeSync(openSync(breaker, 'wx', 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // Its owner checks and removes within microseconds; an old one was left by a crash.
    if (ageMs(breaker) > 5_000) rmSync(breaker, { force: true });
    return;
  }
  try {
    let now: string;
    try {
      now = readFileSync(path, 'utf8');
    } catch {
      return; // already gone
    }
    if (now === seen) rmSync(path, { force: true });
  } finally {
    rmSync(breaker, { force: true });
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

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** The lock file's content when its holder is gone, else undefined (alive, or being written). */
function staleContent(path: string): string | undefined {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone or being replaced: look again
  }
  const [pidText, started] = content.split(' ');
  const pid = Number(pidText);
  // An empty file is a lock being written, or one whose writer died before writing its pid.
  if (!Number.isInteger(pid) || pid <= 0) return ageMs(path) < 5_000 ? undefined : content;
  if (!processAlive(pid)) return content;
  // The pid is in use; by the holder only if it started when the holder did.
  if (started !== undefined && processStartTime(pid) !== started) return content;
  return undefined;
}
