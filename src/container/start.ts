/** `start`: (re)creates the task of an existing container, attached (`-a`) or with the logger. */
import type { Client } from '../containerd/client.js';
import type { Settings } from '../config/index.js';
import { mkdirSync } from 'node:fs';
import { AlreadyExistsError, NotFoundError } from '../containerd/errors.js';
import { NETNS_LABEL } from '../network/index.js';
import { afterExit, detachNetwork } from './exit.js';
import { withContainerLock } from './lock.js';
import { BerthError, DaemonError } from '../errors.js';
import { LABEL, RESTART_LABEL } from '../labels.js';
import { loggerUri, withTtyParam } from './logger.js';
import { jsonLabel, logPathFor, stateDirFor } from './labels.js';
import type { HealthConfig } from '../health/config.js';
import type { Container } from './resolve.js';
import { markRunning } from './restart.js';
import { attachTask, prepareFifos, startDetached } from './task.js';

interface HostConfigLabel {
  AutoRemove?: boolean;
  Interactive?: boolean;
  Tty?: boolean;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
}

function hostConfig(c: Container): HostConfigLabel {
  try {
    return JSON.parse(c.labels[LABEL.hostConfig] ?? '{}') as HostConfigLabel;
  } catch {
    return {};
  }
}

async function rootfsMounts(client: Client, c: Container) {
  const r = await client.snapshots.mounts({ snapshotter: c.snapshotter, key: c.snapshot_key });
  return r.mounts.map((m) => ({
    type: m.type,
    source: m.source,
    target: m.target,
    options: m.options,
  }));
}

/**
 * Deletes an exited task so a new one can be created; false if the task is running. A paused
 * task is Docker's conflict: starting it again would leave it frozen while reporting success.
 */
async function clearOldTask(client: Client, id: string, attach: boolean): Promise<boolean> {
  try {
    const { process: p } = await client.tasks.get({ container_id: id });
    if (p && (p.status === 'PAUSED' || p.status === 'PAUSING')) {
      // `start -a` attaches before it starts, so Docker's attach refuses it first.
      throw new DaemonError(
        attach
          ? `container ${id} is paused, unpause the container before attach`
          : 'cannot start a paused container, try unpause instead',
        { kind: 'conflict' },
      );
    }
    if (p?.status === 'RUNNING') return false;
  } catch (err) {
    if (err instanceof NotFoundError) return true;
    throw err;
  }
  await client.tasks.delete({ container_id: id }).catch(() => undefined);
  return true;
}

function logUriOf(settings: Settings, c: Container, hc: HostConfigLabel): string {
  const stateDir = stateDirFor(settings, c);
  const saved = c.labels[RESTART_LABEL.logUri];
  if (saved) return withTtyParam(saved, Boolean(hc.Tty));
  const policy = hc.RestartPolicy?.Name ?? '';
  return loggerUri(settings, {
    health: jsonLabel<HealthConfig | undefined>(c.labels, LABEL.healthcheck, undefined),
    logPath: logPathFor(settings, c),
    stateDir,
    tty: Boolean(hc.Tty),
    cgroup: `/${settings.namespace}/${c.id}`,
    autoRemove: Boolean(hc.AutoRemove),
    check: (policy !== '' && policy !== 'no') || Boolean(c.labels[NETNS_LABEL]),
  });
}

export interface StartOptions {
  attach?: boolean;
  interactive?: boolean;
  detachKeys?: string;
}

/**
 * Attaches the container's network for this run (Docker allocates addresses and ports at start)
 * and records the endpoints on the container, for inspect, ps and port.
 */
async function attachNetwork(client: Client, settings: Settings, c: Container): Promise<void> {
  const { attachContainerNetwork } = await import('../network/index.js');
  let attached;
  try {
    attached = await attachContainerNetwork({
      settings,
      namespace: settings.namespace,
      containerId: c.id,
    });
  } catch (err) {
    throw new DaemonError((err as Error).message, { cause: err });
  }
  if (!attached) return;
  await client.containers.update({
    container: { id: c.id, labels: attached.labels },
    update_mask: { paths: Object.keys(attached.labels).map((k) => `labels.${k}`) },
  });
  Object.assign(c.labels, attached.labels);
}

/**
 * Returns the exit code when attached, undefined otherwise. Under the container's lock: of
 * concurrent starts one starts it, the others find it running and succeed, as with Docker.
 */
export async function startContainer(
  client: Client,
  settings: Settings,
  c: Container,
  o: StartOptions,
): Promise<number | undefined> {
  const hc = hostConfig(c);
  const tty = Boolean(hc.Tty);
  if (o.attach) {
    if (tty && !process.stdin.isTTY)
      throw new BerthError('the input device is not a TTY', { exitCode: 1 });
    // The lock covers the preparation only: an attached start lasts as long as the container.
    const ready = await withContainerLock(settings.namespace, c.id, async () => {
      if (!(await clearOldTask(client, c.id, true))) return false;
      await attachNetwork(client, settings, c);
      return true;
    });
    if (!ready) return undefined;
    const interactive = Boolean(o.interactive);
    const { fifos, fifoReady, dropFifos } = prepareFifos(interactive, tty);
    try {
      return await attachTask(client, settings, {
        id: c.id,
        mounts: await rootfsMounts(client, c),
        logPath: logPathFor(settings, c),
        stateDir: stateDirFor(settings, c),
        labels: c.labels,
        tty,
        interactive,
        rm: Boolean(hc.AutoRemove),
        sigProxy: true,
        logUri: logUriOf(settings, c, hc),
        detachKeys: o.detachKeys,
        fifos,
        fifoReady,
        dropFifos,
        streams: new Set(),
        afterExit: () =>
          afterExit(client, settings, c.id, (fresh) => startContainer(client, settings, fresh, {})),
      });
    } catch (err) {
      await detachNetwork(settings, c.id);
      throw err;
    }
  }
  return withContainerLock(settings.namespace, c.id, async () => {
    if (!(await clearOldTask(client, c.id, false))) return undefined;
    await attachNetwork(client, settings, c);
    const stateDir = stateDirFor(settings, c);
    mkdirSync(stateDir, { recursive: true, mode: 0o711 });
    try {
      await startDetached(client, {
        id: c.id,
        stateDir,
        logUri: logUriOf(settings, c, hc),
        tty,
        interactive: Boolean(hc.Interactive),
        mounts: await rootfsMounts(client, c),
      });
    } catch (err) {
      await detachNetwork(settings, c.id);
      // Started meanwhile by something that does not take berth's lock (containerd's restart
      // monitor): the container is simply running.
      if (err instanceof BerthError && err.cause instanceof AlreadyExistsError) return undefined;
      if (err instanceof BerthError) {
        // Docker's `start` prints a failed start without run's `docker: ` form, and exits 1.
        throw new BerthError(err.message, {
          kind: err.kind,
          exitCode: err.exitCode === 125 ? 1 : err.exitCode,
          cause: err,
        });
      }
      throw err;
    }
    await markRunning(client, c.id, c.labels);
    return undefined;
  });
}

/**
 * Run by the logger when a detached task exits (`start --restart-check`): the network goes and
 * the restart policy decides (see ./exit.ts).
 */
export async function restartCheck(
  client: Client,
  settings: Settings,
  c: Container,
): Promise<void> {
  await afterExit(client, settings, c.id, (fresh) => startContainer(client, settings, fresh, {}));
}
