// Runs the built berth binary the way a user would, against the suite's private containerd.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The installed command: node started from the start-up snapshot (bin/berth falls back to
// bin/run.js when the snapshot does not fit this node).
export const BIN = join(ROOT, 'bin', 'berth');

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the integration tests through "npm test"`);
  return v;
}

export const env = {
  get dir(): string {
    return need('BERTH_TEST_DIR');
  },
  get address(): string {
    return need('BERTH_TEST_ADDRESS');
  },
  get namespace(): string {
    return need('BERTH_TEST_NAMESPACE');
  },
  get dataRoot(): string {
    return need('BERTH_TEST_DATA_ROOT');
  },
  get registry(): string {
    return need('BERTH_TEST_REGISTRY');
  },
  get images(): string {
    return need('BERTH_TEST_IMAGES');
  },
  get stateDir(): string {
    return need('BERTH_TEST_STATE');
  },
};

export function hasTestEnv(): boolean {
  return Boolean(process.env.BERTH_TEST_ADDRESS);
}

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  timeoutMs?: number;
  cwd?: string;
  /**
   * berthAsync only: run berth in a process group of its own, as a shell runs a job. The kernel
   * drops SIGTSTP sent to a group it deems orphaned (which the runner's own group may be).
   */
  job?: boolean;
}

/** The suite's config file: every berth call reads it unless a test points BERTH_TOML elsewhere. */
export function suiteToml(): string {
  // One file per namespace: several test runs may share a dev environment.
  const file = join(env.dir, `berth-${env.namespace}.toml`);
  mkdirSync(dirname(file), { recursive: true });
  // Written beside and renamed: berth processes started in parallel read it while it is rewritten.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(
    tmp,
    [
      `address = ${JSON.stringify(env.address)}`,
      `namespace = ${JSON.stringify(env.namespace)}`,
      `data_root = ${JSON.stringify(env.dataRoot)}`,
      // Test networks live in 198.18.0.0/15 (benchmarking range), never in private ranges.
      'bridge_ip = "198.18.0.0/24"',
      `cni_netconfpath = ${JSON.stringify(join(env.dir, 'net.d'))}`,
      '',
    ].join('\n'),
  );
  renameSync(tmp, file);
  return file;
}

function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const k of [
    'CONTAINERD_ADDRESS',
    'CONTAINERD_NAMESPACE',
    'CONTAINERD_SNAPSHOTTER',
    'NERDCTL_TOML',
  ]) {
    delete e[k];
  }
  e.BERTH_TOML = suiteToml();
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete e[k];
    else e[k] = v;
  }
  return e;
}

/** Runs `berth ARGS…` synchronously and returns what a user would see. */
export function berth(args: string[], opts: RunOptions = {}): Result {
  const r = spawnSync(BIN, args, {
    env: childEnv(opts.env),
    input: opts.input,
    timeout: opts.timeoutMs ?? 120000,
    cwd: opts.cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts berth without waiting, for Ctrl-C and concurrency tests. */
export function berthAsync(args: string[], opts: RunOptions = {}) {
  const [cmd, argv] = opts.job
    ? [
        'perl',
        ['-e', 'setpgrp(0, 0) or die "setpgrp: $!"; exec @ARGV or die "exec: $!"', BIN, ...args],
      ]
    : [BIN, args];
  const child = spawn(cmd, argv, {
    env: childEnv(opts.env),
    cwd: opts.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Result>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

/** containerd's own CLI, for checking what containerd really holds. */
export function ctr(args: string[], namespace = env.namespace): Result {
  const r = spawnSync('ctr', ['--address', env.address, '--namespace', namespace, ...args], {
    encoding: 'utf8',
    timeout: 60000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Names in the first column of a ctr listing (header dropped). */
export function ctrList(args: string[], namespace?: string): string[] {
  return ctr(args, namespace)
    .stdout.split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0])
    .filter(Boolean);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
