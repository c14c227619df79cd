/** `restart`: stop (as `stop` does), then start again through the `start` command's logic. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '../../containerd/client.js';
import { LABEL } from '../../labels.js';
import { processAlive } from '../../process.js';
import type { Container } from './resolve.js';
import { stopContainer, type StopOptions } from './stop.js';

// Docker never auto-removes a `--rm` container that is being restarted by hand. Here the task's
// exit is seen by the container's logger, which starts the removal (`rm --auto-remove`); this
// file in the state dir, holding the restarting berth's pid, tells that removal to stand down.
const MARKER = 'restarting';

function markerPath(container: Container): string | undefined {
  const dir = container.labels?.[LABEL.stateDir];
  return dir ? join(dir, MARKER) : undefined;
}

/** True while a live `berth restart` is stopping and starting this container. */
export function restartInProgress(container: Container): boolean {
  const path = markerPath(container);
  if (!path) return false;
  try {
    return processAlive(Number(readFileSync(path, 'utf8')));
  } catch {
    return false;
  }
}

export async function restartContainer(
  client: Client,
  container: Container,
  opts: StopOptions,
  start: (id: string) => Promise<void>,
): Promise<void> {
  const marker = markerPath(container);
  try {
    if (marker) writeFileSync(marker, String(process.pid));
  } catch {
    // No state dir (a container berth did not create): nothing watches its exit either.
  }
  try {
    await stopContainer(client, container, opts);
    await start(container.id);
  } finally {
    if (marker) rmSync(marker, { force: true });
  }
}
