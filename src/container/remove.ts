/**
 * Removing a container in the order containerd needs (it protects nothing server-side):
 * Kill(9, all) -> Wait -> Tasks.Delete -> Containers.Delete -> Snapshots.Remove -> state dir.
 * Every step treats NOT_FOUND as done, so a second call (or a racing `--rm`) is harmless.
 */
import { realpathSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Client } from '../containerd/client.js';
import type { Settings } from '../config/index.js';
import {
  ContainerdError,
  FailedPreconditionError,
  GrpcCode,
  NotFoundError,
} from '../containerd/errors.js';
import { BerthError, DaemonError } from '../errors.js';
import { processAlive } from '../process.js';
import { LABEL } from '../labels.js';
import { findContainerOrUndefined, type Container } from './resolve.js';
import { restartInProgress } from './restart.js';
import { getTask } from './state.js';
import { stateDirFor } from './labels.js';
import { SHIM_TIMEOUT_MS, withShimDeadline } from './shim.js';
import { CREATE_PID_LABEL, stateDirOf } from './labels.js';

export interface RemoveOptions {
  /** Kill a running (or paused) container first, like `docker rm -f`. */
  force?: boolean;
  /** Also remove the container's anonymous volumes (`docker rm -v`, `--rm`). */
  volumes?: boolean;
  /** How long to wait for the task to die after SIGKILL (ms). Default 10 s. */
  killTimeoutMs?: number;
}

/** Swallows NOT_FOUND (already gone); rethrows anything else. */
async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (err instanceof NotFoundError) return;
    throw err;
  }
}

