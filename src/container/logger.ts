/**
 * The `binary://` log URI of a container. containerd's shim runs bin/berth-logger.js with
 * fd 3 = stdout, fd 4 = stderr, fd 5 = "ready" (with a TTY: fd 3 = output, fd 4 = ready) and the
 * URI's query parameters as `key value` argv pairs (in random order, so every value is keyed).
 * The logger lives exactly as long as the task's IO, which makes it the one process that is
 * always there when a detached container exits: it also performs `--rm` and `on-failure`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Settings } from '../config/index.js';
import { effectiveHealth, type HealthConfig } from '../health/config.js';

/** The package root (dist/… or src/… → ..). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return dir;
}

export function loggerBinary(): string {
  return join(packageRoot(), 'bin', 'berth-logger.js');
}

export function berthBinary(): string {
  return join(packageRoot(), 'bin', 'run.js');
}

export interface LoggerParams {
  logPath: string;
  stateDir: string;
  tty: boolean;
  /** Cgroup path of the container (for exit detection). */
  cgroup: string;
  /** Ask the logger to run `berth rm --auto-remove` when the task exits (`-d --rm`). */
  autoRemove: boolean;
  /**
   * Ask the logger to run the exit check when the task exits (`start --restart-check`): the
   * network is released and the restart policy applied (see ./exit.ts).
   */
  check: boolean;
  /** The container's health check, run by the logger (src/health/monitor.ts). */
  health?: HealthConfig;
}

export function loggerUri(
  settings: Pick<Settings, 'address' | 'dataRoot' | 'cniPath'>,
  p: LoggerParams,
): string {
  const q = new URLSearchParams();
  q.set('log', p.logPath);
  q.set('state', p.stateDir);
  q.set('cg', p.cgroup);
  q.set('address', settings.address);
  q.set('dataroot', settings.dataRoot);
  // The removal it may run tears down CNI networking, which needs the plugins.
  q.set('cnipath', settings.cniPath);
  q.set('node', process.execPath);
  q.set('berth', berthBinary());
  if (p.tty) q.set('tty', '1');
  if (p.autoRemove) q.set('rm', '1');
  if (p.check) q.set('check', '1');
  if (effectiveHealth(p.health)) q.set('health', JSON.stringify(p.health));
  return `binary://${loggerBinary()}?${q.toString()}`;
}

/** With a TTY the shim passes only output + ready; the restart label must say so too. */
export function withTtyParam(uri: string, tty: boolean): string {
  const u = new URL(uri);
  if (tty) u.searchParams.set('tty', '1');
  else u.searchParams.delete('tty');
  return u.toString();
}
