/**
 * The health state file the prober writes in the container's state dir, in Docker's
 * `.State.Health` shape, and what `ps` and `inspect` read from it. Imports only node:fs.
 */
import * as fs from 'node:fs';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface HealthState {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthLogEntry[];
}

export const HEALTH_FILE = 'health.json';

export function healthFile(stateDir: string): string {
  return `${stateDir}/${HEALTH_FILE}`;
}

/** Written whole and renamed into place, so a reader never sees half a file. */
export function writeHealthState(stateDir: string, state: HealthState): void {
  const tmp = `${healthFile(stateDir)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, healthFile(stateDir));
}

export function readHealthState(stateDir: string | undefined): HealthState | undefined {
  if (!stateDir) return undefined;
  try {
    return JSON.parse(fs.readFileSync(healthFile(stateDir), 'utf8')) as HealthState;
  } catch {
    return undefined;
  }
}

/** The words `ps` puts after `Up 5 seconds`: `(healthy)`, `(unhealthy)`, `(health: starting)`. */
export function healthSuffix(status: HealthStatus | undefined): string {
  if (!status) return '';
  return status === 'starting' ? ' (health: starting)' : ` (${status})`;
}
