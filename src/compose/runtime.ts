/**
 * What the compose verbs share: the project's containers found by their labels, its networks and
 * volumes made or removed, one service's containers converged onto its configuration (created,
 * started, recreated when the config hash changed), and the waits of `depends_on` conditions.
 */
import type { Client } from '../containerd/client.js';
import type { Settings } from '../config/index.js';
import { createContainer } from '../container/create.js';
import { startContainer } from '../container/start.js';
import { stopContainer } from '../container/stop.js';
import { removeContainer } from '../container/remove.js';
import { listTasks, stateFromTask, type ContainerState } from '../container/state.js';
import { findContainer, type Container } from '../container/resolve.js';
import { containerName } from '../labels.js';
import { createNetwork, findNetwork, removeNetworkFile } from '../network/store.js';
import { removeNetworkHost } from '../network/index.js';
import { createVolume, deleteVolumeDir, getVolume } from '../volume/store.js';
import { COMPOSE_LABEL, configHash, containerNameFor, serviceLabels } from './labels.js';
import { ComposeError } from './errors.js';
import type { ComposeProject, ServiceConfig } from './model.js';
import { readHealthState } from '../health/state.js';
import { LABEL } from '../labels.js';
import { containerSpec, serviceImage } from './convert.js';
import { resolveLocalImage } from '../image/local.js';

export interface Ctx {
  client: Client;
  settings: Settings;
  /** Progress lines (` Container x  Started`), on stderr as Compose prints them. */
  progress: (line: string) => void;
}

export interface ProjectContainer {
  c: Container;
  name: string;
  service: string;
  number: number;
  oneoff: boolean;
  state: ContainerState;
}

function projectFilter(project: string): string {
  return `labels."${COMPOSE_LABEL.project}"==${JSON.stringify(project)}`;
}

/** The project's containers (one-off `run` containers only with `oneoff`), by service and number. */
export async function projectContainers(
  client: Client,
  project: string,
  o: { oneoff?: boolean } = {},
): Promise<ProjectContainer[]> {
  const [list, tasks] = await Promise.all([
    client.containers.list({ filters: [projectFilter(project)] }),
    listTasks(client),
  ]);
  return list.containers
    .map((c) => ({
      c,
      name: containerName(c.labels),
      service: c.labels?.[COMPOSE_LABEL.service] ?? '',
      number: Number(c.labels?.[COMPOSE_LABEL.number] ?? 0),
      oneoff: c.labels?.[COMPOSE_LABEL.oneoff] === 'True',
      state: stateFromTask(c, tasks.get(c.id)),
    }))
    .filter((x) => o.oneoff || !x.oneoff)
    .sort((a, b) => a.service.localeCompare(b.service) || a.number - b.number);
}

/** Compose names every project in the namespace: `ls`. */
export async function allProjectContainers(client: Client): Promise<Container[]> {
  return (await client.containers.list({ filters: [`labels."${COMPOSE_LABEL.project}"`] }))
    .containers;
}

export async function ensureNetworks(
  ctx: Ctx,
  project: ComposeProject,
  used: Set<string>,
): Promise<void> {
  for (const [key, n] of Object.entries(project.networks)) {
    if (!used.has(key)) continue;
    const existing = findNetwork(ctx.settings, n.name);
    if (n.external) {
      if (!existing)
        throw new ComposeError(`network ${n.name} declared as external, but could not be found`);
      continue;
    }
    if (existing) continue;
    ctx.progress(` Network ${n.name}  Creating`);
    const ipam = n.ipam?.config?.[0];
    await createNetwork(ctx.settings, {
      name: n.name,
      ...(ipam?.subnet ? { subnet: ipam.subnet } : {}),
      ...(ipam?.gateway ? { gateway: ipam.gateway } : {}),
      ...(ipam?.ip_range ? { ipRange: ipam.ip_range } : {}),
      internal: n.internal === true,
      labels: {
        ...(n.labels ?? {}),
        [COMPOSE_LABEL.project]: project.name,
        [COMPOSE_LABEL.network]: key,
      },
    });
    ctx.progress(` Network ${n.name}  Created`);
  }
}