/** True when `child` is `root` or inside it (after resolving `..`; symlinks resolved if present). */
function isInside(root: string, child: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const rel = relative(real(root), real(child));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** Removes a path berth wrote under data_root; a label pointing elsewhere is never followed. */
function removeUnder(dataRoot: string, path: string | undefined): void {
  if (!path || !isAbsolute(path)) return;
  if (!isInside(dataRoot, path)) return;
  rmSync(path, { recursive: true, force: true });
  removeIfEmpty(dataRoot, dirname(path));
}

/**
 * A namespace's directory under `containers/` goes with its last container. rmdir refuses a
 * directory that is not empty, and a create racing this recreates it (mkdir -p), so nothing of
 * anyone else's can go.
 */
function removeIfEmpty(dataRoot: string, dir: string): void {
  if (dirname(dir) !== join(dataRoot, 'containers')) return;
  try {
    rmdirSync(dir);
  } catch {
    // Not empty, or already gone.
  }
}

/** Kills the task (all processes) and waits for it to stop; tolerant of it already being gone. */
export async function killAndWait(client: Client, id: string, timeoutMs = 10_000): Promise<void> {
  try {
    await client.tasks.kill(
      { container_id: id, signal: 9, all: true },
      { timeoutMs: SHIM_TIMEOUT_MS },
    );
  } catch (err) {
    if (err instanceof NotFoundError) return;
    // "process already finished" comes back as NOT_FOUND or FAILED_PRECONDITION depending on timing.
    if (!(err instanceof FailedPreconditionError)) throw err;
  }
  // A frozen cgroup cannot die: thaw it (SIGKILL is delivered on resume).
  await client.tasks
    .resume({ container_id: id }, { timeoutMs: SHIM_TIMEOUT_MS })
    .catch(() => undefined);
  try {
    await client.tasks.wait({ container_id: id }, { timeoutMs });
  } catch (err) {
    if (err instanceof NotFoundError) return;
    throw err;
  }
}

/**
 * Removes `container`. Without `force` a running or paused one is refused with Docker's message.
 * Idempotent: every step accepts the thing already being gone.
 */
/**
 * What a berth killed in the middle of `run`/`create` leaves with no container to name it: its
 * network (netns, veth, address, port reservations), state dir and snapshot, and its create
 * lease. Only things whose berth process is gone are touched.
 */
export async function sweepOrphans(
  client: Client,
  settings: Pick<Settings, 'dataRoot' | 'namespace' | 'cniPath' | 'snapshotter'>,
): Promise<void> {
  const { orphanedNetworkStates, teardownContainerNetwork } = await import('../network/index.js');
  const [{ containers }, { leases }] = await Promise.all([
    client.containers.list({ filters: [] }),
    client.leases.list({ filters: [`labels."${CREATE_PID_LABEL}"`] }),
  ]);
  const existing = new Set(containers.map((c) => c.id));
  for (const id of orphanedNetworkStates(settings.dataRoot, settings.namespace, existing)) {
    await teardownContainerNetwork({
      settings,
      namespace: settings.namespace,
      containerId: id,
    }).catch(() => undefined);
    rmSync(stateDirOf(settings, id), { recursive: true, force: true });
    removeIfEmpty(settings.dataRoot, dirname(stateDirOf(settings, id)));
    await client.snapshots
      .remove({ snapshotter: settings.snapshotter, key: id })
      .catch(() => undefined);
  }
  for (const l of leases) {
    const pid = Number(l.labels?.[CREATE_PID_LABEL]);
    if (!Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    await client.leases.delete({ id: l.id, sync: false }).catch(() => undefined);
  }
}

/**
 * `rm --auto-remove`, what a `--rm` container's logger runs once the task has exited (Docker's
 * daemon-side auto-remove): the container goes unless a `berth restart` of it is under way or
 * it is running again; missing containers and running ones are left alone, quietly.
 */
export async function autoRemove(
  client: Client,
  settings: Pick<Settings, 'dataRoot' | 'namespace' | 'cniPath'>,
  ids: readonly string[],
  opts: { volumes?: boolean },
): Promise<void> {
  for (const id of ids) {
    const c = await findContainerOrUndefined(client, id);
    if (!c) continue;
    // The logger saw the cgroup empty; containerd may report the exit a moment later. A task
    // still running after that is a new one (restarted) and is left alone.
    let status = 'STOPPED';
    for (let i = 0; i < 30; i++) {
      status = String((await getTask(client, c.id))?.status ?? 'STOPPED');
      if (status !== 'RUNNING' && status !== 'PAUSED' && status !== 'PAUSING') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Anything but a stopped task (or none) belongs to a new start: never kill it.
    if (status !== 'STOPPED' || restartInProgress(c)) continue;
    try {
      await removeContainer(client, settings, c, { volumes: opts.volumes });
    } catch (err) {
      // Running again (restarted, or started by hand): its own exit will be watched.
      if (!(err instanceof BerthError)) throw err;
    }
  }
}

export async function removeContainer(
  client: Client,
  settings: Pick<Settings, 'dataRoot' | 'namespace' | 'cniPath'>,
  container: Container,
  opts: RemoveOptions = {},
): Promise<void> {
  const id = container.id;
  await withShimDeadline(
    (why) => `Could not kill running container ${id}, cannot remove - ${why}`,
    () => removeTask(client, container, opts),
  );
  await releaseContainer(
    client,
    settings,
    {
      id,
      snapshotter: container.snapshotter || 'overlayfs',
      snapshotKey: container.snapshot_key,
      labels: container.labels ?? {},
    },
    { volumes: opts.volumes, sweepFifos: true },
  );
}

async function removeTask(
  client: Client,
  container: Container,
  opts: RemoveOptions,
): Promise<void> {
  const id = container.id;
  const task = await getTask(client, id, SHIM_TIMEOUT_MS);
  if (task) {
    const status = String(task.status);
    const live = status === 'RUNNING' || status === 'PAUSED' || status === 'PAUSING';
    if (live && !opts.force) {
      if (status === 'RUNNING') {
        throw new DaemonError(
          `You cannot remove a running container ${id}. ` +
            'Stop the container before attempting removal or force remove',
        );
      }
      throw new DaemonError(
        `You cannot remove a paused container ${id}. ` +
          'Unpause and then stop the container before attempting removal or force remove',
      );
    }
    if (status !== 'STOPPED') await killAndWait(client, id, opts.killTimeoutMs);
    try {
      await client.tasks.delete({ container_id: id }, { timeoutMs: SHIM_TIMEOUT_MS });
    } catch (err) {
      if (!(err instanceof NotFoundError)) {
        // UNKNOWN "cannot delete a running process": the task outlived SIGKILL (D state, hung shim).
        if (err instanceof ContainerdError && err.code === GrpcCode.UNKNOWN) {
          throw new DaemonError(`could not kill container ${id}: ${err.details}`, {
            cause: err,
          });
        }
        throw err;
      }
    }
  }
}

/**
 * Everything of a container whose task is gone: its record, then its snapshot and network side by
 * side (published ports, CNI state and the netns outlive the task, since restarts reuse them),
 * FIFOs, log and state dir, and with `volumes` its anonymous volumes. A record that cannot be
 * deleted stops here, keeping what it points at.
 */
export async function releaseContainer(
  client: Client,
  settings: Pick<Settings, 'dataRoot' | 'namespace' | 'cniPath'>,
  c: { id: string; snapshotter: string; snapshotKey?: string; labels: Record<string, string> },
  opts: { volumes?: boolean; sweepFifos?: boolean } = {},
): Promise<void> {
  const { id, labels } = c;
  const network = await import('../network/index.js');
  // The record first: while it exists, the container keeps everything it points at.
  await ignoreNotFound(client.containers.delete({ id }));
  const settled = await Promise.allSettled([
    c.snapshotKey
      ? ignoreNotFound(client.snapshots.remove({ snapshotter: c.snapshotter, key: c.snapshotKey }))
      : undefined,
    network.hasNetworkState(settings.dataRoot, settings.namespace, id) ||
    labels[network.NETNS_LABEL]
      ? network.teardownContainerNetwork({
          settings,
          namespace: settings.namespace,
          containerId: id,
          labels,
        })
      : undefined,
  ]);
  const { keptFifoDir, sweepStaleFifoDirs } = await import('./io.js');
  // A berth killed while attached leaves its FIFO dir behind; `rm` is where it gets cleaned.
  if (opts.sweepFifos) sweepStaleFifoDirs();
  rmSync(keptFifoDir(id), { recursive: true, force: true });
  removeUnder(settings.dataRoot, labels[LABEL.logPath]);
  // Without the label (a container ctr or CRI made) its log went to berth's place under data_root.
  removeUnder(settings.dataRoot, stateDirFor(settings, { id, labels }));
  if (opts.volumes) {
    const { anonymousVolumesOf } = await import('../volume/refs.js');
    const { removeUnusedAnonymousVolumes } = await import('./volumes.js');
    await removeUnusedAnonymousVolumes(settings, client, anonymousVolumesOf(labels));
  }
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
}

/** `run --rm` and undoing a run: the task, then everything releaseContainer removes; best effort. */
export async function destroyContainer(
  client: Client,
  settings: Settings,
  id: string,
  stateDir: string | undefined,
  labels: Record<string, string> = {},
  taskDeleted = false,
): Promise<void> {
  if (!taskDeleted) await client.tasks.delete({ container_id: id }).catch(() => undefined);
  // `--rm` takes the container's anonymous volumes with it, as Docker does.
  await releaseContainer(
    client,
    settings,
    { id, snapshotter: settings.snapshotter, snapshotKey: id, labels },
    { volumes: true },
  ).catch(() => undefined);
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}
