import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, berthAsync, ctrList, env, uniqueName } from '../support/berth.js';

const IMG = () => `${env.registry}/lab/busybox:latest`;
/** `run -d --name NAME --network none`, then the rest. */
const detached = (name: string): string[] => ['run', '-d', '--name', name, '--network', 'none'];
/** A probe that succeeds once the container has made /tmp/ready. */
const READY_CHECK = [
  '--health-cmd',
  'test -f /tmp/ready',
  '--health-interval',
  '300ms',
  '--health-retries',
  '50',
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Health {
  Status: string;
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}

function health(name: string): Health | null {
  const r = berth(['inspect', '--format', '{{json .State.Health}}', name]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Health | null;
}

async function until<T>(what: string, fn: () => T | undefined, ms = 20000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** PIDs of processes whose environment names the container (its logger, which runs the probes). */
function processesOf(id: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(`CONTAINER_ID=${id}`))
        out.push(Number(p));
    } catch {
      /* gone or not ours */
    }
  }
  return out;
}

describe('health checks', function () {
  this.timeout(90000);

  afterEach(() => {
    const ids = ctrList(['containers', 'ls']);
    if (ids.length) berth(['rm', '-f', ...ids]);
  });

  it('a container becomes healthy: inspect State.Health, ps STATUS and ps -f health=', async () => {
    const name = uniqueName('hok');
    const r = berth([
      ...detached(name),
      '--health-cmd',
      'test -f /tmp/ready && echo ok',
      '--health-interval',
      '300ms',
      '--health-retries',
      '20',
      IMG(),
      'sh',
      '-c',
      'sleep 1; touch /tmp/ready; sleep 300',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      berth(['ps', '--format', '{{.Status}}', '-f', `name=${name}`]).stdout,
      /^Up .*\((health: starting|healthy)\)\n$/,
    );
    const h = await until('healthy', () => {
      const x = health(name);
      return x?.Status === 'healthy' ? x : undefined;
    });
    assert.equal(h.FailingStreak, 0);
    const last = h.Log[h.Log.length - 1];
    assert.equal(last.ExitCode, 0);
    assert.equal(last.Output, 'ok\n');
    assert.match(last.Start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
    assert.ok(h.Log.length <= 5);
    assert.match(
      berth(['ps', '--format', '{{.Status}}', '-f', `name=${name}`]).stdout,
      /^Up \S+ \S+ \(healthy\)\n$/,
    );
    assert.equal(berth(['ps', '-q', '-f', 'health=healthy']).stdout.trim().length, 12);
    assert.equal(berth(['ps', '-q', '-f', 'health=unhealthy']).stdout, '');
    const cfg = JSON.parse(
      berth(['inspect', '--format', '{{json .Config.Healthcheck}}', name]).stdout,
    );
    assert.deepEqual(cfg, {
      Test: ['CMD-SHELL', 'test -f /tmp/ready && echo ok'],
      Interval: 300_000_000,
      Retries: 20,
    });
  });

  it('a container becomes unhealthy after --health-retries failures; a timeout is exit -1', async () => {
    const name = uniqueName('hbad');
    assert.equal(
      berth([
        ...detached(name),
        '--health-cmd',
        'echo no; exit 3',
        '--health-interval',
        '200ms',
        '--health-retries',
        '2',
        IMG(),
        'sleep',
        '300',
      ]).code,
      0,
    );
    const h = await until('unhealthy', () => {
      const x = health(name);
      return x?.Status === 'unhealthy' ? x : undefined;
    });
    assert.ok(h.FailingStreak >= 2);
    assert.equal(h.Log[0].ExitCode, 3);
    assert.equal(h.Log[0].Output, 'no\n');
    assert.match(
      berth(['ps', '--format', '{{.Status}}', '-f', `name=${name}`]).stdout,
      /\(unhealthy\)\n$/,
    );

    const slow = uniqueName('hslow');
    assert.equal(
      berth([
        ...detached(slow),
        '--health-cmd',
        'sleep 5',
        '--health-interval',
        '200ms',
        '--health-timeout',
        '300ms',
        IMG(),
        'sleep',
        '300',
      ]).code,
      0,
    );
    const t = await until('a timed-out probe', () => health(slow)?.Log[0] ?? undefined);
    assert.equal(t.ExitCode, -1);
    assert.equal(t.Output, 'Health check exceeded timeout (300ms)');
  });

  it('--no-healthcheck: Config.Healthcheck NONE, no State.Health; it conflicts with --health-*', () => {
    const name = uniqueName('hnone');
    assert.equal(berth([...detached(name), '--no-healthcheck', IMG(), 'sleep', '300']).code, 0);
    assert.equal(
      berth(['inspect', '--format', '{{json .Config.Healthcheck}}', name]).stdout,
      '{"Test":["NONE"]}\n',
    );
    assert.equal(health(name), null);
    assert.match(
      berth(['ps', '--format', '{{.Status}}', '-f', `name=${name}`]).stdout,
      /^Up [^(]*\n$/,
    );
    assert.equal(berth(['ps', '-q', '-f', 'health=none']).stdout.trim().length, 12);
    const bad = berth(['run', '-d', '--no-healthcheck', '--health-cmd', 'true', IMG(), 'true']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /--no-healthcheck conflicts with --health-\* options/);
    const dur = berth(['run', '-d', '--health-interval', 'soon', IMG(), 'true']);
    assert.equal(dur.code, 125);
    assert.match(
      dur.stderr,
      /invalid argument "soon" for "--health-interval" flag: time: invalid duration "soon"/,
    );
  });

  it('keeps probing after the berth that started it was killed; the prober goes with rm -f', async () => {
    const name = uniqueName('hkill');
    const p = berthAsync([
      ...detached(name),
      ...READY_CHECK,
      IMG(),
      'sh',
      '-c',
      'sleep 2; touch /tmp/ready; sleep 300',
    ]);
    await until('the container', () => (/^[0-9a-f]{64}$/m.test(p.stdout) ? true : undefined));
    p.child.kill('SIGKILL');
    await p.done;
    const id = berth(['inspect', '--format', '{{.Id}}', name]).stdout.trim();
    await until('healthy', () => (health(name)?.Status === 'healthy' ? true : undefined));
    const procs = processesOf(id);
    assert.ok(procs.length > 0, 'no prober process for the container');
    assert.equal(berth(['rm', '-f', name]).code, 0);
    await until(
      'the prober to go',
      () => (processesOf(id).every((pid) => !alive(pid)) ? true : undefined),
      10000,
    );
  });

  it('a foreground run is probed too: healthy while attached, and after berth is killed', async () => {
    const name = uniqueName('hfg');
    const p = berthAsync([
      'run',
      '--name',
      name,
      '--network',
      'none',
      ...READY_CHECK,
      IMG(),
      'sh',
      '-c',
      'echo up; sleep 1; touch /tmp/ready; sleep 300',
    ]);
    await until('the container', () => (/^up$/m.test(p.stdout) ? true : undefined));
    const h = await until('healthy', () => {
      const x = health(name);
      return x?.Status === 'healthy' ? x : undefined;
    });
    assert.equal(h.FailingStreak, 0);
    assert.match(
      berth(['ps', '-f', `name=${name}`, '--format', '{{.Status}}']).stdout,
      /\(healthy\)\n$/,
    );
    // Killed, the attached berth's prober goes with it; the standby logger's takes over.
    p.child.kill('SIGKILL');
    await p.done;
    berth(['exec', name, 'rm', '/tmp/ready']);
    await until('unhealthy after the takeover', () => {
      const x = health(name);
      return x && x.FailingStreak > 0 ? true : undefined;
    });
  });

  it('compose: foreground up and run without -d probe health, and service_healthy gates the start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-health-compose-'));
    const project = `hc${process.pid}${Math.random().toString(36).slice(2, 6)}`;
    const loop = 'while :; do sleep 0.2; done';
    writeFileSync(
      join(dir, 'compose.yaml'),
      [
        `name: ${project}`,
        'services:',
        '  db:',
        `    image: ${IMG()}`,
        // Each command leaves on SIGINT/SIGTERM (a shell as PID 1 would ignore them).
        `    command: sh -c 'trap "exit 0" INT TERM; sleep 1; touch /tmp/ready; ${loop}'`,
        '    healthcheck: {test: ["CMD", "test", "-f", "/tmp/ready"], interval: 300ms, retries: 50}',
        '  app:',
        `    image: ${IMG()}`,
        `    command: sh -c 'trap "exit 0" INT TERM; echo app started; ${loop}'`,
        '    depends_on: {db: {condition: service_healthy}}',
        '  tool:',
        `    image: ${IMG()}`,
        '    profiles: [tools]',
        '    healthcheck: {test: ["CMD", "test", "-f", "/tmp/ok"], interval: 300ms}',
        '',
      ].join('\n'),
    );
    const compose = (args: string[]) => berth(['compose', '-p', project, ...args], { cwd: dir });
    const up = berthAsync(['compose', 'up'], { cwd: dir });
    try {
      await until(
        'app to start',
        () => (/app-1 +\| app started/.test(up.stdout) ? true : undefined),
        60000,
      );
      assert.match(up.stderr, new RegExp(` Container ${project}-db-1  Healthy`));
      assert.match(
        compose(['ps', '--format', '{{.Service}} {{.Status}}']).stdout,
        /^db Up .*\(healthy\)$/m,
      );
      const started = (n: string): number =>
        new Date(
          berth(['inspect', '--format', '{{.State.StartedAt}}', `${project}-${n}-1`]).stdout.trim(),
        ).getTime();
      assert.ok(started('app') - started('db') >= 1000, 'app started before db was healthy');

      // compose run without -d: the one-off container is probed while berth is attached.
      const run = berthAsync(
        [
          'compose',
          'run',
          '--rm',
          '--name',
          `${project}-probe`,
          'tool',
          'sh',
          '-c',
          `trap "exit 0" INT TERM; touch /tmp/ok; ${loop}`,
        ],
        { cwd: dir },
      );
      try {
        await until(
          'the one-off to be healthy',
          () => {
            const r = berth(['inspect', '--format', '{{json .State.Health}}', `${project}-probe`]);
            return r.code === 0 && (JSON.parse(r.stdout) as Health | null)?.Status === 'healthy'
              ? true
              : undefined;
          },
          30000,
        );
      } finally {
        run.child.kill('SIGINT');
        await run.done;
      }
    } finally {
      up.child.kill('SIGINT');
      await up.done;
      compose(['down', '-t', '0']);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
