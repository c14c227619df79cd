import assert from 'node:assert/strict';
import {
  labelMatches,
  labelsMatch,
  parseFilterFlags,
  parseGoDuration,
  parseTimestamp,
  pruneUntil,
  untilTimes,
  type FilterSpec,
} from '../../src/filters.js';
import { parseTimeArg } from '../../src/container/logs.js';
import { BerthError, errorText } from '../../src/errors.js';

const NOW = Date.UTC(2024, 5, 15, 12, 0, 0);
const H = 3_600_000;

/** fn throws exactly `message`, with the exit code Docker gives it. */
function fails(fn: () => unknown, message: string, exitCode: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BerthError, `expected a BerthError, got ${String(e)}`);
    // As printed: errorText adds the daemon's prefix to the daemon kinds.
    assert.equal(errorText(e), message);
    assert.equal(e.exitCode, exitCode);
    return true;
  });
}

/** The daemon's rejection (exit 1) of `flags` naming `what`. */
function daemonRejects(flags: string[], spec: FilterSpec, what: string): void {
  fails(
    () => parseFilterFlags(flags, spec),
    `Error response from daemon: invalid filter '${what}'`,
    1,
  );
}

describe('filters: parsing --filter values', () => {
  const spec = { keys: ['label', 'label!', 'until', 'dangling'] };

  it('groups values by key, lower-cases and trims keys, trims values, skips empty flags', () => {
    const f = parseFilterFlags(
      ['label=a=b', ' LABEL =c', 'label!=d', 'dangling= true ', '', 'until=24h'],
      spec,
    );
    assert.deepEqual(
      [...f],
      [
        ['label', ['a=b', 'c']],
        ['label!', ['d']],
        ['dangling', ['true']],
        ['until', ['24h']],
      ],
    );
  });

  it("a value without '=' is docker/cli's usage error, naming the flag as the command has it", () => {
    const err = (flag: string): string =>
      `invalid argument "dangling" for "${flag}" flag: bad format of filter (expected name=value)`;
    fails(() => parseFilterFlags(['dangling'], spec), err('-f, --filter'), 125);
    fails(
      () => parseFilterFlags(['dangling'], { ...spec, flag: '--filter' }),
      err('--filter'),
      125,
    );
  });

  it("an unknown key is the daemon's invalid filter error, exit 1", () => {
    daemonRejects(['color=red'], spec, 'color');
    daemonRejects(['=x'], spec, '');
  });

  it('rejects values the key cannot take, naming key and value', () => {
    const withBool = { ...spec, values: { dangling: (v: string) => v === 'true' } };
    daemonRejects(['dangling=maybe'], withBool, 'dangling=maybe');
    daemonRejects(['until=yesterday'], spec, 'until=yesterday');
    daemonRejects(['until=2024-13-01'], spec, 'until=2024-13-01');
  });
});

describe('filters: Go durations', () => {
  it('single and compound units, fractions, signs', () => {
    assert.equal(parseGoDuration('24h'), 24 * H);
    assert.equal(parseGoDuration('1h30m'), 1.5 * H);
    assert.equal(parseGoDuration('1h30m15s'), 1.5 * H + 15_000);
    assert.equal(parseGoDuration('90m'), 1.5 * H);
    assert.equal(parseGoDuration('1.5h'), 1.5 * H);
    assert.equal(parseGoDuration('.5s'), 500);
    assert.equal(parseGoDuration('250ms'), 250);
    assert.equal(parseGoDuration('2us'), 0.002);
    assert.equal(parseGoDuration('2µs'), 0.002);
    assert.equal(parseGoDuration('-10m'), -600_000);
    assert.equal(parseGoDuration('0'), 0);
  });

  it('rejects what Go rejects', () => {
    for (const bad of ['', '10', 'h', '1d', '1h 30m', '1h30', 'x1h', '1hx', '-', '1.2.3s']) {
      assert.equal(parseGoDuration(bad), undefined, bad);
    }
  });
});

