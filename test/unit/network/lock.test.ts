import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withLockFile } from '../../../src/network/lock.js';
import {
  allocatePorts,
  PortInUseError,
  PortRegistry,
  type Exclusive,
} from '../../../src/network/ports.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('network: host locks', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'berth-lock-unit-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holders run one after another and the file goes with the last', async () => {
    const path = join(dir, 'sub', 'x.lock');
    const log: string[] = [];
    const hold = (n: string) =>
      withLockFile(path, 'x', async () => {
        log.push(`${n}+`);
        await sleep(20);
        log.push(`${n}-`);
        return n;
      });
    assert.deepEqual(await Promise.all([hold('a'), hold('b'), hold('c')]), ['a', 'b', 'c']);
    for (let i = 0; i < log.length; i += 2) assert.equal(log[i]![0], log[i + 1]![0], log.join());
    assert.equal(existsSync(path), false);
  });

  it('releases the lock when fn throws', async () => {
    const path = join(dir, 'x.lock');
    await assert.rejects(
      withLockFile(path, 'x', () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await withLockFile(path, 'x', () => 'next', 200), 'next');
  });

  it("takes over a dead holder's lock, waits for a live one and names it on timeout", async () => {
    const path = join(dir, 'x.lock');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(path, String(dead));
    assert.equal(await withLockFile(path, 'x', () => 'taken', 200), 'taken');

    writeFileSync(path, String(process.pid));
    await assert.rejects(
      withLockFile(path, 'the thing', () => 'never', 100),
      new RegExp(`^Error: the thing is locked by another berth \\(${path}\\)$`),
    );
    // A live pid that started at another time is not the holder: the pid was reused.
    writeFileSync(path, `${process.pid} 1`);
    assert.equal(await withLockFile(path, 'x', () => 'reused', 200), 'reused');
    // A fresh empty file is a holder still writing its pid.
    writeFileSync(path, '');
    await assert.rejects(
      withLockFile(path, 'x', () => 'never', 100),
      /locked by another berth/,
    );
  });
});

describe('network: host locks, across processes', () => {
  it('processes that all find the holder dead take the lock one at a time', function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'berth-lock-unit-'));
    try {
      const path = join(dir, 'x.lock');
      const log = join(dir, 'log');
      const lockModule = new URL('../../../src/network/lock.ts', import.meta.url).href;
      const child = `
        import { appendFileSync } from 'node:fs';
        const { withLockFile } = await import(${JSON.stringify(lockModule)});
        for (let i = 0; i < 10; i++)
          await withLockFile(${JSON.stringify(path)}, 'x', async () => {
            appendFileSync(${JSON.stringify(log)}, '+' + process.pid + '\\n');
            await new Promise((r) => setTimeout(r, 2));
            appendFileSync(${JSON.stringify(log)}, '-' + process.pid + '\\n');
          });`;
      // A dead holder first, so the processes start by taking it over together.
      writeFileSync(path, String(spawnSync(process.execPath, ['-e', '0']).pid));
      const script = join(dir, 'child.mjs');
      writeFileSync(script, child);
      const r = spawnSync(
        'sh',
        [
          '-c',
          `for i in 1 2 3 4; do "$0" --import tsx "$1" & done; wait`,
          process.execPath,
          script,
        ],
        { encoding: 'utf8', timeout: 50_000 },
      );
      assert.equal(r.status, 0, r.stderr);
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      assert.equal(lines.length, 80, r.stderr);
      for (let i = 0; i < lines.length; i += 2) {
        assert.equal(lines[i]![0], '+');
        assert.equal(lines[i + 1], `-${lines[i]!.slice(1)}`, `overlap at line ${i + 1}`);
      }
      assert.equal(existsSync(path), false);
      assert.equal(existsSync(`${path}.break`), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('network: port reservations', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'berth-ports-unit-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const binding = (HostIp: string, HostPort: number) => ({
    HostIp,
    HostPort,
    ContainerPort: 80,
    Protocol: 'tcp',
  });

  it('reserving checks and writes inside the exclusive section', async () => {
    const ports = join(dir, 'ports');
    const files = () => (existsSync(ports) ? readdirSync(ports) : []);
    const seen: string[][] = [];
    const exclusive: Exclusive = async (fn) => {
      seen.push(files());
      const r = fn();
      seen.push(files());
      return r;
    };
    const reg = new PortRegistry(ports, () => true, exclusive);
    await reg.reserve(binding('127.0.0.1', 8080), 'a');
    assert.deepEqual(seen, [[], ['tcp_8080_127.0.0.1']]);
  });

  it('0.0.0.0 and a specific address conflict on the same port, either way round', async () => {
    const exclusive: Exclusive = async (fn) => fn();
    const reg = new PortRegistry(join(dir, 'ports'), (o) => o !== 'gone', exclusive);
    await reg.reserve(binding('127.0.0.1', 8080), 'a');
    await assert.rejects(reg.reserve(binding('0.0.0.0', 8080), 'b'), (e: unknown) => {
      assert.ok(e instanceof PortInUseError);
      assert.equal(
        e.message,
        'driver failed programming external connectivity: Bind for 0.0.0.0:8080 failed: port is already allocated',
      );
      return true;
    });
    await reg.reserve(binding('', 9090), 'a');
    await assert.rejects(reg.reserve(binding('127.0.0.2', 9090), 'b'), /127\.0\.0\.2:9090/);
    // Other addresses and ports are free; the owner may reserve its own binding again.
    await reg.reserve(binding('127.0.0.2', 8080), 'b');
    await reg.reserve(binding('127.0.0.1', 8081), 'b');
    await reg.reserve(binding('127.0.0.1', 8080), 'a');
    // A reservation whose owner is gone is taken over.
    await reg.reserve(binding('127.0.0.1', 7070), 'gone');
    await reg.reserve(binding('0.0.0.0', 7070), 'c');
  });

  it('a taken port moves on to the next; a lock that fails stops at once', async () => {
    const range = {
      hostIP: '127.0.0.1',
      hostPort: 1,
      hostPortEnd: 3,
      containerPort: 80,
      protocol: 'tcp' as const,
    };
    let calls = 0;
    const failing = new PortRegistry(
      join(dir, 'ports'),
      () => true,
      () => {
        calls++;
        return Promise.reject(new Error('the ports lock is locked by another berth'));
      },
    );
    await assert.rejects(allocatePorts([range], failing, 'c1'), /locked by another berth/);
    assert.equal(calls, 1);
    const taken = new PortRegistry(
      join(dir, 'ports'),
      () => true,
      () => Promise.reject(new PortInUseError('taken')),
    );
    await assert.rejects(allocatePorts([range], taken, 'c1'), PortInUseError);
  });
});
