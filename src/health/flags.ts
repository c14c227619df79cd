/**
 * docker/cli's health-check flags (`--health-cmd`, `--health-interval`, `--health-timeout`,
 * `--health-retries`, `--health-start-period`, `--health-start-interval`, `--no-healthcheck`) into
 * the container's HealthConfig, with docker/cli's checks and words.
 */
import type { HealthConfig } from './config.js';

export interface HealthFlags {
  cmd?: string;
  interval?: number;
  timeout?: number;
  retries?: number;
  startPeriod?: number;
  startInterval?: number;
  noHealthcheck?: boolean;
}

const NS_PER_MS = 1_000_000;

/** Durations are in milliseconds here (parsed by the flag layer). Throws docker/cli's message. */
export function healthConfigFromFlags(f: HealthFlags): HealthConfig | undefined {
  const have =
    !!f.cmd || !!f.interval || !!f.timeout || !!f.startPeriod || !!f.retries || !!f.startInterval;
  if (f.noHealthcheck) {
    if (have) throw new Error('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!have) return undefined;
  for (const [v, flag] of [
    [f.interval, '--health-interval'],
    [f.timeout, '--health-timeout'],
    [f.retries, '--health-retries'],
    [f.startPeriod, '--health-start-period'],
    [f.startInterval, '--health-start-interval'],
  ] as const) {
    if ((v ?? 0) < 0) throw new Error(`${flag} cannot be negative`);
  }
  const out: HealthConfig = {};
  if (f.cmd) out.Test = ['CMD-SHELL', f.cmd];
  if (f.interval) out.Interval = f.interval * NS_PER_MS;
  if (f.timeout) out.Timeout = f.timeout * NS_PER_MS;
  if (f.startPeriod) out.StartPeriod = f.startPeriod * NS_PER_MS;
  if (f.startInterval) out.StartInterval = f.startInterval * NS_PER_MS;
  if (f.retries) out.Retries = f.retries;
  return out;
}
