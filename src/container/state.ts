/**
 * A container's Docker-style state, derived from its containerd task: no task = created; the
 * task of an exited container is kept (STOPPED, with exit_status/exited_at) until start/rm
 * deletes it. Also Docker's STATUS text (`Up 3 seconds`, `Exited (0) 5 seconds ago`, …).
 */
import { readFileSync } from 'node:fs';
import type { Client } from '../containerd/client.js';
import { NotFoundError } from '../containerd/errors.js';
import { timestampToDate } from '../containerd/helpers.js';
import type { Process__Output } from '../containerd/generated/containerd/v1/types/Process.js';
import { healthSuffix, readHealthState, type HealthStatus } from '../health/state.js';
import { effectiveHealth, type HealthConfig } from '../health/config.js';
import { humanDuration } from '../formatter/units.js';
import { LABEL, RESTART_LABEL } from '../labels.js';
import type { Container } from './resolve.js';

export type Task = Process__Output;

/** Docker's State.Status values. */
export type DockerStatus =
  'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'removing' | 'dead';

export interface ContainerState {
  Status: DockerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  /** Host PID of the init process; 0 when not running. */
  Pid: number;
  ExitCode: number;
  Error: string;
  /** When the init process started (from /proc for a live task); undefined when unknown. */
  StartedAt?: Date;
  /** When it exited (the task's exited_at); undefined while running or never started. */
  FinishedAt?: Date;
  /** containerd's task status (`RUNNING`, `STOPPED`, …) or undefined without a task. */
  TaskStatus?: string;
  /** The health check's status, for containers that have one (src/health). */
  Health?: HealthStatus;
}

let bootTimeMs: number | undefined;
let clockTicks = 100;

function bootTime(): number | undefined {
  if (bootTimeMs !== undefined) return bootTimeMs;
  try {
    // now - uptime has centisecond precision; /proc/stat's btime is whole seconds.
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    if (Number.isFinite(uptime)) bootTimeMs = Date.now() - uptime * 1000;
  } catch {
    // Not Linux or no /proc: start times stay unknown.
  }
  return bootTimeMs;
}

/** Test hook: Linux's USER_HZ is 100 on every architecture containerd supports. */
export function setClockTicks(hz: number): void {
  clockTicks = hz;
}

/**
 * When host process `pid` started, from /proc/<pid>/stat field 22 (clock ticks since boot).
 * containerd does not record task start times, so this is how `Up 3 seconds` is known.
 */
export function processStartTime(pid: number): Date | undefined {
  if (!pid) return undefined;
  const boot = bootTime();
  if (boot === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[19]);
    if (!Number.isFinite(ticks)) return undefined;
    return new Date(boot + (ticks * 1000) / clockTicks);
  } catch {
    return undefined;
  }
}

/** Whether containerd's restart monitor will start the container again after it stopped. */
function willRestart(labels: Record<string, string>, exitCode: number): boolean {
  const policy = labels[RESTART_LABEL.policy];
  if (!policy || policy === 'no') return false;
  if (labels[RESTART_LABEL.explicitlyStopped] === 'true') return false;
  if (labels[RESTART_LABEL.status] === 'stopped') return false;
  if (policy.startsWith('on-failure')) {
    if (exitCode === 0) return false;
    const max = Number(policy.split(':')[1] ?? '0');
    const count = Number(labels[RESTART_LABEL.count] ?? '0');
    if (max > 0 && count >= max) return false;
  }
  return true;
}

