import assert from 'node:assert/strict';

import { asGoMap } from '../../../src/formatter/gofmt.js';
import { JsonMarshalError, marshalJSON, quoteJSON } from '../../../src/formatter/gojson.js';

describe('formatter/gojson', () => {
  describe('quoteJSON', () => {
    it('uses Go escapes', () => {
      assert.equal(quoteJSON('a"b\\c'), '"a\\"b\\\\c"');
      assert.equal(quoteJSON('\n\r\t\b\f'), '"\\n\\r\\t\\b\\f"');
      assert.equal(quoteJSON('\u0000\u001f'), '"\\u0000\\u001f"');
      assert.equal(quoteJSON('\u2028\u2029'), '"\\u2028\\u2029"');
      assert.equal(quoteJSON('é😀/'), '"é😀/"');
    });
    it('replaces lone surrogates with U+FFFD', () => {
      assert.equal(quoteJSON('a\ud800b'), '"a\ufffdb"');
    });
    it('escapes <, > and & only when asked (json.Marshal default)', () => {
      assert.equal(quoteJSON('<a>&'), '"<a>&"');
      assert.equal(quoteJSON('<a>&', true), '"\\u003ca\\u003e\\u0026"');
    });
  });

  describe('marshalJSON', () => {
    it('is compact with keys in the given order', () => {
      assert.equal(
        marshalJSON({ Z: 1, A: 'x', M: [true, null] }),
        '{"Z":1,"A":"x","M":[true,null]}',
      );
    });
    it('sorts the keys of Go maps', () => {
      assert.equal(
        marshalJSON(
          new Map([
            ['b', 1],
            ['a', 2],
          ]),
        ),
        '{"a":2,"b":1}',
      );
      assert.equal(marshalJSON({ L: asGoMap({ z: '1', a: '2' }) }), '{"L":{"a":"2","z":"1"}}');
      assert.equal(
        marshalJSON({ b: 1, a: { d: 1, c: 2 } }, { sortKeys: true }),
        '{"a":{"c":2,"d":1},"b":1}',
      );
    });
    it('applies HTML escaping in keys and values when asked', () => {
      assert.equal(
        marshalJSON({ '<k>': '&' }, { escapeHTML: true }),
        '{"\\u003ck\\u003e":"\\u0026"}',
      );
    });
    it('spells numbers like Go', () => {
      assert.equal(
        marshalJSON([0, -1, 1.5, 0.1, 1e20, 1e21, 1e-6, 1e-7, 123456789012, -0]),
        '[0,-1,1.5,0.1,100000000000000000000,1e+21,0.000001,1e-7,123456789012,-0]',
      );
      assert.equal(marshalJSON(12345678901234567890n), '12345678901234567890');
    });
    it('fails on NaN and infinities like Go', () => {
      assert.throws(
        () => marshalJSON(Number.NaN),
        (e: unknown) =>
          e instanceof JsonMarshalError && e.message === 'json: unsupported value: NaN',
      );
      assert.throws(
        () => marshalJSON([Number.POSITIVE_INFINITY]),
        /json: unsupported value: \+Inf/,
      );
    });
    it('handles dates, bytes, toJSON, undefined and empty containers', () => {
      assert.equal(marshalJSON(new Date(Date.UTC(2024, 0, 2, 3, 4, 5))), '"2024-01-02T03:04:05Z"');
      assert.equal(
        marshalJSON(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 120))),
        '"2024-01-02T03:04:05.12Z"',
      );
      assert.equal(marshalJSON(new Uint8Array([104, 105])), '"aGk="');
      assert.equal(marshalJSON({ toJSON: () => ({ via: 'toJSON' }) }), '{"via":"toJSON"}');
      assert.equal(marshalJSON({ a: undefined, b: 1 }), '{"b":1}');
      assert.equal(marshalJSON(undefined), 'null');
      assert.equal(marshalJSON({ a: [], b: {} }), '{"a":[],"b":{}}');
    });
    it('rejects cycles', () => {
      const o: Record<string, unknown> = {};
      o.self = o;
      assert.throws(() => marshalJSON(o), JsonMarshalError);
    });
    it('indents like json.MarshalIndent', () => {
      const out = marshalJSON(
        [{ Id: 'x', Args: [], Config: { Env: ['A=1', 'B=2'], Labels: {} }, N: null }],
        {
          indent: '    ',
        },
      );
      assert.equal(
        out,
        [
          '[',
          '    {',
          '        "Id": "x",',
          '        "Args": [],',
          '        "Config": {',
          '            "Env": [',
          '                "A=1",',
          '                "B=2"',
          '            ],',
          '            "Labels": {}',
          '        },',
          '        "N": null',
          '    }',
          ']',
        ].join('\n'),
      );
    });
  });
});
