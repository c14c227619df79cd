// berth's per-user agent (docs/startup.md): warm workers that run commands for the thin client
// (native/client.c), so that a command does not pay for starting node.
//
// A worker is a berth process started from the snapshot, waiting in accept() on the user's
// private socket. For each connection it takes the client's arguments, environment, working
// directory, umask and stdin/stdout/stderr (dup2'd onto its own fds 0-2, so terminals, pipes and
// files are what the client has), runs the command exactly as bin/berth would and sends the exit
// status back. It holds no state of its own: containerd stays the only truth.
//  - It lives on only after commands that only read (RETAINED) and that ended with the event
//    loop drained, as a process would have; any other command (they record their pid in leases,
//    FIFO directories and network state, whose liveness must end with the command) and any
//    process.exit() end the worker, as they would end a berth process. A worker that takes a
//    command makes sure another one is waiting, so concurrent commands never queue.
//  - Idle workers exit after BERTH_AGENT_IDLE seconds (default 600), and at once when the
//    snapshot they were started from has been rebuilt or removed.
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import net from 'node:net';
import { Readable, Writable } from 'node:stream';
import tty from 'node:tty';
import { basename, dirname, join } from 'node:path';

interface FdPass {
  listen(path: string): number;
  accept(
    fd: number,
    timeoutMs: number,
  ): { fd: number; pid: number; request: Buffer; fds: number[] } | null;
  dup2(from: number, to: number): number;
}

const PROTOCOL = 'berth-agent 1';

export interface AgentOptions {
  root: string;
  socket: string;
  /** Runs one command (berth's arguments) to completion, as a berth process would. */
  run: (args: string[]) => Promise<void>;
}

type StdioStream = (Writable | Readable) & { fd?: number; _handle?: unknown; _isStdio?: boolean };

/** What node's own stdio set-up decides from a descriptor (uv_guess_handle). */
function kind(fd: number): 'TTY' | 'FILE' | 'PIPE' | 'UNKNOWN' {
  if (tty.isatty(fd)) return 'TTY';
  try {
    const s = fstatSync(fd);
    if (s.isFile() || s.isCharacterDevice()) return 'FILE';
    if (s.isFIFO() || s.isSocket()) return 'PIPE';
  } catch {
    // A closed descriptor: node gives such a process a stream that goes nowhere.
  }
  return 'UNKNOWN';
}

// Node's stdio streams are never destroyed by their users (end() and destroy() leave the fd).
function dummyDestroy(
  this: Writable | Readable,
  err: Error | null,
  cb: (e: Error | null) => void,
): void {
  cb(err);
  (this as unknown as { _undestroy(): void })._undestroy();
}

/** process.stdout/stderr as node would make them for fd (lib/internal/bootstrap/switches). */
function makeWritable(fd: number): StdioStream {
  let s: StdioStream & { _type?: string };
  switch (kind(fd)) {
    case 'TTY':
      s = new tty.WriteStream(fd);
      s._type = 'tty';
      break;
    case 'PIPE':
      s = new net.Socket({ fd, readable: false, writable: true });
      s._type = 'pipe';
      break;
    case 'FILE':
      s = new Writable({
        write(chunk: Buffer, _enc, cb) {
          try {
            writeSync(fd, chunk);
            cb();
          } catch (e) {
            cb(e as Error);
          }
        },
      });
      s._type = 'fs';
      break;
    default:
      s = new Writable({ write: (_c, _e, cb) => cb() });
  }
  s.fd = fd;
  s._isStdio = true;
  (s as unknown as { destroySoon: unknown }).destroySoon = s.destroy;
  (s as unknown as { _destroy: unknown })._destroy = dummyDestroy;
  return s;
}

function makeReadable(fd: number): StdioStream {
  let s: StdioStream;
  switch (kind(fd)) {
    case 'TTY':
      s = new tty.ReadStream(fd);
      break;
    case 'FILE':
      s = new Readable({
        read() {
          const buf = Buffer.allocUnsafe(65536);
          try {
            const n = readSync(fd, buf, 0, buf.length, null);
            this.push(n > 0 ? buf.subarray(0, n) : null);
          } catch (e) {
            this.destroy(e as Error);
          }
        },
      });
      break;
    case 'PIPE':
      s = new net.Socket({
        fd,
        readable: true,
        writable: false,
        manualStart: true,
      } as net.SocketConstructorOpts);
      break;
    default:
      s = new Readable({ read() {} });
      s.push(null);
  }
  s.fd = fd;
  // As node does: stdin reads nothing until someone wants it, and stops again on pause().
  const h = (s as unknown as { _handle?: { readStop?(): void; reading?: boolean } })._handle;
  const state = (s as unknown as { _readableState: { reading: boolean } })._readableState;
  if (h?.readStop) {
    h.reading = false;
    state.reading = false;
    h.readStop();
  }
  s.on('pause', () => {
    const hh = (s as unknown as { _handle?: { readStop(): void; reading?: boolean } })._handle;
    if (!hh) return;
    state.reading = false;
    hh.reading = false;
    hh.readStop();
  });
  return s;
}

