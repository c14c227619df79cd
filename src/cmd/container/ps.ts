/**
 * `ps` / `container ls`: docker/cli's container listing from one Containers.List and one
 * Tasks.List (never a call per container, so vanished containers and hung shims cannot break it).
 */
import type { Client } from '../../containerd/client.js';
import { GrpcCode, ContainerdError, NotFoundError } from '../../containerd/errors.js';
import { specProcessArgs } from '../../containerd/helpers.js';
import { DaemonError } from '../../errors.js';
import { criListing, isSandbox } from '../../cri/index.js';
import { goUnixTimeString } from '../../formatter/gofmt.js';
import { formatAge, humanSizeWithPrecision } from '../../formatter/units.js';
import {
  CRI_LABEL,
  LABEL,
  NERDCTL_LABEL,
  containerName,
  networksFromLabels,
  withEmptyLabels,
} from '../../labels.js';
import { familiarString, parseDockerRef } from '../../registry/reference.js';
import { labelMatches, parseFilterFlags } from '../../filters.js';
import { imageConfigDigest } from '../../container/image.js';
import { displayImage, mountsOf, portsOf, userLabels } from '../../container/labels.js';
import type { Container } from '../../container/resolve.js';
import { commandText, displayablePorts, goQuoteString } from '../../formatter/container.js';
import {
  createdAt,
  healthOf,
  listTasks,
  stateFromTask,
  statusText,
  type ContainerState,
  type Task,
} from '../../container/state.js';
import { ellipsis, truncateId } from '../../formatter/text.js';

/** The minimal OCI spec shape read here. */
/** One `ps` row: docker/cli's ContainerContext (fields are getters, computed only when used). */
export class ContainerRow {
  constructor(
    readonly container: Container,
    readonly state: ContainerState,
    private readonly trunc: boolean,
    private readonly now: number,
    private readonly sizes?: { rw: number; rootFs: number },
    /** The spec's process.args, when the listing read them and let the spec go. */
    private readonly args?: string[],
  ) {}

  private processArgs(): string[] {
    if (this.args) return this.args;
    const spec = this.container.spec;
    if (!spec?.value || spec.value.length === 0) return [];
    try {
      return specProcessArgs(spec) ?? [];
    } catch {
      return [];
    }
  }

  get ID(): string {
    return truncateId(this.container.id, !this.trunc);
  }

  get Names(): string {
    return containerName(this.container.labels);
  }

  get Image(): string {
    return displayImage(this.container);
  }

  get Command(): string {
    const cmd = commandText(this.processArgs());
    return goQuoteString(this.trunc ? ellipsis(cmd, 20) : cmd);
  }

  get CreatedAt(): string {
    return goUnixTimeString(createdAt(this.container));
  }

  get RunningFor(): string {
    return formatAge(createdAt(this.container), this.now);
  }

  get Ports(): string {
    // Docker has port bindings only while the container runs.
    if (!this.state.Running || this.state.Restarting) return '';
    return displayablePorts(portsOf(this.container.labels));
  }

  get State(): string {
    return this.state.Status;
  }

  get Status(): string {
    return statusText(this.state, this.now);
  }

  get Size(): string {
    const rw = this.sizes?.rw ?? 0;
    const root = this.sizes?.rootFs ?? 0;
    const srw = humanSizeWithPrecision(rw, 3);
    return root > 0 ? `${srw} (virtual ${humanSizeWithPrecision(root, 3)})` : srw;
  }

  get Labels(): string {
    return Object.entries(userLabels(this.container.labels))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  }

  Label(name: unknown): string {
    return withEmptyLabels(this.container.labels)[String(name)] ?? '';
  }

  get Mounts(): string {
    return mountsOf(this.container.labels)
      .map((m) => {
        const name = m.Name || m.Source || '';
        return this.trunc ? ellipsis(name, 15) : name;
      })
      .join(',');
  }

  get LocalVolumes(): string {
    return String(mountsOf(this.container.labels).filter((m) => m.Type === 'volume').length);
  }

