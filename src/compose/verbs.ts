/**
 * The compose verbs other than up/down: ps, ls, logs, start/stop/restart/kill/rm, pause/unpause,
 * port, images, exec and run, each over the project's containers found by their labels.
 */
import { randomBytes } from 'node:crypto';
import { ComposeError } from './errors.js';
import { graphOf, walk } from './graph.js';
import { COMPOSE_LABEL } from './labels.js';
import type { ComposeProject } from './model.js';
import { statusText } from '../container/state.js';
import { specOf, portsOf, displayImage } from '../container/labels.js';
import { signalTask } from '../container/stop.js';
import { execInContainer } from '../container/exec.js';
import { runContainer } from '../container/run.js';
import { topContainer } from '../container/top.js';
import { commandText, displayablePorts } from '../formatter/container.js';
import { ellipsis } from '../formatter/text.js';
import { formatAge } from '../formatter/units.js';
import { tabwrite } from '../formatter/tabwriter.js';
import { parseSignal } from '../opts/container-parsers.js';
import { containerNameFor, oneoffNameFor, serviceLabels } from './labels.js';
import { containerSpec } from './convert.js';
import { showLogs } from './logs.js';
import {
  allProjectContainers,
  ensureNetworks,
  ensureVolumes,
  projectContainers,
  startExisting,
  stopOne,
  type Ctx,
  type ProjectContainer,
} from './runtime.js';
import { selectServices } from './up.js';

/** A table as docker/cli's tabwriter lays it out. */
function renderTable(header: string[], rows: string[][]): string {
  return tabwrite([header, ...rows].map((r) => `${r.join('\t')}\n`).join(''));
}

function pick(all: ProjectContainer[], services: string[]): ProjectContainer[] {
  return services.length === 0 ? all : all.filter((x) => services.includes(x.service));
}

export interface PsOptions {
  all: boolean;
  quiet: boolean;
  services: boolean;
  status: string[];
  format?: string;
  names: string[];
}

export async function ps(ctx: Ctx, project: ComposeProject, o: PsOptions): Promise<string> {
  if (o.services) {
    const names = Object.keys(project.services).filter(
      (n) => o.names.length === 0 || o.names.includes(n),
    );
    return names.map((n) => `${n}\n`).join('');
  }
  let rows = pick(await projectContainers(ctx.client, project.name), o.names);
  if (!o.all) rows = rows.filter((x) => x.state.Running);
  if (o.status.length) rows = rows.filter((x) => o.status.includes(x.state.Status));
  if (o.quiet) return rows.map((x) => `${x.c.id}\n`).join('');
  const now = Date.now();
  const data = rows.map((x) => ({
    ID: x.c.id,
    Name: x.name,
    Image: displayImage(x.c),
    Command: `"${ellipsis(commandText(specOf(x.c).process?.args ?? []), 20)}"`,
    Project: project.name,
    Service: x.service,
    RunningFor: formatAge(new Date(Number(x.c.created_at?.seconds ?? 0) * 1000), now),
    Status: statusText(x.state, now),
    State: x.state.Status,
    Health: x.state.Health ?? '',
    ExitCode: x.state.ExitCode,
    Ports: x.state.Running ? displayablePorts(portsOf(x.c.labels)) : '',
  }));
  if (o.format === 'json') return data.map((d) => `${JSON.stringify(d)}\n`).join('');
  if (o.format !== undefined && o.format !== 'table') {
    const { renderTemplate, unescapeFormat } = await import('../formatter/template.js');
    const src = unescapeFormat(o.format.replace(/^table\s+/, ''));
    return data.map((d) => `${renderTemplate(src, d)}\n`).join('');
  }
  return renderTable(
    ['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'],
    data.map((d) => [d.Name, d.Image, d.Command, d.Service, d.RunningFor, d.Status, d.Ports]),
  );
}

/** `compose ls`: projects in the namespace, with their states and files. */
export async function ls(
  ctx: Ctx,
  o: { all: boolean; quiet: boolean; format?: string },
): Promise<string> {
  const { listTasks, stateFromTask } = await import('../container/state.js');
  const [containers, tasks] = await Promise.all([
    allProjectContainers(ctx.client),
    listTasks(ctx.client),
  ]);
  const projects = new Map<
    string,
    { states: Map<string, number>; files: string; running: number }
  >();
  for (const c of containers) {
    const name = c.labels?.[COMPOSE_LABEL.project] ?? '';
    const p = projects.get(name) ?? {
      states: new Map(),
      files: c.labels?.[COMPOSE_LABEL.configFiles] ?? '',
      running: 0,
    };
    const st = stateFromTask(c, tasks.get(c.id)).Status;
    p.states.set(st, (p.states.get(st) ?? 0) + 1);
    if (st === 'running') p.running += 1;
    projects.set(name, p);
  }
  const rows = [...projects.entries()]
    .filter(([, p]) => o.all || p.running > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, p]) => ({
      Name: name,
      Status: [...p.states.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([s, n]) => `${s}(${n})`)
        .join(', '),
      ConfigFiles: p.files,
    }));
  if (o.quiet) return rows.map((r) => `${r.Name}\n`).join('');
  if (o.format === 'json') return `${JSON.stringify(rows)}\n`;
  return renderTable(
    ['NAME', 'STATUS', 'CONFIG FILES'],
    rows.map((r) => [r.Name, r.Status, r.ConfigFiles]),
  );
}

