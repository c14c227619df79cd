import assert from 'node:assert/strict';

import {
  bytesSize,
  formatAge,
  fromHumanSize,
  humanDuration,
  humanSize,
  humanSizeWithPrecision,
  ramInBytes,
  SizeParseError,
} from '../../../src/formatter/units.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('formatter/units', () => {
  describe('humanSize (decimal, 4 significant digits)', () => {
    const cases: Array<[number, string]> = [
      [0, '0B'],
      [1, '1B'],
      [999, '999B'],
      [1000, '1kB'],
      [1024, '1.024kB'],
      [16400, '16.4kB'],
      [16384, '16.38kB'],
      [999999, '1000kB'],
      [1000000, '1MB'],
      [1062500, '1.062MB'],
      [1980000, '1.98MB'],
      [1981234, '1.981MB'],
      [315700000, '315.7MB'],
      [26200000, '26.2MB'],
      [1e9, '1GB'],
      [1e12, '1TB'],
      [1e15, '1PB'],
      [1e18, '1EB'],
      [1e21, '1ZB'],
      [1e24, '1YB'],
      [1e28, '1e+04YB'],
    ];
    for (const [n, want] of cases) it(`${n} -> ${want}`, () => assert.equal(humanSize(n), want));
    it('supports other precisions', () => {
      assert.equal(humanSizeWithPrecision(1981234, 2), '2MB');
      assert.equal(humanSizeWithPrecision(1981234, 6), '1.98123MB');
    });
  });

  describe('bytesSize (binary)', () => {
    const cases: Array<[number, string]> = [
      [0, '0B'],
      [1023, '1023B'],
      [1024, '1KiB'],
      [1536, '1.5KiB'],
      [45000, '43.95KiB'],
      [1572864, '1.5MiB'],
      [1024 ** 3, '1GiB'],
      [5 * 1024 ** 4, '5TiB'],
    ];
    for (const [n, want] of cases) it(`${n} -> ${want}`, () => assert.equal(bytesSize(n), want));
  });

  describe('humanDuration (go-units HumanDuration)', () => {
    const cases: Array<[number, string]> = [
      [-5 * S, 'Less than a second'],
      [0, 'Less than a second'],
      [999, 'Less than a second'],
      [S, '1 second'],
      [1999, '1 second'],
      [2 * S, '2 seconds'],
      [3 * S, '3 seconds'],
      [59 * S + 999, '59 seconds'],
      [M, 'About a minute'],
      [2 * M - 1, 'About a minute'],
      [2 * M, '2 minutes'],
      [59 * M + 59 * S, '59 minutes'],
      [H, 'About an hour'],
      [90 * M - 1, 'About an hour'],
      [90 * M, '2 hours'],
      [2 * H, '2 hours'],
      [47 * H + 29 * M, '47 hours'],
      [47 * H + 30 * M, '2 days'],
      [2 * D, '2 days'],
      [13 * D, '13 days'],
      [14 * D, '2 weeks'],
      [59 * D, '8 weeks'],
      [60 * D, '2 months'],
      [364 * D, '12 months'],
      [729 * D, '24 months'],
      [730 * D, '2 years'],
      [3650 * D, '10 years'],
    ];
    for (const [ms, want] of cases)
      it(`${ms}ms -> ${want}`, () => assert.equal(humanDuration(ms), want));
  });

  describe('formatAge', () => {
    it('appends "ago"', () => {
      const now = new Date('2024-05-01T12:00:00Z');
      assert.equal(formatAge(new Date('2024-05-01T11:59:57Z'), now), '3 seconds ago');
      assert.equal(formatAge(now.getTime() - 2 * 365 * D, now), '2 years ago');
      assert.equal(formatAge(now, now), 'Less than a second ago');
    });
  });

  describe('fromHumanSize (SI) and ramInBytes (binary)', () => {
    const cases: Array<[string, number, number]> = [
      ['32', 32, 32],
      ['32b', 32, 32],
      ['32B', 32, 32],
      ['100k', 100000, 102400],
      ['100K', 100000, 102400],
      ['100kb', 100000, 102400],
      ['100KiB', 100000, 102400],
      ['512m', 512e6, 536870912],
      ['1g', 1e9, 1073741824],
      ['1.5GB', 1.5e9, 1610612736],
      ['1t', 1e12, 1024 ** 4],
      ['1p', 1e15, 1024 ** 5],
      ['10 MB', 10e6, 10485760],
      ['0.5k', 500, 512],
      ['1.7', 1, 1],
      ['.5k', 500, 512],
    ];
    for (const [input, si, bin] of cases) {
      it(`${JSON.stringify(input)} -> ${si} / ${bin}`, () => {
        assert.equal(fromHumanSize(input), si);
        assert.equal(ramInBytes(input), bin);
      });
    }
    const bad: Array<[string, string]> = [
      ['', "invalid size: ''"],
      ['hello', "invalid size: 'hello'"],
      ['-1', "invalid size: '-1'"],
      ['-1k', "invalid size: '-1k'"],
      ['1x', "invalid suffix: 'x'"],
      ['1kbb', "invalid suffix: 'kbb'"],
      ['1kk', "invalid suffix: 'kk'"],
      ['1kob', "invalid suffix: 'kob'"],
      ['1mbs', "invalid suffix: 'mbs'"],
      ['1kib2', 'strconv.ParseFloat: parsing "1kib2": invalid syntax'],
      ['1.2.3k', 'strconv.ParseFloat: parsing "1.2.3": invalid syntax'],
      [' 10', 'strconv.ParseFloat: parsing " 10": invalid syntax'],
    ];
    for (const [input, msg] of bad) {
      it(`rejects ${JSON.stringify(input)}`, () => {
        assert.throws(
          () => ramInBytes(input),
          (e: unknown) => e instanceof SizeParseError && e.message === msg,
        );
      });
    }
  });
});
