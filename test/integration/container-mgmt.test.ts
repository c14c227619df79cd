// Container management: ps, inspect, stop, kill, rm, rename, pause/unpause, port, top, prune.
// Containers are made with ctr (labels as berth writes them), so these tests do not depend on run.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { BIN, berth, ctr, ctrList, env, suiteToml, uniqueName } from '../support/berth.js';

const image = (): string => `${env.registry}/lab/busybox:latest`;

interface Made {
  id: string;
  name: string;
}

/** `ctr run -d` (running) or `ctr c create` (created) with berth's name label. */
function make(
  opts: { run?: boolean; cmd?: string[]; labels?: Record<string, string>; name?: string } = {},
): Made {
  const name = opts.name ?? uniqueName('mgmt');
  const id = `${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`
    .padEnd(64, '0')
    .slice(0, 64);
  const labels: Record<string, string> = {
    'berth/name': name,
    'berth/image': 'busybox',
    ...(opts.labels ?? {}),
  };
  // containerd's restart monitor acts on a container as soon as it carries restart.status: set
  // while `ctr run` is still creating the task, the monitor races it for the task (and sometimes
  // leaves a second one, CREATED). The label goes on once the task runs, as a restart would.
  const restartStatus = labels['containerd.io/restart.status'];
  delete labels['containerd.io/restart.status'];
  const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const cmd = opts.cmd ?? ['sleep', '1000'];
  const r =
    opts.run === false
      ? ctr(['containers', 'create', ...labelArgs, image(), id, ...cmd])
      : ctr(['run', '-d', ...labelArgs, image(), id, ...cmd]);
  assert.equal(r.code, 0, r.stderr);
  if (restartStatus !== undefined) {
    const l = ctr(['containers', 'label', id, `containerd.io/restart.status=${restartStatus}`]);
    assert.equal(l.code, 0, l.stderr);
  }
  return { id, name };
}

function taskStatus(id: string): string | undefined {
  const line = ctr(['tasks', 'ls'])
    .stdout.split('\n')
    .find((l) => l.startsWith(`${id} `));
  return line?.trim().split(/\s+/)[2];
}

function forceCleanup(ids: string[]): void {
  for (const id of ids) {
    ctr(['tasks', 'kill', '-s', 'SIGKILL', id]);
    ctr(['tasks', 'delete', '-f', id]);
    ctr(['containers', 'delete', id]);
  }
}

