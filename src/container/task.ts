/**
 * Task stdio and attach, for run, start and exec (and build's RUN steps): a task started
 * attached (FIFOs; berth copies the streams and writes the json-file log) or detached (berth's
 * binary logger, no berth process needed), and the hand-over of an attached task's FIFOs to the
 * logger on detach.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { DEFAULT_DETACH_KEYS, DetachKeyFilter, parseDetachKeys } from './detach-keys.js';
import { forwardTstp, InterruptedError, type InterruptGuard } from './interrupt.js';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import type { Client } from '../containerd/client.js';
import type { Settings } from '../config/index.js';
import { ContainerdError, NotFoundError } from '../containerd/errors.js';
import { BerthError, DaemonError } from '../errors.js';
import { detachNetwork } from './exit.js';
import { startStandby, fifoLoggerArgs, type Standby } from './standby.js';
import { effectiveHealth, type HealthConfig } from '../health/config.js';
import { startHealthMonitor, type Monitor } from '../health/monitor.js';
import { CleanupStack } from './cleanup.js';
import type { RootfsMount } from './create.js';
import { destroyContainer } from './remove.js';
import { markRunning } from './restart.js';
import {
  ended,
  fifoPaths,
  JsonLogWriter,
  keepFifoDir,
  makeFifoDir,
  mkfifos,
  openFifoReader,
  openFifoWriter,
  type FifoSet,
} from './io.js';

/** Docker's exit code for a failed exec in the runtime: 127 not found, 126 not executable. */
export function execFailureCode(message: string): number | undefined {
  if (/executable file not found|no such file or directory/.test(message)) return 127;
  if (/permission denied|is a directory|exec format error/.test(message)) return 126;
  return undefined;
}

export function taskCreateError(err: unknown): BerthError {
  if (err instanceof ContainerdError) {
    const exitCode = execFailureCode(err.message) ?? 125;
    return new DaemonError(err.message, { exitCode, help: true, cause: err });
  }
  if (err instanceof BerthError) return err;
  return new DaemonError(err instanceof Error ? err.message : String(err), {
    exitCode: 125,
    help: true,
  });
}

export interface StartDetachedOptions {
  id: string;
  stateDir: string;
  logUri: string;
  tty: boolean;
  interactive: boolean;
  mounts: RootfsMount[];
}

/**
 * Starts a task whose output goes to berth's logger. With `-i -t` stdin is a FIFO in the state
 * dir (attach writes to it later); without a TTY the shim gives binary loggers no stdin.
 */
export async function startDetached(client: Client, o: StartDetachedOptions): Promise<number> {
  let stdin = '';
  let stdout = o.logUri;
  let stderr = o.tty ? '' : o.logUri;
  let logger: ChildProcess | undefined;
  // Marker for the logger: from now on an empty cgroup means "exited". Gone before any logger
  // starts, so that none reads the previous run's.
  rmSync(join(o.stateDir, 'started'), { force: true });
  if (o.interactive) {
    stdin = join(o.stateDir, 'stdin');
    rmSync(stdin, { force: true });
    if (o.tty) await mkfifos([stdin]);
    else {
      // The shim gives a binary logger's container no stdin without a TTY; Docker keeps `-d -i`
      // stdin open. FIFOs instead, with berth's logger started here, detached, to serve them.
      stdout = join(o.stateDir, 'stdout');
      stderr = join(o.stateDir, 'stderr');
      for (const p of [stdout, stderr]) rmSync(p, { force: true });
      await mkfifos([stdin, stdout, stderr]);
      logger = await startFifoLogger(o.logUri, o.id, client.namespace, { stdin, stdout, stderr });
    }
  }
  let created;
  try {
    created = await client.tasks.create(
      { container_id: o.id, rootfs: o.mounts, stdin, stdout, stderr, terminal: o.tty },
      { timeoutMs: 60_000 },
    );
  } catch (err) {
    // No writer will ever come to its FIFOs: the logger would wait for ever.
    logger?.kill('SIGKILL');
    throw taskCreateError(err);
  }
  const startedAt = new Date();
  try {
    await client.tasks.start({ container_id: o.id });
  } catch (err) {
    await client.tasks.delete({ container_id: o.id }).catch(() => undefined);
    throw taskCreateError(err);
  }
  markStarted(o.stateDir, startedAt);
  return created.pid;
}

