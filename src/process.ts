import { readFileSync } from 'node:fs';

/** True while a process with that pid exists (EPERM: it exists, but is not ours to signal). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When the process started, in clock ticks since boot (field 22 of /proc/<pid>/stat): with the
 * pid it names one process, where a pid alone may since belong to another. Undefined when gone.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields resume after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * `berth ps | head -1`: once the reader is gone, writes to stdout fail with EPIPE. docker (Go)
 * dies of SIGPIPE there, silently, and the shell sees 141; node ignores SIGPIPE, so without this
 * the EPIPE surfaced as an unhandled 'error' event with a stack trace and exit code 1.
 * A command that undoes its work on Ctrl-C (pull, run, load, save, push) is interrupted instead,
 * so that a closed pipe leaves no lease or half-made container behind either; later EPIPEs, from
 * whatever it still prints while it cleans up, are ignored.
 */
export function exitOnClosedPipe(): void {
  let closed = false;
  const onError = (err: NodeJS.ErrnoException): void => {
    // An interrupted command's pipeline destroys stdout with its AbortError: not a failure.
    if (err.code === 'ABORT_ERR' || err.code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    if (err.code !== 'EPIPE') throw err;
    if (closed) return;
    closed = true;
    outputClosed = true;
    if (process.listenerCount('SIGINT') === 0) process.exit(141);
    process.emit('SIGINT', 'SIGINT');
    // An attached `run` forwards that SIGINT to the container, which may ignore it (PID 1):
    // like docker, berth then leaves the container running and exits 141, instead of hanging.
    setTimeout(() => process.exit(141), 5000).unref();
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
}

let outputClosed = false;

/** The shell's status for a process killed by each signal, which is what docker's Go CLI gets. */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 129,
  SIGINT: 130,
  SIGTERM: 143,
};

/**
 * Runs `work` so that Ctrl-C, SIGTERM, SIGHUP or a closed stdout (`save IMG | head -c 10`) abort
 * its signal and let it undo what it did (mounts, spools, leases, half-written files), then leave
 * with the status docker would die with: 130, 143, 129, or 141 for the closed pipe, and no
 * message. A second signal leaves at once, for a step that hangs.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let status = 0;
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const [sig, code] of Object.entries(SIGNAL_EXIT) as [NodeJS.Signals, number][]) {
    const onSignal = (): void => {
      const next = outputClosed ? 141 : code;
      if (ac.signal.aborted) process.exit(next);
      status = next;
      ac.abort(new Error('interrupted'));
    };
    handlers.set(sig, onSignal);
    process.on(sig, onSignal);
  }
  try {
    const result = await work(ac.signal);
    if (status) process.exit(status);
    return result;
  } catch (err) {
    if (status) process.exit(status);
    throw err;
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}
