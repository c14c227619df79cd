/**
 * `compose up` / `create` / `down`: networks and volumes first, then every service in dependency
 * order with independent services in parallel, each waiting on its dependencies' conditions
 * (started, healthy, completed successfully); `down` in reverse.
 */
import { ensureBuilt } from './build.js';
import { serviceImage } from './convert.js';
import { NoSuchImageError } from '../image/local.js';
import { ComposeError } from './errors.js';
import type { PullPolicy } from '../image/ensure.js';
import { pullImages } from './pull.js';
import { graphOf, walk } from './graph.js';
import type { ComposeProject, ServiceConfig } from './model.js';
import { readHealthState } from '../health/state.js';
import { LABEL } from '../labels.js';
import { showLogs } from './logs.js';
import {
  convergeService,
  ensureNetworks,
  ensureVolumes,
  projectContainers,
  removeNetworks,
  removeOne,
  removeVolumes,
  stopOne,
  waitCondition,
  type Ctx,
  type ProjectContainer,
} from './runtime.js';

export interface UpOptions {
  detach: boolean;
  wait: boolean;
  waitTimeoutMs?: number;
  build: boolean;
  noBuild: boolean;
  /** `--pull always|missing|never`, over the services' pull_policy. */
  pull?: string;
  /** Where build and pull progress go (stderr by default). */
  buildOutput?: (s: string) => void;
  forceRecreate: boolean;
  noRecreate: boolean;
  removeOrphans: boolean;
  noDeps: boolean;
  abortOnContainerExit: boolean;
  exitCodeFrom?: string;
  noStart: boolean;
  /** `-t`: seconds to wait when stopping the containers (Ctrl-C, an abort). */
  timeout?: number;
  noColor: boolean;
  noLogPrefix: boolean;
  timestamps: boolean;
  services: string[];
  write: (s: string) => void;
  isTTY: boolean;
}

/** The services `up a b` touches: those named and (unless --no-deps) what they depend on. */
export function selectServices(
  project: ComposeProject,
  names: string[],
  noDeps: boolean,
): Record<string, ServiceConfig> {
  if (names.length === 0) return project.services;
  const out: Record<string, ServiceConfig> = {};
  const add = (n: string): void => {
    const s = project.services[n];
    if (!s) throw new ComposeError(`no such service: ${n}`);
    if (out[n]) return;
    out[n] = s;
    if (!noDeps) for (const d of Object.keys(s.depends_on ?? {})) if (project.services[d]) add(d);
  };
  for (const n of names) add(n);
  return out;
}

function usedResources(services: Record<string, ServiceConfig>): {
  networks: Set<string>;
  volumes: Set<string>;
} {
  const networks = new Set<string>();
  const volumes = new Set<string>();
  for (const s of Object.values(services)) {
    for (const n of Object.keys(s.networks ?? {})) networks.add(n);
    for (const v of s.volumes ?? []) if (v.type === 'volume' && v.source) volumes.add(v.source);
  }
  return { networks, volumes };
}

/** `up --pull`: Compose's three policies, over every service's pull_policy. */
export function pullOverride(v: string | undefined): PullPolicy | undefined {
  if (v === undefined) return undefined;
  if (v === 'always' || v === 'missing' || v === 'never') return v;
  throw new ComposeError(`invalid --pull option "${v}": use always, missing or never`);
}

