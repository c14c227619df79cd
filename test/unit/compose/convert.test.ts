import assert from 'node:assert/strict';
import { containerSpec, healthConfig, unsupportedKeys } from '../../../src/compose/convert.js';
import type { ComposeProject, ServiceConfig } from '../../../src/compose/model.js';

function project(services: Record<string, Partial<ServiceConfig>>): ComposeProject {
  const full: Record<string, ServiceConfig> = {};
  for (const [n, s] of Object.entries(services))
    full[n] = { name: n, networks: { default: null }, ...s };
  return {
    name: 'demo',
    workingDir: '/p',
    configFiles: ['/p/compose.yaml'],
    environment: {},
    services: full,
    disabledServices: {},
    networks: { default: { name: 'demo_default' }, back: { name: 'demo_back' } },
    volumes: { data: { name: 'demo_data' } },
    configs: {},
    secrets: { pw: { name: 'demo_pw', file: '/p/pw.txt' } },
    profiles: [],
    warnings: [],
  };
}

describe('compose service → container create options', () => {
  it('maps the supported keys onto typed options', () => {
    const p = project({
      web: {
        image: 'busybox',
        command: ['echo', 'hi'],
        environment: { A: '1', UNSET: null },
        ports: [
          { mode: 'ingress', host_ip: '127.0.0.1', target: 80, published: '8080', protocol: 'tcp' },
        ],
        volumes: [
          { type: 'volume', source: 'data', target: '/data', volume: {} },
          {
            type: 'bind',
            source: '/p/www',
            target: '/www',
            read_only: true,
            bind: { create_host_path: true },
          },
        ],
        networks: { default: null, back: { aliases: ['www'] } },
        restart: 'on-failure:3',
        mem_limit: 1048576,
        cpus: 0.5,
        ulimits: { nofile: { soft: 10, hard: 20 }, nproc: 5 },
        stop_grace_period: '1m30s',
        extra_hosts: ['h=1.2.3.4'],
        secrets: [{ source: 'pw' }],
        user: '1000',
        working_dir: '/w',
      },
    });
    const {
      options: o,
      aliases,
      aliasesByNetwork,
    } = containerSpec(p, p.services.web!, 'demo-web-1', { l: 'v' });
    assert.equal(o.image, 'busybox');
    assert.deepEqual(o.args, ['echo', 'hi']);
    assert.equal(o.name, 'demo-web-1');
    assert.deepEqual(o.env, ['A=1']);
    assert.deepEqual(o.ports, [
      {
        hostIP: '127.0.0.1',
        hostPort: 8080,
        hostPortEnd: 8080,
        containerPort: 80,
        protocol: 'tcp',
      },
    ]);
    assert.deepEqual(o.mounts[0], {
      type: 'volume',
      name: 'demo_data',
      target: '/data',
      readonly: false,
    });
    assert.deepEqual(o.mounts[1], {
      type: 'bind',
      source: '/p/www',
      target: '/www',
      readonly: true,
      createHostPath: true,
    });
    assert.deepEqual(o.mounts[2], {
      type: 'bind',
      source: '/p/pw.txt',
      target: '/run/secrets/pw',
      readonly: true,
      createHostPath: false,
    });
    assert.deepEqual(o.networks, ['demo_back', 'demo_default']);
    // The service name on every network; an alias only on the network that declares it.
    assert.deepEqual(aliases, ['web']);
    assert.deepEqual(aliasesByNetwork, { demo_back: ['www'] });
    assert.deepEqual(o.restart, { name: 'on-failure', maximumRetryCount: 3 });
    assert.equal(o.memory, 1048576);
    assert.equal(o.cpus, 0.5);
    assert.deepEqual(o.ulimits, [
      { name: 'nofile', soft: 10, hard: 20 },
      { name: 'nproc', soft: 5, hard: 5 },
    ]);
    assert.equal(o.stopTimeout, 90);
    assert.deepEqual(o.extraHosts, [{ host: 'h', ip: '1.2.3.4' }]);
    assert.equal(o.user, '1000');
    assert.equal(o.workdir, '/w');
    assert.deepEqual(o.labels, { l: 'v' });
  });

  it('splits a list entrypoint: the first word, the rest before the command', () => {
    const p = project({ a: { image: 'x', entrypoint: ['sh', '-c'], command: ['echo hi'] } });
    const { options: o } = containerSpec(p, p.services.a!, 'n', {});
    assert.equal(o.entrypoint, 'sh');
    assert.deepEqual(o.args, ['-c', 'echo hi']);
  });

  it("turns healthcheck into Docker's HealthConfig", () => {
    assert.deepEqual(
      healthConfig(
        { test: ['CMD', 'true'], interval: '2s', timeout: '1s', retries: 5, start_period: '10s' },
        'db',
      ),
      {
        Test: ['CMD', 'true'],
        Interval: 2e9,
        Timeout: 1e9,
        StartPeriod: 10e9,
        Retries: 5,
      },
    );
    assert.deepEqual(healthConfig({ disable: true }, 'db'), { Test: ['NONE'] });
  });

  it('names the keys it does not act on', () => {
    const p = project({
      a: {
        image: 'x',
        sysctls: { a: 1 },
        deploy: { replicas: 2, resources: {} },
        logging: { driver: 'syslog' },
      },
    });
    assert.deepEqual(unsupportedKeys(p), ['a.sysctls', 'a.deploy.resources', 'a.logging.driver']);
  });
});
