import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CriLogParser, criTime, showCriLog } from '../../../src/cri/logs.js';
import { olderAttemptsOf } from '../../../src/cri/list.js';
import type { CriContainer } from '../../../src/cri/client.js';

describe('cri/logs', () => {
  it('reads RFC 3339 times with any fraction and offset, printing Docker fixed 9-digit UTC', () => {
    assert.deepEqual(criTime('2026-12-07T02:32:32.916123Z'), {
      ms: Date.parse('2026-12-07T02:32:32.916Z'),
      docker: '2026-12-07T02:32:32.916123000Z',
    });
    assert.equal(criTime('2026-12-07T03:32:32.5+01:00')?.docker, '2026-12-07T02:32:32.500000000Z');
    assert.equal(criTime('2026-12-07T02:32:32Z')?.docker, '2026-12-07T02:32:32.000000000Z');
    assert.equal(criTime('yesterday'), undefined);
  });

  it('joins partial (P) records per stream and ends lines at F', () => {
    const p = new CriLogParser();
    const t = '2026-12-07T02:32:32.000000001Z';
    assert.equal(p.push(`${t} stdout P abc`), undefined);
    const err = p.push(`${t} stderr F oops`);
    assert.equal(err?.stream, 'stderr');
    assert.equal(err?.text, 'oops\n');
    assert.equal(p.push(`${t} stdout P def`), undefined);
    const out = p.push(`${t} stdout F ghi`);
    assert.equal(out?.text, 'abcdefghi\n');
    // An empty line, with or without the trailing space; junk is skipped.
    assert.equal(p.push(`${t} stdout F`)?.text, '\n');
    assert.equal(p.push(`${t} stdout F `)?.text, '\n');
    assert.equal(p.push('not a record'), undefined);
    assert.equal(p.push(`${t} stdin F x`), undefined);
  });

  it('prints --tail lines across both streams and honours --since/--until', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cri-log-'));
    try {
      const file = join(dir, '0.log');
      writeFileSync(
        file,
        [
          '2026-01-01T00:00:01.000000000Z stdout F one',
          '2026-01-01T00:00:02.000000000Z stderr F two',
          '2026-01-01T00:00:03.000000000Z stdout P thr',
          '2026-01-01T00:00:03.100000000Z stdout F ee',
          '',
        ].join('\n'),
      );
      const run = async (o: Parameters<typeof showCriLog>[1]) => {
        const got: string[] = [];
        await showCriLog(file, { ...o, write: (s, text) => got.push(`${s}:${text}`) });
        return got;
      };
      assert.deepEqual(await run({}), ['stdout:one\n', 'stderr:two\n', 'stdout:three\n']);
      assert.deepEqual(await run({ tail: '2' }), ['stderr:two\n', 'stdout:three\n']);
      assert.deepEqual(await run({ tail: '0' }), []);
      assert.deepEqual(await run({ since: Date.parse('2026-01-01T00:00:02Z') }), [
        'stderr:two\n',
        'stdout:three\n',
      ]);
      assert.deepEqual(await run({ until: Date.parse('2026-01-01T00:00:01.5Z') }), [
        'stdout:one\n',
      ]);
      assert.deepEqual(await run({ tail: '1', timestamps: true }), [
        'stdout:2026-01-01T00:00:03.000000000Z three\n',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('older attempts: all but the highest attempt per pod and container name', () => {
    const c = (id: string, pod: string, name: string, attempt: number) =>
      ({ id, pod_sandbox_id: pod, metadata: { name, attempt } }) as unknown as CriContainer;
    const older = olderAttemptsOf([
      c('a0', 'p', 'a', 0),
      c('a2', 'p', 'a', 2),
      c('a1', 'p', 'a', 1),
      c('b0', 'p', 'b', 0),
      c('x0', 'q', 'a', 0),
    ]);
    assert.deepEqual([...older].sort(), ['a0', 'a1']);
  });
});