export async function up(
  ctx: Ctx,
  project: ComposeProject,
  o: UpOptions,
  start = true,
): Promise<number> {
  const services = selectServices(project, o.services, o.noDeps);
  const pull = pullOverride(o.pull);
  const progress = o.buildOutput ?? ((t: string): void => void process.stderr.write(t));
  // Pulls first, then builds what is still missing, as Compose orders them.
  if (pull === 'always')
    await pullImages(ctx, project, {
      services: Object.keys(services),
      quiet: false,
      write: progress,
    });
  await ensureBuilt(ctx, project, services, {
    build: o.build,
    noBuild: o.noBuild,
    out: progress,
  });
  const existing = await projectContainers(ctx.client, project.name);
  const orphans = existing.filter(
    (x) => !project.services[x.service] && !project.disabledServices[x.service],
  );
  if (orphans.length > 0) {
    if (o.removeOrphans) await Promise.all(orphans.map((x) => removeOne(ctx, x)));
    else {
      const names = [...new Set(orphans.map((x) => x.service))].join(', ');
      process.stderr.write(
        `WARN[0000] Found orphan containers ([${orphans.map((x) => x.name).join(' ')}]) for this project. If you removed or renamed this service (${names}) in your compose file, you can run this command with the --remove-orphans flag to clean it up.\n`,
      );
    }
  }
  const used = usedResources(services);
  await ensureNetworks(ctx, project, used.networks);
  await ensureVolumes(ctx, project, used.volumes);

  const graph = graphOf(services);
  await walk(graph, async (name) => {
    const s = services[name]!;
    if (start) {
      for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
        if (!services[dep] || o.noDeps) continue;
        try {
          await waitCondition(ctx, project, dep, d.condition);
        } catch (err) {
          if (d.required === false) {
            process.stderr.write(
              `WARN[0000] optional dependency "${dep}" failed: ${(err as Error).message}\n`,
            );
            continue;
          }
          throw err;
        }
      }
    }
    await convergeService(ctx, project, s, {
      forceRecreate: o.forceRecreate,
      noRecreate: o.noRecreate,
      existing: existing.filter((x) => x.service === name),
      start,
      ...(pull === 'never' ? { pull } : {}),
    });
  });
  if (!start) return 0;

  if (o.wait) {
    await waitAll(ctx, project, Object.keys(services), o.waitTimeoutMs);
    return 0;
  }
  if (o.detach) return 0;
  return attachLogs(ctx, project, services, o);
}

