import { strict as assert } from 'node:assert';
import { specOptsFor } from '../../../src/container/create.js';
import { encodeContainerLabels } from '../../../src/container/labels.js';
import { createOptions } from '../../../src/container/options.js';
import { parseContainerFlags } from '../../../src/flags/container-create.js';
import { errorText, UsageError } from '../../../src/errors.js';
import { LABEL, RESTART_LABEL } from '../../../src/labels.js';
import { buildSpec, STOP_SIGNAL_ANNOTATION } from '../../../src/oci/opts.js';

const image = { config: { Env: ['PATH=/bin', 'A=image'], Cmd: ['sh'], WorkingDir: '/' } };

async function specFor(o: ReturnType<typeof createOptions>) {
  const opts = specOptsFor(o, image, { hostname: 'h', networkOpts: [], mounts: o.mounts });
  return buildSpec({ namespace: 'unit', id: 'c1', rootfs: [] }, opts);
}

describe('container/create: typed options → spec and labels', () => {
  it('maps parsed flag values into the runtime spec', async () => {
    const o = parseContainerFlags(
      {
        env: ['A=1', 'B'],
        memory: '64m',
        cpus: '0.5',
        ulimit: ['nofile=100:200'],
        user: '1000:1000',
        workdir: '/w',
        'read-only': true,
        tty: true,
        'security-opt': ['no-new-privileges'],
        'pids-limit': 50,
      },
      ['busybox', 'echo', 'hi'],
    );
    const spec = await specFor(o);
    assert.deepEqual(spec.process?.args, ['echo', 'hi']);
    assert.ok(spec.process?.env?.includes('A=1'));
    assert.ok(!spec.process?.env?.includes('A=image'));
    assert.equal(spec.process?.cwd, '/w');
    assert.deepEqual([spec.process?.user?.uid, spec.process?.user?.gid], [1000, 1000]);
    assert.equal(spec.process?.terminal, true);
    assert.equal(spec.process?.noNewPrivileges, true);
    assert.equal(spec.root?.readonly, true);
    assert.equal(spec.hostname, 'h');
    assert.equal(spec.linux?.resources?.memory?.limit, 64 * 1024 * 1024);
    assert.deepEqual(
      spec.linux?.resources?.cpu && [
        spec.linux.resources.cpu.quota,
        spec.linux.resources.cpu.period,
      ],
      [50000, 100000],
    );
    assert.equal(spec.linux?.resources?.pids?.limit, 50);
    assert.deepEqual(
      spec.process?.rlimits?.find((r) => r.type === 'RLIMIT_NOFILE'),
      {
        type: 'RLIMIT_NOFILE',
        soft: 100,
        hard: 200,
      },
    );
  });

  it('Docker’s defaults when built directly (compose, build)', async () => {
    const spec = await specFor(createOptions('busybox'));
    assert.deepEqual(spec.process?.args, ['sh']);
    assert.equal(spec.process?.terminal ?? false, false);
    assert.equal(spec.root?.readonly ?? false, false);
    assert.equal(spec.linux?.resources?.memory?.limit, undefined);
  });

  it('refuses a bad value with Docker’s invalid-argument words, before anything is made', () => {
    assert.throws(
      () => parseContainerFlags({ memory: 'lots' }, ['busybox']),
      (err: unknown) =>
        err instanceof UsageError &&
        errorText(err, 'run') ===
          'berth: invalid argument "lots" for "memory" flag: invalid size: \'lots\'\n\n' +
            "Run 'berth run --help' for more information",
    );
    assert.throws(
      () => parseContainerFlags({ rm: true, restart: 'always' }, ['busybox']),
      /Conflicting options: --restart and --rm/,
    );
  });

  it('writes the label schema the readers expect', () => {
    const o = { ...createOptions('busybox'), autoRemove: true, stopTimeout: 3 };
    o.restart = { name: 'on-failure', maximumRetryCount: 2 };
    o.labels = { user: 'x', empty: '' };
    const labels = encodeContainerLabels(o, {
      imageLabels: { fromImage: 'y' },
      name: 'web',
      logPath: '/s/c-json.log',
      stateDir: '/s',
      hostname: 'h',
      networkLabels: {},
      networkSettings: {},
      mounts: [],
      anonymousVolumes: [],
      stopSignal: 'SIGUSR1',
      logUri: 'binary:///logger',
    });
    assert.equal(labels[LABEL.name], 'web');
    assert.equal(labels[LABEL.imageRef], 'busybox');
    assert.equal(labels.user, 'x');
    assert.equal(labels.fromImage, 'y');
    assert.equal(labels[LABEL.autoRemove], 'true');
    assert.equal(labels[LABEL.stopTimeout], '3');
    assert.equal(labels[STOP_SIGNAL_ANNOTATION], 'SIGUSR1');
    assert.equal(labels[RESTART_LABEL.policy], 'on-failure:2');
    assert.equal(labels[RESTART_LABEL.logUri], 'binary:///logger');
    assert.deepEqual(JSON.parse(labels[LABEL.hostConfig]!).RestartPolicy, {
      Name: 'on-failure',
      MaximumRetryCount: 2,
    });
  });
});
