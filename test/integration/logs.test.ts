import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { berth, berthAsync, ctrList, env } from '../support/berth.js';

const IMG = () => `${env.registry}/lab/busybox:latest`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('logs', function () {
  this.timeout(60000);

  afterEach(() => {
    const ids = ctrList(['containers', 'ls']);
    if (ids.length) berth(['rm', '-f', ...ids]);
  });

  it('foreground runs are logged in json-file format; stdout->stdout, stderr->stderr', () => {
    const r = berth([
      'run',
      '--name',
      `logfg-${process.pid}`,
      IMG(),
      'sh',
      '-c',
      'echo one; echo two >&2; printf partial',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const l = berth(['logs', `logfg-${process.pid}`]);
    assert.equal(l.stdout, 'one\npartial');
    assert.equal(l.stderr, 'two\n');
    const path = berth([
      'inspect',
      '--format',
      '{{.LogPath}}',
      `logfg-${process.pid}`,
    ]).stdout.trim();
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((x) => JSON.parse(x));
    const first = lines.find((x) => x.stream === 'stdout');
    assert.equal(first.log, 'one\n');
    assert.ok(lines.some((x) => x.stream === 'stderr' && x.log === 'two\n'));
    assert.match(first.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  it('--tail, -t, --since, --until', async () => {
    const id = berth([
      'run',
      '-d',
      IMG(),
      'sh',
      '-c',
      'for i in 1 2 3 4 5; do echo $i; done',
    ]).stdout.trim();
    berth(['wait', id]);
    await sleep(300);
    assert.equal(berth(['logs', '--tail', '2', id]).stdout, '4\n5\n');
    assert.match(berth(['logs', '-t', '--tail', '1', id]).stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z 5\n$/);
    assert.equal(berth(['logs', '--since', '1h', id]).stdout, '1\n2\n3\n4\n5\n');
    assert.equal(berth(['logs', '--until', '1h', id]).stdout, '');
    assert.equal(
      berth(['logs', '--since', String(Math.floor(Date.now() / 1000) + 60), id]).stdout,
      '',
    );
  });

  it('-f follows until the container exits', async () => {
    const id = berth(['run', '-d', IMG(), 'sh', '-c', 'echo a; sleep 2; echo b']).stdout.trim();
    const p = berthAsync(['logs', '-f', id]);
    const r = await p.done;
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'a\nb\n');
  });

  it('the logger of a detached container is small', async () => {
    const id = berth(['run', '-d', IMG(), 'sleep', '20']).stdout.trim();
    await sleep(500);
    const ps = (await import('node:child_process')).spawnSync('ps', ['-eo', 'rss,args'], {
      encoding: 'utf8',
    }).stdout;
    const line = ps.split('\n').find((l) => l.includes('berth-logger') && l.includes(id));
    assert.ok(line, 'logger running');
    const rssKb = Number(line.trim().split(/\s+/)[0]);
    assert.ok(rssKb < 80 * 1024, `logger RSS ${rssKb} KiB`);
  });

  it('the logger goes once its container has exited, with the whole log written', async () => {
    // Docker keeps no process for an exited container. The shim stays until `rm` (containerd
    // keeps the stopped task), but the logger, ~40 MB, need not.
    const loggers = (id: string): number =>
      spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((l) => l.includes('berth-logger') && l.includes(id)).length;
    const plain = berth(['run', '-d', IMG(), 'sh', '-c', 'seq 1 2000; echo end >&2; exit 3']);
    const interactive = berth(['run', '-di', IMG(), 'sh', '-c', 'echo in; exit 4']);
    const ids = [plain.stdout.trim(), interactive.stdout.trim()];
    for (const id of ids) {
      for (let i = 0; i < 40 && loggers(id) > 0; i++) await sleep(250);
      assert.equal(loggers(id), 0, id);
    }
    const log = berth(['logs', ids[0]!]);
    assert.equal(log.stdout.split('\n').length, 2001);
    assert.match(log.stdout, /^1\n2\n[\s\S]*\n2000\n$/);
    assert.equal(log.stderr, 'end\n');
    assert.equal(berth(['logs', ids[1]!]).stdout, 'in\n');
    assert.equal(berth(['wait', ids[0]!]).stdout, '3\n');
  });
});