export interface LogsOptions {
  follow: boolean;
  tail?: number;
  timestamps: boolean;
  noColor: boolean;
  noLogPrefix: boolean;
  services: string[];
  write: (s: string) => void;
  isTTY: boolean;
}

export async function logs(ctx: Ctx, project: ComposeProject, o: LogsOptions): Promise<void> {
  const containers = pick(await projectContainers(ctx.client, project.name), o.services);
  let stop = false;
  const onInt = (): void => {
    stop = true;
  };
  process.once('SIGINT', onInt);
  try {
    await showLogs(containers, {
      follow: o.follow,
      tail: o.tail,
      timestamps: o.timestamps,
      color: o.isTTY && !o.noColor,
      prefix: !o.noLogPrefix,
      write: o.write,
      stop: () => stop,
      onExit: async (pc) => {
        const now = (await projectContainers(ctx.client, project.name)).find(
          (x) => x.c.id === pc.c.id,
        );
        return now?.state.Running ? undefined : (now?.state.ExitCode ?? 0);
      },
    });
  } finally {
    process.off('SIGINT', onInt);
  }
}

export type Lifecycle = 'start' | 'stop' | 'restart' | 'kill' | 'rm' | 'pause' | 'unpause';

export interface LifecycleOptions {
  services: string[];
  timeout?: number;
  signal?: string;
  force?: boolean;
  volumes?: boolean;
  stopFirst?: boolean;
}

export async function lifecycle(
  ctx: Ctx,
  project: ComposeProject,
  verb: Lifecycle,
  o: LifecycleOptions,
): Promise<void> {
  const all = pick(await projectContainers(ctx.client, project.name), o.services);
  const services = selectServices(
    project,
    o.services.filter((s) => project.services[s]),
    true,
  );
  const byService = (name: string): ProjectContainer[] => all.filter((x) => x.service === name);
  const reverse = verb === 'stop' || verb === 'kill' || verb === 'rm' || verb === 'pause';
  await walk(
    graphOf(services),
    async (name) => {
      await Promise.all(
        byService(name).map(async (x) => {
          switch (verb) {
            case 'start':
              if (!x.state.Running) await startExisting(ctx, x);
              break;
            case 'stop':
              if (x.state.Running) await stopOne(ctx, x, o.timeout);
              break;
            case 'restart':
              ctx.progress(` Container ${x.name}  Restarting`);
              if (x.state.Running) await stopOne(ctx, x, o.timeout);
              await startExisting(ctx, x);
              break;
            case 'kill':
              if (!x.state.Running) return;
              ctx.progress(` Container ${x.name}  Killing`);
              await signalTask(ctx.client, x.c.id, parseSignal(o.signal ?? 'SIGKILL'));
              ctx.progress(` Container ${x.name}  Killed`);
              break;
            case 'pause':
              if (!x.state.Running || x.state.Paused) return;
              ctx.progress(` Container ${x.name}  Pausing`);
              await ctx.client.tasks.pause({ container_id: x.c.id });
              ctx.progress(` Container ${x.name}  Paused`);
              break;
            case 'unpause':
              if (!x.state.Paused) return;
              ctx.progress(` Container ${x.name}  Unpausing`);
              await ctx.client.tasks.resume({ container_id: x.c.id });
              ctx.progress(` Container ${x.name}  Unpaused`);
              break;
            case 'rm': {
              if (x.state.Running && !o.stopFirst) return;
              if (x.state.Running) await stopOne(ctx, x, o.timeout);
              const { removeOne } = await import('./runtime.js');
              await removeOne(ctx, x, o.volumes);
              break;
            }
          }
        }),
      );
    },
    reverse,
  );
  if (verb === 'rm' && all.filter((x) => !x.state.Running || o.stopFirst).length === 0) {
    process.stderr.write('No stopped containers\n');
  }
}

export async function port(
  ctx: Ctx,
  project: ComposeProject,
  o: { service: string; port: string; protocol: string; index: number },
): Promise<string> {
  const x = (await projectContainers(ctx.client, project.name)).find(
    (c) => c.service === o.service && c.number === o.index,
  );
  if (!x) throw new ComposeError(`service "${o.service}" is not running`);
  const target = Number(o.port);
  const b = portsOf(x.c.labels).find(
    (p) => Number(p.ContainerPort) === target && (p.Protocol ?? 'tcp') === o.protocol,
  );
  if (!b)
    throw new ComposeError(`no port ${o.port}/${o.protocol} for container ${x.name}: ${x.name}`);
  return `${b.HostIp || '0.0.0.0'}:${b.HostPort}\n`;
}

