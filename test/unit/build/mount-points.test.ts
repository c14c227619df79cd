import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { withoutMountPoints } from '../../../src/build/mount-points.js';

async function layer(entries: [string, 'file' | 'directory', string?][]): Promise<Readable> {
  const pack = tar.pack();
  for (const [name, type, body] of entries) {
    pack.entry(
      { name, type, ...(type === 'file' ? { size: (body ?? '').length } : {}) },
      body ?? '',
    );
  }
  pack.finalize();
  return pack as unknown as Readable;
}

async function names(stream: Readable): Promise<string[]> {
  const out: string[] = [];
  const ex = tar.extract();
  stream.pipe(ex);
  for await (const e of ex) {
    out.push(e.header.name);
    e.resume();
  }
  return out;
}

describe('build: layers without runc mount points', () => {
  it('drops the empty mount targets and the directories listed only because of them', async () => {
    const got = await names(
      withoutMountPoints(
        await layer([
          ['dev/', 'directory'],
          ['etc/', 'directory'],
          ['etc/hostname', 'file', ''],
          ['etc/hosts', 'file', ''],
          ['etc/resolv.conf', 'file', ''],
          ['proc/', 'directory'],
          ['sys/', 'directory'],
          ['x/', 'directory'],
          ['x/f', 'file', 'data'],
        ]),
      ),
    );
    assert.deepEqual(got, ['x/', 'x/f']);
  });

  it('keeps real changes next to them: a changed /etc, a written /etc/hosts, files under /dev', async () => {
    const got = await names(
      withoutMountPoints(
        await layer([
          ['dev/', 'directory'],
          ['dev/made', 'file', 'x'],
          ['etc/', 'directory'],
          ['etc/hostname', 'file', ''],
          ['etc/hosts', 'file', '127.0.0.1 x\n'],
          ['etc/passwd', 'file', 'root\n'],
        ]),
      ),
    );
    assert.deepEqual(got, ['dev/', 'dev/made', 'etc/', 'etc/hosts', 'etc/passwd']);
  });
});