/** The Docker state of `container` given its task (undefined when it has none). */
export function stateFromTask(
  container: Pick<Container, 'labels'>,
  task: Task | undefined,
): ContainerState {
  const base: ContainerState = {
    Status: 'created',
    Running: false,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 0,
    ExitCode: 0,
    Error: '',
  };
  if (!task) return base;
  const status = String(task.status);
  base.TaskStatus = status;
  switch (status) {
    case 'RUNNING':
      return {
        ...base,
        Status: 'running',
        Running: true,
        Pid: task.pid,
        StartedAt: processStartTime(task.pid),
        Health: healthOf(container.labels, { Running: true }),
      };
    case 'PAUSED':
    case 'PAUSING':
      return {
        ...base,
        Status: 'paused',
        Running: true,
        Paused: true,
        Pid: task.pid,
        StartedAt: processStartTime(task.pid),
        Health: healthOf(container.labels, { Running: true }),
      };
    case 'STOPPED': {
      const exitCode = task.exit_status;
      const finished = timestampToDate(task.exited_at);
      const restarting = willRestart(container.labels ?? {}, exitCode);
      return {
        ...base,
        Status: restarting ? 'restarting' : 'exited',
        Restarting: restarting,
        Running: restarting,
        ExitCode: exitCode,
        FinishedAt: finished,
        OOMKilled: false,
      };
    }
    case 'CREATED':
      // Task created but not started (a `create` that attaches later): Docker calls it Created.
      return { ...base, Pid: task.pid };
    default:
      return { ...base, Status: 'dead', Dead: true };
  }
}

/**
 * The health status of a container with a health check: what its prober last wrote, `starting`
 * before the first probe; undefined without a health check (Docker's `none`).
 */
export function healthOf(
  labels: Record<string, string> | undefined,
  state: Pick<ContainerState, 'Running'>,
): HealthStatus | undefined {
  const text = labels?.[LABEL.healthcheck];
  if (!text) return undefined;
  let config: HealthConfig | undefined;
  try {
    config = JSON.parse(text) as HealthConfig;
  } catch {
    return undefined;
  }
  if (!effectiveHealth(config)) return undefined;
  const saved = readHealthState(labels?.[LABEL.stateDir]);
  if (saved) return saved.Status;
  return state.Running ? 'starting' : undefined;
}

/** Docker's STATUS column text (moby container.State.String()). */
export function statusText(state: ContainerState, now: number = Date.now()): string {
  const since = (d: Date | undefined): string => humanDuration(d ? now - d.getTime() : 0);
  switch (state.Status) {
    case 'running':
      return `${state.StartedAt ? `Up ${since(state.StartedAt)}` : 'Up'}${healthSuffix(state.Health)}`;
    case 'paused':
      return state.StartedAt ? `Up ${since(state.StartedAt)} (Paused)` : 'Up (Paused)';
    case 'restarting':
      return `Restarting (${state.ExitCode}) ${since(state.FinishedAt)} ago`;
    case 'exited':
      return state.FinishedAt
        ? `Exited (${state.ExitCode}) ${since(state.FinishedAt)} ago`
        : `Exited (${state.ExitCode})`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      return 'Created';
  }
}

/** Tasks.Get for one container; undefined when it has no task (or vanished). */
export async function getTask(
  client: Client,
  id: string,
  timeoutMs?: number,
): Promise<Task | undefined> {
  try {
    const { process } = await client.tasks.get(
      { container_id: id },
      timeoutMs ? { timeoutMs } : undefined,
    );
    return process ?? undefined;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** The container's current state (one Tasks.Get). */
export async function getState(client: Client, container: Container): Promise<ContainerState> {
  return stateFromTask(container, await getTask(client, container.id));
}

/**
 * Every task in the namespace by container ID, from one Tasks.List (so one hung shim cannot
 * stall a listing call per container). `timeoutMs` bounds the call.
 */
export async function listTasks(client: Client, timeoutMs = 10_000): Promise<Map<string, Task>> {
  const { tasks } = await client.tasks.list({ filter: '' }, { timeoutMs });
  const map = new Map<string, Task>();
  for (const t of tasks) map.set(t.container_id || t.id, t);
  return map;
}

/** Created time of a container record. */
export function createdAt(container: Pick<Container, 'created_at'>): Date {
  return timestampToDate(container.created_at) ?? new Date(0);
}