/** `up --wait`: every container running, and healthy when it has a health check. */
async function waitAll(
  ctx: Ctx,
  project: ComposeProject,
  names: string[],
  timeoutMs?: number,
): Promise<void> {
  const end = timeoutMs ? Date.now() + timeoutMs : Infinity;
  for (;;) {
    const mine = (await projectContainers(ctx.client, project.name)).filter((x) =>
      names.includes(x.service),
    );
    let ready = true;
    for (const x of mine) {
      if (!x.state.Running) {
        if (
          x.state.Status === 'exited' &&
          x.state.ExitCode === 0 &&
          dependedOnToComplete(project, x.service)
        )
          continue;
        throw new ComposeError(`container ${x.name} exited (${x.state.ExitCode})`);
      }
      if (x.c.labels?.[LABEL.healthcheck]) {
        const h = readHealthState(x.c.labels?.[LABEL.stateDir]);
        if (h?.Status === 'unhealthy') throw new ComposeError(`container ${x.name} is unhealthy`);
        if (h?.Status !== 'healthy') ready = false;
      }
    }
    if (ready) {
      for (const x of mine)
        ctx.progress(
          ` Container ${x.name}  ${x.c.labels?.[LABEL.healthcheck] ? 'Healthy' : 'Running'}`,
        );
      return;
    }
    if (Date.now() > end) throw new ComposeError(`timeout waiting for the services to be healthy`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function dependedOnToComplete(project: ComposeProject, service: string): boolean {
  return Object.values(project.services).some(
    (s) => s.depends_on?.[service]?.condition === 'service_completed_successfully',
  );
}

/** Foreground `up`: prefixed logs until every container exits, Ctrl-C stopping them all. */
async function attachLogs(
  ctx: Ctx,
  project: ComposeProject,
  services: Record<string, ServiceConfig>,
  o: UpOptions,
): Promise<number> {
  const containers = (await projectContainers(ctx.client, project.name)).filter(
    (x) => services[x.service],
  );
  let interrupted = false;
  let aborted = false;
  const exitCodes = new Map<string, number>();
  const onInt = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('Gracefully stopping... (press Ctrl+C again to force)\n');
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onInt);
  try {
    await showLogs(containers, {
      follow: true,
      timestamps: o.timestamps,
      color: o.isTTY && !o.noColor,
      prefix: !o.noLogPrefix,
      write: o.write,
      stop: () => interrupted || aborted,
      onExit: async (pc) => {
        const now = (await projectContainers(ctx.client, project.name)).find(
          (x) => x.c.id === pc.c.id,
        );
        if (now && now.state.Running) return undefined;
        const code = now?.state.ExitCode ?? 0;
        exitCodes.set(pc.service, code);
        o.write(`${pc.service}-${pc.number} exited with code ${code}\n`);
        if (o.abortOnContainerExit || (o.exitCodeFrom && o.exitCodeFrom === pc.service))
          aborted = true;
        return code;
      },
    });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onInt);
  }
  if (interrupted || aborted) {
    if (aborted) o.write('Aborting on container exit...\n');
    await stopServices(ctx, project, services, o.timeout);
  }
  if (o.exitCodeFrom) return exitCodes.get(o.exitCodeFrom) ?? 0;
  if (aborted) return [...exitCodes.values()].find((c) => c !== 0) ?? 0;
  return interrupted ? 130 : 0;
}

export async function stopServices(
  ctx: Ctx,
  project: ComposeProject,
  services: Record<string, ServiceConfig>,
  timeout?: number,
  filter: (x: ProjectContainer) => boolean = () => true,
): Promise<void> {
  const all = await projectContainers(ctx.client, project.name);
  await walk(
    graphOf(services),
    async (name) => {
      await Promise.all(
        all
          .filter((x) => x.service === name && x.state.Running && filter(x))
          .map((x) => stopOne(ctx, x, timeout)),
      );
    },
    true,
  );
}

export interface DownOptions {
  volumes: boolean;
  removeOrphans: boolean;
  timeout?: number;
  rmi?: string;
}

export async function down(ctx: Ctx, project: ComposeProject, o: DownOptions): Promise<void> {
  rmiMode(o.rmi);
  const all = await projectContainers(ctx.client, project.name, { oneoff: true });
  const known = { ...project.services, ...project.disabledServices };
  const services: Record<string, ServiceConfig> = {};
  for (const x of all) if (known[x.service]) services[x.service] = known[x.service]!;
  await walk(
    graphOf(services),
    async (name) => {
      await Promise.all(
        all
          .filter((x) => x.service === name)
          .map(async (x) => {
            if (x.state.Running) await stopOne(ctx, x, o.timeout);
            await removeOne(ctx, x, o.volumes);
          }),
      );
    },
    true,
  );
  const orphans = all.filter((x) => !known[x.service]);
  if (o.removeOrphans) await Promise.all(orphans.map((x) => removeOne(ctx, x, o.volumes)));
  await removeNetworks(ctx, project);
  if (o.volumes) await removeVolumes(ctx, project);
  if (o.rmi) await removeImages(ctx, project, o.rmi);
}

/**
 * `down --rmi local|all`: the images of the project's services (`local`: only those Compose named
 * itself, `<project>-<service>`, for services without `image:`). One that is missing or still
 * used elsewhere is reported and left, as Compose does.
 */
async function removeImages(ctx: Ctx, project: ComposeProject, mode: string): Promise<void> {
  const refs = new Set<string>();
  for (const s of Object.values({ ...project.services, ...project.disabledServices })) {
    if (mode === 'local' && s.image) continue;
    if (!s.image && !s.build) continue;
    refs.add(serviceImage(project, s));
  }
  if (refs.size === 0) return;
  const { loadImageState, removeImage } = await import('../image/remove.js');
  const state = await loadImageState(ctx.client);
  for (const ref of refs) {
    try {
      ctx.progress(` Image ${ref}  Removing`);
      await removeImage(ctx.client, state, ref, { force: false, onLine: () => undefined });
      ctx.progress(` Image ${ref}  Removed`);
    } catch (err) {
      if (err instanceof NoSuchImageError) continue;
      ctx.progress(` Image ${ref}  Error ${(err as Error).message}`);
    }
  }
}

/** `--rmi`'s two values, checked before anything is stopped. */
export function rmiMode(v: string | undefined): string | undefined {
  if (v === undefined || v === 'local' || v === 'all') return v;
  throw new ComposeError(`invalid value for --rmi: "${v}"`);
}
