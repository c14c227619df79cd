import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, berthAsync, ctr, env, uniqueName } from '../support/berth.js';

function tomlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-toml-'));
  const file = join(dir, 'berth.toml');
  writeFileSync(file, text);
  return file;
}

/** `berth info` settings as JSON: value and source of each. */
function settings(args: string[], extraEnv: Record<string, string | undefined> = {}) {
  const r = berth([...args, 'info', '--format', '{{json .Settings}}'], { env: extraEnv });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, { Value: unknown; Source: string }>;
}

describe('foundation: version, info, config, namespaces, errors', function () {
  this.timeout(60000);

  describe('version', () => {
    it('prints client and server sections like docker version', () => {
      const r = berth(['version']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Client:\n Version: +\d+\.\d+\.\d+\n/);
      assert.match(r.stdout, /\nServer:\n containerd:\n  Version: +1\.\d+/);
      assert.equal(r.stderr, '');
    });

    it('supports --format with Go templates and json', () => {
      const ver = ctr(['version']).stdout.match(/Server:\n\s+Version:\s+(\S+)/)?.[1];
      const r = berth(['version', '--format', '{{.Server.Version}}']);
      assert.equal(r.stdout, `${ver}\n`);
      const j = JSON.parse(berth(['version', '--format', '{{json .}}']).stdout);
      assert.equal(j.Server.Components[0].Name, 'containerd');
      assert.equal(j.Client.Os, 'linux');
    });

    it('a --format that does not parse exits 64, one that fails running 1 (docker/cli)', () => {
      for (const cmd of ['version', 'info']) {
        const bad = berth([cmd, '--format', '{{.Nope']);
        assert.equal(bad.code, 64, `${cmd}: ${bad.stderr}`);
        assert.match(bad.stderr, /^template parsing error: template: .*unclosed action\n$/);
        assert.equal(berth([cmd, '--format', '{{.Nope}}']).code, 1);
      }
    });

    it('-v prints the short version line', () => {
      const r = berth(['-v']);
      assert.match(r.stdout, /^berth version \d+\.\d+\.\d+\n$/);
    });
  });

  describe('info', () => {
    it('reports namespace, snapshotter, runtime, cgroup driver and version', () => {
      const r = berth(['info']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(` Namespace: ${env.namespace}\n`));
      assert.match(r.stdout, / Storage Driver: overlayfs\n/);
      assert.match(r.stdout, / Default Runtime: io\.containerd\.runc\.v2\n/);
      assert.match(r.stdout, / Cgroup Driver: cgroupfs\n/);
      assert.match(r.stdout, / Cgroup Version: [12]\n/);
      assert.match(r.stdout, / Config File: .*\.toml\n/);
    });

    it('--format {{json .}} is one JSON object', () => {
      const j = JSON.parse(berth(['info', '--format', '{{json .}}']).stdout);
      assert.equal(j.Namespace, env.namespace);
      assert.equal(j.Settings.namespace.Source, 'file');
    });
  });

  describe('config precedence: flag > env > TOML > default', () => {
    it('default when nothing sets it', () => {
      const file = tomlFile(`address = ${JSON.stringify(env.address)}\n`);
      const s = settings([], { BERTH_TOML: file });
      assert.deepEqual(s.namespace, { Value: 'default', Source: 'default' });
      assert.deepEqual(s.snapshotter, { Value: 'overlayfs', Source: 'default' });
      assert.deepEqual(s.dataRoot, { Value: '/var/lib/berth', Source: 'default' });
    });

    it('TOML beats the default', () => {
      const file = tomlFile(
        `address = ${JSON.stringify(env.address)}\nnamespace = "from-toml"\nsnapshotter = "native"\ndata_root = "/tmp/from-toml"\n`,
      );
      const s = settings([], { BERTH_TOML: file });
      assert.deepEqual(s.namespace, { Value: 'from-toml', Source: 'file' });
      assert.deepEqual(s.snapshotter, { Value: 'native', Source: 'file' });
      assert.deepEqual(s.dataRoot, { Value: '/tmp/from-toml', Source: 'file' });
    });

    it('env beats TOML', () => {
      const file = tomlFile(`address = "/nonexistent/toml.sock"\nnamespace = "from-toml"\n`);
      const s = settings([], {
        BERTH_TOML: file,
        CONTAINERD_ADDRESS: env.address,
        CONTAINERD_NAMESPACE: 'from-env',
        CONTAINERD_SNAPSHOTTER: 'native',
      });
      assert.deepEqual(s.namespace, { Value: 'from-env', Source: 'env' });
      assert.deepEqual(s.address, { Value: env.address, Source: 'env' });
      assert.deepEqual(s.snapshotter, { Value: 'native', Source: 'env' });
    });

    it('flag beats env, before or after the command', () => {
      const e = { CONTAINERD_NAMESPACE: 'from-env', CONTAINERD_ADDRESS: '/nonexistent/env.sock' };
      const before = settings(['-a', env.address, '-n', 'from-flag'], e);
      assert.deepEqual(before.namespace, { Value: 'from-flag', Source: 'flag' });
      assert.deepEqual(before.address, { Value: env.address, Source: 'flag' });
      const r = berth(
        [
          'info',
          '--namespace',
          'after-flag',
          '--address',
          env.address,
          '--format',
          '{{.Namespace}}',
        ],
        {
          env: e,
        },
      );
      assert.equal(r.stdout, 'after-flag\n', r.stderr);
    });

    it('the address in use shows in the connection error', () => {
      const file = tomlFile('address = "/nonexistent/toml.sock"\n');
      assert.match(
        berth(['version'], { env: { BERTH_TOML: file } }).stderr,
        /\/nonexistent\/toml\.sock/,
      );
      assert.match(
        berth(['version'], {
          env: { BERTH_TOML: file, CONTAINERD_ADDRESS: '/nonexistent/env.sock' },
        }).stderr,
        /\/nonexistent\/env\.sock/,
      );
      assert.match(
        berth(['-H', 'unix:///nonexistent/flag.sock', 'version'], {
          env: { BERTH_TOML: file, CONTAINERD_ADDRESS: '/nonexistent/env.sock' },
        }).stderr,
        /at \/nonexistent\/flag\.sock/,
      );
    });

    it('falls back to a nerdctl.toml when berth has no file of its own', function () {
      if (existsSync('/etc/berth/berth.toml')) this.skip();
      const nerdctl = tomlFile(
        `address = ${JSON.stringify(env.address)}\nnamespace = "from-nerdctl"\n`,
      );
      const r = berth(['info', '--format', '{{.Namespace}} {{.ConfigFile}}'], {
        env: { BERTH_TOML: undefined, NERDCTL_TOML: nerdctl },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `from-nerdctl ${nerdctl}\n`);
    });

    it('a TOML syntax error names the file and line and exits 125', () => {
      const file = tomlFile(
        `address = ${JSON.stringify(env.address)}\nnamespace = "unterminated\n`,
      );
      const r = berth(['version'], { env: { BERTH_TOML: file } });
      assert.equal(r.code, 125);
      assert.match(r.stderr, new RegExp(`^invalid config file ${file}: line 2, column \\d+: `));
      assert.equal(r.stderr.trim().split('\n').length, 1);
    });

    it('an unknown key warns with the closest known key and goes on', () => {
      const file = tomlFile(`address = ${JSON.stringify(env.address)}\nnamespase = "x"\n`);
      const r = berth(['version', '--format', '{{.Client.Os}}'], { env: { BERTH_TOML: file } });
      assert.equal(r.code, 0);
      assert.equal(r.stdout, 'linux\n');
      assert.match(r.stderr, /unknown key "namespase" .*did you mean "namespace"\?/);
    });
  });

  describe('namespace', () => {
    it('create, ls, inspect, rm', () => {
      const ns = uniqueName('ns');
      assert.equal(berth(['namespace', 'create', '--label', 'team=a', ns]).code, 0);
      const ls = berth(['namespace', 'ls']);
      assert.match(ls.stdout, /^NAME {2,}CONTAINERS {2,}IMAGES {2,}VOLUMES {2,}LABELS\n/);
      assert.match(ls.stdout, new RegExp(`\n${ns} +0 +0 +0 +team=a\n`));
      assert.ok(berth(['namespace', 'ls', '-q']).stdout.split('\n').includes(ns));
      const insp = JSON.parse(berth(['namespace', 'inspect', ns]).stdout);
      assert.deepEqual(insp, [{ Name: ns, Labels: { team: 'a' } }]);
      assert.ok(ctr(['namespaces', 'ls', '-q']).stdout.split('\n').includes(ns));
      const rm = berth(['namespace', 'rm', ns]);
      assert.equal(rm.code, 0);
      assert.equal(rm.stdout, `${ns}\n`);
      assert.ok(!ctr(['namespaces', 'ls', '-q']).stdout.split('\n').includes(ns));
    });

    it('refuses to remove a non-empty namespace with containerd reason', () => {
      const ns = uniqueName('full');
      const imp = ctr(['images', 'import', join(env.images, 'busybox-oci.tar')], ns);
      assert.equal(imp.code, 0, imp.stderr);
      const r = berth(['namespace', 'rm', ns]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(
          `^cannot remove namespace "${ns}": namespace "${ns}" must be empty, but it still has images`,
        ),
      );
      for (const img of ctr(['images', 'ls', '-q'], ns).stdout.split('\n').filter(Boolean)) {
        ctr(['images', 'rm', '--sync', img], ns);
      }
      ctr(['content', 'prune', 'references'], ns);
      assert.equal(berth(['namespace', 'rm', ns]).code, 0, 'empties and removes');
    });

    it('inspect of a missing namespace prints [] and an error, exit 1', () => {
      const r = berth(['namespace', 'inspect', 'no-such-ns-here']);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '[]\n');
      assert.equal(r.stderr, 'Error: namespace "no-such-ns-here" does not exist\n');
    });

    it('a bad namespace name is refused in one line with 125', () => {
      const r = berth(['-n', 'no/slash', 'namespace', 'ls']);
      assert.equal(r.code, 125);
      assert.match(r.stderr, /^invalid namespace name "no\/slash"/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    });
  });

  describe('errors', () => {
    it("an unknown command is Docker's 'is not a … command', exit 1", () => {
      const r = berth(['frobnicate', '-x']);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, "berth: 'frobnicate' is not a berth command.\nSee 'berth --help'\n");
    });

    it('a dead socket gives one line naming the address, exit 1', () => {
      const r = berth(['-a', '/nonexistent/containerd.sock', 'version']);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^cannot connect to containerd at \/nonexistent\/containerd\.sock: no such file \(is containerd running\? try: sudo systemctl start containerd, or berth system start\)\n$/,
      );
    });

    it('a dead socket: pull prints nothing on stdout before the error (Docker)', () => {
      const r = berth([
        '-a',
        '/nonexistent/containerd.sock',
        'pull',
        `${env.registry}/lab/busybox:latest`,
      ]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /cannot connect to containerd at \/nonexistent\/containerd\.sock/);
    });

    it('--debug adds the underlying error', () => {
      const r = berth(['--debug', '-a', '/nonexistent/containerd.sock', 'info']);
      assert.equal(r.code, 1);
      assert.ok(r.stderr.split('\n').length > 2, r.stderr);
    });

    it('an unknown flag gives Docker wording and 125', () => {
      const r = berth(['version', '--nosuchflag']);
      assert.equal(r.code, 125);
      assert.equal(
        r.stderr,
        "unknown flag: --nosuchflag\n\nUsage:  berth version [OPTIONS]\n\nRun 'berth version --help' for more information\n",
      );
      assert.equal(r.stdout, '');
    });

    it('a --format that does not fit the rows: the template error, exit 1', () => {
      // namespace ls always has rows here (the suite's namespace exists).
      const r = berth(['namespace', 'ls', '--format', '{{.Nope}}']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        /^template parsing error: template: .*<\.Nope>: can't evaluate field Nope/,
      );
    });

    it('a reader that has gone (`berth ps | head -1`): silent exit 141, as docker dies of SIGPIPE', async () => {
      for (const args of [['ps', '-a'], ['--help']]) {
        const p = berthAsync(args);
        // Closing our end before berth has started makes its first write fail with EPIPE.
        p.child.stdout.destroy();
        const r = await p.done;
        assert.equal(r.code, 141, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr, '', args.join(' '));
      }
    });

    it("a wrong number of arguments: docker/cli's validator wording, exit 1", () => {
      const usage = (path: string, line: string) =>
        `\n\nUsage:  berth ${line}\n\nRun 'berth ${path} --help' for more information\n`;
      const cases: [string[], string, string][] = [
        [['namespace', 'create'], 'requires 1 argument', 'namespace create [OPTIONS] NAMESPACE'],
        [['pull'], 'requires 1 argument', 'pull [OPTIONS] NAME[:TAG|@DIGEST]'],
        [['tag', 'a'], 'requires 2 arguments', 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]'],
        [['rm'], 'requires at least 1 argument', 'rm [OPTIONS] CONTAINER [CONTAINER...]'],
        [
          ['images', 'a', 'b'],
          'requires at most 1 argument',
          'images [OPTIONS] [REPOSITORY[:TAG]]',
        ],
        [
          ['port', 'a', 'b', 'c'],
          'requires at least 1 and at most 2 arguments',
          'port CONTAINER [PRIVATE_PORT[/PROTO]]',
        ],
        [['ps', 'x'], 'accepts no arguments', 'ps [OPTIONS]'],
        [['volume', 'ls', 'x'], 'accepts no arguments', 'volume ls [OPTIONS]'],
        // The name typed, not the command it is an alias of.
        [['container', 'ls', 'extra'], 'accepts no arguments', 'container ls [OPTIONS]'],
        [['run'], 'requires at least 1 argument', 'run [OPTIONS] IMAGE [COMMAND] [ARG...]'],
        [
          ['container', 'create'],
          'requires at least 1 argument',
          'container create [OPTIONS] IMAGE [COMMAND] [ARG...]',
        ],
        [
          ['exec', 'c'],
          'requires at least 2 arguments',
          'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
        ],
      ];
      for (const [args, message, line] of cases) {
        // The usage line starts with the command's words.
        const words = line.split(' ');
        const path = words
          .slice(
            0,
            words.findIndex((w) => !/^[a-z]+$/.test(w)),
          )
          .join(' ');
        const r = berth(args);
        assert.equal(r.code, 1, args.join(' '));
        assert.equal(r.stderr, `berth: 'berth ${path}' ${message}${usage(path, line)}`);
        assert.equal(r.stdout, '');
      }
    });

    it("an unknown verb of a management command is Docker's unknown command, exit 1", () => {
      for (const topic of ['container', 'image', 'system', 'namespace', 'network', 'volume']) {
        const r = berth([topic, 'nosuchverb']);
        assert.equal(r.code, 1, topic);
        assert.equal(
          r.stderr,
          `berth: unknown command: berth ${topic} nosuchverb\n\nUsage:  berth ${topic} COMMAND\n\n` +
            `Run 'berth ${topic} --help' for more information\n`,
        );
      }
      const flag = berth(['container', '--nosuchflag']);
      assert.equal(flag.code, 125);
      assert.equal(
        flag.stderr,
        "unknown flag: --nosuchflag\n\nUsage:  berth container COMMAND\n\nRun 'berth container --help' for more information\n",
      );
      // The topic alone is still its help.
      const help = berth(['container']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /Usage: {2}berth container COMMAND/);
    });

    it("a bad int flag value is pflag's ParseInt error with the usage, exit 125", () => {
      const cases: [string[], string, string, string][] = [
        [
          ['run', '-c', 'x', 'img'],
          'x',
          '-c, --cpu-shares',
          'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
        ],
        [
          ['run', '--pids-limit', 'x', 'img'],
          'x',
          '--pids-limit',
          'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
        ],
        [
          ['stop', '-t', 'abc', 'c'],
          'abc',
          '-t, --timeout',
          'stop [OPTIONS] CONTAINER [CONTAINER...]',
        ],
        [['ps', '-n', 'abc'], 'abc', '-n, --last', 'ps [OPTIONS]'],
      ];
      for (const [args, value, flag, line] of cases) {
        const r = berth(args);
        assert.equal(r.code, 125, args.join(' '));
        assert.equal(
          r.stderr,
          `invalid argument "${value}" for "${flag}" flag: strconv.ParseInt: parsing "${value}": invalid syntax\n\n` +
            `Usage:  berth ${line}\n\nRun 'berth ${args[0]} --help' for more information\n`,
        );
      }
    });

    it('a repeated single-value flag: the last one wins', () => {
      const r = berth([
        'ps',
        '-a',
        '--format',
        'X',
        '--format',
        'Y {{.Names}}',
        '-n',
        '1',
        '--last=1',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^(Y \S*\n)?$/);
      const v = berth(['version', '--format', 'no', '--format={{.Client.Os}}']);
      assert.equal(v.code, 0, v.stderr);
      assert.equal(v.stdout, 'linux\n');
    });
  });

  describe('system', () => {
    it('status reports the running containerd started by berth', () => {
      const r = berth([
        'system',
        'status',
        '--state-dir',
        env.stateDir,
        '--data-root',
        env.dataRoot,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^containerd \S+ is running at .* \(started by berth, pid \d+\)\n$/);
    });

    it('start is idempotent when containerd already answers', () => {
      const r = berth([
        'system',
        'start',
        '--state-dir',
        env.stateDir,
        '--data-root',
        env.dataRoot,
      ]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /is already running at/);
    });

    it('start, status and stop a second private containerd', () => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-sys-'));
      const g = ['-a', join(dir, 'c.sock'), '--data-root', join(dir, 'data')];
      const start = berth([...g, 'system', 'start', '--state-dir', join(dir, 'state')]);
      assert.equal(start.code, 0, start.stderr);
      assert.match(start.stdout, /started \(pid \d+\)/);
      assert.equal(berth([...g, 'version', '--format', '{{.Client.Os}}']).code, 0);
      const stop = berth([...g, 'system', 'stop', '--state-dir', join(dir, 'state')]);
      assert.match(stop.stdout, /stopped/);
      const status = berth([...g, 'system', 'status', '--state-dir', join(dir, 'state')]);
      assert.equal(status.code, 1);
      assert.match(status.stdout, /is not running/);
    });
  });
});

