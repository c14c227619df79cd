/** `restart`: stop (as `stop` does), then start again through the `start` command's logic. */
import type { Client } from '../../containerd/client.js';
import type { Container } from './resolve.js';
import { stopContainer, type StopOptions } from './stop.js';

export async function restartContainer(
  client: Client,
  container: Container,
  opts: StopOptions,
  start: (id: string) => Promise<void>,
): Promise<void> {
  await stopContainer(client, container, opts);
  await start(container.id);
}
