/**
 * Docker's health-check configuration: the image's HEALTHCHECK, the run/create flags and the
 * compose `healthcheck:` key all become this Docker-shaped object (durations in nanoseconds, as
 * `inspect` shows them under Config.Healthcheck), the image config's own type. Imports no code:
 * the logger process uses it.
 */

import type { HealthConfig } from '../registry/media-types.js';

export type { HealthConfig };

/** What the prober runs with: the defaults applied, milliseconds. */
export interface EffectiveHealth {
  /** The argv run in the container (CMD-SHELL already wrapped in `/bin/sh -c`). */
  argv: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  startIntervalMs: number;
  retries: number;
}

// moby daemon/health.go
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_START_INTERVAL_MS = 5_000;
const DEFAULT_RETRIES = 3;
export const MAX_LOG_ENTRIES = 5;
export const MAX_OUTPUT_LEN = 4096;

const NS_PER_MS = 1_000_000;

/**
 * The container's config: the flags' fields over the image's, field by field, as Docker merges
 * them (a run with only --health-interval keeps the image's test). `["NONE"]` disables.
 */
export function mergeHealthConfig(
  own: HealthConfig | undefined,
  image: HealthConfig | undefined,
): HealthConfig | undefined {
  if (!own) return image && image.Test?.length ? { ...image } : undefined;
  if (own.Test?.[0] === 'NONE') return { Test: ['NONE'] };
  if (!image) return own.Test?.length ? own : undefined;
  const out: HealthConfig = { ...image };
  if (own.Test?.length) out.Test = own.Test;
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    if (own[k]) out[k] = own[k];
  }
  return out.Test?.length ? out : undefined;
}

/** The prober's settings, or undefined when there is nothing to run. */
export function effectiveHealth(c: HealthConfig | undefined): EffectiveHealth | undefined {
  const test = c?.Test;
  if (!test || test.length === 0 || test[0] === 'NONE') return undefined;
  let argv: string[];
  if (test[0] === 'CMD') argv = test.slice(1);
  else if (test[0] === 'CMD-SHELL') argv = ['/bin/sh', '-c', test.slice(1).join(' ')];
  else argv = test; // Docker treats an untagged list as CMD
  if (argv.length === 0) return undefined;
  const ms = (ns: number | undefined, d: number): number => (ns && ns > 0 ? ns / NS_PER_MS : d);
  return {
    argv,
    intervalMs: ms(c?.Interval, DEFAULT_INTERVAL_MS),
    timeoutMs: ms(c?.Timeout, DEFAULT_TIMEOUT_MS),
    startPeriodMs: ms(c?.StartPeriod, 0),
    startIntervalMs: ms(c?.StartInterval, DEFAULT_START_INTERVAL_MS),
    retries: c?.Retries && c.Retries > 0 ? c.Retries : DEFAULT_RETRIES,
  };
}

/** Go's time.Duration.String() for a whole number of milliseconds (`1s`, `1m30s`, `500ms`). */
export function goDurationString(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  let rest = ms;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = (rest / 1000).toFixed(3).replace(/\.?0+$/, '');
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}
