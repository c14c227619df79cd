import { strict as assert } from 'node:assert';
import {
  argCountFits,
  argCountMessage,
  argCountText,
  argRule,
  invalidIntText,
  usageLineFor,
} from '../../../src/usage.js';

describe('usage texts', () => {
  it("derives docker/cli's Args validator from oclif args", () => {
    const req = { required: true };
    assert.deepEqual(argRule({}, true), { min: 0, max: 0 }); // NoArgs (ps)
    assert.deepEqual(argRule(undefined, undefined), { min: 0, max: 0 });
    assert.deepEqual(argRule({ name: req }, true), { min: 1, max: 1 }); // ExactArgs(1) (pull)
    assert.deepEqual(argRule({ a: req, b: req }, true), { min: 2, max: 2 }); // tag, cp
    assert.deepEqual(argRule({ repo: {} }, true), { min: 0, max: 1 }); // RequiresMaxArgs(1)
    assert.deepEqual(argRule({ c: req, p: {} }, true), { min: 1, max: 2 }); // port
    assert.deepEqual(argRule({ c: req }, false), { min: 1 }); // RequiresMinArgs(1) (rm)
    assert.deepEqual(argRule({ c: {} }, false), { min: 0 }); // stats: any number
    assert.ok(argCountFits({ min: 1 }, 5));
    assert.ok(!argCountFits({ min: 1, max: 2 }, 3));
  });

  it('words each validator as docker 28 does', () => {
    assert.equal(argCountMessage({ min: 0, max: 0 }), 'accepts no arguments');
    assert.equal(argCountMessage({ min: 1, max: 1 }), 'requires 1 argument');
    assert.equal(argCountMessage({ min: 2, max: 2 }), 'requires 2 arguments');
    assert.equal(argCountMessage({ min: 1 }), 'requires at least 1 argument');
    assert.equal(argCountMessage({ min: 2 }), 'requires at least 2 arguments');
    assert.equal(argCountMessage({ min: 0, max: 1 }), 'requires at most 1 argument');
    assert.equal(
      argCountMessage({ min: 1, max: 2 }),
      'requires at least 1 and at most 2 arguments',
    );
  });

  it('lays the error out as docker/cli does, under the name typed', () => {
    assert.equal(
      argCountText('container ls', usageLineFor('ps [OPTIONS]', 'ps', 'container ls'), {
        min: 0,
        max: 0,
      }),
      "berth: 'berth container ls' accepts no arguments\n\nUsage:  berth container ls [OPTIONS]\n\n" +
        "Run 'berth container ls --help' for more information",
    );
    assert.equal(usageLineFor(['cp A B', 'cp C D'], 'cp', 'cp'), 'cp A B');
    assert.equal(usageLineFor(undefined, 'x', 'x'), undefined);
    // Only the command's own words are replaced.
    assert.equal(usageLineFor('psx [OPTIONS]', 'ps', 'container ls'), 'psx [OPTIONS]');
  });

  it("pflag's text for an int flag that is not one", () => {
    assert.equal(
      invalidIntText('x', '-c, --cpu-shares'),
      'invalid argument "x" for "-c, --cpu-shares" flag: strconv.ParseInt: parsing "x": invalid syntax',
    );
  });
});
