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
    if (err.code !== 'EPIPE') throw err;
    if (closed) return;
    closed = true;
    if (process.listenerCount('SIGINT') === 0) process.exit(141);
    process.emit('SIGINT', 'SIGINT');
    // An attached `run` forwards that SIGINT to the container, which may ignore it (PID 1):
    // like docker, berth then leaves the container running and exits 141, instead of hanging.
    setTimeout(() => process.exit(141), 5000).unref();
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
}