  get Networks(): string {
    return networksFromLabels(this.container.labels).join(',');
  }

  get Platform(): string {
    return this.container.labels?.[LABEL.platform] ?? '';
  }

  /** `--format json`: every field, as docker/cli marshals the context. */
  toJSON(): Record<string, string> {
    return {
      Command: this.Command,
      CreatedAt: this.CreatedAt,
      ID: this.ID,
      Image: this.Image,
      Labels: this.Labels,
      LocalVolumes: this.LocalVolumes,
      Mounts: this.Mounts,
      Names: this.Names,
      Networks: this.Networks,
      Ports: this.Ports,
      RunningFor: this.RunningFor,
      Size: this.Size,
      State: this.State,
      Status: this.Status,
    };
  }
}

export const PS_HEADERS: Readonly<Record<string, string>> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Label: 'LABEL',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Platform: 'PLATFORM',
};

export const PS_DEFAULT_FORMAT =
  'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
export const PS_SIZE_FORMAT = `${PS_DEFAULT_FORMAT}\t{{.Size}}`;

export interface PsOptions {
  all?: boolean;
  /** `-n`: the last N created (any state); -1 = unset. */
  last?: number;
  latest?: boolean;
  size?: boolean;
  noTrunc?: boolean;
  filters?: string[];
  /** List CRI's pod sandboxes too (hidden by default, as kubelet's plumbing). */
  kubeSandboxes?: boolean;
  /** Deadline for Tasks.List (a hung shim). */
  tasksTimeoutMs?: number;
}

const STATUSES = new Set([
  'created',
  'restarting',
  'running',
  'removing',
  'paused',
  'exited',
  'dead',
]);

/** Parses `-f key=value` flags into key -> values (Docker ORs values of a key, ANDs keys). */
export function parseFilters(list: readonly string[]): Map<string, string[]> {
  return parseFilterFlags(list, {
    keys: [
      'id',
      'name',
      'label',
      'status',
      'exited',
      'ancestor',
      'before',
      'since',
      'volume',
      'network',
      'health',
    ],
    values: {
      status: (v) => STATUSES.has(v),
      exited: (v) => /^-?\d+$/.test(v),
      health: (v) => ['starting', 'healthy', 'unhealthy', 'none'].includes(v),
    },
  });
}

/** Go's regexp.MatchString as Docker's filters use it; an invalid pattern matches nothing. */
function regexMatch(pattern: string, s: string): boolean {
  try {
    return new RegExp(pattern).test(s);
  } catch {
    return s === pattern;
  }
}

/** The hex of an `ancestor=` value that can be an image ID or prefix, as Docker's image lookup reads it. */
function imageIdHex(value: string): string | undefined {
  return /^(?:sha256:)?([0-9a-f]{4,64})$/.exec(value)?.[1];
}

function imageKey(c: Container): string {
  return `${c.image}\0${c.labels?.[LABEL.platform] ?? ''}`;
}

/**
 * `ancestor=` values that are image IDs (or unique ID prefixes) mapped to the full ID, from the
 * IDs of the images the containers use: each distinct image's config is read once, and only
 * when some value can be an ID. A prefix of several IDs is Docker's lookup error, so matches none.
 */
async function ancestorImageIds(
  client: Client,
  containers: readonly Container[],
  values: readonly string[],
): Promise<{ ids: Map<string, string>; byValue: Map<string, string> }> {
  const ids = new Map<string, string>();
  const byValue = new Map<string, string>();
  const hexes = values.flatMap((v) => {
    const hex = imageIdHex(v);
    return hex ? [[v, hex] as const] : [];
  });
  if (hexes.length === 0) return { ids, byValue };
  const distinct = new Map<string, Container>();
  for (const c of containers) if (c.image) distinct.set(imageKey(c), c);
  await Promise.all(
    [...distinct].map(async ([key, c]) => {
      const id = await imageConfigDigest(client, c.image, c.labels?.[LABEL.platform]).catch(
        () => '',
      );
      if (id) ids.set(key, id);
    }),
  );
  const known = new Set(ids.values());
  for (const [v, hex] of hexes) {
    const hits = [...known].filter((id) => id.startsWith(`sha256:${hex}`));
    if (hits.length === 1) byValue.set(v, hits[0]!);
  }
  return { ids, byValue };
}