describe('start-up snapshot (bin/berth)', function () {
  this.timeout(60_000);
  const ROOT = join(import.meta.dirname, '..', '..');
  const traced = (bin: string, args: string[]) =>
    spawnSync('sh', ['-x', bin, ...args], { encoding: 'utf8', env: { ...process.env } });

  it('starts node from dist/berth.blob and answers like the plain entry', () => {
    const snap = traced(join(ROOT, 'bin', 'berth'), ['--address', env.address, 'version']);
    assert.equal(snap.status, 0, snap.stderr);
    assert.match(
      snap.stderr,
      // Through the agent's thin client (the worker is the same node command line) or directly.
      // The V8 flags are the stamp's (the blob loads only under the flags it was made with).
      /exec (\S*dist\/berth-client )?\S*node (--[\w-]+=\S+ )*--snapshot-blob \S*dist\/berth\.blob -- --address/,
    );
    const plain = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'run.js'), '--address', env.address, 'version'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(snap.stdout, plain.stdout);
  });

  it('runs the plain entry when the snapshot was built for another directory', () => {
    const copy = mkdtempSync(join(tmpdir(), 'berth-copy-'));
    try {
      for (const p of ['bin', 'dist', 'package.json', 'oclif.manifest.json'])
        cpSync(join(ROOT, p), join(copy, p), { recursive: true });
      const r = traced(join(copy, 'bin', 'berth'), ['--address', env.address, 'version']);
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /--snapshot-blob/);
      assert.match(r.stderr, /exec \S*node \S*bin\/run\.js --address/);
      assert.match(r.stdout, /^Client:\n Version: +\d/);
      // Errors keep their words and exit codes on this path too.
      const bad = traced(join(copy, 'bin', 'berth'), ['--bogus']);
      assert.equal(bad.status, 125);
      assert.match(bad.stderr, /^unknown flag: --bogus$/m);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
