/**
 * `stats`: docker/cli's resource table from containerd's Tasks.Metrics (the cgroup v1 or v2
 * metrics message packed in an Any), /proc/stat for the host CPU time and /proc/<pid>/net/dev for
 * the network counters, computed the way dockerd and docker/cli do.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { isSandbox } from '../../cri/index.js';
import { totalmem } from 'node:os';
import type { Client } from '../../containerd/client.js';
import { codecFor, loadRoot } from '../../containerd/descriptors.js';
import { typeNameOf } from '../../containerd/helpers.js';
import { statsRowOf, type StatsRow } from '../../formatter/stats.js';
import { containerName } from '../../labels.js';
import type { Container } from '../../container/resolve.js';
import { listTasks, type Task } from '../../container/state.js';
import { truncateId } from '../../formatter/text.js';

/** One container's raw counters at one instant. */
export interface Sample {
  /** Cumulative CPU time of the container's cgroup, in nanoseconds. */
  cpuNs: number;
  /** Cumulative CPU time of the whole host (all CPUs), in nanoseconds; Docker's system_cpu_usage. */
  systemNs: number;
  onlineCpus: number;
  memUsage: number;
  memLimit: number;
  blkRead: number;
  blkWrite: number;
  netRx: number;
  netTx: number;
  pids: number;
}

/** What is shown for one container: the user's argument, the record and its task (if any). */
export interface StatsTarget {
  ref: string;
  container: Container;
}

// --- decoding Tasks.Metrics ---------------------------------------------------------------------

interface V1Metrics {
  pids: { current: string } | null;
  cpu: { usage: { total: string } | null } | null;
  memory: {
    total_inactive_file: string;
    inactive_file: string;
    usage: { usage: string; limit: string } | null;
  } | null;
  blkio: { io_service_bytes_recursive: { op: string; value: string }[] } | null;
}

interface V2Metrics {
  pids: { current: string } | null;
  cpu: { usage_usec: string } | null;
  memory: { inactive_file: string; usage: string; usage_limit: string } | null;
  io: { usage: { rbytes: string; wbytes: string }[] } | null;
}

/** The cgroup counters decoded from one Metric's Any. */
export interface CgroupCounters {
  cpuNs: number;
  memUsage: number;
  memLimit: number;
  blkRead: number;
  blkWrite: number;
  pids: number;
}

const V1_TYPE = 'io.containerd.cgroups.v1.Metrics';
const V2_TYPE = 'io.containerd.cgroups.v2.Metrics';

function decoder<T>(typeName: string): (bytes: Buffer) => T {
  // The cgroups descriptor is built beside the service descriptors (scripts/build-proto.mjs).
  const root = loadRoot('cgroups');
  const codec = codecFor<unknown, T>(root.lookupType(typeName));
  return (bytes) => codec.deserialize(bytes);
}

const n = (v: string | number | null | undefined): number => Number(v ?? 0) || 0;

/**
 * The counters of one metrics Any, following docker/cli's "no cache" memory usage
 * (usage − total_inactive_file on v1, usage − inactive_file on v2). undefined for an
 * unknown payload type.
 */
export function decodeMetrics(data: {
  type_url: string;
  value: Buffer;
}): CgroupCounters | undefined {
  const type = typeNameOf(data.type_url);
  const bytes = Buffer.from(data.value);
  if (type === V1_TYPE) {
    const m = decoder<V1Metrics>(V1_TYPE)(bytes);
    const usage = n(m.memory?.usage?.usage);
    const inactive = n(m.memory?.total_inactive_file);
    let blkRead = 0;
    let blkWrite = 0;
    for (const e of m.blkio?.io_service_bytes_recursive ?? []) {
      const op = (e.op[0] ?? '').toLowerCase();
      if (op === 'r') blkRead += n(e.value);
      else if (op === 'w') blkWrite += n(e.value);
    }
    return {
      cpuNs: n(m.cpu?.usage?.total),
      memUsage: inactive < usage ? usage - inactive : usage,
      memLimit: n(m.memory?.usage?.limit),
      blkRead,
      blkWrite,
      pids: n(m.pids?.current),
    };
  }
  if (type === V2_TYPE) {
    const m = decoder<V2Metrics>(V2_TYPE)(bytes);
    const usage = n(m.memory?.usage);
    const inactive = n(m.memory?.inactive_file);
    let blkRead = 0;
    let blkWrite = 0;
    for (const e of m.io?.usage ?? []) {
      blkRead += n(e.rbytes);
      blkWrite += n(e.wbytes);
    }
    return {
      cpuNs: n(m.cpu?.usage_usec) * 1000,
      memUsage: inactive < usage ? usage - inactive : usage,
      memLimit: n(m.memory?.usage_limit),
      blkRead,
      blkWrite,
      pids: n(m.pids?.current),
    };
  }
  return undefined;
}

