/**
 * Task stdio for an attached client: FIFOs (one `mkfifo` spawn for all of them), non-blocking
 * sockets on them (read ends opened before Tasks.Create, the stdin writer after it), and the
 * Docker json-file log that berth writes for the streams it copies.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { processAlive } from '../process.js';
import { JsonFileEncoder } from '../jsonfile.js';
import { join } from 'node:path';

/**
 * Appends Docker json-file lines: one JSON object per output line (`log` keeps the `\n`);
 * a partial line is held until its newline arrives or the stream ends.
 */
export class JsonLogWriter {
  private fd: number | undefined;
  private readonly encoder = new JsonFileEncoder();
  // One decoder per stream: a UTF-8 character split across two reads must not become U+FFFD.
  private readonly decoders = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };

  private warned = false;

  /** `warn` hears, once, that the log cannot be written (full disk, missing dir). */
  constructor(
    private readonly path: string,
    private readonly warn: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
  ) {
    try {
      this.fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o640);
    } catch (err) {
      this.fd = undefined;
      this.failed(err);
    }
  }

  private failed(err: unknown): void {
    if (this.warned) return;
    this.warned = true;
    const e = err as NodeJS.ErrnoException;
    const reason = e.code === 'ENOSPC' ? 'no space left on device' : e.message;
    this.warn(
      `WARNING: cannot write the container log ${this.path}: ${reason}; output is not being logged`,
    );
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    if (this.fd === undefined) return;
    const decoded = typeof chunk === 'string' ? chunk : this.decoders[stream].write(chunk);
    const out = this.encoder.encode(stream, decoded);
    if (out) this.append(out);
  }

  /** Writes held partial lines (without a newline, as Docker does at EOF). */
  flush(): void {
    const out = this.encoder.flush();
    if (out) this.append(out);
  }

  private append(s: string): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, s);
    } catch (err) {
      // A full disk must not kill the container's output on the terminal: say so once, go on.
      this.failed(err);
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Creates the FIFOs with a single `mkfifo` process. */
export function mkfifos(paths: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mkfifo', ['-m', '600', ...paths], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`mkfifo: ${err.trim()}`)),
    );
  });
}

export interface FifoSet {
  dir: string;
  stdin?: string;
  stdout: string;
  stderr?: string;
}

/** Paths for a process's FIFOs in `dir` (created by mkfifos). */
export function fifoPaths(
  dir: string,
  prefix: string,
  opts: { stdin: boolean; tty: boolean },
): FifoSet {
  return {
    dir,
    stdin: opts.stdin ? join(dir, `${prefix}-stdin`) : undefined,
    stdout: join(dir, `${prefix}-stdout`),
    stderr: opts.tty ? undefined : join(dir, `${prefix}-stderr`),
  };
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o711 });
}

/** Opens a FIFO read end without blocking (no writer yet is fine: no false EOF with epoll). */
export function openFifoReader(path: string): Socket {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  return new Socket({ fd, readable: true, writable: false });
}

/** Opens a FIFO write end; the reader (the shim) must already have it open. */
export function openFifoWriter(path: string): Socket {
  const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  return new Socket({ fd, readable: false, writable: true });
}

/** Resolves when the socket has ended or closed (or errored). */
export function ended(sock: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (sock.destroyed || sock.readableEnded) return resolve();
    sock.once('end', resolve);
    sock.once('close', resolve);
    sock.once('error', () => resolve());
  });
}

export function removeFifos(set: FifoSet | undefined): void {
  if (!set) return;
  for (const p of [set.stdin, set.stdout, set.stderr]) {
    if (p) rmSync(p, { force: true });
  }
}

/** Where attached runs keep their FIFOs, like containerd's /run/containerd/fifo. */
const FIFO_ROOT = '/run/berth/fifo';

/**
 * A private FIFO directory named after this process, so that if berth is killed the directory
 * can be recognised as orphaned and swept (by `rm`) instead of leaking.
 */
export function makeFifoDir(): string {
  mkdirSync(FIFO_ROOT, { recursive: true, mode: 0o700 });
  return mkdtempSync(join(FIFO_ROOT, `${process.pid}-`));
}

/**
 * After a detach (Ctrl-P Ctrl-Q) the task keeps the FIFOs berth made for it: their directory is
 * renamed to `keep-<container id>`, out of the sweep's way, and removed with the container.
 */
export function keepFifoDir(dir: string, containerId: string): string {
  const kept = join(FIFO_ROOT, `keep-${containerId}`);
  rmSync(kept, { recursive: true, force: true });
  renameSync(dir, kept);
  return kept;
}

export function keptFifoDir(containerId: string): string {
  return join(FIFO_ROOT, `keep-${containerId}`);
}

/** Removes FIFO directories whose berth process is gone. */
export function sweepStaleFifoDirs(): void {
  let entries: string[];
  try {
    entries = readdirSync(FIFO_ROOT);
  } catch {
    return;
  }
  for (const name of entries) {
    const pid = Number(name.split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    rmSync(join(FIFO_ROOT, name), { recursive: true, force: true });
  }
}
