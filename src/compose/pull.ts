/**
 * `compose pull` (and `up --pull always`): every service's image, pulled in parallel
 * (` web Pulling` / ` web Pulled`); `compose push`: the images of services that have both
 * `build:` and `image:`, as Compose pushes only what it builds under a name it was given.
 */
import { Writable } from 'node:stream';
import { ensureImage } from '../image/ensure.js';
import { runPush } from '../image/push.js';
import type { ComposeProject } from './model.js';
import type { Ctx } from './runtime.js';

export interface PullPushOptions {
  services: string[];
  quiet: boolean;
  /** Carry on past a failed image, reporting it (`--ignore-pull-failures`/`--ignore-push-failures`). */
  ignoreFailures?: boolean;
  write: (s: string) => void;
}

async function eachService(
  names: string[],
  o: PullPushOptions,
  verb: [string, string],
  fn: (name: string) => Promise<void>,
): Promise<void> {
  const results = await Promise.allSettled(
    names.map(async (n) => {
      if (!o.quiet) o.write(` ${n} ${verb[0]} \n`);
      try {
        await fn(n);
      } catch (err) {
        if (!o.ignoreFailures) throw err;
        o.write(` ${n} Error ${(err as Error).message}\n`);
        return;
      }
      if (!o.quiet) o.write(` ${n} ${verb[1]} \n`);
    }),
  );
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/**
 * Pulls the image of every selected service that names one. A service that can be built is
 * pulled too, but its failure is only reported (`--ignore-buildable` skips it), as Compose does.
 */
export async function pullImages(
  ctx: Ctx,
  project: ComposeProject,
  o: PullPushOptions & { ignoreBuildable?: boolean },
): Promise<number> {
  const services = Object.values(project.services).filter(
    (s) =>
      s.image &&
      !(s.build && o.ignoreBuildable) &&
      (o.services.length === 0 || o.services.includes(s.name)),
  );
  const pull = (n: string): Promise<void> =>
    ensureImage(ctx.client, ctx.settings, project.services[n]!.image!, {
      pull: 'always',
      quiet: true,
    }).then(() => undefined);
  await eachService(
    services.filter((s) => !s.build).map((s) => s.name),
    o,
    ['Pulling', 'Pulled'],
    pull,
  );
  await eachService(
    services.filter((s) => s.build).map((s) => s.name),
    { ...o, ignoreFailures: true },
    ['Pulling', 'Pulled'],
    pull,
  );
  return 0;
}

/** Pushes the image of every selected service with `build:` and `image:`; others are skipped. */
export async function pushImages(
  ctx: Ctx,
  project: ComposeProject,
  o: PullPushOptions,
): Promise<number> {
  const selected = Object.values(project.services).filter(
    (s) => o.services.length === 0 || o.services.includes(s.name),
  );
  for (const s of selected) if (!(s.build && s.image) && !o.quiet) o.write(` ${s.name} Skipped \n`);
  const discard = new Writable({ write: (_c, _e, cb) => cb() });
  await eachService(
    selected.filter((s) => s.build && s.image).map((s) => s.name),
    o,
    ['Pushing', 'Pushed'],
    (n) =>
      runPush(ctx.client, ctx.settings, project.services[n]!.image!, {
        allTags: false,
        quiet: true,
        stdout: discard,
      }),
  );
  return 0;
}
