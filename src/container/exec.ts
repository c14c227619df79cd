/** `exec`: a new process in a running container's task (FIFOs, like an attached run). */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Client } from '../containerd/client.js';
import { ContainerdError, NotFoundError } from '../containerd/errors.js';
import { PROCESS_TYPE_URL, unpackJsonAny } from '../containerd/helpers.js';
import { BerthError, DaemonError } from '../errors.js';
import { parseEnvFile } from '../opts/container-parsers.js';
import { execAction, publishEvent } from '../events/index.js';
import { allCapabilities } from '../oci/capabilities.js';
import { replaceOrAppendEnv } from '../oci/opts.js';
import type { Process, Spec } from '../oci/spec.js';
import { resolveUser } from '../oci/user.js';
import { readFileSync } from 'node:fs';
import { ended, openFifoReader, openFifoWriter } from './io.js';
import type { Container } from './resolve.js';
import { execFailureCode, prepareFifos } from './task.js';

export interface ExecOptions {
  args: string[];
  interactive?: boolean;
  tty?: boolean;
  detach?: boolean;
  env: string[];
  envFile: string[];
  workdir?: string;
  user?: string;
  privileged?: boolean;
}

export async function execInContainer(
  client: Client,
  c: Container,
  o: ExecOptions,
): Promise<number> {
  if (o.tty && !o.detach && !process.stdin.isTTY)
    throw new BerthError('the input device is not a TTY', { exitCode: 1 });
  let status: string | undefined;
  try {
    const { process: p } = await client.tasks.get({ container_id: c.id });
    status = p?.status;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  // Docker checks paused before running: a frozen process would never run the exec.
  if (status === 'PAUSED' || status === 'PAUSING')
    throw new DaemonError(`Container ${c.id} is paused, unpause the container before exec`, {
      exitCode: 1,
    });
  if (status !== 'RUNNING')
    throw new DaemonError(`container ${c.id} is not running`, {
      exitCode: 1,
    });

  const spec = unpackJsonAny<Spec>(c.spec!);
  const base = spec.process ?? ({ cwd: '/', user: { uid: 0, gid: 0 } } as Process);
  const fileEnv = o.envFile.flatMap((f) => parseEnvFile(readFileSync(f, 'utf8'), { filename: f }));
  const env = replaceOrAppendEnv(base.env ?? [], [
    ...fileEnv,
    ...o.env.map((e) => (e.includes('=') ? e : `${e}=${process.env[e] ?? ''}`)),
  ]);
  const proc: Process = {
    ...base,
    args: o.args,
    env,
    terminal: Boolean(o.tty),
    cwd: o.workdir ?? base.cwd,
  };
  if (o.tty && !env.some((e) => e.startsWith('TERM='))) proc.env = [...env, 'TERM=xterm'];
  if (o.user !== undefined) {
    const u = await resolveUser(
      o.user,
      `/proc/${(await client.tasks.get({ container_id: c.id })).process?.pid}/root`,
    );
    proc.user = { uid: u.uid, gid: u.gid, additionalGids: u.additionalGids };
  }
  if (o.privileged) {
    const caps = allCapabilities();
    proc.capabilities = { bounding: caps, effective: caps, permitted: caps };
  }
  const execId = randomBytes(8).toString('hex');
  // Announced before containerd's own exec events, which carry no command line.
  const announce = (kind: 'exec_create' | 'exec_start'): Promise<void> =>
    publishEvent(client, 'container', execAction(kind, o.args), c.id, { execID: execId });
  const json = JSON.stringify(proc, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
  const spec_ = { type_url: PROCESS_TYPE_URL, value: Buffer.from(json) };

  const fail = (err: unknown): never => {
    if (err instanceof ContainerdError) {
      const code = execFailureCode(err.message);
      if (code) {
        throw new BerthError(err.message.replace(/^failed to create shim task: /, ''), {
          exitCode: code,
        });
      }
      throw new DaemonError(err.message, { exitCode: 126 });
    }
    throw err;
  };

  if (o.detach) {
    try {
      await announce('exec_create');
      await client.tasks.exec({
        container_id: c.id,
        exec_id: execId,
        stdin: '',
        stdout: '',
        stderr: '',
        terminal: false,
        spec: spec_,
      });
      await announce('exec_start');
      await client.tasks.start({ container_id: c.id, exec_id: execId });
    } catch (err) {
      await client.tasks
        .deleteProcess({ container_id: c.id, exec_id: execId })
        .catch(() => undefined);
      fail(err);
    }
    return 0;
  }

  const { fifos, fifoReady, dropFifos } = prepareFifos(Boolean(o.interactive), Boolean(o.tty));
  const sockets: Socket[] = [];
  let restore: (() => void) | undefined;
  try {
    await fifoReady;
    const out = openFifoReader(fifos.stdout);
    const err = fifos.stderr ? openFifoReader(fifos.stderr) : undefined;
    sockets.push(out, ...(err ? [err] : []));
    out.on('data', (d: Buffer) => process.stdout.write(d));
    err?.on('data', (d: Buffer) => process.stderr.write(d));
    const outputDone = Promise.all([ended(out), err ? ended(err) : Promise.resolve()]);
    await announce('exec_create');
    try {
      await client.tasks.exec({
        container_id: c.id,
        exec_id: execId,
        stdin: fifos.stdin ?? '',
        stdout: fifos.stdout,
        stderr: fifos.stderr ?? '',
        terminal: Boolean(o.tty),
        spec: spec_,
      });
    } catch (e) {
      fail(e);
    }
    const waited = client.tasks.wait({ container_id: c.id, exec_id: execId });
    waited.catch(() => undefined);
    await announce('exec_start');
    try {
      await client.tasks.start({ container_id: c.id, exec_id: execId });
    } catch (e) {
      fail(e);
    }
    // The shim opens an exec's stdin FIFO at Start, so the writer can only be opened now.
    if (fifos.stdin) {
      const w = openFifoWriter(fifos.stdin);
      sockets.push(w);
      w.on('error', () => undefined);
      const stdin = process.stdin;
      if (o.tty && stdin.isTTY) {
        stdin.setRawMode(true);
        restore = () => stdin.setRawMode(false);
      }
      stdin.on('data', (d: Buffer) => w.write(d));
      stdin.once('end', () =>
        w.end(
          () =>
            void client.tasks
              .closeIO({ container_id: c.id, exec_id: execId, stdin: true })
              .catch(() => undefined),
        ),
      );
    }
    if (o.tty && process.stdout.columns) {
      void client.tasks
        .resizePty({
          container_id: c.id,
          exec_id: execId,
          width: process.stdout.columns,
          height: process.stdout.rows,
        })
        .catch(() => undefined);
    }
    const [status] = await Promise.all([waited, outputDone]);
    return status.exit_status;
  } finally {
    restore?.();
    sockets.forEach((s) => s.destroy());
    process.stdin.pause();
    (process.stdin as unknown as { unref?: () => void }).unref?.();
    await client.tasks
      .deleteProcess({ container_id: c.id, exec_id: execId })
      .catch(() => undefined);
    dropFifos();
  }
}