// --- host-side counters ---------------------------------------------------------------------------

const CLOCK_TICKS = 100; // USER_HZ on every Linux architecture containerd supports

/** dockerd's getSystemCPUUsage: the `cpu` line of /proc/stat in ns, plus the number of CPUs. */
export function parseProcStat(text: string): { systemNs: number; onlineCpus: number } {
  let systemNs = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === 'cpu') {
      // user nice system idle iowait irq softirq
      const ticks = fields.slice(1, 8).reduce((sum, f) => sum + n(f), 0);
      systemNs = (ticks * 1e9) / CLOCK_TICKS;
    } else if (/^cpu\d+$/.test(fields[0] ?? '')) {
      onlineCpus++;
    }
  }
  return { systemNs, onlineCpus };
}

/** Received and transmitted bytes of every interface but `lo` in a /proc/<pid>/net/dev text. */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const iface = line.slice(0, colon).trim();
    if (iface === 'lo') continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    rx += n(f[0]);
    tx += n(f[8]);
  }
  return { rx, tx };
}

let hostNetNs: string | undefined;

/** True when the process shares the host's network namespace (host-network containers, pods). */
function onHostNetwork(pid: number): boolean {
  try {
    hostNetNs ??= readlinkSync('/proc/self/ns/net');
    return readlinkSync(`/proc/${pid}/ns/net`) === hostNetNs;
  } catch {
    return false;
  }
}

function readNet(pid: number): { rx: number; tx: number } {
  // dockerd reports no network I/O for host networking rather than the host's counters.
  if (onHostNetwork(pid)) return { rx: 0, tx: 0 };
  try {
    return parseNetDev(readFileSync(`/proc/${pid}/net/dev`, 'utf8'));
  } catch {
    return { rx: 0, tx: 0 };
  }
}

function readSystem(): { systemNs: number; onlineCpus: number } {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return { systemNs: 0, onlineCpus: 0 };
  }
}

// --- sampling and rendering -------------------------------------------------------------------------

function isLive(task: Task | undefined): task is Task {
  const s = String(task?.status ?? '');
  return s === 'RUNNING' || s === 'PAUSED' || s === 'PAUSING';
}

/**
 * One sample of every target that has a live task (one Tasks.Metrics call). Containers without
 * a running task are absent from the map.
 */
export async function sample(
  client: Client,
  targets: readonly StatsTarget[],
  tasks?: Map<string, Task>,
): Promise<Map<string, Sample>> {
  const out = new Map<string, Sample>();
  if (targets.length === 0) return out;
  const taskMap = tasks ?? (await listTasks(client));
  const live = targets.filter((t) => isLive(taskMap.get(t.container.id)));
  if (live.length === 0) return out;
  const { metrics } = await client.tasks.metrics({
    filters: live.map((t) => `id==${JSON.stringify(t.container.id)}`),
  });
  const system = readSystem();
  const machineMemory = totalmem();
  for (const m of metrics) {
    if (!m.data) continue;
    const counters = decodeMetrics(m.data);
    if (!counters) continue;
    const task = taskMap.get(m.id);
    const net = task ? readNet(task.pid) : { rx: 0, tx: 0 };
    // dockerd: without a memory limit (v1's huge number, v2's 0), show the host's memory.
    const memLimit =
      counters.memLimit === 0 || (machineMemory > 0 && counters.memLimit > machineMemory)
        ? machineMemory
        : counters.memLimit;
    out.set(m.id, {
      cpuNs: counters.cpuNs,
      systemNs: system.systemNs,
      onlineCpus: system.onlineCpus,
      memUsage: counters.memUsage,
      memLimit,
      blkRead: counters.blkRead,
      blkWrite: counters.blkWrite,
      netRx: net.rx,
      netTx: net.tx,
      pids: counters.pids,
    });
  }
  return out;
}

/** docker/cli calculateCPUPercentUnix: 100% is one fully used CPU. */
export function cpuPercent(prev: Sample | undefined, cur: Sample): number {
  if (!prev) return 0;
  const cpuDelta = cur.cpuNs - prev.cpuNs;
  const systemDelta = cur.systemNs - prev.systemNs;
  if (systemDelta > 0 && cpuDelta > 0) {
    return (cpuDelta / systemDelta) * (cur.onlineCpus || 1) * 100;
  }
  return 0;
}

