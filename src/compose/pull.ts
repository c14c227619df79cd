/** `compose pull`: every service's image, pulled in parallel (` web Pulling` / ` web Pulled`). */
import { ensureImage } from '../image/ensure.js';
import { ComposeError } from './errors.js';
import type { ComposeProject } from './model.js';
import type { Ctx } from './runtime.js';

export async function pullPush(
  ctx: Ctx,
  project: ComposeProject,
  verb: 'pull' | 'push',
  o: { services: string[]; quiet: boolean; write: (s: string) => void },
): Promise<number> {
  if (verb === 'push') {
    throw new ComposeError(
      'berth compose push is not supported yet: push each image with berth push',
    );
  }
  const services = Object.values(project.services).filter(
    (s) => s.image && (o.services.length === 0 || o.services.includes(s.name)),
  );
  const results = await Promise.allSettled(
    services.map(async (s) => {
      if (!o.quiet) o.write(` ${s.name} Pulling \n`);
      await ensureImage(ctx.client, ctx.settings, s.image!, { pull: 'always', quiet: true });
      if (!o.quiet) o.write(` ${s.name} Pulled \n`);
    }),
  );
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return 0;
}
