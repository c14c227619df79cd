import { strict as assert } from 'node:assert';
import { Args, Flags, Parser } from '@oclif/core';
import { translateParseError } from '../../../src/base-command.js';

// oclif's real parse errors, from its parser, turned into Docker's texts and exit codes.
async function parseError(argv: string[], def: Parameters<typeof Parser.parse>[1]): Promise<Error> {
  try {
    await Parser.parse(argv, def);
  } catch (err) {
    return err as Error;
  }
  throw new Error('parsed');
}

describe('translateParseError', () => {
  it('a wrong number of arguments exits 1 with the validator derived from the args', async () => {
    const pull = { args: { name: Args.string({ required: true }) }, strict: true };
    const err = await parseError([], pull);
    assert.deepEqual(translateParseError(err, 'pull', { ...pull, usage: 'pull [OPTIONS] NAME' }), {
      text:
        "berth: 'berth pull' requires 1 argument\n\nUsage:  berth pull [OPTIONS] NAME\n\n" +
        "Run 'berth pull --help' for more information\n",
      code: 1,
    });
    const images = { args: { repository: Args.string() }, strict: true };
    const extra = await parseError(['a', 'b'], images);
    assert.match(
      translateParseError(extra, 'image ls', images)!.text,
      /^berth: 'berth image ls' requires at most 1 argument\n\nRun 'berth image ls --help'/,
    );
    const ps = { args: {}, strict: true };
    const none = await parseError(['--', 'x'], ps);
    assert.equal(translateParseError(none, 'ps', ps)?.code, 1);
    assert.match(translateParseError(none, 'ps', ps)!.text, /'berth ps' accepts no arguments/);
  });

  it("an int flag's bad value is pflag's ParseInt error with the usage, exit 125", async () => {
    const run = {
      flags: { 'cpu-shares': Flags.integer({ char: 'c' }), 'pids-limit': Flags.integer() },
      strict: false,
      usage: 'run [OPTIONS] IMAGE',
    };
    const short = await parseError(['-c', 'x', 'img'], run);
    assert.deepEqual(translateParseError(short, 'run', run), {
      text:
        'invalid argument "x" for "-c, --cpu-shares" flag: strconv.ParseInt: parsing "x": invalid syntax\n\n' +
        "Usage:  berth run [OPTIONS] IMAGE\n\nRun 'berth run --help' for more information\n",
      code: 125,
    });
    const long = await parseError(['--pids-limit=1.5'], run);
    assert.match(
      translateParseError(long, 'container run', run)!.text,
      /^invalid argument "1\.5" for "--pids-limit" flag: strconv\.ParseInt: parsing "1\.5": invalid syntax\n/,
    );
  });
});