function ancestorMatches(
  c: Container,
  value: string,
  imageIds: { ids: Map<string, string>; byValue: Map<string, string> },
): boolean {
  const candidates = new Set<string>([c.image, displayImage(c)]);
  if (candidates.has(value)) return true;
  const id = imageIds.byValue.get(value);
  if (id !== undefined && imageIds.ids.get(imageKey(c)) === id) return true;
  try {
    const want = parseDockerRef(value);
    const wantStr = familiarString(want);
    for (const cand of candidates) {
      if (!cand) continue;
      try {
        if (familiarString(parseDockerRef(cand)) === wantStr) return true;
      } catch {
        // not a reference
      }
    }
  } catch {
    // value is not a reference: maybe an image ID prefix
  }
  return false;
}

/** A container as `ps` keeps it: the record without its spec, and the spec's command. */
interface Listed {
  c: Container;
  args: string[];
}

function listed(c: Container): Listed {
  let args: string[] = [];
  if (c.spec?.value && c.spec.value.length > 0) {
    try {
      args = specProcessArgs(c.spec) ?? [];
    } catch {
      // An unreadable spec shows an empty command, as before.
    }
  }
  // The spec (kilobytes each), the runtime's options and the extensions are views into the
  // reply's bytes, which any one of them would keep whole; ps reads none of them.
  const runtime = c.runtime ? { name: c.runtime.name, options: null } : null;
  return { c: { ...c, spec: null, runtime, extensions: {} }, args };
}

/**
 * All containers of the namespace: one Containers.List reply (a single call is faster than
 * ListStream's message per container), or the stream when the reply would exceed 16 MiB.
 */
async function allContainers(client: Client): Promise<Listed[]> {
  try {
    return (await client.containers.list({ filters: [] })).containers.map(listed);
  } catch (err) {
    if (!(err instanceof ContainerdError && err.code === 8 /* RESOURCE_EXHAUSTED */)) throw err;
  }
  const out: Listed[] = [];
  for await (const m of client.containers.listStream({ filters: [] })) {
    if (m.container) out.push(listed(m.container));
  }
  return out;
}

