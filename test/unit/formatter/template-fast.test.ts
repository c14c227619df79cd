/**
 * The template fast path (text and `{{.A.B}}` actions) against the generic executor: the same
 * output, the same errors with the same partial output, and the same getter and method calls.
 */
import assert from 'node:assert/strict';

import {
  asGoMap,
  compileTemplate,
  goTypeName,
  TemplateError,
  type ExecuteOptions,
} from '../../../src/formatter/template.js';
import { Prng } from './prng.js';

const NAMES = ['ID', 'Name', 'A', 'B', 'Nope', 'x', 'constructor', 'toString', 'Size'];
const STRINGS = ['', 'abc', 'héllo', '日本', 'a\tb', 'line\n', '<no value>', '{{.ID}}'];
const TEXTS = ['', 'x', ' ', '\t', '\n', ': ', 'héllo', '日本', '}', '-', 'a\nb'];
const OPTIONS: ExecuteOptions[] = [
  {},
  { missingKey: 'default' },
  { missingKey: 'invalid' },
  { missingKey: 'zero' },
  { missingKey: 'error' },
  { objectsAsMaps: true },
  { objectsAsMaps: true, missingKey: 'error' },
  { objectsAsMaps: true, missingKey: 'zero' },
];

/** A random template of the fast path's shape: text and field chains, spaces, trims, comments. */
function makeTemplate(rng: Prng): string {
  let s = '';
  for (let n = 1 + rng.int(6); n > 0; n--) {
    if (rng.chance(0.4)) {
      s += rng.pick(TEXTS);
      continue;
    }
    if (rng.chance(0.05)) {
      s += rng.pick(['{{/* c */}}', '{{- /* c */ -}}']);
      continue;
    }
    let chain = '';
    for (let k = rng.int(4); k > 0; k--) chain += '.' + rng.pick(NAMES);
    if (chain === '') chain = '.';
    const pad = rng.chance(0.3) ? ' ' : '';
    const open = rng.chance(0.15) ? '{{- ' : `{{${pad}`;
    const close = rng.chance(0.15) ? ' -}}' : `${pad}}}`;
    s += open + chain + close;
  }
  return s;
}

/**
 * Random data whose getters and methods log their calls. Built from its own seed, so building
 * it twice gives two identical graphs with separate logs.
 */
function makeData(seed: number, log: string[]): unknown {
  const rng = new Prng(seed);
  let id = 0;
  const fields = (depth: number): Array<[string, unknown]> => {
    const out: Array<[string, unknown]> = [];
    for (let n = rng.int(5); n > 0; n--) out.push([rng.pick(NAMES), value(depth + 1)]);
    return out;
  };
  const value = (depth: number): unknown => {
    const kinds = depth > 3 ? 10 : 17;
    switch (rng.int(kinds)) {
      case 0:
      case 1:
        return rng.pick(STRINGS);
      case 2:
        return rng.pick([0, 1, -7, 42, 2 ** 60]);
      case 3:
        return rng.pick([1.5, -0.25, 1e21, 1e-7, Number.NaN, Number.POSITIVE_INFINITY]);
      case 4:
        return rng.pick([0n, 12345678901234567890n]);
      case 5:
        return rng.chance(0.5);
      case 6:
        return null;
      case 7:
        return undefined;
      case 8:
        return rng.pick([['a', 'b'], [1, 'x', null], [], new Uint8Array([1, 2])]);
      case 9:
        return new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
      case 10:
        return Object.fromEntries(fields(depth));
      case 11:
        return new Map(fields(depth));
      case 12:
        return asGoMap(Object.fromEntries(fields(depth)));
      case 13: {
        const o = Object.create(null) as Record<string, unknown>;
        for (const [k, v] of fields(depth)) o[k] = v;
        return o;
      }
      case 14: {
        const o: Record<string | symbol, unknown> = Object.fromEntries(fields(depth));
        o[goTypeName] = 'types.Thing';
        return o;
      }
      case 15: {
        // A plain object holding functions: Go would call them as methods.
        const name = `fn${id++}`;
        const result = value(depth + 1);
        return Object.fromEntries([
          ...fields(depth),
          [
            rng.pick(NAMES),
            function (this: unknown): unknown {
              log.push(`call ${name} this=${typeof this}`);
              return result;
            },
          ],
        ]);
      }
      default:
        return record(depth);
    }
  };
  // A class instance with getters and methods on its prototype, like ps's ContainerRow.
  const record = (depth: number): unknown => {
    const name = `rec${id++}`;
    class Rec {
      constructor(readonly own: number) {}
    }
    for (const [field, v] of fields(depth)) {
      if (field === 'constructor') continue;
      switch (rng.int(6)) {
        case 0:
          Object.defineProperty(Rec.prototype, field, {
            get(): unknown {
              log.push(`get ${name}.${field}`);
              return v;
            },
            configurable: true,
          });
          break;
        case 1:
          Object.defineProperty(Rec.prototype, field, {
            value(this: Rec, ...args: unknown[]): unknown {
              log.push(`call ${name}.${field}(${args.length}) own=${this.own}`);
              return v;
            },
            configurable: true,
          });
          break;
        case 2:
          Object.defineProperty(Rec.prototype, field, {
            value(): unknown {
              log.push(`throw ${name}.${field}`);
              if (rng.chance(0.5)) throw new Error(`boom ${field}`);
              throw `raw ${field}`;
            },
            configurable: true,
          });
          break;
        case 3:
          Object.defineProperty(Rec.prototype, field, {
            get(): unknown {
              log.push(`getter throws ${name}.${field}`);
              throw new RangeError(`getter ${field}`);
            },
            configurable: true,
          });
          break;
        case 4:
          Object.defineProperty(Rec.prototype, field, {
            value(): unknown {
              log.push(`returns a func ${name}.${field}`);
              return () => v;
            },
            configurable: true,
          });
          break;
        default:
          Object.defineProperty(Rec.prototype, field, { value: v, configurable: true });
      }
    }
    const rec = new Rec(id);
    if (rng.chance(0.3)) Object.defineProperty(rec, rng.pick(NAMES), { value: value(depth + 1) });
    return rec;
  };
  return value(0);
}