/**
 * The `started` marker, written once Tasks.Start has returned: the logger takes its presence as
 * "the task has been started", and inspect its mtime as StartedAt after the task has exited. The
 * mtime is `at`, taken before Tasks.Start was called: a fast process may have exited (its
 * FinishedAt) before Start even returns, and StartedAt must never come after it.
 */
export function markStarted(stateDir: string, at: Date): void {
  if (!stateDir) return;
  const marker = join(stateDir, 'started');
  try {
    writeFileSync(marker, '');
    utimesSync(marker, at, at);
  } catch {
    // No state dir: inspect shows no start time after the exit; nothing else depends on it.
  }
}

/**
 * Starts bin/berth-logger.js in FIFO mode (see src/logger-entry.ts) in its own session, so it
 * outlives berth, and waits until it has the FIFOs open.
 */
function startFifoLogger(
  logUri: string,
  id: string,
  namespace: string,
  fifos: { stdin: string; stdout: string; stderr?: string },
): Promise<ChildProcess> {
  const child = spawn(process.execPath, fifoLoggerArgs(logUri, fifos), {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, CONTAINER_ID: id, CONTAINER_NAMESPACE: namespace },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (why: string): void => {
      child.kill('SIGKILL');
      reject(new Error(`the container's logger did not start: ${why}`));
    };
    child.once('error', (e) => fail(e.message));
    child.once('exit', (code) => fail(`exit code ${code}`));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('ready\n')) return;
      child.removeAllListeners('exit');
      child.stdout!.destroy();
      child.unref();
      resolve(child);
    });
  });
}

export interface AttachTaskOptions {
  /** `run`'s guard over creation: released once the task's signal forwarding is in place. */
  guard?: InterruptGuard;
  id: string;
  mounts: RootfsMount[];
  logPath: string;
  stateDir: string;
  labels: Record<string, string>;
  tty: boolean;
  interactive: boolean;
  rm: boolean;
  sigProxy: boolean;
  /** The container's logger: a detach hands the task's FIFOs over to it. */
  logUri?: string;
  detachKeys?: string;
  fifos: FifoSet;
  fifoReady: Promise<void>;
  dropFifos: () => void;
  streams: Set<string>;
  /**
   * What follows the task's exit when it is not removed (./exit.ts: the network goes, the
   * restart policy decides); by default only the network goes.
   */
  afterExit?: () => Promise<void>;
}

/** Prepares FIFOs for an attached task in a private temp dir. */
export function prepareFifos(interactive: boolean, tty: boolean) {
  const fifoDir = makeFifoDir();
  const fifos = fifoPaths(fifoDir, 'init', { stdin: interactive, tty });
  const fifoReady = mkfifos(
    [fifos.stdin, fifos.stdout, fifos.stderr].filter((p): p is string => Boolean(p)),
  );
  fifoReady.catch(() => undefined);
  return { fifos, fifoReady, dropFifos: () => rmSync(fifoDir, { recursive: true, force: true }) };
}