/** The row Docker shows for one container (zeros for one that is not running). */
export function statsRow(
  target: StatsTarget,
  cur: Sample | undefined,
  prev: Sample | undefined,
  noTrunc: boolean,
): StatsRow {
  const s: Sample = cur ?? {
    cpuNs: 0,
    systemNs: 0,
    onlineCpus: 0,
    memUsage: 0,
    memLimit: 0,
    blkRead: 0,
    blkWrite: 0,
    netRx: 0,
    netTx: 0,
    pids: 0,
  };
  return statsRowOf(
    {
      ref: target.ref,
      id: target.container.id,
      name: containerName(target.container.labels) || '--',
      cpuPercentage: cur ? cpuPercent(prev, cur) : 0,
      memUsage: s.memUsage,
      memLimit: s.memLimit,
      memPercentage: s.memLimit > 0 ? (s.memUsage / s.memLimit) * 100 : 0,
      blkRead: s.blkRead,
      blkWrite: s.blkWrite,
      netRx: s.netRx,
      netTx: s.netTx,
      pids: s.pids,
    },
    noTrunc,
  );
}

/** Docker's stream redraw: home the cursor, erase each line's tail, erase below the table. */
export function redraw(text: string): string {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return `\x1b[H${lines.map((l) => `${l}\x1b[K\n`).join('')}\x1b[J`;
}

/** Clears the screen once before the first frame, as docker/cli does. */
export const CLEAR_SCREEN = '\x1b[2J';
/** The cursor is hidden while tables redraw under it, and shown again however streaming ends. */
export const HIDE_CURSOR = '\x1b[?25l';
export const SHOW_CURSOR = '\x1b[?25h';

export interface StatsOptions {
  /** The containers named by the user; empty = all running (or all with `all`). */
  refs: readonly string[];
  all: boolean;
  noStream: boolean;
  noTrunc: boolean;
  /** stdout is a terminal: redraw in place; otherwise each refresh is a new plain table. */
  tty?: boolean;
  /** Renders rows to the table text (the command passes renderList with the user's format). */
  render: (rows: StatsRow[]) => string;
  write: (text: string) => void;
  /** Milliseconds between samples (Docker: 1 s). */
  intervalMs?: number;
  /** Stops streaming (Ctrl-C). */
  signal?: AbortSignal;
  resolve: (ref: string) => Promise<Container>;
  listAll: () => Promise<Container[]>;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Every container of the namespace, newest first (`stats` without arguments, as Docker orders). */
export async function containersNewestFirst(client: Client): Promise<Container[]> {
  const { containers } = await client.containers.list({ filters: [] });
  return [...containers].sort(
    (a, b) =>
      Number(b.created_at?.seconds ?? 0) - Number(a.created_at?.seconds ?? 0) ||
      (b.created_at?.nanos ?? 0) - (a.created_at?.nanos ?? 0),
  );
}

/** The whole command: resolve targets, sample twice for CPU %, then print once or keep redrawing. */
export async function runStats(client: Client, opts: StatsOptions): Promise<void> {
  const interval = opts.intervalMs ?? 1000;
  const named = opts.refs.length > 0;
  // Named containers are resolved once (a missing one is an error before anything is printed).
  const fixed: StatsTarget[] = [];
  for (const ref of opts.refs) fixed.push({ ref, container: await opts.resolve(ref) });

  const targetsNow = async (): Promise<{ targets: StatsTarget[]; tasks: Map<string, Task> }> => {
    const tasks = await listTasks(client);
    if (named) return { targets: fixed, tasks };
    const all = await opts.listAll();
    const targets = all
      // kubelet's pod sandboxes are plumbing, as in ps.
      .filter((c) => !isSandbox(c.labels))
      .filter((c) => opts.all || isLive(tasks.get(c.id)))
      .map((c) => ({ ref: truncateId(c.id), container: c }));
    return { targets, tasks };
  };

  let { targets, tasks } = await targetsNow();
  let prev = await sample(client, targets, tasks);
  let first = true;
  const tty = Boolean(opts.tty) && !opts.noStream;
  try {
    for (;;) {
      await sleep(interval, opts.signal);
      if (opts.signal?.aborted) return;
      ({ targets, tasks } = await targetsNow());
      const cur = await sample(client, targets, tasks);
      const rows = targets.map((t) =>
        statsRow(t, cur.get(t.container.id), prev.get(t.container.id), opts.noTrunc),
      );
      const text = opts.render(rows);
      if (opts.noStream) {
        opts.write(text);
        return;
      }
      // Off a terminal (a pipe, a log file) escape codes would be noise: one table per refresh.
      if (tty) opts.write(`${first ? CLEAR_SCREEN + HIDE_CURSOR : ''}${redraw(text)}`);
      else opts.write(text);
      first = false;
      prev = cur;
    }
  } finally {
    if (tty && !first) opts.write(SHOW_CURSOR);
  }
}
