/**
 * `ps` rows from the fake containerd, rendered as the command renders them: the exact table a
 * user sees, without a daemon.
 */
import { strict as assert } from 'node:assert';
import { listContainerRows } from '../../../src/cmd/container/ps.js';
import { PS_DEFAULT_FORMAT, PS_HEADERS, PS_SIZE_FORMAT } from '../../../src/formatter/container.js';
import { renderList } from '../../../src/formatter/format.js';
import { LABEL } from '../../../src/labels.js';
import { FakeContainerd, type TaskStatus } from '../../support/fake-client.js';

const MINUTE = 60_000;
/** A pid no host has (above the kernel's pid_max), so no /proc entry gives a start time. */
const NO_PID = 99_999_999;

function spec(args: string[]) {
  return {
    type_url: 'types.containerd.io/opencontainers/runtime-spec/1/Spec',
    value: Buffer.from(JSON.stringify({ process: { args } })),
  };
}

function stamp(d: Date): { seconds: string; nanos: number } {
  return { seconds: String(Math.floor(d.getTime() / 1000)), nanos: 0 };
}

interface Made {
  id: string;
  name: string;
  args: string[];
  status?: TaskStatus;
  exitStatus?: number;
  createdAgo: number;
  exitedAgo?: number;
  labels?: Record<string, string>;
}

function fakeWith(...made: Made[]): FakeContainerd {
  const fake = new FakeContainerd();
  const now = Date.now();
  for (const m of made) {
    const c = fake.addContainer(
      m.id,
      { [LABEL.name]: m.name, [LABEL.imageRef]: 'busybox', ...m.labels },
      'docker.io/library/busybox:latest',
    );
    c.spec = spec(m.args);
    c.created_at = stamp(new Date(now - m.createdAgo));
    if (m.status) {
      const t = fake.addTask(m.id, m.status, m.exitStatus ?? 0);
      t.pid = NO_PID;
      if (m.exitedAgo !== undefined) t.exitedAt = new Date(now - m.exitedAgo);
    }
  }
  return fake;
}

const web: Made = {
  id: 'a'.repeat(64),
  name: 'web',
  args: ['httpd', '-f', '-p', '8080'],
  status: 'RUNNING',
  createdAgo: 5.5 * MINUTE,
  labels: {
    [LABEL.ports]: JSON.stringify([
      { HostIp: '0.0.0.0', HostPort: '8080', ContainerPort: '8080', Protocol: 'tcp' },
    ]),
  },
};
const job: Made = {
  id: 'b'.repeat(64),
  name: 'job',
  args: ['sh', '-c', 'echo one two three four'],
  status: 'STOPPED',
  exitStatus: 3,
  createdAgo: 2.2 * 60 * MINUTE,
  exitedAgo: 100 * MINUTE,
  // Published ports are shown only while the container runs.
  labels: {
    [LABEL.ports]: JSON.stringify([
      { HostIp: '0.0.0.0', HostPort: '9090', ContainerPort: '90', Protocol: 'tcp' },
    ]),
  },
};

async function ps(fake: FakeContainerd, opts: Parameters<typeof listContainerRows>[1] = {}) {
  const rows = await listContainerRows(fake.client(), opts);
  return renderList(rows, {
    defaultTableFormat: opts.size ? PS_SIZE_FORMAT : PS_DEFAULT_FORMAT,
    headers: PS_HEADERS,
  });
}

describe('ps rows (fake containerd)', () => {
  it('lists running containers only, in Docker’s table', async () => {
    const out = await ps(fakeWith(web, job));
    assert.equal(
      out,
      [
        'CONTAINER ID   IMAGE     COMMAND              CREATED         STATUS    PORTS                    NAMES',
        'aaaaaaaaaaaa   busybox   "httpd -f -p 8080"   5 minutes ago   Up        0.0.0.0:8080->8080/tcp   web',
        '',
      ].join('\n'),
    );
  });

  it('-a adds the exited one, newest first, with its code; its command cut at 20 characters', async () => {
    const out = await ps(fakeWith(web, job), { all: true });
    assert.equal(
      out,
      [
        'CONTAINER ID   IMAGE     COMMAND                  CREATED         STATUS                   PORTS                    NAMES',
        'aaaaaaaaaaaa   busybox   "httpd -f -p 8080"       5 minutes ago   Up                       0.0.0.0:8080->8080/tcp   web',
        'bbbbbbbbbbbb   busybox   "sh -c \'echo one two…"   2 hours ago     Exited (3) 2 hours ago                            job',
        '',
      ].join('\n'),
    );
  });

  it('--no-trunc keeps the whole ID and command', async () => {
    const rows = await listContainerRows(fakeWith(job).client(), { all: true, noTrunc: true });
    assert.equal(
      renderList(rows, { format: '{{.ID}} {{.Command}}', defaultTableFormat: '', headers: {} }),
      `${'b'.repeat(64)} "sh -c 'echo one two three four'"\n`,
    );
  });

  it('filters by status and name, and -n picks the newest', async () => {
    const fake = fakeWith(web, job);
    const names = async (o: Parameters<typeof listContainerRows>[1]) =>
      (await listContainerRows(fake.client(), o)).map((r) => r.Names);
    assert.deepEqual(await names({ filters: ['status=exited'] }), ['job']);
    assert.deepEqual(await names({ all: true, filters: ['name=^w'] }), ['web']);
    assert.deepEqual(await names({ last: 1 }), ['web']);
  });

  it('--format json marshals every field with sorted keys', async () => {
    const rows = await listContainerRows(fakeWith(web).client());
    const json = JSON.parse(
      renderList(rows, { format: 'json', defaultTableFormat: '', headers: {} }),
    ) as Record<string, string>;
    assert.deepEqual(Object.keys(json), [...Object.keys(json)].sort());
    assert.equal(json.Ports, '0.0.0.0:8080->8080/tcp');
    assert.equal(json.State, 'running');
    assert.equal(json.Labels, '');
  });
});
