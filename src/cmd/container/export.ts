/**
 * `berth export`: the container's whole filesystem as a tar, made by the diff service (Diff.Diff
 * from nothing to the container's snapshot) and streamed out of the content store.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Client } from '../../containerd/client.js';
import { withLease } from '../../containerd/leases.js';
import { BerthError } from '../../errors.js';
import { openBlob } from '../../image/content.js';
import { containerSnapshot, diffMounts } from '../../build/snapshot-diff.js';
import { findContainer } from '../../container/resolve.js';

export async function exportContainer(
  client: Client,
  ref: string,
  o: { output?: string; stdout: NodeJS.WritableStream & { isTTY?: boolean } },
): Promise<void> {
  if (o.output === undefined && o.stdout.isTTY) {
    throw new BerthError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  }
  const c = await findContainer(client, ref);
  await withLease(client, async (lease) => {
    const snap = await containerSnapshot(client, c);
    const blob = await diffMounts(client, [], snap.mounts, lease);
    const sink = o.output !== undefined ? createWriteStream(o.output) : o.stdout;
    await pipeline(openBlob(client, blob.digest, { lease }), sink, { end: o.output !== undefined });
  });
}
