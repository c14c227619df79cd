/**
 * `run` = create + start a task, attached (FIFOs, berth copies the streams and writes the
 * json-file log) or detached (berth's binary logger, no berth process needed).
 */
import type { Client } from '../../containerd/client.js';
import type { Settings } from '../../config/index.js';
import { BerthError } from '../../errors.js';
import {
  createContainer,
  DaemonError,
  type ContainerOptions,
  type CreatedContainer,
} from '../../container/create.js';
import { parseDetachKeys } from '../../container/detach-keys.js';
import { interruptGuard, InterruptedError } from '../../container/interrupt.js';
import { afterExit, detachNetwork } from '../../container/exit.js';
import { destroyContainer } from '../../container/remove.js';
import { startContainer } from '../../container/start.js';
import { markRunning } from '../../container/restart.js';
import { attachTask, prepareFifos, startDetached } from '../../container/task.js';

export interface RunOptions extends ContainerOptions {
  sigProxy: boolean;
  /** `--detach-keys` (default Ctrl-P Ctrl-Q), for `-i -t` runs on a terminal. */
  detachKeys?: string;
  /** `-a`: streams to attach (empty: stdout+stderr, plus stdin with -i). */
  attach: string[];
}

/** `run`: returns the exit code to leave with. */
export async function runContainer(
  client: Client,
  settings: Settings,
  o: RunOptions,
): Promise<number> {
  const cmd = o.command;
  if (o.detachKeys !== undefined) parseDetachKeys(o.detachKeys); // refused before anything exists
  if (o.tty && !o.detach && !process.stdin.isTTY) {
    throw new BerthError('the input device is not a TTY', { exitCode: 1 });
  }
  if (o.detach && o.rm === undefined) o.rm = false;
  const streams = new Set(o.attach.map((s) => s.toLowerCase()));
  for (const s of streams) {
    if (!['stdin', 'stdout', 'stderr'].includes(s)) {
      throw new DaemonError(
        `invalid argument "${s}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`,
        cmd,
      );
    }
  }
  if (o.detach && streams.size > 0) {
    throw new BerthError('berth: Conflicting options: -a and -d', { exitCode: 125 });
  }

  // FIFOs are made while the container is being created (one mkfifo spawn, off the critical path).
  const attached = o.detach ? undefined : prepareFifos(Boolean(o.interactive), Boolean(o.tty));
  const fifos = attached?.fifos;
  const fifoReady = attached?.fifoReady;
  const dropFifos = (): void => attached?.dropFifos();

  const guard = interruptGuard();
  let c: CreatedContainer;
  try {
    c = await createContainer(client, settings, { ...o, startNow: true, signal: guard.signal });
  } catch (err) {
    guard.release();
    await fifoReady?.catch(() => undefined);
    dropFifos();
    if (guard.signal.aborted) return 130;
    throw err;
  }
  // The creation lease goes while the task starts; it must be gone before berth exits.
  try {
    return await runCreated(c);
  } finally {
    await c.settled;
  }

  async function runCreated(c: CreatedContainer): Promise<number> {
    const undo = async (): Promise<number> => {
      guard.release();
      await destroyContainer(client, settings, c.id, c.stateDir, c.labels);
      await fifoReady?.catch(() => undefined);
      dropFifos();
      return 130;
    };
    if (guard.signal.aborted) return undo();

    if (o.detach) {
      guard.release();
      try {
        await startDetached(client, {
          id: c.id,
          stateDir: c.stateDir,
          logUri: c.logUri,
          tty: Boolean(o.tty),
          interactive: Boolean(o.interactive),
          mounts: c.mounts,
          command: cmd,
        });
      } catch (err) {
        // Docker keeps a container whose start failed (status Created), holding nothing; --rm
        // removes it.
        if (o.rm) await destroyContainer(client, settings, c.id, c.stateDir, c.labels);
        else await detachNetwork(settings, c.id);
        throw err;
      }
      await markRunning(client, c.id, c.labels);
      process.stdout.write(`${c.id}\n`);
      return 0;
    }

    try {
      return await attachTask(client, settings, {
        guard,
        id: c.id,
        mounts: c.mounts,
        logPath: c.logPath,
        stateDir: c.stateDir,
        labels: c.labels,
        tty: Boolean(o.tty),
        interactive: Boolean(o.interactive),
        rm: Boolean(o.rm),
        sigProxy: o.sigProxy,
        command: cmd,
        logUri: c.logUri,
        detachKeys: o.detachKeys,
        fifos: fifos!,
        fifoReady: fifoReady!,
        dropFifos,
        streams,
        afterExit: () =>
          afterExit(client, settings, c.id, (fresh) => startContainer(client, settings, fresh, {})),
      });
    } catch (err) {
      if (err instanceof InterruptedError) return undo();
      throw err;
    } finally {
      guard.release();
    }
  }
}