export async function ensureVolumes(
  ctx: Ctx,
  project: ComposeProject,
  used: Set<string>,
): Promise<void> {
  for (const [key, v] of Object.entries(project.volumes)) {
    if (!used.has(key)) continue;
    const existing = await getVolume(ctx.settings, v.name);
    if (v.external) {
      if (!existing) throw new ComposeError(`external volume "${v.name}" not found`);
      continue;
    }
    if (existing) continue;
    ctx.progress(` Volume "${v.name}"  Creating`);
    await createVolume(ctx.settings, v.name, {
      ...(v.labels ?? {}),
      [COMPOSE_LABEL.project]: project.name,
      [COMPOSE_LABEL.volume]: key,
    });
    ctx.progress(` Volume "${v.name}"  Created`);
  }
}

export async function removeNetworks(ctx: Ctx, project: ComposeProject): Promise<void> {
  for (const n of Object.values(project.networks)) {
    if (n.external) continue;
    const stored = findNetwork(ctx.settings, n.name);
    if (!stored || stored.name !== n.name) continue;
    ctx.progress(` Network ${n.name}  Removing`);
    removeNetworkFile(stored);
    await removeNetworkHost(ctx.settings, stored);
    ctx.progress(` Network ${n.name}  Removed`);
  }
}

export async function removeVolumes(ctx: Ctx, project: ComposeProject): Promise<void> {
  for (const v of Object.values(project.volumes)) {
    if (v.external) continue;
    if (await deleteVolumeDir(ctx.settings, v.name)) {
      ctx.progress(` Volume ${v.name}  Removed`);
    }
  }
}

/** The ID of the service's image if it is here now ('' if it is not, or is to be pulled). */
async function localImageId(ctx: Ctx, project: ComposeProject, s: ServiceConfig): Promise<string> {
  try {
    return (await resolveLocalImage(ctx.client, serviceImage(project, s))).configDigest;
  } catch {
    return '';
  }
}

/** Creates container `n` of `s` (not started). */
export async function createServiceContainer(
  ctx: Ctx,
  project: ComposeProject,
  s: ServiceConfig,
  n: number,
  o: {
    name?: string;
    oneoff?: boolean;
    imageId?: string;
    override?: (spec: ReturnType<typeof containerSpec>) => void;
  } = {},
): Promise<Awaited<ReturnType<typeof createContainer>>> {
  const name = o.name ?? containerNameFor(project.name, s, n);
  const spec = containerSpec(
    project,
    s,
    name,
    serviceLabels(project, s, n, o.oneoff, o.imageId ?? (await localImageId(ctx, project, s))),
  );
  o.override?.(spec);
  ctx.progress(` Container ${name}  Creating`);
  const created = await createContainer(ctx.client, ctx.settings, {
    ...spec.options,
    networkAliases: spec.aliases,
    aliasesByNetwork: spec.aliasesByNetwork,
  });
  ctx.progress(` Container ${name}  Created`);
  return created;
}

export async function startCreated(
  ctx: Ctx,
  created: Awaited<ReturnType<typeof createContainer>>,
): Promise<void> {
  ctx.progress(` Container ${created.name}  Starting`);
  // The same start as `berth start`: under the container's lock, with its networks attached
  // now (they are held only while it runs) and the logger that releases them at exit.
  const c = await findContainer(ctx.client, created.id);
  await startContainer(ctx.client, ctx.settings, c, {});
  await created.settled;
  ctx.progress(` Container ${created.name}  Started`);
}

export async function startExisting(ctx: Ctx, pc: ProjectContainer): Promise<void> {
  ctx.progress(` Container ${pc.name}  Starting`);
  await startContainer(ctx.client, ctx.settings, pc.c, {});
  ctx.progress(` Container ${pc.name}  Started`);
}

export async function stopOne(ctx: Ctx, pc: ProjectContainer, timeout?: number): Promise<void> {
  ctx.progress(` Container ${pc.name}  Stopping`);
  await stopContainer(ctx.client, pc.c, { timeout, settings: ctx.settings });
  ctx.progress(` Container ${pc.name}  Stopped`);
}

export async function removeOne(ctx: Ctx, pc: ProjectContainer, volumes = false): Promise<void> {
  ctx.progress(` Container ${pc.name}  Removing`);
  await removeContainer(ctx.client, ctx.settings, pc.c, { force: true, volumes });
  ctx.progress(` Container ${pc.name}  Removed`);
}

export interface ConvergeOptions {
  forceRecreate: boolean;
  noRecreate: boolean;
  /** Containers of this service that exist now. */
  existing: ProjectContainer[];
  start: boolean;
  /** `up --pull never`: no image is pulled, whatever the service's pull_policy. */
  pull?: 'never';
}

