import assert from 'node:assert/strict';

import {
  formatFloat,
  formatValue,
  goQuote,
  goTimeString,
  goUnixTimeString,
  sprint,
  sprintf,
  sprintln,
  typeNameOf,
} from '../../../src/formatter/gofmt.js';

describe('formatter/gofmt', () => {
  describe('formatFloat (strconv.FormatFloat)', () => {
    const cases: Array<[number, 'e' | 'E' | 'f' | 'g' | 'G', number, string]> = [
      [1.98, 'g', 4, '1.98'],
      [16.4, 'g', 4, '16.4'],
      [315.7, 'g', 4, '315.7'],
      [999.999, 'g', 4, '1000'],
      [100000, 'g', 4, '1e+05'],
      [1.0625, 'g', 4, '1.062'], // exact tie rounds to even
      [1.0645, 'g', 4, '1.065'], // 1.0645 is really 1.06450000000000000177…
      [1.0635, 'g', 4, '1.063'], // 1.0635 is really 1.06349999999999988986…
      [0, 'g', 4, '0'],
      [2.5, 'f', 0, '2'],
      [3.5, 'f', 0, '4'],
      [0.5, 'f', 0, '0'],
      [0.125, 'f', 2, '0.12'],
      [0.375, 'f', 2, '0.38'],
      [1.005, 'f', 2, '1.00'],
      [0.009, 'f', 2, '0.01'],
      [0.0004, 'f', 2, '0.00'],
      [-3.14159, 'f', 3, '-3.142'],
      [123456.789, 'e', 6, '1.234568e+05'],
      [0, 'e', 2, '0.00e+00'],
      [1e-10, 'E', 1, '1.0E-10'],
      [1e6, 'g', -1, '1e+06'],
      [123456, 'g', -1, '123456'],
      [1234567, 'g', -1, '1.234567e+06'],
      [0.0001, 'g', -1, '0.0001'],
      [0.00001, 'g', -1, '1e-05'],
      [1e100, 'g', -1, '1e+100'],
      [0.1, 'f', -1, '0.1'],
      [1.5, 'e', -1, '1.5e+00'],
      [Number.POSITIVE_INFINITY, 'g', -1, '+Inf'],
      [Number.NEGATIVE_INFINITY, 'f', 2, '-Inf'],
      [Number.NaN, 'g', -1, 'NaN'],
    ];
    for (const [x, verb, prec, want] of cases) {
      it(`${x} %${prec >= 0 ? '.' + prec : ''}${verb} -> ${want}`, () => {
        assert.equal(formatFloat(x, verb, prec), want);
      });
    }
  });

  describe('sprintf', () => {
    const cases: Array<[string, unknown[], string]> = [
      ['%s', ['x'], 'x'],
      ['%d', [42], '42'],
      ['%v', [1.5], '1.5'],
      ['%v', [[1, 'a', null]], '[1 a <nil>]'],
      ['%q', ['a"b\n'], '"a\\"b\\n"'],
      ['%#q', ['ab'], '`ab`'],
      ['%-10s|', ['ab'], 'ab        |'],
      ['%10s|', ['ab'], '        ab|'],
      ['%5d|', [42], '   42|'],
      ['%-5d|', [42], '42   |'],
      ['%05d', [-42], '-0042'],
      ['%+d % d', [5, 5], '+5  5'],
      ['%.3d', [7], '007'],
      ['%x %X %#x %o %b', [255, 255, 255, 8, 5], 'ff FF 0xff 10 101'],
      ['%x', ['hi'], '6869'],
      ['%.2s', ['abcdef'], 'ab'],
      ['%5.1f|', [3.14159], '  3.1|'],
      ['%08.3f', [-3.14159], '-003.142'],
      ['%e', [123456.789], '1.234568e+05'],
      ['%g', [100000], '100000'],
      ['%g', [1e21], '1e+21'],
      ['%f', [2], '2.000000'],
      ['%t', [true], 'true'],
      ['%c%c', [72, 0x1f600], 'H😀'],
      ['%U', [0x1f600], 'U+1F600'],
      ['%T %T %T %T', [1, 'a', 1.5, ['a']], 'int string float64 []string'],
      ['%5s', [['a', 'b']], '[    a     b]'],
      ['%%', [], '%'],
      ['%*d', [5, 1], '    1'],
      ['%-*d|', [3, 1], '1  |'],
      ['%d', ['x'], '%!d(string=x)'],
      ['%s', [7], '%!s(int=7)'],
      ['%d', [1.5], '%!d(float64=1.5)'],
      ['%d', [null], '%!d(<nil>)'],
      ['%s', [null], '<nil>'],
      ['%d %d', [1], '1 %!d(MISSING)'],
      ['%d', [1, 'x', 2], '1%!(EXTRA string=x, int=2)'],
      ['%z', [1], '%!z(int=1)'],
      ['abc%', [], 'abc%!(NOVERB)'],
      ['é%3s|', ['é'], 'é  é|'],
    ];
    for (const [format, args, want] of cases) {
      it(`${JSON.stringify(format)} ${JSON.stringify(args)} -> ${JSON.stringify(want)}`, () => {
        assert.equal(sprintf(format, args), want);
      });
    }
  });

  describe('sprint / sprintln', () => {
    it('separates non-string operands only', () => {
      assert.equal(sprint(['a', 1, 2, 'b', 3]), 'a1 2b3');
      assert.equal(sprint([1, 2]), '1 2');
      assert.equal(sprint([]), '');
    });
    it('println always separates and appends a newline', () => {
      assert.equal(sprintln(['a', 'b', 1]), 'a b 1\n');
    });
  });

  describe('formatValue (%v)', () => {
    it('formats Go kinds', () => {
      assert.equal(formatValue(null), '<nil>');
      assert.equal(formatValue(10n), '10');
      assert.equal(formatValue(false), 'false');
      assert.equal(formatValue([['a'], []]), '[[a] []]');
      assert.equal(
        formatValue(
          new Map<string, unknown>([
            ['b', 1],
            ['a', [2]],
          ]),
        ),
        'map[a:[2] b:1]',
      );
      assert.equal(formatValue({ z: 1, a: 'x' }), 'map[a:x z:1]');
    });
    it('formats class instances as structs and honours toString', () => {
      class Pt {
        x = 1;
        y = 'two';
      }
      class Named {
        toString(): string {
          return 'named!';
        }
      }
      assert.equal(formatValue(new Pt()), '{1 two}');
      assert.equal(formatValue(new Named()), 'named!');
    });
    it('formats dates like time.Time.String in UTC', () => {
      assert.equal(
        formatValue(new Date(Date.UTC(2024, 0, 2, 3, 4, 5))),
        '2024-01-02 03:04:05 +0000 UTC',
      );
      assert.equal(
        goTimeString(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 500))),
        '2024-01-02 03:04:05.5 +0000 UTC',
      );
    });
    it('prints API Created times (whole seconds) like time.Unix(sec, 0).String()', () => {
      assert.equal(
        goUnixTimeString(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 999))),
        '2024-01-02 03:04:05 +0000 UTC',
      );
      assert.equal(goUnixTimeString(new Date(NaN)), '0001-01-01 00:00:00 +0000 UTC');
    });
  });

  describe('goQuote (strconv.Quote)', () => {
    it('escapes like Go', () => {
      assert.equal(goQuote('a"b\\c\n\t\x01\x7fé😀'), '"a\\"b\\\\c\\n\\t\\x01\\x7fé😀"');
      assert.equal(goQuote('\u200b'), '"\\u200b"');
      assert.equal(goQuote("it's", "'"), "'it\\'s'");
    });
  });

  describe('typeNameOf', () => {
    it('names values with Go type names', () => {
      assert.equal(typeNameOf('s'), 'string');
      assert.equal(typeNameOf(1), 'int');
      assert.equal(typeNameOf(1.5), 'float64');
      assert.equal(typeNameOf(true), 'bool');
      assert.equal(typeNameOf([1]), '[]interface {}');
      assert.equal(typeNameOf(['a']), '[]string');
      assert.equal(typeNameOf({}), 'map[string]interface {}');
      assert.equal(typeNameOf(new Date()), 'time.Time');
    });
  });
});
