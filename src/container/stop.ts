/**
 * `stop`: the stop signal (flag, else the image's/`--stop-signal` recorded on the container, else
 * SIGTERM), then SIGKILL after the timeout. The exited task is kept (Docker's `Exited (N)`), and
 * containerd's restart monitor is told the container was stopped on purpose.
 */
import type { Settings } from '../config/index.js';
import type { Client } from '../containerd/client.js';
import {
  DeadlineExceededError,
  FailedPreconditionError,
  NotFoundError,
} from '../containerd/errors.js';
import { parseSignal } from '../opts/container-parsers.js';
import { LABEL, RESTART_LABEL } from '../labels.js';
import { STOP_SIGNAL_ANNOTATION } from '../oci/opts.js';
import { rmSync, writeFileSync } from 'node:fs';
import { publishEvent } from '../events/index.js';
import { detachNetwork } from './exit.js';
import { withContainerLock } from './lock.js';
import { SHIM_TIMEOUT_MS, withShimDeadline } from './shim.js';
import { killAndWait } from './remove.js';
import { restartMarkerPath } from './restart.js';
import type { Container } from './resolve.js';
import { specOf } from './labels.js';
import { getTask } from './state.js';

const SIGTERM = 15;
const SIGKILL = 9;
const DEFAULT_STOP_TIMEOUT_S = 10;

/** The signal `stop` sends first: the container's recorded stop signal, else SIGTERM. */
export function stopSignalOf(container: Container): number {
  const recorded =
    container.labels?.[STOP_SIGNAL_ANNOTATION] ??
    specOf(container).annotations?.[STOP_SIGNAL_ANNOTATION];
  if (recorded) {
    try {
      return parseSignal(recorded);
    } catch {
      // An unparsable recorded signal falls back to Docker's default.
    }
  }
  return SIGTERM;
}

/** Seconds to wait before SIGKILL: the flag, else `--stop-timeout` recorded at create, else 10. */
export function stopTimeoutOf(container: Container, flag: number | undefined): number {
  if (flag !== undefined) return flag;
  const recorded = Number(container.labels?.[LABEL.stopTimeout]);
  return Number.isInteger(recorded) ? recorded : DEFAULT_STOP_TIMEOUT_S;
}

/**
 * Marks the container as stopped on purpose so containerd's restart monitor leaves it alone.
 * Phase `before` (explicitly-stopped=true) is set before signalling, and takes
 * `restart.status` away while the stop runs: the monitor only looks at containers carrying it,
 * and either value races the stop (`stopped` while the task still runs makes the monitor SIGKILL
 * and *delete* it, losing its exit code and the stop timeout; `running` once it has exited makes
 * the monitor delete the exited task and start a new one), when the caller holds it. Then
 * `restart.status=stopped` goes on once the task has exited. Only the label keys named in the
 * mask change.
 */
