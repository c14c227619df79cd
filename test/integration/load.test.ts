// Issue 16: under load (50 berth processes at once on a small machine) every call succeeds: the
// connect and call deadlines hold, and nothing is left behind.
import { strict as assert } from 'node:assert';
import { berthAsync, ctrList, env, hasTestEnv, uniqueName, type Result } from '../support/berth.js';

const N = 50;

describe('load: 50 parallel run -d, then 50 parallel rm -f', function () {
  this.timeout(600000);

  before(function () {
    if (!hasTestEnv()) this.skip();
  });

  it('all succeed, in bounded time, and leave no container, task or snapshot', async () => {
    const image = `${env.registry}/lab/busybox:latest`;
    const names = Array.from({ length: N }, (_, i) => uniqueName(`load${i}`));
    const all = async (make: (name: string) => string[]): Promise<Result[]> =>
      Promise.all(names.map((n) => berthAsync(make(n)).done));

    const t0 = Date.now();
    const runs = await all((n) => [
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      n,
      image,
      'sleep',
      '600',
    ]);
    const runMs = Date.now() - t0;
    const failedRuns = runs.filter((r) => r.code !== 0);
    const t1 = Date.now();
    const rms = await all((n) => ['rm', '-f', n]);
    const rmMs = Date.now() - t1;
    const failedRms = rms.filter((r) => r.code !== 0);
    assert.deepEqual(
      failedRuns.map((r) => r.stderr),
      [],
      'run -d failures',
    );
    assert.deepEqual(
      failedRms.map((r) => r.stderr),
      [],
      'rm -f failures',
    );
    for (const r of [...runs, ...rms])
      assert.doesNotMatch(r.stderr, /grpc|Deadline exceeded|RST_STREAM/);

    const ids = new Set(runs.map((r) => r.stdout.trim()));
    const left = (args: string[]) => ctrList(args).filter((id) => ids.has(id));
    assert.deepEqual(left(['containers', 'ls']), []);
    assert.deepEqual(left(['tasks', 'ls']), []);
    assert.deepEqual(left(['snapshots', 'ls']), []);
    // Bounded: each phase well inside what 50 serial commands would take on a loaded machine.
    assert.ok(runMs < 240000, `run phase took ${runMs} ms`);
    assert.ok(rmMs < 240000, `rm phase took ${rmMs} ms`);
    console.log(
      `      50 run -d: ${(runMs / 1000).toFixed(1)} s, 50 rm -f: ${(rmMs / 1000).toFixed(1)} s`,
    );
  });
});
