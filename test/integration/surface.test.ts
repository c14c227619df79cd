// events, update, system df, system prune, streaming stats in a pseudo-terminal and the shell
// completion script, through the built binary against the suite's containerd.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BIN,
  berth,
  berthAsync,
  ctr,
  env,
  hasTestEnv,
  suiteToml,
  uniqueName,
} from '../support/berth.js';

const IMG = (): string => `${env.registry}/lab/busybox:latest`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function ok(args: string[]): string {
  const r = berth(args);
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The cgroup v1 file of a container of the suite's namespace (berth's default cgroup path). */
function cgroupFile(controller: string, id: string, file: string, ns = env.namespace): string {
  return readFileSync(`/sys/fs/cgroup/${controller}/${ns}/${id}/${file}`, 'utf8').trim();
}

describe('events, update, system df/prune, stats stream, completion', function () {
  this.timeout(240000);
  const names: string[] = [];
  const newName = (p: string): string => {
    const n = uniqueName(p);
    names.push(n);
    return n;
  };

  before(function () {
    if (!hasTestEnv()) this.skip();
  });
  after(() => {
    if (names.length > 0) berth(['rm', '-f', ...names]);
  });

  describe('events', () => {
    it('reports a run/exec/stop/rm cycle in order, with Docker attributes, lines and JSON', async () => {
      const name = newName('ev');
      const lines = berthAsync(['events']);
      const json = berthAsync([
        'events',
        '--format',
        '{{json .}}',
        '--filter',
        `container=${name}`,
      ]);
      await sleep(2500);
      const id = ok([
        'run',
        '-d',
        '--network',
        'none',
        '-l',
        'tier=web',
        '--name',
        name,
        IMG(),
        'sleep',
        '1000',
      ]).trim();
      ok(['exec', name, 'true']);
      ok(['stop', '-t', '1', name]);
      ok(['volume', 'create', `${name}-vol`]);
      ok(['volume', 'rm', `${name}-vol`]);
      ok(['rm', name]);
      await sleep(2500);
      lines.child.kill('SIGINT');
      json.child.kill('SIGINT');
      const [l, j] = await Promise.all([lines.done, json.done]);
      assert.equal(l.code, 130, l.stderr);
      const mine = l.stdout.split('\n').filter((s) => s.includes(id) || s.includes(`${name}-vol`));
      const actions = mine.map((s) => s.split(' ').slice(1, 3).join(' '));
      assert.deepEqual(actions, [
        'container create',
        'container start',
        'container exec_create:',
        'container exec_start:',
        'container exec_die',
        'container kill',
        'container kill',
        'container die',
        'container stop',
        'volume create',
        'volume destroy',
        'container destroy',
      ]);
      assert.match(
        mine[0]!,
        new RegExp(
          `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}(Z|[+-]\\d\\d:\\d\\d) container create ${id} \\(.*image=${IMG().replace(/[.]/g, '\\.')}, name=${name}.*tier=web\\)$`,
        ),
      );
      assert.match(mine[2]!, / container exec_create: true {2}/);
      assert.match(mine[7]!, /exitCode=137/);
      assert.match(mine[5]!, /signal=15/);
      assert.equal(mine[9], mine[9]!.replace(/\(.*\)/, '(driver=local)'));
      // The filtered JSON stream: only this container's events, Docker's fields in Docker's order.
      const events = j.stdout
        .trim()
        .split('\n')
        .map((s) => JSON.parse(s) as Record<string, unknown>);
      assert.ok(events.length >= 8, j.stdout);
      for (const e of events) assert.equal((e['Actor'] as { ID: string }).ID, id);
      const first = j.stdout.split('\n')[0]!;
      assert.match(
        first,
        /^\{"status":"create","id":"[0-9a-f]{64}","from":"[^"]+","Type":"container","Action":"create","Actor":\{"ID":"[0-9a-f]{64}","Attributes":\{/,
      );
      assert.match(first, /"scope":"local","time":\d{10},"timeNano":\d{19}\}$/);
      assert.equal(
        (events[0]!['Actor'] as { Attributes: Record<string, string> }).Attributes['name'],
        name,
      );
    });

    it('--since replays what exists, --until ends the stream, filters and bad values', async () => {
      const name = newName('evs');
      ok(['create', '--network', 'none', '--name', name, IMG(), 'true']);
      const r = berth([
        'events',
        '--since',
        '10m',
        '--until',
        '0s',
        '--filter',
        'event=create',
        '--filter',
        `container=${name}`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').length, 1, r.stdout);
      assert.match(r.stdout, new RegExp(` container create [0-9a-f]{64} \\(.*name=${name}`));
      const none = berth([
        'events',
        '--since',
        '10m',
        '--until',
        '0s',
        '--filter',
        'type=volume',
        '--filter',
        `volume=${name}`,
      ]);
      assert.equal(none.stdout, '');
      // A future --until: the stream ends by itself.
      const t0 = Date.now();
      const u = berth(['events', '--until', '3s']);
      assert.equal(u.code, 0, u.stderr);
      assert.ok(Date.now() - t0 < 30000);
      const bad = berth(['events', '--since', 'xx']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /failed to parse value as time or duration: "xx"/);
      const tmpl = berth(['events', '--format', '{{.Nope}}', '--until', '0s']);
      assert.equal(tmpl.code, 64);
      assert.match(tmpl.stderr, /can't evaluate field Nope in type \*events\.Message/);
    });
  });

  describe('update', () => {
    it("changes a running container's cgroup and inspect, then a stopped one's spec", () => {
      const name = newName('upd');
      const id = ok([
        'run',
        '-d',
        '--network',
        'none',
        '--name',
        name,
        IMG(),
        'sh',
        '-c',
        'dd if=/dev/zero of=/dev/shm/x bs=1M count=20; sleep 1000',
      ]).trim();
      const r = berth([
        'update',
        '--cpus',
        '0.5',
        '--cpu-shares',
        '512',
        '--cpuset-cpus',
        '0',
        '-m',
        '100m',
        '--memory-swap',
        '200m',
        '--pids-limit',
        '50',
        '--restart',
        'on-failure:3',
        name,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${name}\n`);
      assert.equal(cgroupFile('memory', id, 'memory.limit_in_bytes'), String(100 * 1024 * 1024));
      assert.equal(cgroupFile('cpu', id, 'cpu.cfs_quota_us'), '50000');
      assert.equal(cgroupFile('cpu', id, 'cpu.shares'), '512');
      assert.equal(cgroupFile('cpuset', id, 'cpuset.cpus'), '0');
      assert.equal(cgroupFile('pids', id, 'pids.max'), '50');
      const hc = JSON.parse(ok(['inspect', '-f', '{{json .HostConfig}}', name])) as Record<
        string,
        unknown
      >;
      assert.equal(hc['Memory'], 104857600);
      assert.equal(hc['MemorySwap'], 209715200);
      assert.equal(hc['NanoCpus'], 500000000);
      assert.equal(hc['CpuShares'], 512);
      assert.equal(hc['CpusetCpus'], '0');
      assert.equal(hc['PidsLimit'], 50);
      assert.deepEqual(hc['RestartPolicy'], { Name: 'on-failure', MaximumRetryCount: 3 });
      // Below what the container uses: runc's refusal, nothing changed.
      const low = berth(['update', '-m', '8m', name]);
      assert.equal(low.code, 1);
      assert.match(
        low.stderr,
        new RegExp(
          `^Error response from daemon: Cannot update container ${id}: .*unable to set memory limit to 8388608`,
        ),
      );
      assert.equal(cgroupFile('memory', id, 'memory.limit_in_bytes'), String(100 * 1024 * 1024));
      assert.equal(ok(['inspect', '-f', '{{.HostConfig.Memory}}', name]).trim(), '104857600');
      // Stopped: the stored spec, applied at the next start.
      ok(['stop', '-t', '0', name]);
      ok(['update', '--cpus', '0.25', name]);
      ok(['start', name]);
      assert.equal(cgroupFile('cpu', id, 'cpu.cfs_quota_us'), '25000');
      const none = berth(['update', name]);
      assert.equal(none.code, 1);
      assert.equal(none.stderr, 'you must provide one or more flags when using this command\n');
      const missing = berth(['update', '--cpus', '1', 'upd-nosuch-xyz']);
      assert.equal(
        missing.stderr,
        'Error response from daemon: No such container: upd-nosuch-xyz\n',
      );
    });
  });

  describe('system df and system prune', () => {
    // Both look at the whole namespace: they get one of their own.
    const ns = `${process.env['BERTH_TEST_NAMESPACE'] ?? 'x'}-sys`;
    const b = (args: string[]) => berth(['--namespace', ns, ...args]);
    const okNs = (args: string[]): string => {
      const r = b(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    after(() => {
      b(['rm', '-f', 'df-run', 'df-stopped']);
      b(['system', 'prune', '-af', '--volumes']);
      b(['volume', 'rm', '-f', 'df-named']);
      ctr(['namespaces', 'rm', ns], 'default');
    });

    it('df agrees with images, ps -s and volume ls; prune -af --volumes keeps what is in use', () => {
      okNs(['pull', '-q', IMG()]);
      okNs(['pull', '-q', `${env.registry}/lab/multi:latest`]);
      okNs([
        'run',
        '-d',
        '--network',
        'none',
        '--name',
        'df-run',
        '-v',
        'df-named:/data',
        IMG(),
        'sh',
        '-c',
        'dd if=/dev/zero of=/big bs=1k count=300; sleep 1000',
      ]);
      okNs(['create', '--network', 'none', '--name', 'df-stopped', '-v', '/anon', IMG(), 'true']);
      spawnSync('sleep', ['2']);
      const df = okNs(['system', 'df']).split('\n');
      assert.match(df[0]!, /^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE$/);
      const row = (type: string): string[] =>
        df
          .find((l) => l.startsWith(type))!
          .slice(type.length)
          .trim()
          .split(/ {2,}/);
      const images = okNs(['images', '-q']).trim().split('\n');
      assert.equal(row('Images')[0], String(new Set(images).size));
      assert.equal(row('Images')[1], '1');
      assert.deepEqual(row('Containers').slice(0, 2), ['2', '1']);
      assert.deepEqual(row('Local Volumes').slice(0, 2), ['2', '2']);
      assert.deepEqual(row('Build Cache'), ['0', '0', '0B', '0B']);
      // Layers shared by busybox and multi count once: less than the two sizes added.
      const sizes = okNs(['images', '--format', '{{.Size}}']).trim().split('\n');
      assert.equal(sizes.length, 2);
      const json = okNs(['system', 'df', '--format', '{{json .}}'])
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, string>);
      assert.deepEqual(Object.keys(json[0]!), [
        'Active',
        'Reclaimable',
        'Size',
        'TotalCount',
        'Type',
      ]);
      const psSize = okNs(['ps', '-s', '--format', '{{.Names}} {{.Size}}']).trim().split('\n');
      assert.ok(
        psSize.some((l) => /^df-run [0-9.]+kB/.test(l)),
        psSize.join('|'),
      );
      const verbose = okNs(['system', 'df', '-v']);
      assert.match(
        verbose,
        /^Images space usage:\n\nREPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS\n/,
      );
      assert.match(verbose, /\nLocal Volumes space usage:\n\nVOLUME NAME +LINKS +SIZE\n/);
      assert.match(verbose, /\ndf-named +1 +[0-9.]+[kM]?B\n/);

      const prune = b(['system', 'prune', '-af', '--volumes']);
      assert.equal(prune.code, 0, prune.stderr);
      assert.match(prune.stdout, /^Deleted Containers:\n[0-9a-f]{64}\n\n/);
      assert.match(prune.stdout, /\nDeleted Volumes:\n[0-9a-f]{64}\n\n/);
      assert.match(
        prune.stdout,
        /\nDeleted Images:\n(untagged: .*\n)+(deleted: sha256:[0-9a-f]{64}\n)+\n/,
      );
      assert.match(prune.stdout, /\nTotal reclaimed space: [0-9.]+[kMG]?B\n$/);
      assert.deepEqual(okNs(['ps', '-a', '--format', '{{.Names}}']).trim().split('\n'), ['df-run']);
      assert.deepEqual(okNs(['images', '--format', '{{.Repository}}']).trim().split('\n'), [
        `${env.registry}/lab/busybox`,
      ]);
      assert.deepEqual(okNs(['volume', 'ls', '-q']).trim().split('\n'), ['df-named']);
      // What containerd holds agrees.
      assert.equal(ctr(['containers', 'ls', '-q'], ns).stdout.trim().split('\n').length, 1);
    });

    it("asks Docker's question, and says no without a yes", () => {
      const r = b(['system', 'prune', '--filter', 'until=1h', '--filter', 'label=a=b']);
      assert.equal(r.code, 0);
      assert.equal(
        r.stdout,
        'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all dangling images\n  - unused build cache\n\n  Items to be pruned will be filtered with:\n  - label=a=b\n  - until=1h\n\nAre you sure you want to continue? [y/N] ',
      );
      const v = b(['system', 'prune', '-f', '--volumes', '--filter', 'until=1h']);
      assert.equal(v.code, 1);
      assert.equal(v.stderr, 'ERROR: The "until" filter is not supported with "--volumes"\n');
    });
  });

  describe('stats in a terminal, completion in bash', () => {
    it('stats redraws in place in a pseudo-terminal and Ctrl-C shows the cursor again', async () => {
      const name = newName('stty');
      ok(['run', '-d', '--network', 'none', '--name', name, IMG(), 'sleep', '1000']);
      // script(1) gives berth a real pty; a ^C typed into it is the terminal's SIGINT.
      const child = spawn('script', ['-q', '-e', '-c', `${BIN} stats ${name}`, '/dev/null'], {
        env: { ...process.env, BERTH_TOML: suiteToml(), TERM: 'xterm' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const deadline = Date.now() + 60000;
      while ((out.match(/\x1b\[H/g) ?? []).length < 2 && Date.now() < deadline) await sleep(200);
      child.stdin.write('\x03');
      const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      assert.ok((out.match(/\x1b\[H/g) ?? []).length >= 2, JSON.stringify(out.slice(0, 300)));
      assert.ok(out.startsWith('\x1b[2J\x1b[?25l\x1b[H'), JSON.stringify(out.slice(0, 40)));
      assert.ok(out.includes('\x1b[?25h'), 'cursor shown again');
      const frame = out
        .split('\x1b[H')[2]!
        .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
        .replace(/\r/g, '');
      assert.match(frame, /^CONTAINER ID +NAME +CPU %/);
      assert.match(frame, new RegExp(`\\n[0-9a-f]{12} +${name} +`));
      assert.ok(code === 0 || code === 130, String(code));
    });

    it("offers a running container's name after `berth stop ` in a real bash", () => {
      const name = newName('cmp');
      ok(['run', '-d', '--network', 'none', '--name', name, IMG(), 'sleep', '1000']);
      const dir = mkdtempSync(path.join(tmpdir(), 'berth-compl-'));
      try {
        const script = path.join(dir, 'berth.bash');
        writeFileSync(script, ok(['completion', 'bash']));
        const probe = [
          `PATH=${path.dirname(BIN)}:$PATH`,
          `source ${script}`,
          'complete -p berth; echo ---',
          't() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _berth; printf "%s\\n" "${COMPREPLY[@]}"; echo ---; }',
          `t berth stop ''`,
          't berth netw',
          't berth stop --ti',
        ].join('\n');
        const r = spawnSync('bash', ['--norc', '-c', probe], {
          env: { ...process.env, BERTH_TOML: suiteToml() },
          encoding: 'utf8',
          timeout: 60000,
        });
        assert.equal(r.status, 0, r.stderr);
        const [head, stop, netw, flags] = r.stdout.split('---\n');
        assert.match(head!, /^complete -F _berth berth\n/);
        assert.ok(stop!.split('\n').includes(name), stop);
        assert.equal(netw, 'network\n');
        assert.deepEqual(flags!.trim().split('\n').sort(), ['--time', '--timeout']);
        // A dead socket costs at most the script's deadline.
        const t0 = Date.now();
        spawnSync(
          'bash',
          [
            '--norc',
            '-c',
            `${probe.split('\n').slice(0, 2).join('\n')}\nCOMP_WORDS=(berth -a /nonexistent.sock stop ''); COMP_CWORD=4; _berth`,
          ],
          { encoding: 'utf8', timeout: 30000 },
        );
        assert.ok(Date.now() - t0 < 10000);
        for (const shell of ['zsh', 'fish']) assert.equal(berth(['completion', shell]).code, 0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
