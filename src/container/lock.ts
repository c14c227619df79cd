/**
 * One life-cycle change of a container at a time, across berth processes: start, stop, restart
 * and the exit check hold the container's lock, so eight concurrent `start`s see one of them
 * start it and the others find it running (Docker's container lock), and the exit check of a
 * restart policy never races a user's `start`. Re-entrant within one process (`restart` starts
 * while it holds the lock).
 */
import { join } from 'node:path';
import { LOCK_DIR, withLockFile } from '../network/lock.js';

const held = new Set<string>();

export async function withContainerLock<T>(
  namespace: string,
  id: string,
  fn: () => Promise<T>,
): Promise<T> {
  const name = `container-${namespace}-${id}`;
  if (held.has(name)) return fn();
  // A stop may wait for its timeout and then for SIGKILL: others queue behind it that long.
  return withLockFile(
    join(LOCK_DIR, name),
    `container ${id}`,
    async () => {
      held.add(name);
      try {
        return await fn();
      } finally {
        held.delete(name);
      }
    },
    5 * 60_000,
  );
}
