/**
 * `berth commit`: the container's changes as a new layer (Diff.Diff between its image's snapshot
 * and the container's, through the diff service) on top of its image, with the container's
 * config and `-c` changes; paused meanwhile unless `--pause=false`.
 */
import type { Client } from '../../containerd/client.js';
import { withLease } from '../../containerd/leases.js';
import { unpackJsonAny } from '../../containerd/helpers.js';
import { DaemonError } from '../../errors.js';
import { resolveLocalImage, fromCtrDescriptor } from '../../image/local.js';
import type { ImageConfig, ImageRuntimeConfig } from '../../registry/media-types.js';
import { parseDockerRef } from '../../registry/reference.js';
import { applyChanges } from '../../build/changes.js';
import { containerLayer } from '../../build/snapshot-diff.js';
import { writeImage } from '../../build/store.js';
import { findContainer } from '../../container/resolve.js';
import { getTask } from '../../container/state.js';
import { truncateId } from '../../formatter/text.js';

export interface CommitOptions {
  author?: string;
  message?: string;
  changes: string[];
  pause: boolean;
}

interface SpecProcess {
  args?: string[];
  env?: string[];
  cwd?: string;
}

export async function commitContainer(
  client: Client,
  ref: string,
  repo: string | undefined,
  o: CommitOptions,
): Promise<string> {
  const name = repo !== undefined ? parseDockerRef(repo).full : undefined;
  const c = await findContainer(client, ref);
  const image = await resolveLocalImage(client, c.image).catch((err: unknown) => {
    throw new DaemonError(
      `the image of container ${truncateId(c.id)} (${c.image}) is gone: ${(err as Error).message}`,
      { cause: err },
    );
  });
  const proc = c.spec ? (unpackJsonAny<{ process?: SpecProcess }>(c.spec).process ?? {}) : {};
  const rc: ImageRuntimeConfig = { ...(image.config.config ?? {}) };
  if (proc.env) rc.Env = proc.env.filter((e) => !e.startsWith('HOSTNAME='));
  if (proc.cwd) rc.WorkingDir = proc.cwd;
  const args = proc.args ?? [];
  const ep = rc.Entrypoint ?? [];
  const cmd = ep.length > 0 && ep.every((a, i) => args[i] === a) ? args.slice(ep.length) : args;
  if (args.length > 0) rc.Cmd = cmd;
  const next = applyChanges(rc, o.changes);

  const task = await getTask(client, c.id);
  const pause = o.pause && String(task?.status ?? '') === 'RUNNING';
  if (pause) await client.tasks.pause({ container_id: c.id });
  try {
    return await withLease(client, async (lease) => {
      const layer = await containerLayer(client, c, lease, (l) => Promise.resolve(l));
      const now = new Date().toISOString();
      const config: ImageConfig = {
        ...image.config,
        created: now,
        config: next,
        rootfs: { type: 'layers', diff_ids: [...image.diffIds, layer.digest] },
        history: [
          ...(image.config.history ?? []),
          {
            created: now,
            created_by: args.join(' '),
            ...(o.author ? { author: o.author } : {}),
            ...(o.message ? { comment: o.message } : {}),
          },
        ],
      };
      if (o.author) config.author = o.author;
      const layers = [...image.manifest.layers, layer].map((l) =>
        'mediaType' in l ? l : fromCtrDescriptor(l),
      );
      return writeImage(client, lease, config, layers, name ? [name] : []);
    });
  } finally {
    if (pause) await client.tasks.resume({ container_id: c.id }).catch(() => undefined);
  }
}
