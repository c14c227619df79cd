/**
 * berth's log driver, run by containerd's shim for every detached container (binary:// URI):
 * fd 3 = stdout, fd 4 = stderr, fd 5 = ready (TTY: fd 3 = output, ready on fd 5 or 4); argv holds the
 * URI query as `key value` pairs. Writes Docker's json-file format. Imports only node:fs (the
 * process lives as long as the container, so its RSS is the per-container cost).
 *
 * Exit detection: the shim keeps the pipes' write ends open until Tasks.Delete, so EOF does not
 * mean "exited". The logger instead watches the container's cgroup: once the task has been started
 * (the cgroup having had processes, or, for `--rm` and on-failure, the `started` marker berth
 * writes in the state dir) an empty or vanished cgroup means the task is gone. For `--rm` and
 * on-failure it then starts a detached `berth` process to do what needs gRPC (the logger itself
 * never loads gRPC); in every case it then leaves.
 */
import * as fs from 'node:fs';
import { Socket } from 'node:net';
import { effectiveHealth, type HealthConfig } from './health/config.js';
import { startHealthMonitor, type Monitor } from './health/monitor.js';
import { JsonFileEncoder } from './jsonfile.js';

const args = process.argv.slice(2);
const param: Record<string, string> = {};
for (let i = 0; i + 1 < args.length; i += 2) param[args[i] as string] = args[i + 1] as string;

/** Whether the container's exit is to be acted on (`rm`, restart policy, network release). */
const mustAct =
  param.rm === '1' || param.onfailure === '1' || param.ports === '1' || param.check === '1';

const tty = param.tty === '1';
const logPath = param.log ?? '';
const logFd = fs.openSync(
  logPath,
  fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT,
  0o640,
);

const encoder = new JsonFileEncoder();
function write(stream: 'stdout' | 'stderr', chunk: string, final = false): void {
  const out = encoder.encode(stream, chunk, final);
  if (out) {
    try {
      fs.writeSync(logFd, out);
    } catch {
      /* disk full: drop, never block the container */
    }
  }
}

