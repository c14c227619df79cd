import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  closeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Settings } from '../../config/index.js';
import { BerthError } from '../../errors.js';
import { Client } from '../../containerd/client.js';
import { processAlive } from '../../process.js';

export interface DaemonOptions {
  /** containerd's state directory (sockets of shims, bundles); must be on a tmpfs-like path. */
  stateDir: string;
  /** Restart monitor interval; containerd's default is 10s, far slower than Docker's restarts. */
  restartInterval: string;
  /** How long to wait for the socket to answer. */
  timeoutMs: number;
}

export interface DaemonPaths {
  root: string;
  state: string;
  config: string;
  pidFile: string;
  log: string;
  address: string;
}

export function daemonPaths(settings: Settings, stateDir: string): DaemonPaths {
  const base = join(settings.dataRoot, 'containerd');
  return {
    root: join(base, 'root'),
    state: stateDir,
    config: join(base, 'config.toml'),
    pidFile: join(stateDir, 'berth-containerd.pid'),
    log: join(base, 'containerd.log'),
    address: settings.address,
  };
}

/** Answers whether something speaking containerd's API listens at the address. */
export async function probe(address: string, timeoutMs = 1500): Promise<string | undefined> {
  if (!existsSync(address)) return undefined;
  const client = new Client({ address, namespace: 'default' });
  try {
    const v = await client.version.version({}, { timeoutMs });
    return v.version;
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function configToml(p: DaemonPaths, restartInterval: string): string {
  // CRI is disabled: berth does not need it, and it would fight kubelet's over /run/containerd/*.
  return [
    'version = 2',
    `root = ${JSON.stringify(p.root)}`,
    `state = ${JSON.stringify(p.state)}`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '',
    '[grpc]',
    `  address = ${JSON.stringify(p.address)}`,
    '',
    '[ttrpc]',
    `  address = ${JSON.stringify(`${p.address}.ttrpc`)}`,
    '',
    '[plugins."io.containerd.internal.v1.restart"]',
    `  interval = ${JSON.stringify(restartInterval)}`,
    '',
  ].join('\n');
}

export interface StartResult {
  started: boolean;
  pid?: number;
  version: string;
  paths: DaemonPaths;
}

export async function startDaemon(settings: Settings, opts: DaemonOptions): Promise<StartResult> {
  const paths = daemonPaths(settings, opts.stateDir);
  const running = await probe(paths.address);
  if (running) return { started: false, pid: readPid(paths.pidFile), version: running, paths };

  const bin = findContainerd();
  for (const dir of [paths.root, paths.state, dirname(paths.config), dirname(paths.address)]) {
    mkdirSync(dir, { recursive: true, mode: 0o711 });
  }
  writeFileSync(paths.config, configToml(paths, opts.restartInterval));
  // A stale socket from a crashed daemon would make containerd refuse to listen.
  rmSync(paths.address, { force: true });

  const logFd = openSync(paths.log, 'a');
  const child = spawn(bin, ['--config', paths.config], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const pid = child.pid;
  if (!pid) throw new BerthError(`failed to start containerd (${bin})`);
  child.unref();
  writeFileSync(paths.pidFile, `${pid}\n`);

  const deadline = Date.now() + opts.timeoutMs;
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  while (Date.now() < deadline) {
    if (exited !== null) break;
    const version = await probe(paths.address, 500);
    if (version) return { started: true, pid, version, paths };
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  rmSync(paths.pidFile, { force: true });
  throw new BerthError(
    `containerd did not come up at ${paths.address} within ${opts.timeoutMs / 1000}s; see ${paths.log}`,
  );
}

function findContainerd(): string {
  const r = spawnSync('sh', ['-c', 'command -v containerd'], { encoding: 'utf8' });
  const bin = r.stdout.trim();
  if (!bin) {
    throw new BerthError('containerd is not installed (try: sudo apt-get install containerd runc)');
  }
  return bin;
}

export interface StopResult {
  pid?: number;
  stopped: boolean;
}

export async function stopDaemon(settings: Settings, opts: DaemonOptions): Promise<StopResult> {
  const paths = daemonPaths(settings, opts.stateDir);
  const pid = readPid(paths.pidFile);
  if (!pid) return { stopped: false };
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) {
      rmSync(paths.pidFile, { force: true });
      return { pid, stopped: true };
    }
    await sleep(50);
  }
  process.kill(pid, 'SIGKILL');
  rmSync(paths.pidFile, { force: true });
  return { pid, stopped: true };
}

export interface StatusResult {
  running: boolean;
  managed: boolean;
  pid?: number;
  version?: string;
  paths: DaemonPaths;
}

export async function daemonStatus(settings: Settings, stateDir: string): Promise<StatusResult> {
  const paths = daemonPaths(settings, stateDir);
  const pid = readPid(paths.pidFile);
  const version = await probe(paths.address);
  return { running: Boolean(version), managed: Boolean(pid), pid, version, paths };
}