/** The client's stdio as process.stdin/stdout/stderr, made on first use like node's own. */
class Stdio {
  private made: (StdioStream | undefined)[] = [];
  private winch?: () => void;

  install(): void {
    const define = (name: 'stdin' | 'stdout' | 'stderr', fd: number): void => {
      Object.defineProperty(process, name, {
        configurable: true,
        enumerable: true,
        get: () => (this.made[fd] ??= this.make(fd)),
      });
    };
    define('stdin', 0);
    define('stdout', 1);
    define('stderr', 2);
    // The global console keeps the streams it first used.
    const c = console as unknown as { _stdout?: unknown; _stderr?: unknown };
    c._stdout = undefined;
    c._stderr = undefined;
  }

  private make(fd: number): StdioStream {
    if (fd === 0) return makeReadable(0);
    const s = makeWritable(fd);
    if (fd === 1 && s instanceof tty.WriteStream) {
      // As node does for a terminal stdout: follow its size.
      const ws = s;
      this.winch = () => (ws as unknown as { _refreshSize(): void })._refreshSize();
      process.on('SIGWINCH', this.winch);
    }
    return s;
  }

  /** Leaves the terminal as found and lets go of every stream (never of fds 0-2: libuv keeps them). */
  release(): void {
    const stdin = this.made[0];
    if (stdin instanceof tty.ReadStream && stdin.isRaw) stdin.setRawMode(false);
    for (const s of this.made) {
      const h = (s as { _handle?: { readStop?(): void; close?(): void } } | undefined)?._handle;
      try {
        h?.readStop?.();
        h?.close?.();
      } catch {
        // Already closed.
      }
    }
    if (this.winch) process.off('SIGWINCH', this.winch);
    this.winch = undefined;
    this.made = [];
  }
}

/** This worker's peak resident set so far (VmHWM), in MB, for BERTH_AGENT_TRACE (bench/compare.sh). */
function peakRss(): string {
  const kb = /^VmHWM:\s*(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kb ? (Number(kb) / 1024).toFixed(1) : '?';
}

function snapshotIdentity(): string {
  const i = process.execArgv.indexOf('--snapshot-blob');
  const blob = i >= 0 ? process.execArgv[i + 1] : undefined;
  if (!blob) return '';
  try {
    const s = statSync(blob);
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  } catch {
    return 'gone';
  }
}

function loadFdPass(root: string): FdPass {
  const m = { exports: {} as FdPass };
  process.dlopen(m, join(root, 'dist', 'fdpass.node'));
  return m.exports;
}

interface Current {
  conn: number;
  /** Watches the client: if it dies (SIGKILL), so does the command, as berth itself would. */
  watch: net.Socket;
  listeners: Map<string, Set<(...a: unknown[]) => void>>;
  /** performance.now() when the command was taken, for BERTH_AGENT_TRACE. */
  taken: number;
}

interface Request {
  conn: number;
  pid: number;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  umask: number;
}

const WATCHED_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
  'SIGTSTP',
  'exit',
];
// A worker retires after this many commands or this long, whichever comes first, so that
// nothing a command leaves in a module (a clock base, a cache) lives for long.
const MAX_COMMANDS = 200;
const MAX_AGE_MS = 15 * 60_000;

