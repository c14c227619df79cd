/**
 * The health prober, run inside the per-container logger process (src/logger-entry.ts) so that
 * health checks need no daemon: it lives exactly as long as the container's task, outlives the
 * berth command that started the container, and goes when the task does.
 *
 * Each probe is `runc exec` in the container (the OCI runtime containerd's shim drives), which
 * runs the test with the container's own user, environment, working directory and cgroup, as
 * Docker's exec-based probes do, without loading gRPC into this small process. The rules are
 * moby's daemon/health.go: the first probe one interval after the start, the start interval while
 * in the start period, failures in the start period not counted until a probe has succeeded,
 * `retries` consecutive failures make the container unhealthy, a timeout is exit code -1 with
 * "Health check exceeded timeout (…)", the last 5 results kept, output cut at 4096 bytes.
 * Imports only Node's built-ins and the two health modules without dependencies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import {
  goDurationString,
  MAX_LOG_ENTRIES,
  MAX_OUTPUT_LEN,
  type EffectiveHealth,
} from './config.js';
import { nowRfc3339Nano } from '../jsonfile.js';
import { writeHealthState, type HealthState } from './state.js';

export interface MonitorOptions {
  health: EffectiveHealth;
  containerId: string;
  namespace: string;
  stateDir: string;
  /** The container's cgroup path, to skip probes while it is paused (frozen). */
  cgroup: string;
  /** runc's state root (containerd's runc shim: /run/containerd/runc/<namespace>). */
  runcRoot: string;
  runc?: string;
}

export interface Monitor {
  stop(): void;
}

const SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function frozen(cgroup: string): boolean {
  try {
    if (fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) {
      return /^frozen 1$/m.test(fs.readFileSync(`/sys/fs/cgroup${cgroup}/cgroup.events`, 'utf8'));
    }
    return (
      fs.readFileSync(`/sys/fs/cgroup/freezer${cgroup}/freezer.state`, 'utf8').trim() !== 'THAWED'
    );
  } catch {
    return false;
  }
}

export function startHealthMonitor(o: MonitorOptions): Monitor {
  const started = Date.now();
  const state: HealthState = { Status: 'starting', FailingStreak: 0, Log: [] };
  let child: ChildProcess | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const save = (): void => {
    try {
      writeHealthState(o.stateDir, state);
    } catch {
      /* the state dir went with the container */
    }
  };
  save();

  const nextDelay = (): number =>
    state.Status === 'starting' && Date.now() - started < o.health.startPeriodMs
      ? o.health.startIntervalMs
      : o.health.intervalMs;

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(probe, nextDelay());
    // The prober never keeps the logger alive: the logger leaves when the task does.
    timer.unref();
  };

  const record = (start: string, exitCode: number, output: string, startMs: number): void => {
    state.Log.push({ Start: start, End: nowRfc3339Nano(), ExitCode: exitCode, Output: output });
    if (state.Log.length > MAX_LOG_ENTRIES) state.Log.splice(0, state.Log.length - MAX_LOG_ENTRIES);
    if (exitCode === 0) {
      state.FailingStreak = 0;
      state.Status = 'healthy';
    } else {
      const inStartPeriod =
        state.Status === 'starting' && startMs - started < o.health.startPeriodMs;
      if (!inStartPeriod) {
        state.FailingStreak += 1;
        if (state.FailingStreak >= o.health.retries) state.Status = 'unhealthy';
      }
    }
    save();
  };

  function probe(): void {
    if (stopped) return;
    if (frozen(o.cgroup)) {
      schedule();
      return;
    }
    const startMs = Date.now();
    const start = nowRfc3339Nano();
    let output = '';
    let timedOut = false;
    const proc = spawn(
      o.runc ?? 'runc',
      ['--root', o.runcRoot, 'exec', o.containerId, ...o.health.argv],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: SEARCH_PATH } },
    );
    child = proc;
    const collect = (d: Buffer): void => {
      if (output.length < MAX_OUTPUT_LEN) output += d.toString('utf8');
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    const kill = setTimeout(() => {
      timedOut = true;
      // runc forwards SIGTERM to the probe; SIGKILL if it does not go.
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 1000).unref();
    }, o.health.timeoutMs);
    kill.unref();
    let finished = false;
    const done = (code: number | null, err?: Error): void => {
      if (finished) return;
      finished = true;
      clearTimeout(kill);
      child = undefined;
      if (stopped) return;
      if (timedOut) {
        record(
          start,
          -1,
          `Health check exceeded timeout (${goDurationString(o.health.timeoutMs)})`,
          startMs,
        );
      } else if (err) {
        record(start, -1, `failed to run the health check: ${err.message}`, startMs);
      } else {
        record(start, code ?? -1, output.slice(0, MAX_OUTPUT_LEN), startMs);
      }
      schedule();
    };
    proc.on('error', (err) => done(null, err));
    proc.on('close', (code) => done(code));
  }

  schedule();
  return {
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
      child?.kill('SIGKILL');
    },
  };
}