type Outcome =
  | { ok: string }
  | { templateError: string; phase: string; partial: string }
  | { error: string; message: string }
  | { thrown: string };

function outcome(run: () => string): Outcome {
  try {
    return { ok: run() };
  } catch (e) {
    if (e instanceof TemplateError) {
      return { templateError: e.message, phase: e.phase, partial: e.partialOutput };
    }
    if (e instanceof Error) return { error: e.constructor.name, message: e.message };
    return { thrown: String(e) };
  }
}

describe('formatter/template fast path', () => {
  it('takes text and field chains, and nothing else', () => {
    for (const src of [
      '',
      'plain',
      '{{.ID}}',
      '{{.}}',
      '{{ .A.B.C }}\t{{.ID}}\n',
      '{{- .ID -}}  x  {{- .Name}}',
      'a{{/* c */}}b{{.ID}}',
    ]) {
      assert.equal(compileTemplate(src).hasFastPath, true, src);
    }
    for (const src of [
      '{{.ID | printf "%s"}}',
      '{{json .}}',
      '{{upper .Names}}',
      '{{$x := .ID}}{{$x}}',
      '{{$.ID}}',
      '{{.Label "x"}}',
      '{{(.ID)}}',
      '{{if .ID}}x{{end}}',
      '{{range .L}}x{{end}}',
      '{{with .ID}}x{{end}}',
      '{{"lit"}}',
      '{{1}}',
      '{{nil}}',
    ]) {
      assert.equal(compileTemplate(src).hasFastPath, false, src);
    }
  });

  it('matches the generic executor on random templates and data', () => {
    const rng = new Prng(0x7e3a);
    const seen = new Set<string>();
    for (let i = 0; i < 6000; i++) {
      const src = makeTemplate(rng);
      const tmpl = compileTemplate(src);
      assert.equal(tmpl.hasFastPath, true, src);
      const seed = rng.int(2 ** 31);
      const options = rng.pick(OPTIONS);
      const fastLog: string[] = [];
      const genericLog: string[] = [];
      const fast = outcome(() => tmpl.execute(makeData(seed, fastLog), options));
      const generic = outcome(() => tmpl.executeGeneric(makeData(seed, genericLog), options));
      const ctx = `case ${i}: ${JSON.stringify(src)} seed ${seed} ${JSON.stringify(options)}`;
      assert.deepEqual(fast, generic, ctx);
      assert.deepEqual(fastLog, genericLog, ctx);
      if ('ok' in fast) {
        seen.add('ok');
        if (fast.ok.includes('<no value>')) seen.add('<no value>');
      } else if ('templateError' in fast) {
        seen.add(fast.templateError.replace(/^.*?>: /, ''));
        if (fast.partial !== '') seen.add('partial output');
      } else {
        seen.add('raw error');
      }
    }
    // The generator must reach every outcome the fast path handles.
    for (const want of [
      /^ok$/,
      /^<no value>$/,
      /^partial output$/,
      /^raw error$/,
      /^can't evaluate field \w+ in type map\[string\]interface \{\}$/,
      /^can't evaluate field \w+ in type \[\]interface \{\}$/,
      /^nil pointer evaluating interface \{\}\.\w+$/,
      /^map has no entry for key "\w+"$/,
      /^nil data; no entry for key "\w+"$/,
      /^error calling \w+: boom \w+$/,
      /^error calling \w+: raw \w+$/,
      /^can't print \{\{\.\w+\}\} of type func$/,
    ]) {
      assert.ok(
        [...seen].some((s) => want.test(s)),
        `never saw ${String(want)}: ${[...seen].join(' | ')}`,
      );
    }
  }).timeout(30_000);

  it('reports field errors like the generic executor, keeping the partial output', () => {
    const tmpl = compileTemplate('id={{.ID}}\n  {{.A.Nope}} tail');
    const data = { ID: 'x', A: { B: 1 } };
    const expected = {
      templateError:
        'template: :2:4: executing "" at <.A.Nope>: can\'t evaluate field Nope in type map[string]interface {}',
      phase: 'exec',
      partial: 'id=x\n  ',
    };
    assert.deepEqual(
      outcome(() => tmpl.execute(data)),
      expected,
    );
    assert.deepEqual(
      outcome(() => tmpl.executeGeneric(data)),
      expected,
    );
  });

  it('calls a getter once per use, as the generic executor does', () => {
    let calls = 0;
    class Row {
      get ID(): string {
        calls++;
        return 'c';
      }
    }
    const tmpl = compileTemplate('{{.ID}}\t{{.ID}}');
    assert.equal(tmpl.execute(new Row()), 'c\tc');
    assert.equal(calls, 2);
  });
});