/** Creates and starts the task with berth attached; returns the exit code. */
export async function attachTask(
  client: Client,
  settings: Settings,
  o: AttachTaskOptions,
): Promise<number> {
  const { fifos, fifoReady, dropFifos, streams } = o;
  const c = o;
  const tty = o.tty;
  const wantOut = streams.size === 0 || streams.has('stdout');
  const wantErr = streams.size === 0 || streams.has('stderr');
  const wantIn = o.interactive && (streams.size === 0 || streams.has('stdin'));
  const cleanup = new CleanupStack();
  cleanup.push(dropFifos);
  let taskDeleted = false;
  if (o.rm) {
    cleanup.push(() => destroyContainer(client, settings, c.id, c.stateDir, c.labels, taskDeleted));
  }
  const log = new JsonLogWriter(c.logPath);
  cleanup.push(() => log.close());
  const sockets: Socket[] = [];
  cleanup.push(() => sockets.forEach((s) => s.destroy()));
  let restoreTty: (() => void) | undefined;
  cleanup.push(() => restoreTty?.());
  const removers: (() => void)[] = [];
  cleanup.push(() => removers.forEach((r) => r()));
  // A run that fails to start gives back the network it attached (--rm: destroyContainer does).
  if (!o.rm) cleanup.push(() => detachNetwork(settings, c.id));
  let standby: Standby | undefined;

  try {
    await fifoReady;
    // Should berth die from here on, the standby logger keeps the container logged and does
    // what its end needs (--rm, the network, the restart policy).
    if (o.logUri) {
      standby = startStandby({
        logUri: o.logUri,
        id: c.id,
        namespace: client.namespace,
        fifos: { stdout: fifos.stdout, stderr: fifos.stderr },
        fifoDir: fifos.dir,
      });
    }
    const out = openFifoReader(fifos.stdout);
    sockets.push(out);
    const err = fifos.stderr ? openFifoReader(fifos.stderr) : undefined;
    if (err) sockets.push(err);
    out.on('data', (d: Buffer) => {
      log.write('stdout', d);
      if (wantOut) process.stdout.write(d);
    });
    err?.on('data', (d: Buffer) => {
      log.write('stderr', d);
      if (wantErr) process.stderr.write(d);
    });
    const outputDone = Promise.all([ended(out), err ? ended(err) : Promise.resolve()]);

    try {
      await client.tasks.create(
        {
          container_id: c.id,
          rootfs: c.mounts,
          stdin: fifos.stdin ?? '',
          stdout: fifos.stdout,
          stderr: fifos.stderr ?? '',
          terminal: tty,
        },
        { timeoutMs: 60_000 },
      );
    } catch (e) {
      if (o.guard?.signal.aborted) throw new InterruptedError();
      throw taskCreateError(e);
    }
    cleanup.push(() =>
      client.tasks
        .delete({ container_id: c.id })
        .then(() => {
          taskDeleted = true;
        })
        .catch(() => undefined),
    );
    if (o.guard?.signal.aborted) throw new InterruptedError();
    // Aborted on detach: a pending Wait would keep berth alive as long as the container.
    const waitAbort = new AbortController();
    const waited = client.tasks.wait({ container_id: c.id }, { signal: waitAbort.signal });
    waited.catch(() => undefined);

    if (tty && process.stdin.isTTY) {
      const stdin = process.stdin;
      stdin.setRawMode(true);
      restoreTty = () => {
        try {
          stdin.setRawMode(false);
        } catch {
          /* stdin already gone */
        }
        restoreTty = undefined;
      };
      const resize = (): void => {
        const { columns, rows } = process.stdout;
        if (columns && rows) {
          void client.tasks
            .resizePty({ container_id: c.id, exec_id: '', width: columns, height: rows })
            .catch(() => undefined);
        }
      };
      resize();
      process.on('SIGWINCH', resize);
      removers.push(() => process.off('SIGWINCH', resize));
    }

    // Detach keys (Docker: with a TTY on a terminal): the logger takes over the FIFOs and berth
    // leaves the container running.
    let onDetach: (() => void) | undefined;
    const detached = new Promise<'detached'>((resolve) => (onDetach = () => resolve('detached')));
    const keys =
      tty && wantIn && process.stdin.isTTY && o.logUri
        ? new DetachKeyFilter(parseDetachKeys(o.detachKeys ?? DEFAULT_DETACH_KEYS))
        : undefined;

    if (fifos.stdin) {
      const w = openFifoWriter(fifos.stdin);
      sockets.push(w);
      if (wantIn) {
        const stdin = process.stdin;
        const onData = (d: Buffer): void => {
          if (!keys) return void w.write(d);
          const { forward, detach } = keys.push(d);
          if (forward.length) w.write(forward);
          if (detach) {
            stdin.off('data', onData);
            onDetach?.();
          }
        };
        const onEnd = (): void => {
          w.end(() => {
            void client.tasks
              .closeIO({ container_id: c.id, exec_id: '', stdin: true })
              .catch(() => undefined);
          });
        };
        stdin.on('data', onData);
        stdin.once('end', onEnd);
        w.on('error', () => undefined);
        removers.push(() => {
          stdin.off('data', onData);
          stdin.off('end', onEnd);
          stdin.pause();
          // Let the process exit although stdin (a TTY or pipe) is still open.
          (stdin as unknown as { unref?: () => void }).unref?.();
        });
      } else {
        void client.tasks
          .closeIO({ container_id: c.id, exec_id: '', stdin: true })
          .catch(() => undefined);
      }
    }

    // Signals: the first Ctrl-C/SIGTERM goes to the container, a second Ctrl-C kills it.
    let interrupts = 0;
    const forward = (sig: NodeJS.Signals): void => {
      if (sig === 'SIGINT') interrupts++;
      const signal = interrupts >= 2 ? 9 : sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1;
      void client.tasks
        .kill({ container_id: c.id, exec_id: '', signal, all: signal === 9 })
        .catch(() => undefined);
    };
    const held = o.guard?.release() ?? [];
    const handlers: [NodeJS.Signals, () => void][] = [];
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) {
      const h = o.sigProxy ? (): void => forward(sig) : (): void => forward('SIGINT');
      if (!o.sigProxy && sig !== 'SIGINT') continue;
      handlers.push([sig, h]);
      process.on(sig, h);
    }
    removers.push(() => handlers.forEach(([s, h]) => process.off(s, h)));
    if (o.sigProxy && !o.tty) {
      removers.push(
        forwardTstp(
          (signal) =>
            void client.tasks
              .kill({ container_id: c.id, exec_id: '', signal, all: false })
              .catch(() => undefined),
        ),
      );
    }

    const startedAt = new Date();
    try {
      await client.tasks.start({ container_id: c.id });
    } catch (e) {
      throw taskCreateError(e);
    }
    markStarted(c.stateDir, startedAt);
    void markRunning(client, c.id, c.labels);
    // What came while the task was being made goes to it now, as it would have with Docker.
    for (const sig of held) handlers.find(([s]) => s === sig)?.[1]();
    const health = o.logUri ? foregroundHealth(o.logUri, c.id, client.namespace) : undefined;
    cleanup.push(() => health?.stop());

    const first = await Promise.race([Promise.all([waited, outputDone]), detached]);
    health?.stop();
    if (first === 'detached') {
      waitAbort.abort();
      await handOver(client, c, fifos, o.logUri!);
      standby?.done();
      cleanup.clear();
      cleanupAfterExit(sockets, log, () => undefined, restoreTty, removers);
      return 0;
    }
    const [status] = first;
    log.flush();
    const code = status.exit_status;
    // Keep the exited task unless --rm (or a restart policy would restart it anyway)
    // so `ps -a` shows Exited (code) like Docker.
    if (o.rm) {
      await cleanup.run();
    } else {
      cleanup.clear();
      cleanupAfterExit(sockets, log, dropFifos, restoreTty, removers);
      await (o.afterExit ? o.afterExit() : detachNetwork(settings, c.id));
    }
    standby?.done();
    return code;
  } catch (e) {
    await cleanup.run();
    standby?.done();
    if (e instanceof NotFoundError) {
      throw new DaemonError(e.message, { exitCode: 125, help: true, cause: e });
    }
    throw e;
  }
}

