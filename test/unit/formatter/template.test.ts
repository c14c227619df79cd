import assert from 'node:assert/strict';

import {
  asGoMap,
  compileTemplate,
  goTypeName,
  HEADER_FUNCS,
  renderTemplate,
  TemplateError,
  unescapeFormat,
} from '../../../src/formatter/template.js';

const data = {
  ID: 'abc123',
  Names: ['web', 'db'],
  Labels: { zeta: 'z', alpha: 'a', 'com.example/k': 'v' },
  Count: 3,
  Ratio: 1.5,
  Nested: { Inner: { Value: 'deep' } },
  Empty: [] as string[],
  EmptyMap: {},
  Nil: null,
  Flag: true,
  Html: '<a href="x">&</a>',
};

function r(tmpl: string, d: unknown = data): string {
  return renderTemplate(tmpl, d);
}

function err(tmpl: string, d: unknown = data): TemplateError {
  try {
    renderTemplate(tmpl, d);
  } catch (e) {
    assert.ok(e instanceof TemplateError, `expected TemplateError, got ${String(e)}`);
    return e;
  }
  assert.fail(`template ${tmpl} did not fail`);
}

describe('formatter/template', () => {
  describe('fields', () => {
    it('prints a field', () => assert.equal(r('{{.ID}}'), 'abc123'));
    it('walks nested fields', () => assert.equal(r('{{.Nested.Inner.Value}}'), 'deep'));
    it('prints dot for scalars', () => {
      assert.equal(r('{{.}}', 'plain'), 'plain');
      assert.equal(r('{{.}}', 42), '42');
      assert.equal(r('{{.}}', true), 'true');
    });
    it('keeps surrounding text', () => assert.equal(r('id=<{{.ID}}>!'), 'id=<abc123>!'));
    it('prints slices and maps like fmt %v', () => {
      assert.equal(r('{{.Names}}'), '[web db]');
      assert.equal(r('{{.Labels}}'), 'map[alpha:a com.example/k:v zeta:z]');
      assert.equal(r('{{.Empty}}'), '[]');
    });
    it('prints nil as <nil> and a missing map key as <no value>', () => {
      assert.equal(r('{{.Nil}}'), '<nil>');
      assert.equal(r('{{.Missing}}', new Map([['A', 1]])), '<no value>');
      assert.equal(r('{{.Labels.nope}}', { Labels: asGoMap({ a: 'b' }) }), '<no value>');
      assert.equal(r('{{.Labels.a}}', { Labels: asGoMap({ a: 'b' }) }), 'b');
    });
    it('prints floats like Go %v', () => {
      assert.equal(r('{{.}}', 1.5), '1.5');
      assert.equal(r('{{.}}', 1234567.5), '1.2345675e+06');
      assert.equal(r('{{.}}', 0.00001234), '1.234e-05');
      assert.equal(r('{{.}}', 0.5), '0.5');
    });
    it('reads JS getters and zero-argument methods like Go methods', () => {
      class Ctx {
        constructor(private readonly id: string) {}
        get ID(): string {
          return this.id.slice(0, 3);
        }
        Names(): string {
          return 'n1,n2';
        }
        Label(key: string): string {
          return `label:${key}`;
        }
      }
      const c = new Ctx('abcdef');
      assert.equal(r('{{.ID}} {{.Names}} {{.Label "x"}}', c), 'abc n1,n2 label:x');
      assert.equal(r('{{"y" | .Label}}', c), 'label:y');
    });
    it('does not expose Object.prototype members as fields', () => {
      assert.match(err('{{.constructor}}', {}).message, /can't evaluate field constructor/);
    });
    it('wraps method errors as "error calling"', () => {
      const obj = {
        Boom(): string {
          throw new Error('kaput');
        },
      };
      assert.equal(
        err('{{.Boom}}', obj).message,
        'template: :1:2: executing "" at <.Boom>: error calling Boom: kaput',
      );
    });
    it('reports a field on a nil value', () => {
      assert.equal(
        err('{{.Nil.X}}').message,
        'template: :1:2: executing "" at <.Nil.X>: nil pointer evaluating interface {}.X',
      );
    });
    it('rejects arguments to a non-method field', () => {
      assert.equal(
        err('{{.ID "x"}}').message,
        'template: :1:2: executing "" at <.ID>: ID has arguments but cannot be invoked as function',
      );
    });
    it('yields <no value> through missing intermediate map keys', () => {
      assert.equal(r('{{.A.B}}', new Map()), '<no value>');
    });
  });

  describe('unknown fields', () => {
    it('gives Go wording with line and byte column', () => {
      const e = err('{{.Nope}}');
      assert.equal(e.phase, 'exec');
      assert.equal(
        e.message,
        `template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type map[string]interface {}`,
      );
    });
    it('counts columns from the start of the failing line', () => {
      assert.equal(
        err('line one\n  {{.Nope}}').message,
        `template: :2:4: executing "" at <.Nope>: can't evaluate field Nope in type map[string]interface {}`,
      );
    });
    it('names class instances and tagged objects', () => {
      class ContainerContext {}
      assert.match(err('{{.Nope}}', new ContainerContext()).message, /in type \*ContainerContext$/);
      const tagged = { [goTypeName]: '*formatter.ContainerContext' };
      assert.match(err('{{.Nope}}', tagged).message, /in type \*formatter\.ContainerContext$/);
    });
    it('names scalars', () => {
      assert.match(err('{{.ID.Foo}}').message, /can't evaluate field Foo in type string$/);
      assert.match(err('{{.Names.Foo}}').message, /in type \[\]string$/);
    });
    it('honours missingKey=error and zero', () => {
      const t = compileTemplate('{{.a}}');
      const m = new Map([['b', 'x']]);
      assert.equal(t.execute(m), '<no value>');
      assert.equal(t.execute(m, { missingKey: 'zero' }), '');
      assert.throws(
        () => t.execute(m, { missingKey: 'error' }),
        (e: unknown) =>
          e instanceof TemplateError &&
          e.message === 'template: :1:2: executing "" at <.a>: map has no entry for key "a"',
      );
    });
    it('treats objects as maps with objectsAsMaps', () => {
      const t = compileTemplate('{{.Nope}}');
      assert.equal(t.execute({}, { objectsAsMaps: true }), '<no value>');
    });
  });

  describe('json', () => {
    it('marshals compactly with keys in the given order', () => {
      assert.equal(r('{{json .}}', { b: 1, a: [1, 'x'], c: null }), '{"b":1,"a":[1,"x"],"c":null}');
    });
    it('marshals a sub-value', () => {
      assert.equal(r('{{json .Names}}'), '["web","db"]');
      assert.equal(r('{{json .ID}}'), '"abc123"');
      assert.equal(r('{{json .Count}}'), '3');
      assert.equal(r('{{json .Missing}}', new Map()), 'null');
    });
    it('sorts Map keys like Go maps', () => {
      assert.equal(
        r(
          '{{json .}}',
          new Map([
            ['b', 1],
            ['a', 2],
          ]),
        ),
        '{"a":2,"b":1}',
      );
    });
    it('does not HTML-escape, as docker/cli disables it', () => {
      assert.equal(r('{{json .Html}}'), '"<a href=\\"x\\">&</a>"');
    });
    it('escapes control characters the Go way', () => {
      assert.equal(r('{{json .}}', 'a\nb\tc\u0001\u2028'), '"a\\nb\\tc\\u0001\\u2028"');
    });
    it('prints nothing for unsupported values, like docker/cli', () => {
      assert.equal(r('[{{json .}}]', Number.NaN), '[]');
    });
  });

  describe('index', () => {
    it('indexes maps and slices', () => {
      assert.equal(r('{{index .Labels "com.example/k"}}'), 'v');
      assert.equal(r('{{index .Names 1}}'), 'db');
    });
    it('indexes nested values with several keys', () => {
      assert.equal(r('{{index . "a" 1 "b"}}', { a: [0, { b: 'ok' }] }), 'ok');
    });
    it('returns the zero value for a missing map key', () => {
      assert.equal(r('[{{index .Labels "missing"}}]'), '[]');
      assert.equal(r('[{{index . "x"}}]', new Map([['n', 1]])), '[0]');
    });
    it('returns bytes for strings', () => assert.equal(r('{{index "abc" 1}}'), '98'));
    it('reports an index out of range', () => {
      assert.equal(
        err('{{index .Names 5}}').message,
        'template: :1:2: executing "" at <index .Names 5>: error calling index: index out of range: 5',
      );
    });
    it('reports a key of the wrong type', () => {
      assert.match(
        err('{{index .Labels 1}}').message,
        /error calling index: value has type int; should be string$/,
      );
    });
    it('reports indexing nil', () => {
      assert.match(err('{{index .Nil 0}}').message, /error calling index: index of untyped nil$/);
    });
  });

  describe('range', () => {
    it('iterates a slice with dot as the element', () => {
      assert.equal(r('{{range .Names}}[{{.}}]{{end}}'), '[web][db]');
    });
    it('binds index and element', () => {
      assert.equal(r('{{range $i, $v := .Names}}{{$i}}={{$v}};{{end}}'), '0=web;1=db;');
    });
    it('binds a single variable to the element', () => {
      assert.equal(r('{{range $v := .Names}}{{$v}},{{end}}'), 'web,db,');
    });
    it('iterates map keys in sorted order', () => {
      assert.equal(
        r('{{range $k, $v := .Labels}}{{$k}}={{$v}} {{end}}'),
        'alpha=a com.example/k=v zeta=z ',
      );
      assert.equal(
        r(
          '{{range .}}{{.}}{{end}}',
          new Map([
            ['b', '2'],
            ['a', '1'],
          ]),
        ),
        '12',
      );
    });
    it('runs else for empty and nil collections', () => {
      assert.equal(r('{{range .Empty}}x{{else}}none{{end}}'), 'none');
      assert.equal(r('{{range .EmptyMap}}x{{else}}none{{end}}'), 'none');
      assert.equal(r('{{range .Nil}}x{{else}}none{{end}}'), 'none');
    });
    it('keeps $ as the root inside range', () => {
      assert.equal(r('{{range .Names}}{{$.ID}}:{{.}} {{end}}'), 'abc123:web abc123:db ');
    });
    it('supports break and continue', () => {
      assert.equal(r('{{range .}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}', [1, 2, 3, 4]), '12');
      assert.equal(r('{{range .}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}', [1, 2, 3]), '13');
    });
    it('ranges over an integer', () => {
      assert.equal(r('{{range 3}}{{.}}{{end}}'), '012');
      assert.match(
        err('{{range $i, $v := 3}}{{end}}').message,
        /can't use 3 to iterate over more than one variable$/,
      );
    });
    it('rejects ranging over a scalar', () => {
      assert.match(err('{{range .ID}}{{end}}').message, /range can't iterate over abc123$/);
    });
    it('assigns to outer variables with =', () => {
      assert.equal(
        r('{{$i := 0}}{{$v := ""}}{{range $i, $v = .Names}}{{end}}{{$i}} {{$v}}'),
        '1 db',
      );
    });
    it('nests ranges', () => {
      assert.equal(
        r('{{range $a := .}}{{range $b := .}}{{$b}}{{end}};{{end}}', [[1, 2], [3]]),
        '12;3;',
      );
    });
    it('scopes body variables to one iteration', () => {
      assert.equal(r('{{range .Names}}{{$x := .}}{{$x}}{{end}}'), 'webdb');
    });
  });

  describe('if / else if / else', () => {
    const t = compileTemplate('{{if .A}}a{{else if .B}}b{{else}}c{{end}}');
    it('takes the first true branch', () => {
      assert.equal(t.execute({ A: 1, B: 1 }), 'a');
      assert.equal(t.execute({ A: 0, B: 'x' }), 'b');
      assert.equal(t.execute({ A: '', B: [] }), 'c');
    });
    it('follows Go truthiness', () => {
      const truthy: unknown[] = [
        true,
        1,
        -1,
        0.5,
        Number.NaN,
        'x',
        [0],
        { k: 1 },
        new Map([[1, 1]]),
        new Date(0),
      ];
      const falsy: unknown[] = [false, 0, '', [], {}, new Map(), null, undefined];
      class Struct {}
      truthy.push(new Struct());
      const cond = compileTemplate('{{if .}}T{{else}}F{{end}}');
      for (const v of truthy) assert.equal(cond.execute(v), 'T', `truthy ${String(v)}`);
      for (const v of falsy) assert.equal(cond.execute(v), 'F', `falsy ${String(v)}`);
    });
    it('treats a missing map key as false', () => {
      assert.equal(r('{{if .X}}T{{else}}F{{end}}', new Map()), 'F');
    });
    it('does not change dot', () => assert.equal(r('{{if .Nested}}{{.ID}}{{end}}'), 'abc123'));
    it('keeps variables declared in the condition for both branches', () => {
      assert.equal(r('{{if $n := .Count}}{{$n}}{{end}}'), '3');
      assert.equal(r('{{if $n := .Empty}}x{{else}}{{len $n}}{{end}}'), '0');
    });
    it('chains several else ifs', () => {
      const chain = compileTemplate(
        '{{if eq . 1}}one{{else if eq . 2}}two{{else if eq . 3}}three{{else}}many{{end}}',
      );
      assert.deepEqual(
        [1, 2, 3, 4].map((n) => chain.execute(n)),
        ['one', 'two', 'three', 'many'],
      );
    });
  });

  describe('with', () => {
    it('sets dot when true', () =>
      assert.equal(r('{{with .Nested.Inner}}{{.Value}}{{end}}'), 'deep'));
    it('runs else with the old dot when false', () => {
      assert.equal(r('{{with .Empty}}x{{else}}{{.ID}}{{end}}'), 'abc123');
    });
    it('supports else with', () => {
      assert.equal(r('{{with .Empty}}a{{else with .Names}}{{index . 0}}{{else}}c{{end}}'), 'web');
    });
    it('binds a variable', () =>
      assert.equal(r('{{with $x := .ID}}{{$x}}{{.}}{{end}}'), 'abc123abc123'));
  });

  describe('variables', () => {
    it('declares and reads', () => assert.equal(r('{{$x := .ID}}{{$x}}'), 'abc123'));
    it('prints nothing for a declaration', () => assert.equal(r('a{{$x := 1}}b'), 'ab'));
    it('reads fields through variables', () => {
      assert.equal(r('{{$n := .Nested}}{{$n.Inner.Value}}'), 'deep');
    });
    it('assigns with = across blocks', () => {
      assert.equal(r('{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}'), '2');
    });
    it('exposes the root as $', () => assert.equal(r('{{with .Nested}}{{$.ID}}{{end}}'), 'abc123'));
    it('pops block variables at {{end}}', () => {
      const e = err('{{if true}}{{$y := 1}}{{end}}{{$y}}');
      assert.equal(e.phase, 'parse');
      assert.equal(e.message, 'template: :1: undefined variable "$y"');
    });
  });

  describe('pipelines', () => {
    it('passes the value as the last argument', () => {
      assert.equal(r('{{.ID | upper}}'), 'ABC123');
      assert.equal(r('{{.ID | printf "%s-%s" "x"}}'), 'x-abc123');
      assert.equal(r('{{.Names | len}}'), '2');
    });
    it('chains several stages', () => {
      assert.equal(r('{{.ID | upper | printf "<%s>" | lower}}'), '<abc123>');
    });
    it('rejects a constant as a later stage', () => {
      assert.equal(
        err('{{.ID | "x"}}').message,
        'template: :1: non executable command in pipeline stage 2',
      );
    });
    it('rejects arguments to a non-function', () => {
      assert.match(
        err('{{.Count | .ID}}').message,
        /ID has arguments but cannot be invoked as function$/,
      );
      assert.match(err('{{"a" | $}}').message, /can't give argument to non-function \$$/);
    });
  });

  describe('parentheses', () => {
    it('groups a call', () => assert.equal(r('{{upper (index .Names 1)}}'), 'DB'));
    it('allows field access on a parenthesised result', () => {
      assert.equal(r('{{(index . 0).Name}}', [{ Name: 'first' }]), 'first');
    });
    it('nests', () => assert.equal(r('{{len (split (join .Names ",") ",")}}'), '2'));
  });

  describe('trim markers', () => {
    it('trims whitespace on both sides', () => {
      assert.equal(r('a  \n\t {{- .ID -}} \n  b'), 'aabc123b');
    });
    it('trims one side only', () => {
      assert.equal(r('a  {{- .ID }}  b'), 'aabc123  b');
      assert.equal(r('a  {{ .ID -}}  b'), 'a  abc123b');
    });
    it('reads {{-3}} as a negative number, not a marker', () => {
      assert.equal(r('x {{-3}}'), 'x -3');
    });
    it('formats a list one item per line', () => {
      assert.equal(r('{{range .Names -}}\n  {{.}}\n{{end -}}'), 'web\ndb\n');
    });
    it('trims around comments', () => {
      assert.equal(r('a {{- /* note */ -}} b'), 'ab');
      assert.equal(r('a{{/* note */}}b'), 'ab');
    });
  });

  describe('literals', () => {
    it('interprets Go string escapes', () => {
      assert.equal(r('{{"a\\tb\\n\\x41\\u00e9\\101\\\\\\""}}'), 'a\tb\nAéA\\"');
    });
    it('keeps raw strings verbatim', () => assert.equal(r('{{`a\\tb`}}'), 'a\\tb'));
    it('parses numbers', () => {
      assert.equal(
        r('{{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}} {{-7}} {{2.5}}'),
        '31 15 15 5 1000 -7 2.5',
      );
    });
    it('parses character constants as runes', () => assert.equal(r("{{'a'}} {{'\\n'}}"), '97 10'));
    it('parses booleans', () => assert.equal(r('{{true}} {{false}}'), 'true false'));
    it('rejects nil as a command', () => {
      assert.match(err('{{nil}}').message, /nil is not a command$/);
    });
    it('rejects malformed numbers', () => {
      assert.equal(err('{{3x}}').message, 'template: :1: bad number syntax: "3x"');
    });
  });

  describe('comparison and logic', () => {
    it('eq / ne', () => {
      assert.equal(
        r('{{eq .ID "abc123"}} {{eq .Count 1 2 3}} {{ne .Count 3}} {{eq .Nil .Nil}}'),
        'true true false true',
      );
    });
    it('lt / le / gt / ge on numbers and strings', () => {
      assert.equal(r('{{lt 1 2}} {{le 2 2}} {{gt 2 1}} {{ge 1 2}}'), 'true true true false');
      assert.equal(r('{{lt "a" "b"}} {{gt "a" "b"}}'), 'true false');
    });
    it('errors on incompatible types', () => {
      assert.equal(
        err('{{eq .ID 1}}').message,
        'template: :1:2: executing "" at <eq .ID 1>: error calling eq: incompatible types for comparison',
      );
      assert.match(
        err('{{lt true false}}').message,
        /error calling lt: invalid type for comparison$/,
      );
    });
    it('and / or return an operand and short-circuit', () => {
      assert.equal(r('{{and 1 0}} {{and 1 2}} {{or 0 ""}} {{or 0 "x"}}'), '0 2  x');
      // The unknown field after the deciding operand is never evaluated.
      assert.equal(r('{{or .ID .Nope}}'), 'abc123');
      assert.equal(r('{{and .Empty .Nope}}'), '[]');
    });
    it('not', () => assert.equal(r('{{not 0}} {{not .ID}} {{not .Empty}}'), 'true false true'));
    it('combines in if conditions', () => {
      assert.equal(r('{{if and (gt .Count 1) (eq (len .Names) 2)}}yes{{end}}'), 'yes');
    });
  });

  describe('string functions', () => {
    it('join', () => assert.equal(r('{{join .Names ", "}}'), 'web, db'));
    it('join rejects non-string slices', () => {
      assert.match(
        err('{{join . ","}}', [1, 2]).message,
        /wrong type for value; expected \[\]string; got \[\]interface \{\}$/,
      );
    });
    it('split', () => {
      assert.equal(r('{{split "a:b:c" ":"}}'), '[a b c]');
      assert.equal(r('{{index (split "k=v" "=") 1}}'), 'v');
      assert.equal(r('{{len (split "" ",")}}'), '1');
      assert.equal(r('{{split "héj" ""}}'), '[h é j]');
    });
    it('lower / upper / title', () => {
      assert.equal(r('{{lower "MiXeD"}} {{upper "MiXeD"}}'), 'mixed MIXED');
      assert.equal(r('{{title "hello wide-world foo_bar"}}'), 'Hello Wide-World Foo_bar');
      assert.equal(r('{{upper "straße"}}'), 'STRAßE');
    });
    it('truncate cuts at a byte length', () => {
      assert.equal(
        r('{{truncate .ID 3}}|{{truncate .ID 6}}|{{truncate .ID 99}}'),
        'abc|abc123|abc123',
      );
    });
    it('pad adds spaces around non-empty strings only', () => {
      assert.equal(r('[{{pad .ID 2 1}}][{{pad "" 2 1}}]'), '[  abc123 ][]');
    });
    it('len counts bytes of strings and entries of collections', () => {
      assert.equal(r('{{len "héllo"}} {{len .Names}} {{len .Labels}}'), '6 2 3');
      assert.match(err('{{len 3}}').message, /error calling len: len of type int$/);
    });
    it('slice', () => {
      assert.equal(r('{{slice .ID 1 3}} {{slice .Names 1}} {{slice .ID}}'), 'bc [db] abc123');
      assert.match(err('{{slice .ID 3 1}}').message, /invalid slice index: 3 > 1$/);
    });
    it('html / js / urlquery', () => {
      assert.equal(r('{{html .Html}}'), '&lt;a href=&#34;x&#34;&gt;&amp;&lt;/a&gt;');
      assert.equal(r(`{{js "a'b<"}}`), "a\\'b\\u003C");
      assert.equal(r('{{urlquery "a b&c=d/é"}}'), 'a+b%26c%3Dd%2F%C3%A9');
    });
    it('call', () => {
      // Function-valued members are invoked like Go methods, so `call` gets its function from a map.
      const fns = new Map([['f', (s: unknown) => `<${String(s)}>`]]);
      assert.equal(r('{{call (index . "f") "x"}}', fns), '<x>');
      assert.match(err('{{call .ID}}').message, /error calling call: non-function of type string$/);
    });
  });

  describe('print functions', () => {
    it('print adds spaces only between non-string operands', () => {
      assert.equal(r('{{print "a" "b" 1 2 "c" true false}}'), 'ab1 2ctrue false');
    });
    it('println always separates and ends the line', () => {
      assert.equal(r('{{println "a" 1 .Names}}'), 'a 1 [web db]\n');
    });
    it('printf verbs and widths', () => {
      assert.equal(
        r(
          '{{printf "%s|%d|%v|%q|%-10s|%5d|%05d|%.2f|%x|%t|%%" .ID .Count .Ratio .ID "ab" 42 42 3.14159 255 true}}',
        ),
        'abc123|3|1.5|"abc123"|ab        |   42|00042|3.14|ff|true|%',
      );
    });
    it('printf applies %s to slice elements and reports bad verbs Go-style', () => {
      assert.equal(r('{{printf "%s" .Names}}'), '[web db]');
      assert.equal(r('{{printf "%d" .ID}}'), '%!d(string=abc123)');
      assert.equal(r('{{printf "%d %d" 1}}'), '1 %!d(MISSING)');
      assert.equal(r('{{printf "%d" 1 2}}'), '1%!(EXTRA int=2)');
    });
    it('printf requires a string format', () => {
      assert.match(err('{{printf 1}}').message, /expected string; found 1$/);
    });
  });

  describe('function arity and types', () => {
    it('reports the wrong number of arguments', () => {
      assert.equal(
        err('{{lower "a" "b"}}').message,
        'template: :1:2: executing "" at <lower "a" "b">: wrong number of args for lower: want 1 got 2',
      );
      assert.match(
        err('{{index}}').message,
        /wrong number of args for index: want at least 1 got 0$/,
      );
    });
    it('reports a wrong argument type at the argument', () => {
      assert.equal(
        err('{{upper .Count}}').message,
        'template: :1:8: executing "" at <.Count>: wrong type for value; expected string; got int',
      );
      assert.match(err('{{upper .Missing}}', new Map()).message, /invalid value; expected string$/);
    });
    it('accepts extra functions at compile time and overrides at execution', () => {
      const t = compileTemplate('{{shout .}}', {
        funcs: { shout: (s: unknown) => `${String(s)}!` },
      });
      assert.equal(t.execute('hi'), 'hi!');
      assert.equal(t.execute('hi', { funcs: { shout: () => 'quiet' } }), 'quiet');
    });
    it('header functions keep header text intact', () => {
      const t = compileTemplate(
        '{{join .Names ","}}|{{upper .ID}}|{{truncate .ID 2}}|{{pad .ID 1 1}}',
      );
      const headers = new Map([
        ['Names', 'NAMES'],
        ['ID', 'CONTAINER ID'],
      ]);
      assert.equal(
        t.execute(headers, { funcs: HEADER_FUNCS }),
        'NAMES|CONTAINER ID|CONTAINER ID| CONTAINER ID ',
      );
    });
  });

  describe('parse errors', () => {
    const cases: Array<[string, string]> = [
      ['{{.ID', 'template: :1: unclosed action'],
      ['{{nope .ID}}', 'template: :1: function "nope" not defined'],
      ['{{if .ID}}x', 'template: :1: unexpected EOF'],
      ['{{end}}', 'template: :1: unexpected {{end}}'],
      ['{{else}}', 'template: :1: unexpected {{else}}'],
      ['{{if}}{{end}}', 'template: :1: missing value for if'],
      ['{{}}', 'template: :1: missing value for command'],
      ['{{$x}}', 'template: :1: undefined variable "$x"'],
      ['{{.ID)}}', 'template: :1: unexpected right paren'],
      ['{{(.ID}}', 'template: :1: unclosed left paren'],
      ['{{"abc}}', 'template: :1: unterminated quoted string'],
      ['{{.ID#}}', "template: :1: bad character U+0023 '#'"],
      ['a\n\n{{if}}{{end}}', 'template: :3: missing value for if'],
      ['{{break}}', 'template: :1: {{break}} outside {{range}}'],
      ['{{/* open', 'template: :1: unclosed comment'],
    ];
    for (const [tmpl, msg] of cases) {
      it(`${JSON.stringify(tmpl)} -> ${msg}`, () => {
        const e = err(tmpl);
        assert.equal(e.phase, 'parse');
        assert.equal(e.message, msg);
      });
    }
    it('fails at compile time, before any data is seen', () => {
      assert.throws(() => compileTemplate('{{.ID'), TemplateError);
    });
  });

  describe('compile once, execute many', () => {
    it('reuses a compiled template', () => {
      const t = compileTemplate('{{.N}}-');
      assert.equal([1, 2, 3].map((n) => t.execute({ N: n })).join(''), '1-2-3-');
    });
    it('keeps partial output on failure', () => {
      try {
        renderTemplate('ok {{.Nope}}', {});
        assert.fail('expected failure');
      } catch (e) {
        assert.ok(e instanceof TemplateError);
        assert.equal(e.partialOutput, 'ok ');
      }
    });
  });

  describe('unescapeFormat', () => {
    it('turns typed \\t and \\n into tab and newline', () => {
      assert.equal(unescapeFormat('table {{.ID}}\\t{{.Name}}\\n'), 'table {{.ID}}\t{{.Name}}\n');
    });
    it('leaves other backslashes alone', () =>
      assert.equal(unescapeFormat('a\\rb\\\\'), 'a\\rb\\\\'));
  });

  describe('issue 16: define/template/block, depth and width bounds', () => {
    it('runs {{define}}d templates with {{template}} and {{block}}, each with its own dot and $', () => {
      assert.equal(
        r('{{define "n"}}<{{.Value}}|{{$.Value}}>{{end}}{{template "n" .Nested.Inner}}'),
        '<deep|deep>',
      );
      assert.equal(r('{{block "b" .ID}}[{{.}}]{{end}}{{template "b" "x"}}'), '[abc123][x]');
      assert.equal(r('{{define "e"}}E{{end}}{{template "e"}}'), 'E');
      assert.match(err('{{template "zz"}}').message, /template "zz" not defined/);
      assert.match(err('{{if 1}}{{define "x"}}{{end}}{{end}}').message, /unexpected <define>/);
    });
    it('refuses 5000 nested {{if}} with one error instead of overflowing the stack', function () {
      this.timeout(10000); // 80 kB of template to lex on a busy machine
      const deep = '{{if 1}}'.repeat(5000) + 'x' + '{{end}}'.repeat(5000);
      assert.match(err(deep).message, /max expression depth exceeded/);
      assert.equal(r('{{if 1}}'.repeat(200) + 'x' + '{{end}}'.repeat(200)), 'x');
      const loop = '{{define "l"}}{{template "l" .}}{{end}}{{template "l" .}}';
      assert.match(err(loop).message, /exceeded maximum template depth/);
    });
    it('caps printf widths and precisions as Go does (1e6)', () => {
      assert.equal(r('{{printf "%0100000000d" 1}}'), '%!(NOVERB)%!(EXTRA int=1)');
      assert.equal(r('{{printf "%.100000000d" 1}}'), '%!(NOVERB)%!(EXTRA int=1)');
      assert.equal(r('{{printf "%*d" 100000000 1}}'), '%!(BADWIDTH)1');
      assert.equal(r('{{printf "%01000000d" 1}}').length, 1000000);
    });
  });
});