let open = 0;
function isOpen(fd: number): boolean {
  try {
    fs.fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

function pump(fd: number, stream: 'stdout' | 'stderr'): void {
  open++;
  // A libuv pipe (epoll), never fs reads: those block in the thread pool, so two streams' data
  // reached the log in the order their reads happened to complete, and process.exit() waited
  // for ever on a read the shim's open pipe never answered. Each chunk is timestamped as it
  // arrives.
  const rs = new Socket({ fd, readable: true, writable: false }).setEncoding('utf8');
  rs.on('data', (d: string) => write(stream, d));
  const done = (): void => {
    write(stream, '', true);
    if (--open === 0) finish();
  };
  rs.on('end', done);
  rs.on('error', done);
}

// The exit watch decides when to leave. Without a TTY the shim holds the pipes open until the
// task is deleted, so waiting for EOF kept a ~40 MB logger alive beside every exited detached
// container until `rm`; with a TTY the output ends as the process exits, before the cgroup poll
// has noticed, and leaving on that EOF meant `run -dt --rm` containers were never removed.
let exitWatch = false;
let outputDone = false;

function finish(): void {
  outputDone = true;
  if (!exitWatch) closeAndExit();
}

/** After the exit: what the container wrote last is already in the pipes; read it, then go. */
function drainAndExit(): void {
  exitWatch = false;
  if (outputDone) closeAndExit();
  else setTimeout(closeAndExit, 500);
}

function closeAndExit(): void {
  health?.stop();
  try {
    fs.closeSync(logFd);
  } catch {
    /* already closed */
  }
  // A takeover's FIFOs lived in the attached berth's private directory, which nobody else removes.
  if (param.fifodir) fs.rmSync(param.fifodir, { recursive: true, force: true });
  process.exit(0);
}

if (param.fifo === '1') {
  // Started by berth for `-d -i` without a TTY (the shim gives binary loggers no stdin): the task
  // uses FIFOs; this process reads stdout and stderr, and holds stdin's write end open without
  // writing, as Docker's daemon does, so the container's stdin stays open for `attach`.
  const rd = (path: string): number =>
    fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  pump(rd(param.stdout ?? ''), 'stdout');
  if (param.stderr) pump(rd(param.stderr), 'stderr');
  // A takeover (the attached berth is gone) has no stdin to keep: berth held its write end.
  if (param.stdin) fs.openSync(param.stdin, fs.constants.O_RDWR);
  if (param.takeover !== '1') process.stdout.write('ready\n');
} else {
  pump(3, 'stdout');
  if (!tty) pump(4, 'stderr');
  // Ready: the shim waits for this fd to close before starting the container. Without a TTY it
  // is fd 5. With one, containerd 1.6.20 (Debian 12) also passes an unused stderr pipe as fd 4 and
  // the ready pipe as fd 5, while other versions pass the ready pipe as fd 4: close whichever
  // exists.
  fs.closeSync(tty && !isOpen(5) ? 4 : 5);
  if (tty && isOpen(4)) fs.closeSync(4);
}

// Health checks (--health-cmd, the image's HEALTHCHECK, compose's healthcheck) run from here, the
// one process that lives exactly as long as the task (src/health/monitor.ts).
// It starts once the task has: the logger itself starts before the task, and a probe run then
// would fail against a container that is not running yet.
let health: Monitor | undefined;
const healthConfig = param.health
  ? effectiveHealth(JSON.parse(param.health) as HealthConfig)
  : undefined;
function startHealth(): void {
  if (!healthConfig || health) return;
  const ns = process.env.CONTAINER_NAMESPACE ?? 'default';
  health = startHealthMonitor({
    health: healthConfig,
    containerId: process.env.CONTAINER_ID ?? '',
    namespace: ns,
    stateDir: param.state ?? '',
    cgroup: param.cg ?? '',
    runcRoot: param.runcroot ?? `/run/containerd/runc/${ns}`,
  });
}

// The shim sends SIGTERM on Tasks.Delete after closing the pipes: drain, then go.
process.on('SIGTERM', () => setTimeout(closeAndExit, 2000).unref());

watchExit();

function watchExit(): void {
  exitWatch = true;
  // A task over before the first poll is known by the `started` marker and an empty cgroup. When
  // the cgroup cannot be read at all (no pids hierarchy), only a removal or restart check, which
  // must run, takes the marker alone: a logger that merely leaves must not drop the pipes of a
  // container that is still running.
  const cg = param.cg ?? '';
  const v2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
  const marker = `${param.state ?? ''}/started`;
  const parent = process.ppid;
  let seen = false;
  let idleSince: number | undefined;
  const timer = setInterval(() => {
    let populated: boolean | undefined;
    try {
      // v2: `populated` counts child cgroups too (a container may move its processes into one).
      populated = v2
        ? /^populated 1$/m.test(fs.readFileSync(`/sys/fs/cgroup${cg}/cgroup.events`, 'utf8'))
        : fs.readFileSync(`/sys/fs/cgroup/pids${cg}/cgroup.procs`, 'utf8').trim() !== '';
    } catch {
      populated = undefined;
    }
    if (populated) {
      seen = true;
      startHealth();
      return;
    }
    if (!seen && !fs.existsSync(marker)) {
      // Never started. A failed start (missing binary: the shim went with the task) closes the
      // pipes; a takeover whose berth died before the start has no one to start it. Either way
      // no output can come: after a grace for the marker of a start racing this poll, leave.
      const gone = outputDone || (param.fifo !== '1' && process.ppid !== parent);
      if (!gone && param.takeover !== '1') return;
      idleSince ??= Date.now();
      if (Date.now() - idleSince < (gone ? 3000 : 30_000)) return;
      clearInterval(timer);
      if (param.takeover === '1' && mustAct) onExit();
      else closeAndExit();
      return;
    }
    // A cgroup never seen and not readable: no proof of an exit, unless something must be done.
    if (populated === undefined && !seen && !mustAct) return;
    clearInterval(timer);
    onExit();
  }, 200);
}

function onExit(): void {
  if (!mustAct) {
    drainAndExit();
    return;
  }
  const id = process.env.CONTAINER_ID ?? '';
  const ns = process.env.CONTAINER_NAMESPACE ?? 'default';
  const cmd =
    param.rm === '1' ? ['rm', '--auto-remove', '-v', id] : ['start', '--restart-check', id];
  // Detached and in its own session: the shim SIGTERMs the logger during the removal.
  void import('node:child_process').then(({ spawn }) => {
    const child = spawn(
      param.node ?? 'node',
      [
        param.berth ?? '',
        '--address',
        param.address ?? '',
        '--namespace',
        ns,
        '--data-root',
        param.dataroot ?? '',
        ...(param.cnipath ? ['--cni-path', param.cnipath] : []),
        ...cmd,
      ],
      {
        detached: true,
        stdio: 'ignore',
        env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
      },
    );
    child.unref();
    drainAndExit();
  });
}