/**
 * Brings service `s` to its configuration: `scale` containers, each kept if its config hash
 * matches (started if stopped), recreated if not, extra ones removed. Returns the containers' names.
 */
export async function convergeService(
  ctx: Ctx,
  project: ComposeProject,
  s: ServiceConfig,
  o: ConvergeOptions,
): Promise<string[]> {
  const scale = s.scale ?? 1;
  const hash = configHash(s);
  const imageId = await localImageId(ctx, project, s);
  // A container made from another image than the service's now (rebuilt, pulled anew) is
  // recreated, as Compose compares com.docker.compose.image; one whose image was unknown when it
  // was made (pulled by its creation) is compared by its config only.
  const sameImage = (x: ProjectContainer): boolean => {
    const had = x.c.labels?.[COMPOSE_LABEL.image] ?? '';
    return !had.startsWith('sha256:') || !imageId || had === imageId;
  };
  const names: string[] = [];
  const work: Promise<void>[] = [];
  for (let n = 1; n <= scale; n++) {
    const have = o.existing.find((x) => x.number === n);
    names.push(have?.name ?? containerNameFor(project.name, s, n));
    work.push(
      (async () => {
        if (
          have &&
          (o.noRecreate ||
            (!o.forceRecreate &&
              have.c.labels?.[COMPOSE_LABEL.configHash] === hash &&
              sameImage(have)))
        ) {
          if (o.start && !have.state.Running) await startExisting(ctx, have);
          else if (o.start) ctx.progress(` Container ${have.name}  Running`);
          return;
        }
        if (have) {
          ctx.progress(` Container ${have.name}  Recreate`);
          await stopContainer(ctx.client, have.c, { settings: ctx.settings });
          await removeContainer(ctx.client, ctx.settings, have.c, { force: true });
          ctx.progress(` Container ${have.name}  Recreated`);
        }
        const created = await createServiceContainer(ctx, project, s, n, {
          imageId,
          ...(o.pull === 'never' ? { override: (spec) => void (spec.options.pull = 'never') } : {}),
        });
        if (o.start) await startCreated(ctx, created);
        else await created.settled;
      })(),
    );
  }
  for (const extra of o.existing.filter((x) => x.number > scale)) work.push(removeOne(ctx, extra));
  const results = await Promise.allSettled(work);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return names;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the dependency's containers meet `condition`, with Docker Compose's messages when
 * they cannot: an unhealthy or exited container for service_healthy, a non-zero exit for
 * service_completed_successfully.
 */
export async function waitCondition(
  ctx: Ctx,
  project: ComposeProject,
  dep: string,
  condition: string,
  timeoutMs = Infinity,
): Promise<void> {
  if (condition === 'service_started') return;
  const end = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    const mine = (await projectContainers(ctx.client, project.name)).filter(
      (x) => x.service === dep,
    );
    if (!announced) {
      for (const x of mine) ctx.progress(` Container ${x.name}  Waiting`);
      announced = true;
    }
    let done = mine.length > 0;
    for (const x of mine) {
      if (condition === 'service_healthy') {
        if (!x.c.labels?.[LABEL.healthcheck]) {
          throw new ComposeError(`container ${x.name} has no healthcheck configured`);
        }
        if (!x.state.Running) {
          throw new ComposeError(
            `dependency failed to start: container ${x.name} exited (${x.state.ExitCode})`,
          );
        }
        const h = readHealthState(x.c.labels?.[LABEL.stateDir]);
        if (h?.Status === 'unhealthy')
          throw new ComposeError(`dependency failed to start: container ${x.name} is unhealthy`);
        if (h?.Status !== 'healthy') done = false;
      } else if (condition === 'service_completed_successfully') {
        if (x.state.Running || x.state.Status === 'created') done = false;
        else if (x.state.ExitCode !== 0) {
          throw new ComposeError(
            `service "${dep}" didn't complete successfully: exit ${x.state.ExitCode}`,
          );
        }
      }
    }
    if (done) {
      for (const x of mine)
        ctx.progress(
          ` Container ${x.name}  ${condition === 'service_healthy' ? 'Healthy' : 'Exited'}`,
        );
      return;
    }
    if (Date.now() > end) throw new ComposeError(`timeout waiting for dependency "${dep}"`);
    await sleep(250);
  }
}