export function serveAgent(o: AgentOptions): void {
  const fdpass = loadFdPass(o.root);
  const dir = dirname(o.socket);
  const idleMs = (Number(process.env.BERTH_AGENT_IDLE) || 600) * 1000;
  let listenFd: number;
  if (process.env.BERTH_AGENT_FD) {
    listenFd = Number(process.env.BERTH_AGENT_FD);
  } else {
    // A stale socket (its agent gone) or one of an agent being replaced.
    rmSync(o.socket, { force: true });
    listenFd = fdpass.listen(o.socket);
  }
  delete process.env.BERTH_AGENT_FD;
  delete process.env.BERTH_AGENT_SOCKET;
  // New workers get the agent's own environment, never that of the command being served.
  const agentEnv = { ...process.env, BERTH_AGENT_FD: '3', BERTH_AGENT_SOCKET: o.socket };
  const identity = snapshotIdentity();
  // The blob was removed while this worker started (a package deleted or rebuilt meanwhile).
  const stale = (): boolean => {
    const now = snapshotIdentity();
    return now !== identity || now === 'gone';
  };
  if (stale()) process.exit(0);
  // The worker's own pid; process.pid is the client's while a command runs (below).
  const self = process.pid;
  // Markers of this agent's waiting workers: agent-<id>.sock.idle-<pid> (other builds' agents
  // share the directory and serve other sockets).
  const markerPrefix = `${basename(o.socket)}.idle-`;
  const idleMarker = join(dir, `${markerPrefix}${self}`);
  const nullFd = openSync('/dev/null', 'r+');
  for (let fd = 0; fd <= 2; fd++) fdpass.dup2(nullFd, fd);
  const stdio = new Stdio();
  stdio.install();
  // Modules a command would otherwise load on first use (the snapshot holds stand-ins for them).
  // (process.getBuiltinModule: node >= 20.16; a snapshot has no import().)
  (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:http2');
  const born = Date.now();
  let served = 0;
  let current: Current | undefined;

  const otherIdle = (): boolean => {
    try {
      return readdirSync(dir).some((e) => {
        if (!e.startsWith(markerPrefix) || e === basename(idleMarker)) return false;
        try {
          process.kill(Number(e.slice(markerPrefix.length)), 0);
          return true;
        } catch {
          rmSync(join(dir, e), { force: true });
          return false;
        }
      });
    } catch {
      return false;
    }
  };

  const spawnSpare = (): void => {
    const child = spawn(process.execPath, [...process.execArgv, '--'], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', listenFd],
      env: agentEnv,
      cwd: '/',
    });
    child.unref();
    // It counts as waiting from now on, so that the next command does not start another.
    if (child.pid) writeFileSync(join(dir, `${markerPrefix}${child.pid}`), '');
  };

  const reply = (conn: number, text: string): void => {
    try {
      writeSync(conn, text);
    } catch {
      // The client is gone; there is no one to tell.
    }
  };

  /** The command is over: let go of the client's descriptors first, then tell it the status. */
  const finish = (code: number): void => {
    const c = current;
    if (!c) return;
    current = undefined;
    for (const [event, before] of c.listeners) {
      for (const l of process.listeners(event as 'exit')) {
        if (before.has(l as (...a: unknown[]) => void)) continue;
        process.off(event as 'exit', l);
        // What the command meant to do when its process ends.
        if (event === 'exit') l(code);
      }
    }
    if (process.env.BERTH_AGENT_TRACE) {
      const ms = (performance.now() - c.taken).toFixed(1);
      process.stderr.write(
        `agent: worker ${self} ran the command in ${ms} ms; peak RSS ${peakRss()} MB\n`,
      );
    }
    stdio.release();
    for (let fd = 0; fd <= 2; fd++) fdpass.dup2(nullFd, fd);
    c.watch.removeAllListeners();
    reply(c.conn, `X ${code}\n`);
    c.watch.destroy();
    Object.defineProperty(process, 'pid', { value: self, configurable: true, enumerable: true });
  };

  // A worker that ends (process.exit(), an error's exit code) tells its client last, after every
  // 'exit' listener of the command has run; node resets a raw terminal as it exits.
  let exiting = false;
  const exit = process.exit.bind(process);
  process.exit = ((code?: number) => {
    exiting = true;
    return exit(code);
  }) as typeof process.exit;
  const p = process as unknown as { reallyExit(code: number): never };
  const reallyExit = p.reallyExit.bind(process);
  p.reallyExit = (code: number) => {
    rmSync(idleMarker, { force: true });
    if (current) reply(current.conn, `X ${code}\n`);
    return reallyExit(code);
  };
  // An uncaught exception: node emits 'exit' and prints the error after it, still to the
  // client's stderr, which the worker holds until it is gone.
  process.on('exit', (code) => {
    if (exiting) return;
    rmSync(idleMarker, { force: true });
    if (current) reply(current.conn, `X ${code}\n`);
    current = undefined;
  });

  /** The blob was rebuilt or removed: no client will ask for this socket again. */
  const retireSocket = (): never => {
    rmSync(o.socket, { force: true });
    process.exit(0);
  };

  const accept = (): Request => {
    for (let idleSince = Date.now(); ;) {
      writeFileSync(idleMarker, '');
      const c = fdpass.accept(listenFd, Math.min(idleMs, 5000));
      rmSync(idleMarker, { force: true });
      if (!c) {
        if (stale()) retireSocket();
        if (Date.now() - idleSince >= idleMs) process.exit(0);
        continue;
      }
      const parts = c.request.toString('utf8').split('\0');
      parts.pop();
      const [protocol, , cwd, umask, argc, ...rest] = parts;
      const n = Number(argc);
      const current = !stale();
      if (protocol !== PROTOCOL || !Number.isInteger(n) || n > rest.length || !current) {
        reply(c.fd, 'F version\n');
        for (const fd of [c.fd, ...c.fds]) closeSync(fd);
        if (!current) retireSocket();
        continue;
      }
      // Taken only on the client's "G": a client that gave up waiting runs the command itself.
      reply(c.fd, `P ${self}\n`);
      const go = Buffer.alloc(1);
      let got = 0;
      try {
        got = readSync(c.fd, go, 0, 1, null);
      } catch {
        got = 0;
      }
      if (got !== 1 || go[0] !== 0x47) {
        for (const fd of [c.fd, ...c.fds]) closeSync(fd);
        continue;
      }
      for (let fd = 0; fd <= 2; fd++) fdpass.dup2(c.fds[fd], fd);
      for (const fd of c.fds) closeSync(fd);
      const env: Record<string, string> = {};
      for (const kv of rest.slice(n)) {
        const eq = kv.indexOf('=');
        if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      return {
        conn: c.fd,
        pid: c.pid,
        args: rest.slice(0, n),
        env,
        cwd,
        umask: parseInt(umask, 8),
      };
    }
  };

  const serveNext = (): void => {
    const req = accept();
    const taken = performance.now();
    served++;
    if (!otherIdle()) spawnSpare();
    const listeners = new Map(
      WATCHED_EVENTS.map((e) => [
        e,
        new Set(process.listeners(e as 'exit') as ((...a: unknown[]) => void)[]),
      ]),
    );
    const watch = new net.Socket({ fd: req.conn, readable: true, writable: false });
    watch.unref();
    const gone = (): void => {
      if (current?.conn === req.conn) process.kill(self, 'SIGKILL');
    };
    watch.on('end', gone).on('close', gone).on('error', gone).resume();
    current = { conn: req.conn, watch, listeners, taken };
    // What berth records as "the berth process" (FIFO directories, leases, network state, locks)
    // is the client: it lives exactly as long as the command, as a berth process would.
    Object.defineProperty(process, 'pid', { value: req.pid, configurable: true, enumerable: true });
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, req.env);
    process.umask(req.umask);
    process.exitCode = undefined;
    try {
      process.chdir(req.cwd);
    } catch (e) {
      process.stderr.write(`berth: ${(e as Error).message}\n`);
      process.exit(125);
    }
    process.argv = [process.argv[0], join(o.root, 'bin', 'berth'), ...req.args];
    void o.run(req.args);
  };

  // Ctrl-Z, forwarded by the client. A command that catches SIGTSTP (run's sig-proxy) has it to
  // itself; any other stops as a process would: the client stops the worker and then itself.
  const stopOwn = (): void => {
    if (current && process.listeners('SIGTSTP').every((l) => l === stopOwn)) {
      reply(current.conn, 'T\n');
    }
  };
  process.on('SIGTSTP', stopOwn);

  // The event loop ran dry: the command is over, as the process would have been. The worker
  // serves again only if nothing of the command is left (an unref'd timer, a handle).
  process.on('beforeExit', () => {
    if (!current) return;
    const code = Number(process.exitCode ?? 0);
    finish(code);
    const left = process.getActiveResourcesInfo();
    if (left.length > 0 || served >= MAX_COMMANDS || Date.now() - born > MAX_AGE_MS) {
      // (The client has its status and stderr is /dev/null again: the trace goes to a file.)
      if (process.env.BERTH_AGENT_TRACE) {
        appendFileSync(join(dir, 'trace.log'), `${self} retires: ${left.join(' ')}\n`);
      }
      process.exit(0);
    }
    process.exitCode = undefined;
    serveNext();
  });

  serveNext();
}
