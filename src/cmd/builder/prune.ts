/** `berth builder prune`: drops the build cache (the step configs, their layers and snapshots). */
import type { Client } from '../../containerd/client.js';
import { humanSize } from '../../formatter/units.js';
import { pruneBuildCache } from '../../build/store.js';

export const BUILDER_PRUNE_WARNING = 'WARNING! This will remove all dangling build cache.';

async function contentBytes(client: Client): Promise<number> {
  const infos = await client.content.list();
  return infos.reduce((n, i) => n + Number(i.size), 0);
}

/** Returns Docker's report; what is reclaimed is the content the GC took once the cache let go. */
export async function pruneBuilder(client: Client): Promise<string> {
  const before = await contentBytes(client);
  await pruneBuildCache(client);
  const after = await contentBytes(client);
  return `Total reclaimed space: ${humanSize(Math.max(0, before - after))}\n`;
}
