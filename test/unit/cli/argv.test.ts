import { strict as assert } from 'node:assert';
import { rejection, rewriteArgv, typedCommandPath } from '../../../src/argv.js';

const commands = {
  run: {
    flags: {
      env: { type: 'option', char: 'e' },
      interactive: { type: 'boolean', char: 'i' },
      tty: { type: 'boolean', char: 't' },
      detach: { type: 'boolean', char: 'd' },
      user: { type: 'option', char: 'u' },
      name: { type: 'option' },
      rm: { type: 'boolean' },
      hostname: { type: 'option', char: 'h' },
      'sig-proxy': { type: 'boolean', allowNo: true },
    },
    // As in oclif.manifest.json: `container run` is an alias, not a command id of its own.
    aliases: ['container:run'],
  },
  ps: {
    flags: {
      format: { type: 'option' },
      last: { type: 'option', char: 'n' },
      all: { type: 'boolean', char: 'a' },
    },
    aliases: ['container:ls'],
  },
  images: {
    flags: {
      quiet: { type: 'boolean', char: 'q' },
      filter: { type: 'option', char: 'f', multiple: true },
    },
    args: { repository: {} },
    usage: 'images [OPTIONS] [REPOSITORY[:TAG]]',
  },
  exec: {
    flags: {
      workdir: { type: 'option', char: 'w' },
      interactive: { type: 'boolean', char: 'i' },
      tty: { type: 'boolean', char: 't' },
    },
    strict: false,
  },
  stop: {
    flags: { timeout: { type: 'option', char: 't', aliases: ['time'] } },
    args: { container: { required: true } },
    strict: false,
  },
  top: { flags: {}, args: { container: { required: true } }, strict: false },
  'namespace:ls': { flags: {} },
  info: { flags: {}, aliases: ['system:info'] },
};

function rw(argv: string[]): { argv?: string[]; error?: string } {
  return rewriteArgv(argv, commands);
}

