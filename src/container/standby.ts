/**
 * The standby logger of an attached run: what keeps a foreground container logged, and its `--rm`
 * and exit handling done, when the berth that attached it dies (SIGKILL, a closed terminal that
 * killed it, an out-of-memory kill), as Docker's daemon does for a CLI that went away.
 *
 * It costs almost nothing while berth lives: a `sh` blocked reading a pipe whose write end only
 * berth holds. berth writes `done` once it has handled the container's end itself (or handed the
 * FIFOs to another logger), and the shell exits. If the pipe closes without it, berth is gone: the
 * shell execs berth's logger on the task's FIFOs (takeover mode, see src/logger-entry.ts). The
 * shim holds each FIFO's read end as well as its write end, so what the container writes in
 * between waits in the FIFO (the container blocks when it is full) and nothing is lost.
 */
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

/** The argv of berth's logger (bin/berth-logger.js) in FIFO mode for the container's log URI. */
export function fifoLoggerArgs(
  logUri: string,
  fifos: { stdin?: string; stdout: string; stderr?: string },
): string[] {
  const uri = new URL(logUri);
  const args = [decodeURIComponent(uri.pathname)];
  for (const [k, v] of uri.searchParams) args.push(k, v);
  args.push('fifo', '1', 'stdout', fifos.stdout);
  if (fifos.stdin) args.push('stdin', fifos.stdin);
  if (fifos.stderr) args.push('stderr', fifos.stderr);
  return args;
}

export interface Standby {
  /** berth handled the container's end (or handed it over): the standby leaves. */
  done(): void;
}

const SCRIPT = 'read -r m; [ "$m" = done ] || exec "$0" "$@"';

export function startStandby(o: {
  logUri: string;
  id: string;
  namespace: string;
  fifos: { stdout: string; stderr?: string };
  /** berth's private FIFO directory, which the takeover removes when it leaves. */
  fifoDir: string;
}): Standby {
  const args = [...fifoLoggerArgs(o.logUri, o.fifos), 'takeover', '1', 'fifodir', o.fifoDir];
  const child = spawn('/bin/sh', ['-c', SCRIPT, process.execPath, ...args], {
    // Its own session: the terminal's Ctrl-C and hang-up reach berth's group, not this.
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { ...process.env, CONTAINER_ID: o.id, CONTAINER_NAMESPACE: o.namespace },
  });
  child.on('error', () => undefined);
  child.unref();
  const stdin = child.stdin as Writable & { unref?: () => void };
  stdin.on('error', () => undefined);
  // The pipe must not keep berth alive; closing it is how berth's death is seen.
  (stdin as unknown as { _handle?: { unref?: () => void } })._handle?.unref?.();
  let finished = false;
  return {
    done() {
      if (finished) return;
      finished = true;
      stdin.end('done\n');
    },
  };
}