describe('container management', function () {
  this.timeout(120000);
  const made: string[] = [];
  const mk = (o: Parameters<typeof make>[0] = {}): Made => {
    const m = make(o);
    made.push(m.id);
    return m;
  };

  before(() => {
    const r = ctr(['images', 'pull', '--plain-http', image()]);
    assert.equal(r.code, 0, r.stderr);
  });

  after(() => forceCleanup(made));

  describe('ps', () => {
    it('shows running containers with Docker columns, -a adds created and exited', async () => {
      const running = mk({
        labels: {
          'berth/ports': JSON.stringify([
            { HostIp: '', HostPort: '8080', ContainerPort: '80', Protocol: 'tcp' },
          ]),
        },
      });
      const created = mk({ run: false, cmd: ['echo', 'created'] });
      const exited = mk({ cmd: ['sh', '-c', 'exit 3'] });
      await new Promise((r) => setTimeout(r, 1200));

      const ps = berth(['ps']);
      assert.equal(ps.code, 0, ps.stderr);
      const header = ps.stdout.split('\n')[0];
      assert.match(header, /^CONTAINER ID   IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
      const runLine = ps.stdout.split('\n').find((l) => l.endsWith(running.name));
      assert.ok(runLine, ps.stdout);
      assert.match(
        runLine,
        new RegExp(
          `^${running.id.slice(0, 12)}   busybox +"sleep 1000" +\\d+ seconds? ago +Up \\d+ seconds? +0\\.0\\.0\\.0:8080->80/tcp +${running.name}$`,
        ),
      );
      assert.ok(!ps.stdout.includes(created.name));
      assert.ok(!ps.stdout.includes(exited.name));

      const all = berth(['ps', '-a']).stdout;
      assert.match(all, new RegExp(`"echo created" .* Created +${created.name}\\n`));
      assert.match(all, new RegExp(`"sh -c 'exit 3'" .* Exited \\(3\\) .*ago +${exited.name}\\n`));
    });

    it('-q, --no-trunc, -n, -l, --format, -f filters', () => {
      const a = mk();
      const b = mk({ labels: { tier: 'web' } });
      const q = berth(['ps', '-q']).stdout.split('\n');
      assert.ok(q.includes(a.id.slice(0, 12)));
      assert.ok(berth(['ps', '-q', '--no-trunc']).stdout.split('\n').includes(a.id));
      assert.deepEqual(berth(['ps', '-l', '--format', '{{.Names}}']).stdout, `${b.name}\n`);
      assert.equal(berth(['ps', '-n', '2', '-q']).stdout.trim().split('\n').length, 2);
      assert.equal(
        berth(['ps', '-f', 'label=tier=web', '--format', '{{.Names}}']).stdout,
        `${b.name}\n`,
      );
      assert.equal(
        berth(['ps', '-a', '-f', `name=${a.name}`, '--format', '{{.ID}} {{.State}}']).stdout,
        `${a.id.slice(0, 12)} running\n`,
      );
      assert.equal(
        berth(['ps', '-f', `id=${a.id.slice(0, 10)}`, '-q']).stdout,
        `${a.id.slice(0, 12)}\n`,
      );
      const json = JSON.parse(
        berth(['ps', '-f', `name=${a.name}`, '--format', 'json']).stdout,
      ) as Record<string, string>;
      assert.equal(json.Names, a.name);
      assert.equal(json.State, 'running');
      assert.equal(json.Command, '"sleep 1000"');
      assert.equal(
        berth(['ps', '-a', '-f', 'status=exited', '-f', `name=${a.name}`, '-q']).stdout,
        '',
      );
      assert.equal(
        berth(['ps', '-f', `ancestor=busybox`, '-f', `name=${a.name}`, '-q']).stdout,
        `${a.id.slice(0, 12)}\n`,
      );
      // The API's Created has whole seconds, so docker/cli prints no fraction.
      const createdAt = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/;
      assert.match(
        berth(['ps', '-f', `name=${a.name}`, '--format', '{{.CreatedAt}}']).stdout.trimEnd(),
        createdAt,
      );
      assert.match(json.CreatedAt, createdAt);
      const dotJson = JSON.parse(
        berth(['ps', '-f', `name=${a.name}`, '--format', '{{json .}}']).stdout,
      ) as Record<string, string>;
      assert.match(dotJson.CreatedAt, createdAt);
      const bad = berth(['ps', '-f', 'nope=1']);
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, "Error response from daemon: invalid filter 'nope'\n");
      const badStatus = berth(['ps', '-f', 'status=zzz']);
      assert.equal(badStatus.code, 1);
      assert.match(badStatus.stderr, /invalid filter 'status=zzz'/);
    });

    it('-f exited=N alone lists running containers only; status= implies -a', async () => {
      const exited = mk({ cmd: ['sh', '-c', 'exit 3'] });
      await new Promise((r) => setTimeout(r, 1200));
      const q = (args: string[]): string[] =>
        berth(['ps', ...args, '--no-trunc', '-q']).stdout.split('\n');
      assert.ok(!q(['-f', 'exited=3']).includes(exited.id));
      assert.ok(q(['-a', '-f', 'exited=3']).includes(exited.id));
      assert.ok(q(['-f', 'status=exited']).includes(exited.id));
      assert.ok(q(['-f', 'status=exited', '-f', 'exited=3']).includes(exited.id));
    });

    it('-f ancestor= takes an image ID, a short ID or an ID prefix, as well as a reference', () => {
      const c = mk();
      const id = berth(['inspect', '-f', '{{.Image}}', c.name]).stdout.trim();
      assert.match(id, /^sha256:[0-9a-f]{64}$/);
      const hex = id.slice('sha256:'.length);
      for (const v of [id, hex, hex.slice(0, 12), `sha256:${hex.slice(0, 8)}`, image()]) {
        assert.equal(
          berth(['ps', '-f', `ancestor=${v}`, '-f', `name=${c.name}`, '-q']).stdout,
          `${c.id.slice(0, 12)}\n`,
          v,
        );
      }
      const other = hex.startsWith('0') ? '1234567890ab' : '0123456789ab';
      assert.equal(
        berth(['ps', '-f', `ancestor=${other}`, '-f', `name=${c.name}`, '-q']).stdout,
        '',
      );
    });

    it('truncates long commands like docker/cli and survives a vanished container', () => {
      const long = mk({ cmd: ['sh', '-c', 'sleep 1000; echo this-is-long'] });
      const line = berth(['ps', '-f', `name=${long.name}`, '--format', '{{.Command}}']).stdout;
      assert.equal(line, '"sh -c \'sleep 1000; …"\n');
      const full = berth([
        'ps',
        '--no-trunc',
        '-f',
        `name=${long.name}`,
        '--format',
        '{{.Command}}',
      ]).stdout;
      assert.equal(full, '"sh -c \'sleep 1000; echo this-is-long\'"\n');
    });

    it('a hung shim costs ps a bounded wait, not a stuck command', () => {
      const hung = uniqueName('hung');
      const fine = uniqueName('fine');
      for (const n of [hung, fine]) {
        const r = berth([
          'run',
          '-d',
          '--name',
          n,
          `${env.registry}/lab/busybox:latest`,
          'sleep',
          '300',
        ]);
        assert.equal(r.code, 0, r.stderr);
      }
      const id = berth(['inspect', '-f', '{{.Id}}', hung]).stdout.trim();
      const shim = spawnSync('pgrep', ['-f', `containerd-shim-runc-v2 .*-id ${id}`], {
        encoding: 'utf8',
      }).stdout.trim();
      assert.match(shim, /^\d+$/);
      process.kill(Number(shim), 'SIGSTOP');
      try {
        const t0 = Date.now();
        const ps = berth(['ps', '-a', '--format', '{{.Names}} {{.State}}'], { timeoutMs: 20_000 });
        assert.equal(ps.code, 0, ps.stderr);
        assert.ok(Date.now() - t0 < 10_000, `ps took ${Date.now() - t0} ms`);
        assert.match(ps.stdout, new RegExp(`^${fine} running$`, 'm'));
        assert.match(ps.stdout, new RegExp(`^${hung} `, 'm'), 'the hung container is still listed');
      } finally {
        process.kill(Number(shim), 'SIGCONT');
        for (const n of [hung, fine]) berth(['rm', '-f', n]);
      }
    });

    it('shows nerdctl names', () => {
      const id = `nerd${Date.now()}`;
      const r = ctr(['containers', 'create', '--label', 'nerdctl/name=nerdy', image(), id, 'true']);
      assert.equal(r.code, 0, r.stderr);
      made.push(id);
      assert.equal(
        berth(['ps', '-a', '-f', 'name=nerdy', '--format', '{{.Names}}']).stdout,
        'nerdy\n',
      );
      assert.equal(berth(['inspect', '-f', '{{.Id}}', 'nerdy']).stdout, `${id}\n`);
    });
  });

  describe('inspect', () => {
    it('an exited container keeps its StartedAt, before its FinishedAt', () => {
      const name = uniqueName('started');
      for (const args of [
        ['run', '--name', name],
        ['run', '-d', '--name', `${name}-d`],
      ]) {
        assert.equal(berth([...args, image(), 'true']).code, 0);
      }
      for (const n of [name, `${name}-d`]) {
        let r = berth([
          'inspect',
          '-f',
          '{{.State.Status}} {{.State.StartedAt}} {{.State.FinishedAt}}',
          n,
        ]);
        for (let i = 0; i < 20 && !r.stdout.startsWith('exited'); i++) {
          spawnSync('sleep', ['0.25']);
          r = berth([
            'inspect',
            '-f',
            '{{.State.Status}} {{.State.StartedAt}} {{.State.FinishedAt}}',
            n,
          ]);
        }
        const [status, started, finished] = r.stdout.trim().split(' ');
        assert.equal(status, 'exited', r.stdout);
        assert.ok(!started!.startsWith('0001'), r.stdout);
        assert.ok(Date.parse(started!) <= Date.parse(finished!) + 1, r.stdout);
      }
      assert.equal(berth(['rm', name, `${name}-d`]).code, 0);
    });

    it("templates read Docker's omitempty fields as zero values; the JSON leaves them out", () => {
      const c = mk();
      const f = berth([
        'inspect',
        '-f',
        '{{.State.Health}} {{.Config.ExposedPorts}} {{.HostConfig.Tmpfs}} {{.HostConfig.LogConfig.Type}}',
        c.name,
      ]);
      assert.equal(f.code, 0, f.stderr);
      assert.equal(f.stdout, '<nil> map[] map[] json-file\n');
      const json = berth(['inspect', c.name]).stdout;
      assert.ok(!json.includes('"Health"') && !json.includes('"ExposedPorts"'), json);
    });

    it('prints Docker-shaped JSON and supports --format', () => {
      const c = mk({ labels: { 'containerd.io/restart.policy': 'always' } });
      const r = berth(['inspect', c.name]);
      assert.equal(r.code, 0, r.stderr);
      const [obj] = JSON.parse(r.stdout) as Array<{
        Id: string;
        Name: string;
        Path: string;
        Args: string[];
        Image: string;
        State: { Status: string; Running: boolean; Pid: number };
        Config: { Cmd: string[] };
        HostConfig: { RestartPolicy: { Name: string } };
      }>;
      assert.equal(obj.Id, c.id);
      assert.equal(obj.Name, `/${c.name}`);
      assert.equal(obj.Path, 'sleep');
      assert.deepEqual(obj.Args, ['1000']);
      assert.equal(obj.State.Status, 'running');
      assert.equal(obj.State.Running, true);
      assert.ok(obj.State.Pid > 0);
      assert.match(obj.Image, /^sha256:[0-9a-f]{64}$/);
      assert.deepEqual(obj.Config.Cmd, ['sleep', '1000']);
      assert.equal(obj.HostConfig.RestartPolicy.Name, 'always');
      assert.equal(
        berth(['inspect', '-f', '{{.State.Status}} {{.Config.Labels.nope}}', c.id.slice(0, 14)])
          .stdout,
        'running <no value>\n',
      );
      assert.equal(
        berth(['container', 'inspect', '--format', '{{.Name}}', c.name]).stdout,
        `/${c.name}\n`,
      );
    });

    it('a missing object prints [] and Error: No such object, exit 1', () => {
      const r = berth(['inspect', 'mgmt-no-such-thing']);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '[]\n');
      assert.equal(r.stderr, 'Error: No such object: mgmt-no-such-thing\n');
      // `container inspect` names what it looked for, and has no --type, as in Docker.
      const c = berth(['container', 'inspect', 'mgmt-no-such-thing']);
      assert.equal(c.code, 1);
      assert.equal(c.stdout, '[]\n');
      assert.equal(c.stderr, 'Error: No such container: mgmt-no-such-thing\n');
      const typed = berth(['container', 'inspect', '--type', 'image', 'mgmt-no-such-thing']);
      assert.equal(typed.code, 125);
      assert.match(typed.stderr, /unknown flag: --type/);
    });

    it('finds a container another client made by its full ID, hex or not', () => {
      const id = uniqueName('mgmt-ctr');
      const r = ctr(['containers', 'create', image(), id, 'true']);
      assert.equal(r.code, 0, r.stderr);
      made.push(id);
      const found = berth(['inspect', '-f', '{{.Id}}', id]);
      assert.equal(found.code, 0, found.stderr);
      assert.equal(found.stdout, `${id}\n`);
      // Only hex IDs match by prefix, as in Docker.
      const part = berth(['inspect', '-f', '{{.Id}}', id.slice(0, -2)]);
      assert.equal(part.code, 1);
      assert.equal(part.stderr, `Error: No such object: ${id.slice(0, -2)}\n`);
    });

    it("a template that does not parse: Docker's template parsing error, exit 64", () => {
      const c = mk({ run: false });
      // Found or not, the template is refused before anything is looked up.
      for (const args of [
        ['inspect', '-f', '{{.Name', c.name],
        ['inspect', '--format', '{{.Name', 'mgmt-no-such-thing'],
        ['container', 'inspect', '-f', '{{.Name', c.name],
      ]) {
        const r = berth(args);
        assert.equal(r.code, 64, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr, 'template parsing error: template: :1: unclosed action\n');
        assert.equal(r.stdout, '');
      }
    });
  });

  describe('stop, kill, rm', () => {
    it('stop sends SIGTERM, then SIGKILL after -t, keeps the exited task and sets restart labels', () => {
      const c = mk({ labels: { 'containerd.io/restart.status': 'running' } });
      const t0 = Date.now();
      const r = berth(['stop', '-t', '1', c.name]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${c.name}\n`);
      assert.ok(Date.now() - t0 >= 1000);
      assert.equal(taskStatus(c.id), 'STOPPED');
      const info = ctr(['containers', 'info', c.id]).stdout;
      assert.match(info, /"containerd.io\/restart.status": "stopped"/);
      assert.match(info, /"containerd.io\/restart.explicitly-stopped": "true"/);
      assert.match(
        berth(['ps', '-a', '-f', `name=${c.name}`, '--format', '{{.Status}}']).stdout,
        /^Exited \(137\) /,
      );
    });

    it('stop -s uses the given signal; a stopped container stops again quietly', () => {
      const c = mk({ cmd: ['sh', '-c', 'trap "exit 7" USR1; while true; do sleep 0.1; done'] });
      const r = berth(['stop', '-s', 'USR1', c.name]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        berth(['ps', '-a', '-f', `name=${c.name}`, '--format', '{{.Status}}']).stdout,
        /^Exited \(7\) /,
      );
      assert.equal(berth(['stop', c.name]).code, 0);
    });

    it('stop of a missing container: Docker error, exit 1', () => {
      const r = berth(['stop', 'mgmt-nosuch']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'Error response from daemon: No such container: mgmt-nosuch\n');
    });

    it('kill -s and kill of a stopped container', () => {
      const c = mk();
      const r = berth(['kill', c.name]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${c.name}\n`);
      const again = berth(['kill', c.name]);
      assert.equal(again.code, 1);
      assert.equal(
        again.stderr,
        `Error response from daemon: Cannot kill container: ${c.name}: Container ${c.id} is not running\n`,
      );
      const d = mk({ cmd: ['sh', '-c', 'trap "exit 9" HUP; while true; do sleep 0.1; done'] });
      assert.equal(berth(['kill', '-s', 'HUP', d.name]).code, 0);
    });

    it('rm refuses a running container, -f removes it, -f on a missing one warns and exits 0', () => {
      const c = mk();
      const r = berth(['rm', c.name]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `Error response from daemon: You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove\n`,
      );
      const f = berth(['rm', '-f', c.name]);
      assert.equal(f.code, 0, f.stderr);
      assert.equal(f.stdout, `${c.name}\n`);
      assert.ok(!ctrList(['containers', 'ls']).includes(c.id));
      assert.equal(taskStatus(c.id), undefined);
      assert.ok(!ctr(['snapshots', 'ls']).stdout.includes(c.id));
      const missing = berth(['rm', 'mgmt-nosuch']);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, 'Error response from daemon: No such container: mgmt-nosuch\n');
      const d = mk();
      const forced = berth(['rm', '-f', 'mgmt-nosuch1', d.name, 'mgmt-nosuch2']);
      assert.equal(forced.code, 0);
      assert.equal(forced.stdout, `${d.name}\n`);
      assert.equal(
        forced.stderr,
        'Error response from daemon: No such container: mgmt-nosuch1\n' +
          'Error response from daemon: No such container: mgmt-nosuch2\n',
      );
      assert.ok(!ctrList(['containers', 'ls']).includes(d.id));
    });

    it('rm of stopped containers, several arguments, partial failure exits 1', () => {
      const a = mk({ run: false });
      const b = mk({ cmd: ['true'] });
      const r = berth(['rm', a.name, 'mgmt-nosuch', b.id.slice(0, 12)]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, `${a.name}\n${b.id.slice(0, 12)}\n`);
      assert.equal(r.stderr, 'Error response from daemon: No such container: mgmt-nosuch\n');
      const ids = ctrList(['containers', 'ls']);
      assert.ok(!ids.includes(a.id) && !ids.includes(b.id));
    });

    it('an ambiguous ID prefix is refused', () => {
      const r = berth(['rm', '']);
      assert.notEqual(r.code, 0);
    });
  });

  describe('rename, pause, unpause, port, top', () => {
    it('rename changes the name label and refuses conflicts', () => {
      const a = mk();
      const b = mk();
      const newName = uniqueName('renamed');
      assert.equal(berth(['rename', a.name, newName]).code, 0);
      assert.equal(berth(['inspect', '-f', '{{.Name}}', a.id]).stdout, `/${newName}\n`);
      const clash = berth(['rename', newName, b.name]);
      assert.equal(clash.code, 1);
      assert.match(
        clash.stderr,
        /Conflict\. The container name "\/.*" is already in use by container/,
      );
    });

    it('pause and unpause', () => {
      const c = mk();
      assert.equal(berth(['pause', c.name]).stdout, `${c.name}\n`);
      assert.equal(taskStatus(c.id), 'PAUSED');
      assert.match(
        berth(['ps', '-f', `name=${c.name}`, '--format', '{{.Status}}']).stdout,
        /^Up .* \(Paused\)\n$/,
      );
      const again = berth(['pause', c.name]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /is already paused/);
      assert.equal(berth(['unpause', c.name]).stdout, `${c.name}\n`);
      assert.equal(taskStatus(c.id), 'RUNNING');
      assert.match(berth(['unpause', c.name]).stderr, /is not paused/);
    });

    it('start and exec of a paused container: Docker conflicts, exit 1, still paused', () => {
      const c = mk();
      const other = mk();
      assert.equal(berth(['pause', c.name]).code, 0);
      // The other argument is still processed (a running one is started quietly, as Docker does).
      const start = berth(['start', c.name, other.name]);
      assert.equal(start.code, 1);
      assert.equal(start.stdout, `${other.name}\n`);
      assert.equal(
        start.stderr,
        'Error response from daemon: cannot start a paused container, try unpause instead\n',
      );
      assert.equal(taskStatus(c.id), 'PAUSED');
      const exec = berth(['exec', c.name, 'true']);
      assert.equal(exec.code, 1);
      assert.equal(exec.stdout, '');
      assert.equal(
        exec.stderr,
        `Error response from daemon: Container ${c.id} is paused, unpause the container before exec\n`,
      );
      assert.equal(taskStatus(c.id), 'PAUSED');
      assert.equal(berth(['unpause', c.name]).code, 0);
    });

    it('port lists mappings from the label', () => {
      const c = mk({
        labels: {
          'berth/ports': JSON.stringify([
            { HostIp: '0.0.0.0', HostPort: '8080', ContainerPort: '80', Protocol: 'tcp' },
            { HostIp: '127.0.0.1', HostPort: '5353', ContainerPort: '53', Protocol: 'udp' },
          ]),
        },
      });
      assert.equal(
        berth(['port', c.name]).stdout,
        '53/udp -> 127.0.0.1:5353\n80/tcp -> 0.0.0.0:8080\n',
      );
      assert.equal(berth(['port', c.name, '80']).stdout, '0.0.0.0:8080\n');
      const none = berth(['port', c.name, '81']);
      assert.equal(none.code, 1);
      assert.equal(none.stderr, `Error: No public port '81/tcp' published for ${c.name}\n`);
    });

    it('top shows the container processes like docker top', () => {
      const c = mk();
      const r = berth(['top', c.name]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^UID +PID +PPID +C +STIME +TTY +TIME +CMD\n/);
      assert.match(r.stdout, /sleep 1000\n$/);
      // Everything after the container is for ps, flags included, as with docker top.
      const ps = berth(['container', 'top', c.name, '-o', 'pid,comm']);
      assert.equal(ps.code, 0, ps.stderr);
      assert.match(ps.stdout, /^PID +COMMAND\n\d+ +sleep\n$/);
    });
  });

  describe('k8s.io safety', () => {
    it('refuses to change a CRI-managed container without --kube-force; read-only commands work', () => {
      const c = mk({
        labels: {
          'io.cri-containerd.kind': 'container',
          'io.kubernetes.pod.namespace': 'default',
          'io.kubernetes.pod.name': 'web-1',
          'io.kubernetes.container.name': `app${process.pid}`,
        },
        name: undefined,
      });
      const k8sName = `k8s://default/web-1/app${process.pid}`;
      // The berth/name label was set by make(); the CRI form must also resolve.
      assert.equal(berth(['inspect', '-f', '{{.Id}}', k8sName]).stdout, `${c.id}\n`);
      const r = berth(['stop', k8sName]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /managed by Kubernetes.*--kube-force/);
      assert.equal(taskStatus(c.id), 'RUNNING');
      assert.equal(berth(['rm', '-f', '--kube-force', k8sName]).code, 0);
    });
  });

  describe('container prune', () => {
    it('off a terminal reads the answer from stdin like docker; -f removes stopped containers', () => {
      const stopped = mk({ run: false });
      const running = mk();
      const question =
        'WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ';
      // No answer (end of input) and `n` decline: nothing is removed, exit 0.
      for (const input of [undefined, 'n\n']) {
        const r = berth(['container', 'prune'], { input });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, question);
        assert.ok(ctrList(['containers', 'ls']).includes(stopped.id));
      }
      const yes = berth(['container', 'prune'], { input: 'y\n' });
      assert.equal(yes.code, 0, yes.stderr);
      assert.match(
        yes.stdout,
        new RegExp(`^WARNING!.*\\n.*\\[y/N\\] Deleted Containers:\\n(.*\\n)*${stopped.id}\\n`),
      );
      assert.ok(!ctrList(['containers', 'ls']).includes(stopped.id));
      const again = mk({ run: false });
      const p = berth(['container', 'prune', '-f']);
      assert.equal(p.code, 0, p.stderr);
      assert.match(
        p.stdout,
        new RegExp(
          `^Deleted Containers:\\n(.*\\n)*${again.id}\\n(.*\\n)*\\nTotal reclaimed space: .*B\\n$`,
        ),
      );
      const ids = ctrList(['containers', 'ls']);
      assert.ok(!ids.includes(again.id));
      assert.ok(ids.includes(running.id));
      assert.equal(berth(['container', 'prune', '-f']).stdout, 'Total reclaimed space: 0B\n');
    });

    it("on a terminal, asks with Docker's words: n keeps, y removes", () => {
      const stopped = mk({ run: false });
      const prune = (answer: string): string =>
        spawnSync(
          'sh',
          [
            '-c',
            `(sleep 1.5; printf '${answer}\\r'; sleep 1.5) | script -qec "${BIN} container prune" /dev/null`,
          ],
          { encoding: 'utf8', env: { ...process.env, BERTH_TOML: suiteToml() }, timeout: 30_000 },
        ).stdout;
      const no = prune('n');
      assert.match(no, /WARNING! This will remove all stopped containers\./);
      assert.match(no, /Are you sure you want to continue\?/);
      assert.doesNotMatch(no, /Deleted Containers/);
      assert.ok(ctrList(['containers', 'ls']).includes(stopped.id));
      const yes = prune('y');
      assert.match(yes, new RegExp(`Deleted Containers:\\r?\\n(.*\\n)*${stopped.id}`));
      assert.ok(!ctrList(['containers', 'ls']).includes(stopped.id));
    });

    it('--filter label / label! / until choose what is pruned; bad filters remove nothing', () => {
      const keep = mk({ run: false, labels: { prunetest: 'keep' } });
      const drop = mk({ run: false, labels: { prunetest: 'drop' } });
      const plain = mk({ run: false });
      // `-l prunebare` as berth stores it: containerd keeps no label with an empty value.
      const bare = mk({ run: false, labels: { 'berth/empty-labels': '["prunebare"]' } });
      const pruned = (filters: string[]): string[] => {
        const r = berth(['container', 'prune', '-f', ...filters.flatMap((f) => ['--filter', f])]);
        assert.equal(r.code, 0, r.stderr);
        return made.filter((id) => r.stdout.includes(id));
      };
      const fail = (filter: string, code: number, stderr: RegExp | string): void => {
        const r = berth(['container', 'prune', '-f', '--filter', filter]);
        assert.equal(r.code, code, r.stderr);
        if (typeof stderr === 'string') assert.equal(r.stderr, stderr);
        else assert.match(r.stderr, stderr);
      };
      fail('nope=1', 1, "Error response from daemon: invalid filter 'nope'\n");
      fail('until=yesterday', 1, "Error response from daemon: invalid filter 'until=yesterday'\n");
      fail('label', 125, /^invalid argument "label" for "--filter" flag: bad format of filter/);
      const all = ctrList(['containers', 'ls']);
      for (const m of [keep, drop, plain, bare]) assert.ok(all.includes(m.id));

      // All were created just now: an hour ago is before any of them.
      assert.deepEqual(pruned(['until=1h']), []);
      assert.deepEqual(pruned(['label=prunebare=']), [bare.id]);
      assert.deepEqual(pruned(['label=prunetest=drop', 'until=-1m']), [drop.id]);
      assert.deepEqual(pruned(['label!=prunetest=keep', 'label!=nothing']), [plain.id]);
      assert.deepEqual(pruned(['label=prunetest']), [keep.id]);
    });
  });
});
