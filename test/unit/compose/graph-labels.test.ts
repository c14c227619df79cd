import assert from 'node:assert/strict';
import { graphOf, startOrder, walk } from '../../../src/compose/graph.js';
import { configHash, containerNameFor, dependsOnLabel } from '../../../src/compose/labels.js';
import type { ServiceConfig } from '../../../src/compose/model.js';

const svc = (
  name: string,
  deps: string[] = [],
  extra: Partial<ServiceConfig> = {},
): ServiceConfig => ({
  name,
  image: 'busybox',
  depends_on: Object.fromEntries(
    deps.map((d) => [d, { condition: 'service_started', required: true }]),
  ),
  ...extra,
});

describe('compose dependency graph', () => {
  const services = {
    web: svc('web', ['db', 'cache']),
    db: svc('db'),
    cache: svc('cache'),
    worker: svc('worker', ['db']),
  };

  it('orders dependencies first', () => {
    assert.deepEqual(startOrder(graphOf(services)), ['cache', 'db', 'web', 'worker']);
  });

  it('runs independent services together and each after its dependencies', async () => {
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    await walk(graphOf(services), async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      log.push(`start ${n}`);
      await new Promise((r) => setTimeout(r, 20));
      log.push(`end ${n}`);
      running -= 1;
    });
    assert.ok(peak >= 2, `independent services ran one at a time (peak ${peak})`);
    assert.ok(log.indexOf('start web') > log.indexOf('end db'));
    assert.ok(log.indexOf('start web') > log.indexOf('end cache'));
    assert.ok(log.indexOf('start worker') > log.indexOf('end db'));
  });

  it('walks in reverse for stopping: dependents first', async () => {
    const log: string[] = [];
    await walk(graphOf(services), async (n) => void log.push(n), true);
    assert.ok(log.indexOf('web') < log.indexOf('db'));
    assert.ok(log.indexOf('worker') < log.indexOf('db'));
  });

  it('stops scheduling after a failure and rethrows it', async () => {
    const ran: string[] = [];
    await assert.rejects(
      walk(graphOf(services), async (n) => {
        ran.push(n);
        if (n === 'db') throw new Error('db failed');
      }),
      /db failed/,
    );
    assert.ok(!ran.includes('web') && !ran.includes('worker'));
  });
});

describe('compose names and labels', () => {
  it('names containers <project>-<service>-<n> unless container_name is set', () => {
    assert.equal(containerNameFor('demo', svc('web'), 1), 'demo-web-1');
    assert.equal(containerNameFor('demo', svc('web', [], { container_name: 'mine' }), 1), 'mine');
  });
  it('hashes the service so that a change changes the hash, and scale does not', () => {
    const a = configHash(svc('web'));
    assert.equal(configHash(svc('web')), a);
    assert.notEqual(configHash(svc('web', [], { environment: { A: '1' } })), a);
    assert.equal(configHash(svc('web', [], { scale: 3 })), a);
  });
  it('writes depends_on as Compose does', () => {
    const s = svc('web');
    s.depends_on = {
      db: { condition: 'service_healthy', required: true, restart: true },
      c: { condition: 'service_started', required: true },
    };
    assert.equal(dependsOnLabel(s), 'db:service_healthy:true,c:service_started:false');
  });
});
