/** `start`: (re)creates the task of an existing container, attached (`-a`) or with the logger. */
import type { Client } from '../../containerd/client.js';
import type { Settings } from '../../config/index.js';
import { NotFoundError } from '../../containerd/errors.js';
import { BerthError } from '../../errors.js';
import { LABEL, RESTART_LABEL } from '../../labels.js';
import { loggerUri, withTtyParam } from '../../container/logger.js';
import { portsOf } from '../../container/labels.js';
import type { Container } from '../../container/resolve.js';
import { releasePorts } from '../../container/stop.js';
import { markRunning } from '../../container/restart.js';
import { attachTask, prepareFifos, startDetached } from '../../container/task.js';

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
      throw new BerthError(
        attach
          ? `Error response from daemon: container ${id} is paused, unpause the container before attach`
          : 'Error response from daemon: cannot start a paused container, try unpause instead',
        { exitCode: 1 },
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
  const stateDir = c.labels[LABEL.stateDir] ?? '';
  const saved = c.labels[RESTART_LABEL.logUri];
  if (saved) return withTtyParam(saved, Boolean(hc.Tty));
  const policy = hc.RestartPolicy?.Name ?? '';
  return loggerUri(settings, {
    logPath: c.labels[LABEL.logPath] ?? `${stateDir}/${c.id}-json.log`,
    stateDir,
    tty: Boolean(hc.Tty),
    cgroup: `/${settings.namespace}/${c.id}`,
    autoRemove: Boolean(hc.AutoRemove),
    onFailure: policy === 'on-failure',
    releasePorts:
      portsOf(c.labels).length > 0 && policy !== 'always' && policy !== 'unless-stopped',
  });
}

export interface StartOptions {
  attach?: boolean;
  interactive?: boolean;
  detachKeys?: string;
}

/** Returns the exit code when attached, undefined otherwise. */
export async function startContainer(
  client: Client,
  settings: Settings,
  c: Container,
  o: StartOptions,
): Promise<number | undefined> {
  const hc = hostConfig(c);
  if (!(await clearOldTask(client, c.id, Boolean(o.attach)))) return undefined;
  // Ports released when the container stopped are published again first, or start fails.
  const { reclaimContainerPorts } = await import('../../network/index.js');
  try {
    await reclaimContainerPorts({ settings, namespace: settings.namespace, containerId: c.id });
  } catch (err) {
    throw new BerthError(`Error response from daemon: ${(err as Error).message}`, { exitCode: 1 });
  }
  const mounts = await rootfsMounts(client, c);
  const tty = Boolean(hc.Tty);
  if (o.attach) {
    if (tty && !process.stdin.isTTY)
      throw new BerthError('the input device is not a TTY', { exitCode: 1 });
    const interactive = Boolean(o.interactive);
    const { fifos, fifoReady, dropFifos } = prepareFifos(interactive, tty);
    return attachTask(client, settings, {
      id: c.id,
      mounts,
      logPath: c.labels[LABEL.logPath] ?? '/dev/null',
      stateDir: c.labels[LABEL.stateDir] ?? '',
      labels: c.labels,
      tty,
      interactive,
      rm: Boolean(hc.AutoRemove),
      sigProxy: true,
      command: 'start',
      logUri: logUriOf(settings, c, hc),
      detachKeys: o.detachKeys,
      fifos,
      fifoReady,
      dropFifos,
      streams: new Set(),
    });
  }
  try {
    await startDetached(client, {
      id: c.id,
      stateDir: c.labels[LABEL.stateDir] ?? '',
      logUri: logUriOf(settings, c, hc),
      tty,
      interactive: Boolean(hc.Interactive),
      mounts,
      command: 'start',
    });
  } catch (err) {
    if (err instanceof BerthError) {
      throw new BerthError(
        err.message.replace(/^berth: /, '').replace(/\n\nRun 'berth start --help'.*$/s, ''),
        {
          exitCode: err.exitCode === 125 ? 1 : err.exitCode,
        },
      );
    }
    throw err;
  }
  await markRunning(client, c.id, c.labels);
  return undefined;
}

/**
 * Run by the logger when a detached task exits (`start --restart-check`): on-failure[:N] restarts
 * if the exit code is non-zero and the retry budget allows, counting in
 * `containerd.io/restart.count`; a container that stays down has its published ports freed.
 */
export async function restartCheck(
  client: Client,
  settings: Settings,
  c: Container,
): Promise<void> {
  // The task this check is about has exited; a task found running is a newer one (`restart`,
  // `start`, the restart monitor) and is left alone, ports included.
  let exitCode: number | undefined;
  try {
    const { process: p } = await client.tasks.get({ container_id: c.id });
    if (p && p.status !== 'STOPPED') return;
    exitCode = p?.exit_status;
  } catch (err) {
    if (!(err instanceof NotFoundError)) return;
  }
  const policy = c.labels[RESTART_LABEL.policy] ?? '';
  if (await restartsOnFailure(client, c, policy, exitCode)) {
    await startContainer(client, settings, c, {});
    return;
  }
  // Not coming back (as far as berth decides): Docker frees the published ports.
  if (policy !== 'always' && policy !== 'unless-stopped') await releasePorts(settings, c.id);
}

/** The on-failure decision; counts the restart in `containerd.io/restart.count` when yes. */
async function restartsOnFailure(
  client: Client,
  c: Container,
  policy: string,
  exitCode: number | undefined,
): Promise<boolean> {
  if (!policy.startsWith('on-failure')) return false;
  if (c.labels[RESTART_LABEL.explicitlyStopped] === 'true') return false;
  if (!exitCode) return false;
  const max = Number(policy.split(':')[1] ?? '0');
  const count = Number(c.labels[RESTART_LABEL.count] ?? '0');
  if (max > 0 && count >= max) return false;
  await client.containers.update({
    container: { id: c.id, labels: { [RESTART_LABEL.count]: String(count + 1) } },
    update_mask: { paths: [`labels.${RESTART_LABEL.count}`] },
  });
  return true;
}
