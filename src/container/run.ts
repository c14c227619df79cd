/**
 * `run` = create + start a task, attached (FIFOs, berth copies the streams and writes the
 * json-file log) or detached (berth's binary logger, no berth process needed).
 */
import type { Client } from '../containerd/client.js';
import type { Settings } from '../config/index.js';
import { BerthError, DaemonError, UsageError } from '../errors.js';
import { createContainer, type CreatedContainer } from './create.js';
import type { ContainerCreateOptions } from './options.js';
import { parseDetachKeys } from './detach-keys.js';
import { interruptGuard, InterruptedError } from './interrupt.js';
import { afterExit, detachNetwork } from './exit.js';
import { destroyContainer } from './remove.js';
import { startContainer } from './start.js';
import { markRunning } from './restart.js';
import { attachTask, prepareFifos, startDetached } from './task.js';

export interface RunOptions {
  /** What to create. */
  create: ContainerCreateOptions;
  /** `-d`: print the id and leave the task to berth's logger. */
  detach: boolean;
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
  run: RunOptions,
): Promise<number> {
  const o = { ...run.create, ...run };
  if (o.detachKeys !== undefined) parseDetachKeys(o.detachKeys); // refused before anything exists
  if (o.tty && !o.detach && !process.stdin.isTTY) {
    throw new BerthError('the input device is not a TTY', { exitCode: 1 });
  }
  const streams = new Set(o.attach.map((s) => s.toLowerCase()));
  for (const s of streams) {
    if (!['stdin', 'stdout', 'stderr'].includes(s)) {
      throw new DaemonError(
        `invalid argument "${s}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`,
        { exitCode: 125, help: true },
      );
    }
  }
  if (o.detach && streams.size > 0) {
    throw new UsageError('berth: Conflicting options: -a and -d');
  }

  // FIFOs are made while the container is being created (one mkfifo spawn, off the critical path).
  const attached = o.detach ? undefined : prepareFifos(o.interactive, o.tty);
  const fifos = attached?.fifos;
  const fifoReady = attached?.fifoReady;
  const dropFifos = (): void => attached?.dropFifos();

  const guard = interruptGuard();
  let c: CreatedContainer;
  try {
    c = await createContainer(client, settings, run.create, {
      signal: guard.signal,
      startNow: true,
    });
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

    // The container exists: an attached run forwards signals from here on, as Docker's CLI does
    // once its create call has returned, rather than undoing it.
    if (!o.detach) guard.hold();

    if (o.detach) {
      guard.release();
      try {
        await startDetached(client, {
          id: c.id,
          stateDir: c.stateDir,
          logUri: c.logUri,
          tty: o.tty,
          interactive: o.interactive,
          mounts: c.mounts,
        });
      } catch (err) {
        // Docker keeps a container whose start failed (status Created), holding nothing; --rm
        // removes it.
        if (o.autoRemove) await destroyContainer(client, settings, c.id, c.stateDir, c.labels);
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
        tty: o.tty,
        interactive: o.interactive,
        rm: o.autoRemove,
        sigProxy: o.sigProxy,
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
