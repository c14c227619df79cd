import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorText } from '../../../src/errors.js';
import { RESTART_LABEL, LABEL } from '../../../src/labels.js';
import { STOP_SIGNAL_ANNOTATION } from '../../../src/oci/opts.js';
import { removeContainer } from '../../../src/container/remove.js';
import { stopContainer } from '../../../src/container/stop.js';
import { FakeContainerd } from '../../support/fake-client.js';

describe('container life cycle (fake containerd)', function () {
  // The first removal loads the network module.
  this.timeout(20000);
  let dataRoot: string;
  const settings = () => ({ dataRoot, namespace: 'unit', cniPath: '/nonexistent' });
  beforeEach(() => {
    dataRoot = mkdtempSync(join(tmpdir(), 'berth-life-'));
  });
  afterEach(() => rmSync(dataRoot, { recursive: true, force: true }));

  describe('stop', () => {
    it('sends SIGTERM, then SIGKILL when the timeout passes, and marks it stopped on purpose', async () => {
      const fake = new FakeContainerd();
      const c = fake.addContainer('a', { [RESTART_LABEL.status]: 'running' });
      fake.addTask('a', 'RUNNING').ignores.add(15);
      await stopContainer(fake.client(), c, { timeout: 1 });
      assert.deepEqual(fake.tasks.get('a')!.signals, [15, 9]);
      assert.equal(fake.tasks.get('a')!.status, 'STOPPED');
      assert.equal(c.labels[RESTART_LABEL.explicitlyStopped], 'true');
      // The monitor's status goes to stopped only after the exit.
      assert.equal(c.labels[RESTART_LABEL.status], 'stopped');
      const order = fake.calls.filter((x) => /update|kill/.test(x));
      assert.deepEqual(order, [
        `containers.update a ${RESTART_LABEL.explicitlyStopped},${LABEL.explicitlyStopped}`,
        'tasks.kill a 15',
        'tasks.kill a 9',
        `containers.update a ${RESTART_LABEL.status}`,
      ]);
    });

    it("uses the container's recorded stop signal; -t 0 kills at once", async () => {
      const fake = new FakeContainerd();
      const c = fake.addContainer('b', { [STOP_SIGNAL_ANNOTATION]: 'SIGUSR1' });
      fake.addTask('b', 'RUNNING');
      await stopContainer(fake.client(), c, {});
      assert.deepEqual(fake.tasks.get('b')!.signals, [10]);

      const d = fake.addContainer('d', { [STOP_SIGNAL_ANNOTATION]: 'SIGUSR1' });
      fake.addTask('d', 'RUNNING');
      await stopContainer(fake.client(), d, { timeout: 0 });
      assert.deepEqual(fake.tasks.get('d')!.signals, [9]);
    });

    it('leaves a stopped task alone (Docker succeeds too)', async () => {
      const fake = new FakeContainerd();
      const c = fake.addContainer('e');
      fake.addTask('e', 'STOPPED', 3);
      await stopContainer(fake.client(), c, {});
      assert.deepEqual(fake.tasks.get('e')!.signals, []);
      assert.equal(fake.tasks.get('e')!.exitStatus, 3);
    });
  });

  describe('remove', () => {
    it('refuses a running container without force, with Docker’s words, and touches nothing', async () => {
      const fake = new FakeContainerd();
      const c = fake.addContainer('f');
      fake.addTask('f', 'RUNNING');
      await assert.rejects(removeContainer(fake.client(), settings(), c), (err: Error) => {
        assert.equal(
          errorText(err as never),
          'Error response from daemon: You cannot remove a running container f. ' +
            'Stop the container before attempting removal or force remove',
        );
        return true;
      });
      assert.ok(fake.containers.has('f'));
      assert.equal(fake.tasks.get('f')!.status, 'RUNNING');
    });

    it('-f kills, deletes the task, then the record, then the snapshot', async () => {
      const fake = new FakeContainerd();
      const c = fake.addContainer('g');
      fake.addTask('g', 'RUNNING');
      await removeContainer(fake.client(), settings(), c, { force: true });
      assert.equal(fake.containers.has('g'), false);
      assert.equal(fake.tasks.has('g'), false);
      assert.equal(fake.snapshots.has('g'), false);
      const order = fake.calls.filter((x) => !/tasks\.(get|resume|wait)/.test(x));
      assert.deepEqual(order, [
        'tasks.kill g 9',
        'tasks.delete g',
        'containers.delete g',
        'snapshots.remove g',
      ]);
    });

    it('an exited container goes without a signal; a second remove finds nothing to do', async () => {
      const fake = new FakeContainerd();
      const c = fake.addContainer('h');
      fake.addTask('h', 'STOPPED');
      await removeContainer(fake.client(), settings(), c);
      assert.ok(!fake.calls.some((x) => x.startsWith('tasks.kill')));
      await removeContainer(fake.client(), settings(), c);
      assert.equal(fake.containers.size, 0);
    });
  });
});
