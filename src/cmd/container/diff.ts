/**
 * `berth diff`: Docker's `A`/`C`/`D` lines, read from the layer the diff service makes between
 * the container's image and its snapshot (whiteouts are deletions; an entry the image already
 * had is a change).
 */
import tar from 'tar-stream';
import { posix } from 'node:path';
import type { Client } from '../../containerd/client.js';
import { withLease } from '../../containerd/leases.js';
import { openBlob } from '../../image/content.js';
import { snapshotDirs } from '../../build/container-adapter.js';
import { LayeredRoot } from '../../build/copy.js';
import { withoutMountPoints } from '../../build/mount-points.js';
import { containerSnapshot, diffMounts, withView } from '../../build/snapshot-diff.js';
import { findContainer } from '../../container/resolve.js';

export async function containerChanges(client: Client, ref: string): Promise<string[]> {
  const c = await findContainer(client, ref);
  return withLease(client, async (lease) => {
    const snap = await containerSnapshot(client, c);
    return withView(client, c.snapshotter, snap.parent, lease, async (lower) => {
      const blob = await diffMounts(client, lower, snap.mounts, lease);
      const below = new LayeredRoot(snapshotDirs(lower));
      const changes = new Map<string, string>();
      const ex = tar.extract();
      const reading = (async () => {
        for await (const entry of ex) {
          entry.resume();
          const name = `/${posix
            .normalize(entry.header.name)
            .replace(/^\.?\/*/, '')
            .replace(/\/$/, '')}`;
          if (name === '/') continue;
          const base = posix.basename(name);
          if (base === '.wh..wh..opq') continue;
          if (base.startsWith('.wh.')) {
            changes.set(posix.join(posix.dirname(name), base.slice(4)), 'D');
            continue;
          }
          changes.set(name, (await below.stat(name)) ? 'C' : 'A');
        }
      })();
      withoutMountPoints(openBlob(client, blob.digest, { lease })).pipe(ex);
      await reading;
      const paths = [...changes.keys()].sort();
      return paths.map((p) => `${changes.get(p)} ${p}`);
    });
  });
}