async function snapshotSizes(
  client: Client,
  c: Container,
): Promise<{ rw: number; rootFs: number } | undefined> {
  if (!c.snapshot_key) return undefined;
  const snapshotter = c.snapshotter || 'overlayfs';
  try {
    const rw = Number((await client.snapshots.usage({ snapshotter, key: c.snapshot_key })).size);
    let total = rw;
    let parent =
      (await client.snapshots.stat({ snapshotter, key: c.snapshot_key })).info?.parent ?? '';
    while (parent) {
      total += Number((await client.snapshots.usage({ snapshotter, key: parent })).size);
      parent = (await client.snapshots.stat({ snapshotter, key: parent })).info?.parent ?? '';
    }
    return { rw, rootFs: total };
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** The rows `ps` prints, newest first, filtered as Docker does. */
export async function listContainerRows(
  client: Client,
  opts: PsOptions = {},
): Promise<ContainerRow[]> {
  const filters = parseFilters(opts.filters ?? []);
  const [all, tasks] = await Promise.all([
    allContainers(client),
    listTasks(client, opts.tasksTimeoutMs ?? 10_000).catch((err: unknown) => {
      if (err instanceof ContainerdError && err.code === GrpcCode.DEADLINE_EXCEEDED) {
        process.stderr.write(
          'WARNING: containerd did not list tasks in time; container states are unknown\n',
        );
        return new Map<string, Task>();
      }
      throw err;
    }),
  ]);
  const now = Date.now();
  const trunc = !opts.noTrunc;

  // CRI keeps what containerd forgets (an exited container's code) and owns sandboxes and attempts.
  const live = (id: string): boolean => (tasks.get(id)?.status ?? 'STOPPED') !== 'STOPPED';
  const containers = all.map((l) => l.c);
  const cri = await criListing(client, containers, live);
  const wantSandboxes =
    opts.kubeSandboxes === true ||
    (filters.get('label') ?? []).includes(`${CRI_LABEL.kind}=sandbox`);
  let items = all
    .filter(({ c }) => wantSandboxes || !isSandbox(c.labels))
    .map(({ c, args }) => ({
      c,
      args,
      state: cri?.states.get(c.id) ?? stateFromTask(c, tasks.get(c.id)),
      created: createdAt(c).getTime(),
    }))
    .sort((a, b) => b.created - a.created || (a.c.id < b.c.id ? -1 : 1));

  // before/since are relative to the named containers' creation times.
  const refTime = (ref: string, key: string): number => {
    const hit = items.find(
      (i) =>
        i.c.id === ref ||
        containerName(i.c.labels) === ref ||
        (ref.length >= 1 && i.c.id.startsWith(ref)),
    );
    if (!hit) throw new DaemonError(`No such container: ${ref}`);
    void key;
    return hit.created;
  };
  const imageIds = await ancestorImageIds(client, containers, filters.get('ancestor') ?? []);
  const before = filters.get('before')?.map((r) => refTime(r, 'before'));
  const since = filters.get('since')?.map((r) => refTime(r, 'since'));

  items = items.filter(({ c, state, created }) => {
    const labels = withEmptyLabels(c.labels);
    const name = containerName(labels);
    for (const [key, values] of filters) {
      let ok: boolean;
      switch (key) {
        case 'id':
          ok = values.some((v) => regexMatch(v, c.id));
          break;
        case 'name':
          ok = values.some((v) => regexMatch(v, name) || regexMatch(v, `/${name}`));
          break;
        case 'label':
          ok = values.every((v) => labelMatches(labels, v));
          break;
        case 'status':
          ok = values.includes(state.Status);
          break;
        case 'exited':
          ok = state.Status === 'exited' && values.some((v) => Number(v) === state.ExitCode);
          break;
        case 'ancestor':
          ok = values.some((v) => ancestorMatches(c, v, imageIds));
          break;
        case 'volume':
          ok = values.some((v) =>
            mountsOf(labels).some((m) => m.Name === v || m.Source === v || m.Destination === v),
          );
          break;
        case 'network':
          ok = values.some((v) => networksFromLabels(labels).includes(v));
          break;
        case 'health':
          // CRI's containers have no berth health check: their state carries none.
          const health = 'Health' in state ? state.Health : undefined;
          ok = values.includes(health ?? healthOf(c.labels, state) ?? 'none');
          break;
        default:
          ok = true;
      }
      if (!ok) return false;
    }
    if (before && !before.every((t) => created < t)) return false;
    if (since && !since.every((t) => created > t)) return false;
    return true;
  });

  const last = opts.latest ? 1 : (opts.last ?? -1);
  // Only `status` implies -a in the daemon; `exited` alone still sees running containers only.
  const showAll = opts.all || last > 0 || filters.has('status');
  if (!showAll) items = items.filter((i) => i.state.Running);
  // A retried container is one name: its latest attempt, unless all are asked for.
  if (!showAll && cri) items = items.filter((i) => !cri.olderAttempts.has(i.c.id));
  if (last > 0) items = items.slice(0, last);

  const sizes = opts.size
    ? await Promise.all(items.map((i) => snapshotSizes(client, i.c)))
    : items.map(() => undefined);
  return items.map((i, n) => new ContainerRow(i.c, i.state, trunc, now, sizes[n], i.args));
}

/** Label keys berth and nerdctl use for names (for callers that need them). */
export const NAME_LABELS = [LABEL.name, NERDCTL_LABEL.name] as const;
