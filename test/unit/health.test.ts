import assert from 'node:assert/strict';
import { effectiveHealth, goDurationString, mergeHealthConfig } from '../../src/health/config.js';
import { healthConfigFromFlags } from '../../src/health/flags.js';
import { healthSuffix } from '../../src/health/state.js';

describe('health check configuration', () => {
  it("turns the flags into Docker's HealthConfig (ns durations, CMD-SHELL)", () => {
    assert.deepEqual(healthConfigFromFlags({ cmd: 'curl -f x', interval: 500, retries: 2 }), {
      Test: ['CMD-SHELL', 'curl -f x'],
      Interval: 500_000_000,
      Retries: 2,
    });
    assert.equal(healthConfigFromFlags({}), undefined);
    assert.deepEqual(healthConfigFromFlags({ noHealthcheck: true }), { Test: ['NONE'] });
  });
  it('refuses what docker/cli refuses', () => {
    assert.throws(
      () => healthConfigFromFlags({ noHealthcheck: true, cmd: 'x' }),
      /^Error: --no-healthcheck conflicts with --health-\* options$/,
    );
    assert.throws(
      () => healthConfigFromFlags({ interval: -1 }),
      /--health-interval cannot be negative/,
    );
    assert.throws(
      () => healthConfigFromFlags({ retries: -1 }),
      /--health-retries cannot be negative/,
    );
  });
  it('merges the flags over the image field by field, NONE disabling', () => {
    const image = { Test: ['CMD', 'check'], Interval: 5e9, Retries: 4 };
    assert.deepEqual(mergeHealthConfig({ Interval: 1e9 }, image), {
      Test: ['CMD', 'check'],
      Interval: 1e9,
      Retries: 4,
    });
    assert.deepEqual(mergeHealthConfig({ Test: ['NONE'] }, image), { Test: ['NONE'] });
    assert.deepEqual(mergeHealthConfig(undefined, image), image);
    assert.equal(mergeHealthConfig({ Interval: 1e9 }, undefined), undefined);
  });
  it("applies Docker's defaults and wraps CMD-SHELL", () => {
    assert.deepEqual(effectiveHealth({ Test: ['CMD-SHELL', 'true'] }), {
      argv: ['/bin/sh', '-c', 'true'],
      intervalMs: 30000,
      timeoutMs: 30000,
      startPeriodMs: 0,
      startIntervalMs: 5000,
      retries: 3,
    });
    assert.deepEqual(effectiveHealth({ Test: ['CMD', 'a', 'b'] })?.argv, ['a', 'b']);
    assert.equal(effectiveHealth({ Test: ['NONE'] }), undefined);
  });
  it('prints durations and status words as Docker does', () => {
    assert.equal(goDurationString(1000), '1s');
    assert.equal(goDurationString(90_000), '1m30s');
    assert.equal(goDurationString(500), '500ms');
    assert.equal(goDurationString(1500), '1.5s');
    assert.equal(healthSuffix('starting'), ' (health: starting)');
    assert.equal(healthSuffix('healthy'), ' (healthy)');
    assert.equal(healthSuffix(undefined), '');
  });
});
