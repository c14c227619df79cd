/**
 * `build:` services: `compose build`, and `up`/`create`/`run` building what they need, as Docker
 * Compose v2 does: an image named `image:` or `<project>-<service>`, built from the service's
 * context, Dockerfile (or dockerfile_inline), args, target and labels by berth's own builder.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { build, RunStepError } from '../build/builder.js';
import { directoryContext } from '../build/context.js';
import { ensureImage } from '../image/ensure.js';
import { NoSuchImageError, resolveLocalImage } from '../image/local.js';
import { parseDockerRef } from '../registry/reference.js';
import { serviceImage } from './convert.js';
import { ComposeError } from './errors.js';
import type { ComposeProject, ServiceConfig } from './model.js';
import type { Ctx } from './runtime.js';

export interface BuildServiceOptions {
  noCache: boolean;
  pull: boolean;
  quiet: boolean;
  /** The builder's step output (stderr for compose, as Compose's progress goes there). */
  out: (s: string) => void;
}

async function dockerfileOf(
  s: ServiceConfig,
  root: string,
): Promise<{ text: string; name: string }> {
  const b = s.build!;
  if (b.dockerfile_inline !== undefined) return { text: b.dockerfile_inline, name: 'Dockerfile' };
  const name = b.dockerfile ?? 'Dockerfile';
  const path = resolve(root, name);
  try {
    return { text: await readFile(path, 'utf8'), name };
  } catch {
    throw new ComposeError(
      `failed to solve: failed to read dockerfile: open ${path}: no such file or directory`,
    );
  }
}

/** Builds one service's image and tags it; returns the image ID. */
export async function buildService(
  ctx: Ctx,
  project: ComposeProject,
  s: ServiceConfig,
  o: BuildServiceOptions,
): Promise<string> {
  const b = s.build;
  if (!b) throw new ComposeError(`service "${s.name}" has no build section`);
  if (/^[a-z]+:\/\//.test(b.context) || b.context.startsWith('git@')) {
    throw new ComposeError(
      `service "${s.name}": berth compose builds from a local directory only, not ${b.context}`,
    );
  }
  const st = await stat(b.context).catch(() => undefined);
  if (!st?.isDirectory()) {
    throw new ComposeError(
      `unable to prepare context: path "${b.context}" not found (service "${s.name}")`,
    );
  }
  const dockerfile = await dockerfileOf(s, b.context);
  const tag = parseDockerRef(serviceImage(project, s)).full;
  const context = await directoryContext(b.context);
  const buffered: string[] = [];
  const steps = o.quiet ? (t: string): void => void buffered.push(t) : o.out;
  if (!o.quiet) ctx.progress(` Service ${s.name}  Building`);
  try {
    const result = await build(ctx.client, ctx.settings, {
      context,
      dockerfile,
      tags: [tag],
      buildArgs: new Map(
        Object.entries(b.args ?? {}).map(([k, v]) => [k, v === null ? undefined : v]),
      ),
      ...(b.target !== undefined ? { target: b.target } : {}),
      noCache: o.noCache,
      pull: o.pull,
      labels: Object.entries(b.labels ?? {}),
      network: 'default',
      addHost: [],
      out: steps,
    });
    if (!o.quiet) ctx.progress(` Service ${s.name}  Built`);
    return result.id;
  } catch (err) {
    if (o.quiet && err instanceof RunStepError) o.out(buffered.join(''));
    throw err;
  } finally {
    await context.dispose();
  }
}

async function haveImage(ctx: Ctx, ref: string): Promise<boolean> {
  try {
    await resolveLocalImage(ctx.client, parseDockerRef(ref).full);
    return true;
  } catch (err) {
    if (err instanceof NoSuchImageError) return false;
    throw err;
  }
}

export interface EnsureBuiltOptions {
  /** `up --build`: build every build: service, even when its image exists. */
  build: boolean;
  /** `up --no-build`: never build (a missing image then fails at create). */
  noBuild: boolean;
  out: (s: string) => void;
}

/**
 * Before containers are made: builds the images of `build:` services that `--build` asks for, or
 * whose image is missing (after a failed pull when `image:` names one, as Compose tries the
 * registry first), or whose pull_policy is `build`. Builds run one after another: the builder
 * itself keeps the machine busy.
 */
export async function ensureBuilt(
  ctx: Ctx,
  project: ComposeProject,
  services: Record<string, ServiceConfig>,
  o: EnsureBuiltOptions,
): Promise<void> {
  if (o.noBuild) return;
  for (const s of Object.values(services)) {
    if (!s.build) continue;
    const image = serviceImage(project, s);
    let needed = o.build || s.pull_policy === 'build';
    if (!needed && !(await haveImage(ctx, image))) {
      needed = true;
      if (s.image && s.pull_policy !== 'never') {
        try {
          await ensureImage(ctx.client, ctx.settings, image, { pull: 'always', quiet: true });
          needed = false;
        } catch {
          /* not in a registry: built below */
        }
      }
    }
    if (needed)
      await buildService(ctx, project, s, {
        noCache: false,
        pull: false,
        quiet: false,
        out: o.out,
      });
  }
}