describe('argv rewriteArgv', () => {
  it("takes pflag's =true/=false on boolean flags, spelled the oclif way", () => {
    assert.deepEqual(rw(['images', '--quiet=true']).argv, ['images', '--quiet']);
    assert.deepEqual(rw(['images', '-q=1', 'busybox']).argv, ['images', '--quiet', 'busybox']);
    // A false default needs nothing; a true default (allowNo) gets --no-.
    assert.deepEqual(rw(['images', '--quiet=false']).argv, ['images']);
    assert.deepEqual(rw(['run', '--sig-proxy=false', '--rm=True', 'img', 'sh']).argv, [
      'run',
      '--no-sig-proxy',
      '--rm',
      'img',
      '--',
      'sh',
    ]);
    // Values of flags that take one, and the container's own argv, are left alone.
    assert.deepEqual(rw(['images', '-f', '--quiet=true']).argv, ['images', '-f', '--quiet=true']);
    assert.deepEqual(rw(['run', 'img', '--rm=false']).argv, ['run', 'img', '--', '--rm=false']);
  });

  it("refuses a boolean value that is not one, in pflag's words", () => {
    const r = rewriteArgv(['images', '--quiet=maybe'], commands);
    assert.deepEqual(rejection(r), {
      text:
        'invalid argument "maybe" for "-q, --quiet" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n\n' +
        // The usage line of the command, as every pflag error has it.
        'Usage:  berth images [OPTIONS] [REPOSITORY[:TAG]]\n\n' +
        "Run 'berth images --help' for more information\n",
      code: 125,
    });
  });

  it('reads -h as --help unless the command has a -h of its own (run: hostname)', () => {
    assert.deepEqual(rw(['images', '-h']).argv, ['images', '--help']);
    assert.deepEqual(rw(['run', '-h', 'box', 'img']).argv, ['run', '-h', 'box', 'img', '--']);
  });

  it('moves leading global flags after the command id', () => {
    assert.deepEqual(rw(['-n', 'k8s.io', 'ps', '-a']).argv, ['ps', '--namespace=k8s.io', '-a']);
    assert.deepEqual(rw(['--namespace=x', '-H', 'unix:///s', 'namespace', 'ls']).argv, [
      'namespace',
      'ls',
      '--namespace=x',
      '--address=unix:///s',
    ]);
  });

  it('lets a later global flag win, like Docker', () => {
    assert.deepEqual(rw(['-a', '/a.sock', '--address', '/b.sock', 'ps']).argv, [
      'ps',
      '--address=/b.sock',
    ]);
  });

  it('ends flag parsing after the image for run', () => {
    assert.deepEqual(rw(['run', '--rm', '-e', 'A=1', 'img', 'sh', '-c', 'x', '--help']).argv, [
      'run',
      '--rm',
      '-e',
      'A=1',
      'img',
      '--',
      'sh',
      '-c',
      'x',
      '--help',
    ]);
  });

  it('understands grouped short flags and attached values', () => {
    assert.deepEqual(rw(['run', '-it', 'img', 'sh']).argv, ['run', '-it', 'img', '--', 'sh']);
    assert.deepEqual(rw(['run', '-itu', 'nobody', 'img', 'id']).argv, [
      'run',
      '-itu',
      'nobody',
      'img',
      '--',
      'id',
    ]);
    assert.deepEqual(rw(['run', '-eA=1', 'img', 'env']).argv, ['run', '-eA=1', 'img', '--', 'env']);
    assert.deepEqual(rw(['run', '--name=x', 'img']).argv, ['run', '--name=x', 'img', '--']);
  });

  it('respects an explicit --', () => {
    assert.deepEqual(rw(['run', '--', 'img', 'ls']).argv, ['run', '--', 'img', 'ls']);
  });

  it('shows help for no command, -h and --help before the command', () => {
    assert.deepEqual(rw([]).argv, ['--help']);
    assert.deepEqual(rw(['--help']).argv, ['--help']);
  });

  it('rejects an unknown leading flag and a global flag without its value', () => {
    assert.equal(rw(['--bogus', 'ps']).error, 'unknown flag: --bogus');
    assert.equal(rw(['-n']).error, 'flag needs an argument: -n');
  });

  it('boolean globals take =true/=false as Go flags do', () => {
    assert.deepEqual(rw(['--debug=false', 'ps']).argv, ['ps']);
    assert.deepEqual(rw(['-D', '--insecure-registry=true', 'ps']).argv, [
      'ps',
      '--debug',
      '--insecure-registry',
    ]);
    assert.match(
      rw(['--debug=maybe', 'ps']).error!,
      /^invalid argument "maybe" for "--debug" flag/,
    );
  });

  it('an alias (container run) gets the same container-argv rule as run', () => {
    assert.deepEqual(rw(['container', 'run', '-i', 'img', 'ls', '-l']).argv, [
      'container',
      'run',
      '-i',
      'img',
      '--',
      'ls',
      '-l',
    ]);
  });

  it("an unknown command is Docker's 'is not a … command' (exit 1); topics, aliases and help pass", () => {
    const r = rewriteArgv(['-n', 'x', 'nosuch', 'a'], commands);
    assert.equal(r.notCommand, 'nosuch');
    assert.deepEqual(rejection(r), {
      text: "berth: 'nosuch' is not a berth command.\nSee 'berth --help'\n",
      code: 1,
    });
    assert.deepEqual(rewriteArgv(['help'], commands).argv, ['--help']);
    assert.deepEqual(rewriteArgv(['help', 'run'], commands).argv, ['run', '--help']);
    for (const ok of [['container', 'run', 'img'], ['system', 'info'], ['help'], ['namespace']])
      assert.equal(rejection(rewriteArgv(ok, commands)), undefined, ok.join(' '));
    assert.deepEqual(rejection(rewriteArgv(['--bogus'], commands)), {
      text: "unknown flag: --bogus\n\nRun 'berth --help' for more information\n",
      code: 125,
    });
  });

  it('a repeated single-value flag: the last one wins, in every spelling (pflag)', () => {
    assert.deepEqual(rw(['run', '--name', 'a', '--name', 'b', 'img']).argv, [
      'run',
      '--name',
      'b',
      'img',
      '--',
    ]);
    assert.deepEqual(rw(['run', '--name=a', '-d', '--name', 'b', 'img', '--name', 'c']).argv, [
      'run',
      '-d',
      '--name',
      'b',
      'img',
      '--',
      '--name',
      'c',
    ]);
    assert.deepEqual(rw(['ps', '--format', 'X', '--format=Y']).argv, ['ps', '--format=Y']);
    // Short spellings and aliases name the same flag; booleans grouped before one stay.
    assert.deepEqual(rw(['stop', '-t', '1', 'c', '--time=3', '-t2']).argv, ['stop', 'c', '-t2']);
    assert.deepEqual(rw(['exec', '-itw', '/tmp', '-w/etc', 'c', 'pwd']).argv, [
      'exec',
      '-it',
      '-w/etc',
      'c',
      '--',
      'pwd',
    ]);
    assert.deepEqual(rw(['run', '-u', 'a', '-itu', 'b', 'img']).argv, [
      'run',
      '-itu',
      'b',
      'img',
      '--',
    ]);
    // Flags that take many values keep each one; after `--` nothing is touched.
    assert.deepEqual(rw(['images', '-f', 'a=1', '-f', 'b=2']).argv, [
      'images',
      '-f',
      'a=1',
      '-f',
      'b=2',
    ]);
    assert.deepEqual(rw(['ps', '-a', '--', '-n', '1', '-n', '2']).argv, [
      'ps',
      '-a',
      '--',
      '-n',
      '1',
      '-n',
      '2',
    ]);
  });

  it('top: everything after CONTAINER is for ps', () => {
    assert.deepEqual(rw(['top', 'c', '-o', 'pid,comm']).argv, ['top', 'c', '--', '-o', 'pid,comm']);
    assert.deepEqual(rw(['top', 'c', 'aux']).argv, ['top', 'c', '--', 'aux']);
  });

  it('a word after a command that takes none is an argument, not part of an id (`ps x`)', () => {
    assert.deepEqual(rw(['ps', 'x']).argv, ['ps', '--', 'x']);
    assert.deepEqual(rw(['container', 'ls', 'extra', '-a']).argv, [
      'container',
      'ls',
      '--',
      'extra',
      '-a',
    ]);
    assert.deepEqual(rw(['ps', '-a']).argv, ['ps', '-a']);
    // Commands that take arguments are left to oclif.
    assert.deepEqual(rw(['images', 'busybox']).argv, ['images', 'busybox']);
  });

  it("an unknown verb of a management command is Docker's unknown command (exit 1)", () => {
    for (const topic of ['container', 'image', 'system', 'namespace', 'network', 'volume']) {
      assert.deepEqual(rejection(rw(['-n', 'x', topic, 'nosuchverb', '-a'])), {
        text:
          `berth: unknown command: berth ${topic} nosuchverb\n\n` +
          `Usage:  berth ${topic} COMMAND\n\n` +
          `Run 'berth ${topic} --help' for more information\n`,
        code: 1,
      });
    }
    // The topic alone, or with --help, is still its help; known verbs and aliases pass.
    for (const ok of [
      ['container'],
      ['container', '--help'],
      ['container', '-h'],
      ['container', 'ls'],
    ])
      assert.equal(rejection(rw(ok)), undefined, ok.join(' '));
  });

  it('a flag after a management command is an unknown flag (125)', () => {
    assert.deepEqual(rejection(rw(['container', '--nosuchflag=1'])), {
      text:
        'unknown flag: --nosuchflag\n\nUsage:  berth container COMMAND\n\n' +
        "Run 'berth container --help' for more information\n",
      code: 125,
    });
    assert.match(
      rejection(rw(['volume', '-x']))!.text,
      /^unknown shorthand flag: 'x' in -x\n\nUsage: {2}berth volume COMMAND\n/,
    );
  });

  it('typedCommandPath: the command id as typed, past global flags', () => {
    assert.equal(typedCommandPath(['-n', 'x', '--debug', 'container', 'ls', 'a']), 'container:ls');
    assert.equal(typedCommandPath(['--namespace=x', 'ps', 'a']), 'ps');
    assert.equal(typedCommandPath(['container', '--help']), 'container');
    assert.equal(typedCommandPath(['-a', '/s']), undefined);
  });
});