export async function markExplicitlyStopped(
  client: Client,
  container: Container,
  phase: 'before' | 'after' | 'both' = 'both',
  /** `before` only: take `restart.status` away (the caller then always runs `after`). */
  holdMonitor = false,
): Promise<void> {
  const labels: Record<string, string> = {};
  // A key in the mask but not in `labels` is removed by containerd.
  const removed: string[] = [];
  // Only containers the restart monitor manages carry the status label; do not opt others in.
  const monitored = container.labels?.[RESTART_LABEL.status] !== undefined;
  if (phase !== 'after') {
    labels[RESTART_LABEL.explicitlyStopped] = 'true';
    labels[LABEL.explicitlyStopped] = 'true';
    if (phase === 'before' && holdMonitor && monitored) removed.push(RESTART_LABEL.status);
  }
  if (phase !== 'before' && monitored) labels[RESTART_LABEL.status] = 'stopped';
  const keys = [...Object.keys(labels), ...removed];
  if (keys.length === 0) return;
  try {
    await client.containers.update({
      container: { id: container.id, labels },
      update_mask: { paths: keys.map((k) => `labels.${k}`) },
    });
    // The status label is kept in this copy so the `after` phase knows to put it back.
    Object.assign(container.labels, labels);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}

/** Sends `signal` to the container's init process (all processes with `all`). */
export async function signalTask(
  client: Client,
  id: string,
  signal: number,
  all = false,
): Promise<void> {
  await client.tasks.kill({ container_id: id, signal, all }, { timeoutMs: SHIM_TIMEOUT_MS });
}

export interface StopOptions {
  /** Seconds before SIGKILL; -1 waits forever. */
  timeout?: number;
  /** Overrides the stop signal (`-s`). */
  signal?: number;
  /** Where the container's network state lives: published ports are released once it stopped. */
  settings?: Pick<Settings, 'cniPath' | 'dataRoot' | 'namespace'>;
}

/** Stops the container; a container that is not running is left as it is (Docker succeeds too). */
export async function stopContainer(
  client: Client,
  container: Container,
  opts: StopOptions = {},
): Promise<void> {
  const stop = async (): Promise<void> => {
    await markExplicitlyStopped(client, container, 'before', true);
    const stopped = await withShimDeadline(
      (why) => `cannot stop container: ${container.id}: ${why}`,
      () => stopTask(client, container, opts),
    );
    await markExplicitlyStopped(client, container, 'after');
    // Docker reports `stop` only for a container that was running.
    if (stopped) await publishEvent(client, 'container', 'stop', container.id);
    // Docker frees a stopped container's addresses and published ports; `start` takes new ones.
    if (opts.settings) await detachNetwork(opts.settings, container.id);
  };
  if (!opts.settings) return stop();
  return withContainerLock(opts.settings.namespace, container.id, stop);
}

/** True when there was a running task to stop. */
async function stopTask(client: Client, container: Container, opts: StopOptions): Promise<boolean> {
  const task = await getTask(client, container.id, SHIM_TIMEOUT_MS);
  if (!task) return false;
  const status = String(task.status);
  if (status === 'STOPPED') return false;
  if (status === 'CREATED') {
    // Never started: nothing to signal gracefully.
    await killAndWait(client, container.id);
    return false;
  }
  const signal = opts.signal ?? stopSignalOf(container);
  const timeout = stopTimeoutOf(container, opts.timeout);
  const kill = (sig: number): Promise<void> =>
    publishEvent(client, 'container', 'kill', container.id, { signal: String(sig) });
  if (timeout === 0 || signal === SIGKILL) {
    await kill(SIGKILL);
    await killAndWait(client, container.id);
    return true;
  }
  await kill(signal);
  try {
    await signalTask(client, container.id, signal);
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof FailedPreconditionError) return true;
    throw err;
  }
  // A paused container gets the signal when it thaws.
  if (status === 'PAUSED' || status === 'PAUSING') {
    await client.tasks.resume({ container_id: container.id }).catch(() => undefined);
  }
  try {
    await client.tasks.wait(
      { container_id: container.id },
      { timeoutMs: timeout < 0 ? 0 : timeout * 1000 },
    );
  } catch (err) {
    if (err instanceof NotFoundError) return true;
    if (!(err instanceof DeadlineExceededError)) throw err;
    await kill(SIGKILL);
    await killAndWait(client, container.id, 30_000);
  }
  return true;
}

/** `restart`: stop (as `stop` does), then `start` (the caller's, as `berth start` does it). */
export async function restartContainer(
  client: Client,
  container: Container,
  opts: StopOptions,
  start: (id: string) => Promise<void>,
): Promise<void> {
  const marker = restartMarkerPath(container);
  try {
    if (marker) writeFileSync(marker, String(process.pid));
  } catch {
    // No state dir (a container berth did not create): nothing watches its exit either.
  }
  const restart = async (): Promise<void> => {
    await stopContainer(client, container, opts);
    await start(container.id);
  };
  try {
    // One stop-and-start at a time: concurrent restarts each find it running and restart it.
    if (opts.settings) await withContainerLock(opts.settings.namespace, container.id, restart);
    else await restart();
  } finally {
    if (marker) rmSync(marker, { force: true });
  }
}