/**
 * The health checks of an attached container, run by berth itself while it is attached: a
 * detached container's logger runs them (src/logger-entry.ts), but an attached run has no logger
 * until a detach or berth's death hands the FIFOs to one, and that one starts its own. The
 * prober gets what the logger would (the log URI's health, cgroup and state dir).
 */
function foregroundHealth(logUri: string, id: string, namespace: string): Monitor | undefined {
  const q = new URL(logUri).searchParams;
  const text = q.get('health');
  const health = text ? effectiveHealth(JSON.parse(text) as HealthConfig) : undefined;
  if (!health) return undefined;
  return startHealthMonitor({
    health,
    containerId: id,
    namespace,
    stateDir: q.get('state') ?? '',
    cgroup: q.get('cg') ?? '',
    runcRoot: q.get('runcroot') ?? `/run/containerd/runc/${namespace}`,
  });
}

/**
 * Gives a detached task's FIFOs to the container's logger (FIFO mode, as for `-d -i`): it opens
 * them before berth lets go, so no output is lost, and `attach` finds stdin at <state>/stdin.
 */
async function handOver(
  client: Client,
  c: { id: string; stateDir: string },
  fifos: FifoSet,
  logUri: string,
): Promise<void> {
  const dir = keepFifoDir(fifos.dir, c.id);
  const moved = (p: string | undefined): string | undefined =>
    p ? join(dir, p.slice(fifos.dir.length + 1)) : undefined;
  const stdin = moved(fifos.stdin)!;
  await startFifoLogger(logUri, c.id, client.namespace, {
    stdin,
    stdout: moved(fifos.stdout)!,
    stderr: moved(fifos.stderr),
  });
  const link = join(c.stateDir, 'stdin');
  rmSync(link, { force: true });
  symlinkSync(stdin, link);
}

function cleanupAfterExit(
  sockets: Socket[],
  log: JsonLogWriter,
  dropFifos: () => void,
  restoreTty: (() => void) | undefined,
  removers: (() => void)[],
): void {
  sockets.forEach((s) => s.destroy());
  log.close();
  dropFifos();
  restoreTty?.();
  removers.forEach((r) => r());
}
