/**
 * `attach` to a detached container. Its output goes to berth's logger, so attaching = following
 * the json log from now on; stdin (containers started with -i -t) goes to the stdin FIFO that the
 * shim reads, kept in the state dir. Ctrl-C is forwarded to the container (--sig-proxy), and the
 * detach keys (Ctrl-P Ctrl-Q unless --detach-keys) leave it running, as in Docker.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '../../containerd/client.js';
import { BerthError } from '../../errors.js';
import { LABEL } from '../../labels.js';
import {
  DEFAULT_DETACH_KEYS,
  DetachKeyFilter,
  parseDetachKeys,
} from '../../container/detach-keys.js';
import { forwardTstp } from '../../container/interrupt.js';
import { openFifoWriter } from '../../container/io.js';
import { specOf } from '../../container/labels.js';
import { showLogs } from '../../container/logs.js';
import { getTask } from '../../container/state.js';
import type { Container } from '../../container/resolve.js';

export async function attachContainer(
  client: Client,
  c: Container,
  o: { noStdin?: boolean; sigProxy: boolean; detachKeys?: string },
): Promise<number> {
  const keys = parseDetachKeys(o.detachKeys ?? DEFAULT_DETACH_KEYS);
  // Only NotFound means "no task": any other failure (containerd down) is reported as itself.
  const task = await getTask(client, c.id);
  if (String(task?.status) !== 'RUNNING')
    throw new BerthError('You cannot attach to a stopped container, start it first', {
      exitCode: 1,
    });
  const stdinFifo = join(c.labels[LABEL.stateDir] ?? '', 'stdin');
  let restore: (() => void) | undefined;
  let detached: (() => void) | undefined;
  const detach = new Promise<never>((_, reject) => {
    detached = () => reject(new BerthError('read escape sequence', { exitCode: 1 }));
  });
  detach.catch(() => undefined);
  if (!o.noStdin && existsSync(stdinFifo)) {
    const w = openFifoWriter(stdinFifo);
    w.on('error', () => undefined);
    const stdin = process.stdin;
    // Docker watches for the detach keys on terminals only; piped input passes untouched.
    const filter = stdin.isTTY ? new DetachKeyFilter(keys) : undefined;
    if (stdin.isTTY) {
      stdin.setRawMode(true);
      restore = () => stdin.setRawMode(false);
    }
    stdin.on('data', (d: Buffer) => {
      if (!filter) return void w.write(d);
      const { forward, detach: done } = filter.push(d);
      if (forward.length) w.write(forward);
      if (done) {
        w.end();
        detached?.();
      }
    });
  }
  const kill = (signal: number): void =>
    void client.tasks
      .kill({ container_id: c.id, exec_id: '', signal, all: false })
      .catch(() => undefined);
  const onSig = (): void => kill(2);
  if (o.sigProxy) process.on('SIGINT', onSig);
  const dropTstp = o.sigProxy && !specOf(c).process?.terminal ? forwardTstp(kill) : undefined;
  try {
    const attached = (async () => {
      await showLogs(client, c, { follow: true, tail: '0' });
      const r = await client.tasks.wait({ container_id: c.id }).catch(() => ({ exit_status: 0 }));
      return r.exit_status;
    })();
    return await Promise.race([attached, detach]);
  } finally {
    restore?.();
    process.off('SIGINT', onSig);
    dropTstp?.();
    process.stdin.pause();
    (process.stdin as unknown as { unref?: () => void }).unref?.();
  }
}