describe('filters: timestamps (until, logs --since/--until)', () => {
  it('durations count back from now', () => {
    assert.equal(parseTimestamp('24h', NOW), NOW - 24 * H);
    assert.equal(parseTimestamp('1h30m', NOW), NOW - 1.5 * H);
    assert.equal(parseTimestamp('-1h', NOW), NOW + H);
  });

  it('RFC 3339 with a zone', () => {
    assert.equal(parseTimestamp('2024-01-02T03:04:05Z', NOW), Date.UTC(2024, 0, 2, 3, 4, 5));
    assert.equal(
      parseTimestamp('2024-01-02T03:04:05.123456789Z', NOW),
      Date.UTC(2024, 0, 2, 3, 4, 5, 123),
    );
    assert.equal(parseTimestamp('2024-01-02T03:04:05+02:00', NOW), Date.UTC(2024, 0, 2, 1, 4, 5));
    assert.equal(parseTimestamp('2024-01-02T03:04-01:30', NOW), Date.UTC(2024, 0, 2, 4, 34));
    assert.equal(parseTimestamp('2024-01-02Z', NOW), Date.UTC(2024, 0, 2));
  });

  it('without a zone, in local time (a bare date is local midnight, not UTC)', () => {
    assert.equal(parseTimestamp('2024-01-02', NOW), new Date(2024, 0, 2).getTime());
    assert.equal(parseTimestamp('2024-01-02T03', NOW), new Date(2024, 0, 2, 3).getTime());
    assert.equal(
      parseTimestamp('2024-01-02T03:04:05.5', NOW),
      new Date(2024, 0, 2, 3, 4, 5, 500).getTime(),
    );
  });

  it('Unix seconds, with or without a fraction; "0" is the epoch, not a duration', () => {
    assert.equal(parseTimestamp('1700000000', NOW), 1_700_000_000_000);
    assert.equal(parseTimestamp('1700000000.25', NOW), 1_700_000_000_250);
    assert.equal(parseTimestamp('0', NOW), 0);
  });

  it('rejects impossible dates and other text', () => {
    for (const bad of [
      'yesterday',
      '2024-02-30',
      '2024-01-02T25:00:00Z',
      '2024-01-02 03:04:05',
      '2024-01-02T03:04:05z',
      '-1700000000',
      '',
    ]) {
      assert.equal(parseTimestamp(bad, NOW), undefined, bad);
    }
  });

  it('untilTimes reads every until value', () => {
    const f = parseFilterFlags(['until=1h', 'until=1700000000'], { keys: ['until'] });
    assert.deepEqual(untilTimes(f, NOW), [NOW - H, 1_700_000_000_000]);
  });

  it('pruneUntil takes one until at most, as the daemon does', () => {
    const one = parseFilterFlags(['until=1h'], { keys: ['until'] });
    assert.equal(pruneUntil(one, NOW), NOW - H);
    assert.equal(pruneUntil(parseFilterFlags([], { keys: ['until'] }), NOW), undefined);
    const two = parseFilterFlags(['until=1h', 'until=2h'], { keys: ['until'] });
    fails(
      () => pruneUntil(two, NOW),
      'Error response from daemon: more than one until filter specified',
      1,
    );
  });

  it('logs keep their own message for a bad --since/--until', () => {
    assert.equal(parseTimeArg('2h', 'until', NOW), NOW - 2 * H);
    fails(
      () => parseTimeArg('soon', 'until', NOW),
      'invalid value for "until": failed to parse value as time or duration: "soon"',
      1,
    );
  });
});

describe('filters: labels', () => {
  const labels = { a: '1', b: '', 'c=d': 'x' };

  it('label=k wants the key, label=k=v wants that value', () => {
    assert.equal(labelMatches(labels, 'a'), true);
    assert.equal(labelMatches(labels, 'b'), true);
    assert.equal(labelMatches(labels, 'z'), false);
    assert.equal(labelMatches(labels, 'a=1'), true);
    assert.equal(labelMatches(labels, 'a=2'), false);
    assert.equal(labelMatches(labels, 'b='), true);
    assert.equal(labelMatches(labels, 'z='), false);
    // Inherited properties are not labels.
    assert.equal(labelMatches({}, 'constructor'), false);
    assert.equal(labelMatches({}, 'toString='), false);
  });

  it('every label= must match; any matching label!= rules the object out', () => {
    const keys = { keys: ['label', 'label!'] };
    const m = (...flags: string[]): boolean => labelsMatch(parseFilterFlags(flags, keys), labels);
    assert.equal(m(), true);
    assert.equal(m('label=a', 'label=b='), true);
    assert.equal(m('label=a', 'label=z'), false);
    assert.equal(m('label!=z'), true);
    assert.equal(m('label!=a'), false);
    assert.equal(m('label!=a=2'), true);
    assert.equal(m('label!=a=1'), false);
    assert.equal(m('label!=z', 'label!=a'), false);
    assert.equal(m('label=a=1', 'label!=b'), false);
  });
});