export async function images(
  ctx: Ctx,
  project: ComposeProject,
  o: { quiet: boolean; services: string[] },
): Promise<string> {
  const rows = pick(await projectContainers(ctx.client, project.name), o.services);
  if (o.quiet) return [...new Set(rows.map((x) => x.c.image))].map((i) => `${i}\n`).join('');
  return renderTable(
    ['CONTAINER', 'REPOSITORY', 'TAG'],
    rows.map((x) => {
      const ref = displayImage(x.c);
      const i = ref.lastIndexOf(':');
      const slash = ref.lastIndexOf('/');
      return i > slash ? [x.name, ref.slice(0, i), ref.slice(i + 1)] : [x.name, ref, 'latest'];
    }),
  );
}

/**
 * `compose top`: each running container's processes, as Compose prints them: the container's
 * name, then its `ps -ef` rows in a table, then a blank line.
 */
export async function top(
  ctx: Ctx,
  project: ComposeProject,
  o: { services: string[] },
): Promise<string> {
  const rows = pick(await projectContainers(ctx.client, project.name), o.services).filter(
    (x) => x.state.Running,
  );
  let out = '';
  for (const x of rows.sort((a, b) => a.name.localeCompare(b.name))) {
    const t = await topContainer(ctx.client, x.c, []);
    const lines = [t.Titles, ...t.Processes].map((r) => `${r.join('\t')}\n`).join('');
    out += `${x.name}\n${tabwrite(lines, { minwidth: 4, tabwidth: 1, padding: 2, padchar: ' ' })}\n`;
  }
  return out;
}

export interface ExecOptions {
  service: string;
  args: string[];
  index: number;
  env: string[];
  workdir?: string;
  user?: string;
  noTty: boolean;
  detach: boolean;
  privileged: boolean;
}

export async function exec(ctx: Ctx, project: ComposeProject, o: ExecOptions): Promise<number> {
  if (!project.services[o.service]) throw new ComposeError(`no such service: ${o.service}`);
  const x = (await projectContainers(ctx.client, project.name)).find(
    (c) => c.service === o.service && c.number === o.index,
  );
  if (!x || !x.state.Running) throw new ComposeError(`service "${o.service}" is not running`);
  const tty = !o.noTty && process.stdin.isTTY === true;
  return execInContainer(ctx.client, x.c, {
    args: o.args,
    interactive: tty,
    tty,
    detach: o.detach,
    env: o.env,
    envFile: [],
    workdir: o.workdir,
    user: o.user,
    privileged: o.privileged,
  });
}

export interface RunOptions {
  service: string;
  args: string[];
  rm: boolean;
  detach: boolean;
  env: string[];
  entrypoint?: string;
  name?: string;
  noDeps: boolean;
  noTty: boolean;
  workdir?: string;
  user?: string;
  publish: boolean;
}

/** `compose run`: a one-off container of the service, its dependencies up first. */
export async function run(
  ctx: Ctx,
  project: ComposeProject,
  o: RunOptions,
  startDeps: (names: string[]) => Promise<void>,
): Promise<number> {
  const s = project.services[o.service];
  if (!s) throw new ComposeError(`no such service: ${o.service}`);
  const deps = Object.keys(s.depends_on ?? {}).filter((d) => project.services[d]);
  if (!o.noDeps && deps.length > 0) await startDeps(deps);
  const used = {
    networks: new Set(Object.keys(s.networks ?? {})),
    volumes: new Set(
      (s.volumes ?? []).flatMap((v) => (v.type === 'volume' && v.source ? [v.source] : [])),
    ),
  };
  await ensureNetworks(ctx, project, used.networks);
  await ensureVolumes(ctx, project, used.volumes);
  const name = o.name ?? oneoffNameFor(project.name, s.name, randomBytes(6).toString('hex'));
  // A one-off has its own command and no published ports unless --service-ports.
  const svc = {
    ...s,
    ...(o.args.length ? { command: o.args } : {}),
    ...(o.entrypoint !== undefined
      ? { entrypoint: o.entrypoint === '' ? [] : [o.entrypoint] }
      : {}),
    ...(o.publish ? {} : { ports: [] }),
    ...(o.workdir ? { working_dir: o.workdir } : {}),
    ...(o.user ? { user: o.user } : {}),
  };
  void containerNameFor;
  const spec = containerSpec(project, svc, name, serviceLabels(project, s, 1, true));
  spec.options.env = [...spec.options.env, ...o.env];
  const tty = !o.noTty && process.stdin.isTTY === true;
  spec.options.tty = tty;
  spec.options.interactive = !o.detach;
  spec.options.autoRemove = o.rm;
  spec.options.restart = { name: 'no', maximumRetryCount: 0 };
  return runContainer(ctx.client, ctx.settings, {
    create: {
      ...spec.options,
      networkAliases: spec.aliases,
      aliasesByNetwork: spec.aliasesByNetwork,
    },
    detach: o.detach,
    sigProxy: true,
    attach: [],
  });
}
