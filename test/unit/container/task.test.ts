import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDetached } from '../../../src/container/task.js';
import { FakeContainerd } from '../../support/fake-client.js';

describe('container/task: the started marker', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-task-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('dates StartedAt from before Tasks.Start, never after a fast process exited', async () => {
    const fake = new FakeContainerd();
    fake.addContainer('c1');
    let finishedAt: Date | undefined;
    // `true` exits while Start is still on its way back: containerd has its exit time already.
    fake.hooks['tasks.start'] = async () => {
      await new Promise((r) => setTimeout(r, 20));
      finishedAt = new Date();
      await new Promise((r) => setTimeout(r, 20));
    };
    await startDetached(fake.client(), {
      id: 'c1',
      stateDir: dir,
      logUri: 'binary:///bin/true',
      tty: false,
      interactive: false,
      mounts: [],
    });
    const startedAt = statSync(join(dir, 'started')).mtime;
    assert.ok(finishedAt);
    assert.ok(
      startedAt.getTime() <= finishedAt.getTime(),
      `StartedAt ${startedAt.toISOString()} after FinishedAt ${finishedAt.toISOString()}`,
    );
    assert.deepEqual(fake.calls, ['tasks.create c1', 'tasks.start c1']);
  });

  it('a start that fails deletes the task and leaves no marker', async () => {
    const fake = new FakeContainerd();
    fake.addContainer('c2');
    fake.hooks['tasks.start'] = () => {
      throw new Error('exec: "nope": executable file not found in $PATH');
    };
    await assert.rejects(
      startDetached(fake.client(), {
        id: 'c2',
        stateDir: dir,
        logUri: 'binary:///bin/true',
        tty: false,
        interactive: false,
        mounts: [],
      }),
      /executable file not found/,
    );
    assert.equal(fake.tasks.has('c2'), false);
    assert.throws(() => statSync(join(dir, 'started')));
  });
});
