/**
 * A Go text/template subset with docker/cli's function set, so `--format` strings written for
 * Docker behave the same here. No maintained npm package implements Go template semantics
 * (pipelines, Go truthiness, `<no value>`, Go's error wording), hence this hand-written port; the
 * structure follows Go's lexer, parser and executor so behaviours can be checked against them.
 *
 * Value mapping: see gofmt.ts. Plain objects and class instances behave like Go structs for
 * `.Field` (an unknown field is an error); `Map`s and objects tagged with `asGoMap` behave like Go
 * maps (a missing key prints `<no value>`). `range`, `index` and `len` treat plain objects as maps
 * because ranging over a Go struct is an error anyway.
 */
import {
  compareGoStrings,
  formatValue,
  isGoInt,
  isGoMap,
  isPlainObject,
  sortedEntries,
  sprint,
  sprintf,
  sprintln,
  typeNameOf,
} from './gofmt.js';
import { JsonMarshalError, marshalJSON } from './gojson.js';

export { asGoMap, goTypeName } from './gofmt.js';

/** A template failed to parse or to execute; `message` is Go's one-line wording. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    readonly phase: 'parse' | 'exec',
    /** What an execution wrote before failing; Go leaves it in the output buffer. */
    readonly partialOutput = '',
  ) {
    super(message);
  }
}

export type TemplateFunc = (...args: unknown[]) => unknown;

// ---------------------------------------------------------------------------------------------
// Lexer

type TokType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'identifier'
  | 'keyword'
  | 'bool'
  | 'field'
  | 'variable'
  | 'dot'
  | 'nil'
  | 'string'
  | 'rawString'
  | 'charConstant'
  | 'number'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare'
  | 'assign'
  | 'char'
  | 'eof'
  | 'error';

interface Token {
  typ: TokType;
  val: string;
  pos: number;
  line: number;
}

const KEYWORDS = new Set([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'range',
  'nil',
  'template',
  'with',
]);

const isSpaceChar = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{Nd}_]/u.test(c);

function tokenString(t: Token): string {
  switch (t.typ) {
    case 'eof':
      return 'EOF';
    case 'error':
      return t.val;
    case 'keyword':
      return `<${t.val}>`;
    default:
      // Go prints %q, which JSON quoting matches for the ASCII that reaches here.
      return t.val.length > 10 ? `${JSON.stringify(t.val.slice(0, 10))}...` : JSON.stringify(t.val);
  }
}

class Lexer {
  private pos = 0;
  private line = 1;
  readonly tokens: Token[] = [];
  private parenDepth = 0;
  // Tokens come in order, so the line of each is counted on from the last one's: counting from
  // the start every time made a long template quadratic to lex.
  private linePos = 0;
  private lineAtPos = 1;

  constructor(private readonly input: string) {}

  private lineAt(pos: number): number {
    if (pos < this.linePos) {
      this.linePos = 0;
      this.lineAtPos = 1;
    }
    this.lineAtPos += countNewlines(this.input, this.linePos, pos);
    this.linePos = pos;
    return this.lineAtPos;
  }

  run(): Token[] {
    for (;;) {
      const next = this.lexText();
      if (next === 'stop') break;
      if (next === 'action' && !this.lexInsideAction()) break;
    }
    return this.tokens;
  }

  private emit(typ: TokType, start: number, end: number, val = this.input.slice(start, end)): void {
    const line = this.lineAt(start);
    this.tokens.push({ typ, val, pos: start, line });
  }

  private fail(msg: string): false {
    this.tokens.push({ typ: 'error', val: msg, pos: this.pos, line: this.line });
    return false;
  }

  /** Emits text up to the next `{{` and says what follows it. */
  private lexText(): 'action' | 'comment' | 'stop' {
    const start = this.pos;
    const idx = this.input.indexOf('{{', this.pos);
    if (idx < 0) {
      if (this.pos < this.input.length) this.emit('text', start, this.input.length);
      this.pos = this.input.length;
      this.emit('eof', this.pos, this.pos, '');
      return 'stop';
    }
    let textEnd = idx;
    const trimLeft = this.input[idx + 2] === '-' && isSpaceChar(this.input[idx + 3]);
    if (trimLeft) {
      while (textEnd > start && isSpaceChar(this.input[textEnd - 1])) textEnd--;
    }
    if (textEnd > start) this.emit('text', start, textEnd);
    this.line = this.lineAt(idx);
    this.pos = idx + 2 + (trimLeft ? 2 : 0);
    // Comments are dropped whole, delimiters included.
    if (this.input.startsWith('/*', this.pos)) {
      const end = this.input.indexOf('*/', this.pos + 2);
      if (end < 0) {
        this.fail('unclosed comment');
        return 'stop';
      }
      this.pos = end + 2;
      const [isDelim, trim] = this.atRightDelim();
      if (!isDelim) {
        this.fail('comment ends before closing delimiter');
        return 'stop';
      }
      this.pos += trim ? 4 : 2;
      if (trim) this.skipSpace();
      return 'comment';
    }
    this.emit('leftDelim', idx, idx + 2);
    return 'action';
  }

  private skipSpace(): void {
    while (isSpaceChar(this.input[this.pos])) this.pos++;
  }

  private atRightDelim(): [boolean, boolean] {
    const s = this.input;
    if (isSpaceChar(s[this.pos]) && s[this.pos + 1] === '-' && s.startsWith('}}', this.pos + 2)) {
      return [true, true];
    }
    return [s.startsWith('}}', this.pos), false];
  }

  private atTerminator(): boolean {
    const c = this.input[this.pos];
    if (c === undefined || isSpaceChar(c)) return true;
    if ('.,|:)('.includes(c)) return true;
    return this.input.startsWith('}}', this.pos);
  }

  /** Lexes one action; returns false after an error. */
  private lexInsideAction(): boolean {
    const s = this.input;
    for (;;) {
      const [isDelim, trim] = this.atRightDelim();
      if (isDelim) {
        if (this.parenDepth > 0) return this.fail('unclosed left paren');
        const start = this.pos + (trim ? 2 : 0);
        this.emit('rightDelim', start, start + 2);
        this.pos = start + 2;
        if (trim) this.skipSpace();
        return true;
      }
      const start = this.pos;
      const c = s[this.pos];
      if (c === undefined) return this.fail('unclosed action');
      if (isSpaceChar(c)) {
        this.skipSpace();
        // A lone space before `-}}` belongs to the trim marker.
        if (s[this.pos] === '-' && s.startsWith('}}', this.pos + 1)) this.pos--;
        if (this.pos > start) this.emit('space', start, this.pos);
        continue;
      }
      this.pos++;
      switch (c) {
        case '=':
          this.emit('assign', start, this.pos);
          continue;
        case ':':
          if (s[this.pos] !== '=') return this.fail('expected :=');
          this.pos++;
          this.emit('declare', start, this.pos);
          continue;
        case '|':
          this.emit('pipe', start, this.pos);
          continue;
        case '"': {
          for (;;) {
            const ch = s[this.pos++];
            if (ch === '\\' && s[this.pos] !== undefined && s[this.pos] !== '\n') {
              this.pos++;
              continue;
            }
            if (ch === undefined || ch === '\n') return this.fail('unterminated quoted string');
            if (ch === '"') break;
          }
          this.emit('string', start, this.pos);
          continue;
        }
        case '`': {
          const end = s.indexOf('`', this.pos);
          if (end < 0) return this.fail('unterminated raw quoted string');
          this.pos = end + 1;
          this.emit('rawString', start, this.pos);
          continue;
        }
        case "'": {
          for (;;) {
            const ch = s[this.pos++];
            if (ch === '\\' && s[this.pos] !== undefined && s[this.pos] !== '\n') {
              this.pos++;
              continue;
            }
            if (ch === undefined || ch === '\n')
              return this.fail('unterminated character constant');
            if (ch === "'") break;
          }
          this.emit('charConstant', start, this.pos);
          continue;
        }
        case '$':
          if (!this.lexFieldOrVariable('variable', start)) return false;
          continue;
        case '(':
          this.parenDepth++;
          this.emit('leftParen', start, this.pos);
          continue;
        case ')':
          this.parenDepth--;
          if (this.parenDepth < 0) return this.fail('unexpected right paren');
          this.emit('rightParen', start, this.pos);
          continue;
        default:
          break;
      }
      if (c === '.' && !/[0-9]/.test(s[this.pos] ?? '')) {
        if (!this.lexFieldOrVariable('field', start)) return false;
        continue;
      }
      if (c === '.' || c === '+' || c === '-' || /[0-9]/.test(c)) {
        this.pos = start;
        if (!this.lexNumber()) return false;
        continue;
      }
      if (isAlnum(c)) {
        while (isAlnum(s[this.pos])) this.pos++;
        const word = s.slice(start, this.pos);
        if (!this.atTerminator()) return this.fail(`bad character ${runeDesc(s[this.pos]!)}`);
        if (KEYWORDS.has(word)) this.emit(word === 'nil' ? 'nil' : 'keyword', start, this.pos);
        else if (word === 'true' || word === 'false') this.emit('bool', start, this.pos);
        else this.emit('identifier', start, this.pos);
        continue;
      }
      if (c === ',' || (c.charCodeAt(0) < 0x7f && c >= ' ')) {
        this.emit('char', start, this.pos);
        continue;
      }
      return this.fail(`unrecognized character in action: ${runeDesc(c)}`);
    }
  }

  private lexFieldOrVariable(typ: 'field' | 'variable', start: number): boolean {
    if (this.atTerminator()) {
      this.emit(typ === 'variable' ? 'variable' : 'dot', start, this.pos);
      return true;
    }
    while (isAlnum(this.input[this.pos])) this.pos++;
    if (!this.atTerminator()) return this.fail(`bad character ${runeDesc(this.input[this.pos]!)}`);
    this.emit(typ, start, this.pos);
    return true;
  }

  private lexNumber(): boolean {
    const m =
      /^[+-]?(0[xX][0-9a-fA-F_]*\.?[0-9a-fA-F_]*([pP][+-]?[0-9_]+)?|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*\.?[0-9_]*([eE][+-]?[0-9_]+)?)i?/.exec(
        this.input.slice(this.pos),
      );
    const start = this.pos;
    this.pos += m?.[0].length ?? 0;
    if (isAlnum(this.input[this.pos]) || this.pos === start) {
      while (isAlnum(this.input[this.pos]) || this.input[this.pos] === '.') this.pos++;
      return this.fail(`bad number syntax: ${JSON.stringify(this.input.slice(start, this.pos))}`);
    }
    this.emit('number', start, this.pos);
    return true;
  }
}

function runeDesc(c: string): string {
  const cp = c.codePointAt(0)!;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Parse tree

interface NodeBase {
  pos: number;
}
interface TextNode extends NodeBase {
  kind: 'text';
  text: string;
}
interface FieldNode extends NodeBase {
  kind: 'field';
  idents: string[];
}
interface VariableNode extends NodeBase {
  kind: 'variable';
  idents: string[];
}
interface ChainNode extends NodeBase {
  kind: 'chain';
  node: ArgNode;
  fields: string[];
}
interface IdentifierNode extends NodeBase {
  kind: 'identifier';
  name: string;
}
interface DotNode extends NodeBase {
  kind: 'dot';
}
interface NilNode extends NodeBase {
  kind: 'nil';
}
interface BoolNode extends NodeBase {
  kind: 'bool';
  value: boolean;
}
interface NumberNode extends NodeBase {
  kind: 'number';
  text: string;
  value: number | bigint;
  isInt: boolean;
}
interface StringNode extends NodeBase {
  kind: 'string';
  quoted: string;
  value: string;
}
interface PipeNode extends NodeBase {
  kind: 'pipe';
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
interface CommandNode extends NodeBase {
  kind: 'command';
  args: ArgNode[];
}
type ArgNode =
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;
interface ActionNode extends NodeBase {
  kind: 'action';
  pipe: PipeNode;
}
interface BranchNode extends NodeBase {
  kind: 'if' | 'with' | 'range';
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | undefined;
}
interface ListNode extends NodeBase {
  kind: 'list';
  nodes: TreeNode[];
}
interface LoopControlNode extends NodeBase {
  kind: 'break' | 'continue';
}
/** `{{template "name" pipeline}}` (and the call half of `{{block}}`). */
interface TemplateNode extends NodeBase {
  kind: 'template';
  name: string;
  pipe: PipeNode | undefined;
}
type TreeNode = TextNode | ActionNode | BranchNode | ListNode | LoopControlNode | TemplateNode;
type AnyNode = TreeNode | ArgNode | CommandNode;

function nodeString(n: AnyNode): string {
  switch (n.kind) {
    case 'text':
      return JSON.stringify(n.text);
    case 'field':
      return n.idents.map((i) => `.${i}`).join('');
    case 'variable':
      return n.idents.join('.');
    case 'chain': {
      const inner = n.node.kind === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node);
      return inner + n.fields.map((f) => `.${f}`).join('');
    }
    case 'identifier':
      return n.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(n.value);
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) {
        s = n.decl.map((d) => nodeString(d)).join(', ') + (n.isAssign ? ' = ' : ' := ');
      }
      return s + n.cmds.map((c) => nodeString(c)).join(' | ');
    }
    case 'command':
      return n.args
        .map((a) => (a.kind === 'pipe' ? `(${nodeString(a)})` : nodeString(a)))
        .join(' ');
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'if':
    case 'with':
    case 'range':
      return `{{${n.kind} ${nodeString(n.pipe)}}}`;
    case 'list':
      return n.nodes.map((c) => nodeString(c)).join('');
    case 'break':
    case 'continue':
      return `{{${n.kind}}}`;
    case 'template':
      return `{{template ${JSON.stringify(n.name)}${n.pipe ? ` ${nodeString(n.pipe)}` : ''}}}`;
  }
}

/**
 * How deeply control structures and parenthesized pipelines may nest. Go's goroutine stacks grow
 * to a gigabyte; node's does not, and 5000 nested {{if}} overflowed it with a RangeError. Go's own
 * bound on expression depth has the same words.
 */
const MAX_DEPTH = 1000;
const isStackOverflow = (err: unknown): boolean =>
  err instanceof RangeError && /call stack/i.test(err.message);
/** Nested {{template}} calls (Go: maxExecDepth, 100000; bounded lower for node's stack). */
const MAX_EXEC_DEPTH = 1000;

// ---------------------------------------------------------------------------------------------
// Parser

class ParseFailure extends Error {}

/** strconv.Unquote for the three Go literal forms. */
function unquote(lit: string): string {
  const q = lit[0];
  const body = lit.slice(1, -1);
  if (q === '`') return body.replace(/\r/g, '');
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      if (c === q) throw new ParseFailure('invalid syntax');
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
    };
    if (e !== undefined && e in simple) {
      out += simple[e];
      continue;
    }
    if (e === q) {
      out += e;
      continue;
    }
    const readHex = (n: number): number => {
      const h = body.slice(i + 1, i + 1 + n);
      if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) throw new ParseFailure('invalid syntax');
      i += n;
      return parseInt(h, 16);
    };
    if (e === 'x') out += String.fromCharCode(readHex(2));
    else if (e === 'u') out += String.fromCodePoint(readHex(4));
    else if (e === 'U') {
      const cp = readHex(8);
      if (cp > 0x10ffff) throw new ParseFailure('invalid syntax');
      out += String.fromCodePoint(cp);
    } else if (e !== undefined && /[0-7]/.test(e)) {
      const o = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o)) throw new ParseFailure('invalid syntax');
      i += 2;
      out += String.fromCharCode(parseInt(o, 8));
    } else {
      throw new ParseFailure('invalid syntax');
    }
  }
  return out;
}

function parseNumber(text: string, typ: TokType): { value: number | bigint; isInt: boolean } {
  if (typ === 'charConstant') {
    const s = unquote(text);
    if ([...s].length !== 1) throw new ParseFailure(`malformed character constant: ${text}`);
    return { value: s.codePointAt(0)!, isInt: true };
  }
  if (text.endsWith('i')) throw new ParseFailure(`complex numbers are not supported: ${text}`);
  const clean = text.replace(/_/g, '');
  const neg = clean.startsWith('-');
  const unsigned = clean.replace(/^[+-]/, '');
  if (/^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.test(unsigned)) {
    const lit = /^0[0-7]+$/.test(unsigned) ? `0o${unsigned.slice(1)}` : unsigned;
    let big = BigInt(lit);
    if (neg) big = -big;
    if (big > 9223372036854775807n || big < -9223372036854775808n) {
      throw new ParseFailure(`${text} overflows int`);
    }
    const asNum = Number(big);
    return { value: Number.isSafeInteger(asNum) ? asNum : big, isInt: true };
  }
  if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(unsigned)) {
    const f = Number(clean);
    return { value: f, isInt: false };
  }
  throw new ParseFailure(`illegal number syntax: ${JSON.stringify(text)}`);
}

class Parser {
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private depth = 0;
  /** `{{define}}` and `{{block}}` bodies, by name. */
  readonly templates = new Map<string, ListNode>();

  constructor(
    private readonly tokens: Token[],
    private readonly hasFunc: (name: string) => boolean,
  ) {}

  private errorf(msg: string, tok: Token = this.tokens[Math.max(this.i - 1, 0)]!): never {
    throw new ParseFailure(`:${tok.line}: ${msg}`);
  }

  private next(): Token {
    const t = this.tokens[this.i] ?? this.tokens[this.tokens.length - 1]!;
    if (this.i < this.tokens.length) this.i++;
    if (t.typ === 'error') this.errorf(t.val, t);
    return t;
  }
  private backup(n = 1): void {
    this.i -= n;
  }
  private peek(): Token {
    const t = this.next();
    this.backup();
    return t;
  }
  private nextNonSpace(): Token {
    let t = this.next();
    while (t.typ === 'space') t = this.next();
    return t;
  }
  private peekNonSpace(): Token {
    const start = this.i;
    const t = this.nextNonSpace();
    this.i = start;
    // Leave the spaces consumed, like Go, so the caller sees the token next.
    while (this.tokens[this.i]?.typ === 'space') this.i++;
    return t;
  }
  private unexpected(t: Token, context: string): never {
    this.errorf(`unexpected ${tokenString(t)} in ${context}`, t);
  }

  parse(): ListNode {
    const list: ListNode = { kind: 'list', pos: 0, nodes: [] };
    for (;;) {
      const t = this.peek();
      if (t.typ === 'eof') return list;
      if (t.typ === 'leftDelim') {
        this.next();
        const kw = this.peekNonSpace();
        if (kw.typ === 'keyword' && (kw.val === 'end' || kw.val === 'else')) {
          this.errorf(`unexpected {{${kw.val}}}`, kw);
        }
        if (kw.typ === 'keyword' && kw.val === 'define') {
          this.next();
          this.defineBody(this.templateName('define clause'), 'define clause');
          continue;
        }
        this.backupToDelim();
      }
      list.nodes.push(this.textOrAction());
    }
  }

  private templateName(context: string): { name: string; tok: Token } {
    const t = this.nextNonSpace();
    if (t.typ !== 'string' && t.typ !== 'rawString') this.unexpected(t, context);
    try {
      return { name: unquote(t.val), tok: t };
    } catch (err) {
      return this.errorf((err as Error).message, t);
    }
  }

  /** The body of `{{define "name"}}` or `{{block "name" …}}`, up to its {{end}}. */
  private defineBody(n: { name: string; tok: Token }, context: string): void {
    if (context === 'define clause') this.expect('rightDelim', context);
    const savedVars = this.vars;
    const savedRange = this.rangeDepth;
    // A template's body has its own variables: only $ (its dot).
    this.vars = ['$'];
    this.rangeDepth = 0;
    try {
      const res = this.itemList();
      if (res.end === 'else') this.errorf(`unexpected {{else}} in ${context}`, res.tok);
      const before = this.templates.get(n.name);
      if (before && before.nodes.length > 0 && res.list.nodes.length > 0) {
        this.errorf(`template: multiple definition of template ${JSON.stringify(n.name)}`, n.tok);
      }
      if (!before || res.list.nodes.length > 0) this.templates.set(n.name, res.list);
    } finally {
      this.vars = savedVars;
      this.rangeDepth = savedRange;
    }
  }

  /** `{{template "name" [pipeline]}}`, or `{{block "name" pipeline}}…{{end}}`. */
  private templateCall(kw: Token): TemplateNode {
    const context = kw.val === 'block' ? 'block clause' : 'template clause';
    const n = this.templateName(context);
    let pipe: PipeNode | undefined;
    if (this.peekNonSpace().typ !== 'rightDelim') pipe = this.pipeline(context, 'rightDelim');
    else this.expect('rightDelim', context);
    if (kw.val === 'block') {
      if (!pipe) this.unexpected(this.tokens[this.i - 1]!, context);
      this.defineBody(n, context);
    }
    return { kind: 'template', pos: kw.pos, name: n.name, pipe };
  }

  private backupToDelim(): void {
    while (this.tokens[this.i - 1]?.typ !== 'leftDelim') this.i--;
    this.i--;
  }

  private textOrAction(): TreeNode {
    const t = this.nextNonSpace();
    if (t.typ === 'text') return { kind: 'text', pos: t.pos, text: t.val };
    if (t.typ === 'leftDelim') return this.action();
    return this.unexpected(t, 'input');
  }

  /** Parses nodes up to `{{end}}` or `{{else}}`, returning which one ended the list. */
  private itemList(): { list: ListNode; end: 'end' | 'else'; tok: Token } {
    const list: ListNode = { kind: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    for (;;) {
      const t = this.peek();
      if (t.typ === 'eof') this.errorf('unexpected EOF', t);
      if (t.typ === 'leftDelim') {
        this.next();
        const kw = this.peekNonSpace();
        if (kw.typ === 'keyword' && kw.val === 'end') {
          this.next();
          this.expect('rightDelim', 'end');
          return { list, end: 'end', tok: kw };
        }
        if (kw.typ === 'keyword' && kw.val === 'else') {
          this.next();
          return { list, end: 'else', tok: kw };
        }
        this.backupToDelim();
      }
      list.nodes.push(this.textOrAction());
    }
  }

  private expect(typ: TokType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.typ !== typ) this.unexpected(t, context);
    return t;
  }

  private action(): TreeNode {
    const t = this.nextNonSpace();
    if (t.typ === 'keyword') {
      switch (t.val) {
        case 'if':
        case 'with':
          return this.control(t.val, t);
        case 'range':
          return this.control('range', t);
        case 'break':
        case 'continue': {
          const after = this.nextNonSpace();
          if (after.typ !== 'rightDelim') this.unexpected(after, `{{${t.val}}}`);
          if (this.rangeDepth === 0) this.errorf(`{{${t.val}}} outside {{range}}`, t);
          return { kind: t.val, pos: t.pos };
        }
        case 'template':
        case 'block':
          return this.templateCall(t);
        case 'define':
          // Go accepts {{define}} only at the top level.
          this.unexpected(t, 'command');
          break;
        default:
          this.unexpected(t, 'command');
      }
    }
    this.backup();
    while (this.tokens[this.i - 1]?.typ === 'space') this.i--;
    const pipe = this.pipeline('command', 'rightDelim');
    return { kind: 'action', pos: t.pos, pipe };
  }

  private control(kind: 'if' | 'with' | 'range', kwTok: Token): BranchNode {
    const savedVars = this.vars.length;
    if (++this.depth > MAX_DEPTH) this.errorf('max expression depth exceeded', kwTok);
    try {
      const pipe = this.pipeline(kind, 'rightDelim');
      if (kind === 'range') this.rangeDepth++;
      let res: { list: ListNode; end: 'end' | 'else'; tok: Token };
      try {
        res = this.itemList();
      } finally {
        if (kind === 'range') this.rangeDepth--;
      }
      let elseList: ListNode | undefined;
      if (res.end === 'else') {
        const peek = this.peekNonSpace();
        // `{{else if}}` and `{{else with}}` nest a new branch that consumes the shared {{end}}.
        if ((kind === 'if' && peek.val === 'if') || (kind === 'with' && peek.val === 'with')) {
          if (peek.typ === 'keyword') {
            this.next();
            const inner = this.control(kind, peek);
            elseList = { kind: 'list', pos: peek.pos, nodes: [inner] };
          }
        }
        if (elseList === undefined) {
          this.expect('rightDelim', 'else');
          const rest = this.itemList();
          if (rest.end !== 'end') this.errorf('expected end; found {{else}}', rest.tok);
          elseList = rest.list;
        }
      }
      return { kind, pos: kwTok.pos, pipe, list: res.list, elseList };
    } finally {
      this.vars.length = savedVars;
      this.depth--;
    }
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = { kind: 'pipe', pos: first.pos, isAssign: false, decl: [], cmds: [] };
    // Declarations: `$x :=`, `$x =`, and `$i, $v :=` in range.
    for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== 'variable') break;
      const save = this.i;
      this.next();
      const nxt = this.peekNonSpace();
      if (nxt.typ === 'assign' || nxt.typ === 'declare') {
        pipe.isAssign = nxt.typ === 'assign';
        this.nextNonSpace();
        pipe.decl.push({ kind: 'variable', pos: v.pos, idents: [v.val] });
        this.vars.push(v.val);
        break;
      }
      if (nxt.typ === 'char' && nxt.val === ',') {
        this.nextNonSpace();
        pipe.decl.push({ kind: 'variable', pos: v.pos, idents: [v.val] });
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const after = this.peekNonSpace();
          if (
            after.typ === 'variable' ||
            after.typ === 'rightDelim' ||
            after.typ === 'rightParen'
          ) {
            continue;
          }
          this.errorf('range can only initialize variables', after);
        }
        this.errorf(`too many declarations in ${context}`, nxt);
      }
      this.i = save;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.typ === end) {
        if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`, t);
        pipe.cmds.slice(1).forEach((c, idx) => {
          const k = c.args[0]!.kind;
          if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
            this.errorf(`non executable command in pipeline stage ${idx + 2}`, t);
          }
        });
        return pipe;
      }
      switch (t.typ) {
        case 'bool':
        case 'charConstant':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private command(): CommandNode {
    const cmd: CommandNode = { kind: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.typ === 'space') continue;
      if (t.typ === 'rightDelim' || t.typ === 'rightParen') this.backup();
      else if (t.typ !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): ArgNode | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().typ !== 'field') return node;
    const fields: string[] = [];
    while (this.peek().typ === 'field') fields.push(this.next().val.slice(1));
    switch (node.kind) {
      case 'field':
        return { kind: 'field', pos: node.pos, idents: [...node.idents, ...fields] };
      case 'variable':
        return { kind: 'variable', pos: node.pos, idents: [...node.idents, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
        break;
      default:
        break;
    }
    return { kind: 'chain', pos: node.pos, node, fields };
  }

  private term(): ArgNode | undefined {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case 'identifier':
        if (!this.hasFunc(t.val)) this.errorf(`function ${JSON.stringify(t.val)} not defined`, t);
        return { kind: 'identifier', pos: t.pos, name: t.val };
      case 'dot':
        return { kind: 'dot', pos: t.pos };
      case 'nil':
        return { kind: 'nil', pos: t.pos };
      case 'variable':
        if (!this.vars.includes(t.val)) {
          this.errorf(`undefined variable ${JSON.stringify(t.val)}`, t);
        }
        return { kind: 'variable', pos: t.pos, idents: [t.val] };
      case 'field':
        return { kind: 'field', pos: t.pos, idents: [t.val.slice(1)] };
      case 'bool':
        return { kind: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'number':
      case 'charConstant':
        try {
          const { value, isInt } = parseNumber(t.val, t.typ);
          return { kind: 'number', pos: t.pos, text: t.val, value, isInt };
        } catch (err) {
          return this.errorf((err as Error).message, t);
        }
      case 'leftParen': {
        if (++this.depth > MAX_DEPTH) this.errorf('max expression depth exceeded', t);
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        this.depth--;
        return { ...pipe, pos: t.pos };
      }
      case 'string':
      case 'rawString':
        try {
          return { kind: 'string', pos: t.pos, quoted: t.val, value: unquote(t.val) };
        } catch (err) {
          return this.errorf((err as Error).message, t);
        }
      default:
        this.backup();
        return undefined;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Functions

type ParamKind = 'any' | 'string' | 'int' | 'strings' | 'bool';

interface BuiltinDef {
  fn: TemplateFunc;
  params: ParamKind[];
  variadic?: ParamKind;
}

/** A Go func returning an error: the message becomes `error calling <name>: <message>`. */
class FuncError extends Error {}

const MISSING: unique symbol = Symbol('missing');
type Final = unknown;

function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'string':
      return v.length > 0;
    case 'function':
      return true;
    default:
      break;
  }
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  // Empty plain objects are almost always empty maps (Labels: {}); a struct never is.
  if (isGoMap(v) || isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

function mapLike(v: unknown, objectsAsMaps: boolean): boolean {
  if (isGoMap(v)) return true;
  return (
    objectsAsMaps &&
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    !(v instanceof Uint8Array)
  );
}

function mapGet(m: object, key: string): unknown {
  if (m instanceof Map) return (m as Map<unknown, unknown>).get(key);
  return Object.prototype.hasOwnProperty.call(m, key)
    ? (m as Record<string, unknown>)[key]
    : undefined;
}

function mapHas(m: object, key: unknown): boolean {
  if (m instanceof Map) return (m as Map<unknown, unknown>).has(key);
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(m, key);
}

/**
 * The zero value of a map's element type, guessed from its other values since JS maps are
 * untyped; an empty map is assumed to be map[string]string, like Labels.
 */
function mapZero(m: object): unknown {
  const first: unknown =
    m instanceof Map ? (m as Map<unknown, unknown>).values().next().value : Object.values(m)[0];
  if (first === undefined || typeof first === 'string') return '';
  if (typeof first === 'number') return 0;
  if (typeof first === 'boolean') return false;
  return null;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s);
}

function indexArg(idx: unknown, len: number, what: string): number {
  if (idx === undefined || idx === null) throw new FuncError(`cannot index ${what} with nil`);
  if (!isGoInt(idx)) throw new FuncError(`cannot index ${what} with type ${typeNameOf(idx)}`);
  const x = Number(idx);
  if (x < 0 || x > len) throw new FuncError(`index out of range: ${x}`);
  return x;
}

function goIndex(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new FuncError('index of untyped nil');
  let cur: unknown = item;
  for (const idx of indexes) {
    if (cur === null || cur === undefined) throw new FuncError('index of nil pointer');
    if (typeof cur === 'string') {
      const bytes = Buffer.from(cur);
      const x = indexArg(idx, bytes.length, 'slice/array');
      if (x === bytes.length) throw new FuncError('reflect: string index out of range');
      cur = bytes[x];
    } else if (Array.isArray(cur) || cur instanceof Uint8Array) {
      const x = indexArg(idx, cur.length, 'slice/array');
      if (x === cur.length) throw new FuncError('reflect: slice index out of range');
      cur = cur[x] as unknown;
    } else if (typeof cur === 'object' && !(cur instanceof Date)) {
      if (!(cur instanceof Map) && typeof idx !== 'string') {
        throw new FuncError(
          idx === null || idx === undefined
            ? 'value is nil; should be of type string'
            : `value has type ${typeNameOf(idx)}; should be string`,
        );
      }
      const m: object = cur;
      cur = mapHas(m, idx)
        ? m instanceof Map
          ? (m as Map<unknown, unknown>).get(idx)
          : (m as Record<string, unknown>)[idx as string]
        : mapZero(m);
    } else {
      throw new FuncError(`can't index item of type ${typeNameOf(cur)}`);
    }
  }
  return cur;
}

function goSlice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new FuncError('slice of untyped nil');
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  let len: number;
  let cap: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new FuncError('cannot 3-index slice a string');
    len = cap = byteLength(item);
  } else if (Array.isArray(item)) {
    len = cap = item.length;
  } else {
    throw new FuncError(`can't slice item of type ${typeNameOf(item)}`);
  }
  const idx = [0, len];
  indexes.forEach((raw, i) => {
    idx[i] = indexArg(raw, cap, 'slice/array');
  });
  if (idx[0]! > idx[1]!) throw new FuncError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1]! > idx[2]!) {
    throw new FuncError(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  }
  if (typeof item === 'string') return Buffer.from(item).subarray(idx[0], idx[1]).toString();
  return (item as unknown[]).slice(idx[0], idx[1]);
}

function goLen(item: unknown): number {
  if (item === undefined || item === null) throw new FuncError('len of nil pointer');
  if (typeof item === 'string') return byteLength(item);
  if (Array.isArray(item) || item instanceof Uint8Array) return item.length;
  if (item instanceof Map) return item.size;
  if (isGoMap(item) || isPlainObject(item)) return Object.keys(item).length;
  throw new FuncError(`len of type ${typeNameOf(item)}`);
}

type BasicKind = 'bool' | 'number' | 'string' | 'nil' | 'other';

function basicKind(v: unknown): BasicKind {
  if (v === undefined || v === null) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'string') return 'string';
  return 'other';
}

function goEq(arg1: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new FuncError('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of rest) {
    const k2 = basicKind(arg);
    let t = false;
    if (k1 !== k2) {
      if (k1 !== 'nil' && k2 !== 'nil') throw new FuncError('incompatible types for comparison');
    } else if (k1 === 'other') {
      if (Array.isArray(arg1) || Array.isArray(arg)) {
        throw new FuncError(`non-comparable type ${formatValue(arg)}: ${typeNameOf(arg)}`);
      }
      t = arg1 === arg;
    } else if (k1 === 'number') {
      // Loose equality compares a number with a bigint by value.
      t = (arg1 as number | bigint) == (arg as number | bigint);
    } else {
      t = k1 === 'nil' ? true : arg1 === arg;
    }
    if (t) return true;
  }
  return false;
}

function goLt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'nil' || k1 === 'other' || k2 === 'nil' || k2 === 'other') {
    throw new FuncError('invalid type for comparison');
  }
  if (k1 !== k2) throw new FuncError('incompatible types for comparison');
  if (k1 === 'bool') throw new FuncError('invalid type for comparison');
  if (k1 === 'string') return compareGoStrings(a as string, b as string) < 0;
  return (a as number) < (b as number);
}

/** Printable form for html/js/urlquery/print, which take their arguments through fmt.Sprint. */
function evalArgsString(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args);
}

function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) =>
    c === '\0'
      ? '\ufffd'
      : (
          { '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' } as Record<
            string,
            string
          >
        )[c]!,
  );
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '<') out += '\\u003C';
    else if (ch === '>') out += '\\u003E';
    else if (ch === '&') out += '\\u0026';
    else if (ch === '=') out += '\\u003D';
    else if (cp < 0x20) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** strings.Title: upper-cases letters that start a word (after a separator). */
function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    const sep = !/[\p{L}\p{N}_]/u.test(prev) && (prev.charCodeAt(0) < 0x80 || /\s/u.test(prev));
    out += sep ? mapRunes(ch, (c) => c.toUpperCase()) : ch;
    prev = ch;
  }
  return out;
}

/** Go maps case rune by rune and never changes the length; JS may expand (ß → SS). */
function mapRunes(s: string, f: (c: string) => string): string {
  let out = '';
  for (const ch of s) {
    const m = f(ch);
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

/** strings.Split: an empty separator splits into runes; an empty input gives one empty string. */
function goSplit(s: string, sep: string): string[] {
  if (sep === '') return Array.from(s);
  return s.split(sep);
}

function dockerJson(v: unknown): string {
  try {
    return marshalJSON(v, { escapeHTML: false });
  } catch (err) {
    // docker/cli ignores the encoder's error and prints what it has: nothing.
    if (err instanceof JsonMarshalError) return '';
    throw err;
  }
}

function truncate(source: string, length: number): string {
  const bytes = Buffer.from(source);
  if (bytes.length < length) return source;
  if (length < 0) throw new FuncError(`runtime error: slice bounds out of range [:${length}]`);
  return bytes.subarray(0, length).toString();
}

function pad(source: string, prefix: number, suffix: number): string {
  if (source === '') return source;
  if (prefix < 0 || suffix < 0) throw new FuncError('strings: negative Repeat count');
  return ' '.repeat(prefix) + source + ' '.repeat(suffix);
}

const BUILTINS: Record<string, BuiltinDef> = {
  // and/or are evaluated lazily by the executor; these bodies are never called.
  and: { fn: () => undefined, params: ['any'], variadic: 'any' },
  or: { fn: () => undefined, params: ['any'], variadic: 'any' },
  not: { fn: (v) => !truth(v), params: ['any'] },
  len: { fn: goLen, params: ['any'] },
  index: { fn: goIndex, params: ['any'], variadic: 'any' },
  slice: { fn: goSlice, params: ['any'], variadic: 'any' },
  call: {
    fn: (f, ...args) => {
      if (f === undefined || f === null) throw new FuncError('call of nil');
      if (typeof f !== 'function') throw new FuncError(`non-function of type ${typeNameOf(f)}`);
      return (f as TemplateFunc)(...args);
    },
    params: ['any'],
    variadic: 'any',
  },
  print: { fn: (...args) => sprint(args), params: [], variadic: 'any' },
  println: { fn: (...args) => sprintln(args), params: [], variadic: 'any' },
  printf: { fn: (f, ...args) => sprintf(f as string, args), params: ['string'], variadic: 'any' },
  html: { fn: (...args) => htmlEscape(evalArgsString(args)), params: [], variadic: 'any' },
  js: { fn: (...args) => jsEscape(evalArgsString(args)), params: [], variadic: 'any' },
  urlquery: { fn: (...args) => queryEscape(evalArgsString(args)), params: [], variadic: 'any' },
  eq: { fn: (a, ...b) => goEq(a, ...b), params: ['any'], variadic: 'any' },
  ne: { fn: (a, b) => !goEq(a, b), params: ['any', 'any'] },
  lt: { fn: (a, b) => goLt(a, b), params: ['any', 'any'] },
  le: { fn: (a, b) => goLt(a, b) || goEq(a, b), params: ['any', 'any'] },
  gt: { fn: (a, b) => !(goLt(a, b) || goEq(a, b)), params: ['any', 'any'] },
  ge: { fn: (a, b) => !goLt(a, b), params: ['any', 'any'] },
  // docker/cli's templates.basicFunctions
  json: { fn: dockerJson, params: ['any'] },
  split: { fn: (s, sep) => goSplit(s as string, sep as string), params: ['string', 'string'] },
  join: { fn: (a, sep) => (a as string[]).join(sep as string), params: ['strings', 'string'] },
  title: { fn: (s) => goTitle(s as string), params: ['string'] },
  lower: { fn: (s) => mapRunes(s as string, (c) => c.toLowerCase()), params: ['string'] },
  upper: { fn: (s) => mapRunes(s as string, (c) => c.toUpperCase()), params: ['string'] },
  pad: {
    fn: (s, a, b) => pad(s as string, a as number, b as number),
    params: ['string', 'int', 'int'],
  },
  truncate: { fn: (s, n) => truncate(s as string, n as number), params: ['string', 'int'] },
};

/**
 * docker/cli's templates.HeaderFunctions: when a table header is rendered from the same template,
 * these keep the header text intact (`{{join .Names ","}}` prints `NAMES`); `pad` is not
 * overridden so headers stay aligned with padded columns.
 */
export const HEADER_FUNCS: Readonly<Record<string, TemplateFunc>> = Object.freeze({
  json: (v: unknown) => v,
  split: (v: unknown) => v,
  join: (v: unknown) => v,
  title: (v: unknown) => v,
  lower: (v: unknown) => v,
  upper: (v: unknown) => v,
  truncate: (v: unknown) => v,
});

// ---------------------------------------------------------------------------------------------
// Executor

export interface ExecuteOptions {
  /** Functions that replace or extend the built-ins for this execution. */
  funcs?: Readonly<Record<string, TemplateFunc>>;
  /** Go's missingkey option: what a missing map key yields (`default` prints `<no value>`). */
  missingKey?: 'default' | 'invalid' | 'zero' | 'error';
  /** Treat every object as a Go map (Docker's inspect fallback over decoded JSON). */
  objectsAsMaps?: boolean;
}

export interface CompileOptions {
  /** Extra functions, known at parse time like Go's Funcs(). */
  funcs?: Readonly<Record<string, TemplateFunc>>;
}

class LoopSignal {
  constructor(readonly kind: 'break' | 'continue') {}
}

class ExecFailure extends Error {}

/** Go's wording for an execution error at `node` (shared by the generic and fast executors). */
function execErrorMessage(source: string, node: AnyNode | undefined, msg: string): string {
  if (!node) return `template: : ${msg}`;
  const before = source.slice(0, node.pos);
  const nl = before.lastIndexOf('\n');
  const line = 1 + countNewlines(before, 0, before.length);
  const col = nl < 0 ? byteLength(before) : byteLength(before.slice(nl + 1));
  return `template: :${line}:${col}: executing "" at <${nodeString(node)}>: ${msg}`;
}

class State {
  private out = '';
  private vars: Array<{ name: string; value: unknown }>;
  private node: AnyNode | undefined;

  constructor(
    private readonly source: string,
    root: unknown,
    private readonly funcs: Readonly<Record<string, TemplateFunc>>,
    private readonly extra: Readonly<Record<string, TemplateFunc>>,
    private readonly missingKey: 'invalid' | 'zero' | 'error',
    private readonly objectsAsMaps: boolean,
    private readonly templates: ReadonlyMap<string, ListNode> = new Map(),
  ) {
    this.vars = [{ name: '$', value: root }];
  }

  result(): string {
    return this.out;
  }

  private at(n: AnyNode): void {
    this.node = n;
  }

  private errorf(msg: string): never {
    throw new ExecFailure(execErrorMessage(this.source, this.node, msg));
  }

  private push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }
  private mark(): number {
    return this.vars.length;
  }
  private pop(mark: number): void {
    this.vars.length = mark;
  }
  private setTopVar(n: number, value: unknown): void {
    this.vars[this.vars.length - n]!.value = value;
  }
  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) return this.vars[i]!.value;
    }
    return this.errorf(`undefined variable: ${name}`);
  }

  walk(dot: unknown, node: TreeNode): void {
    this.at(node);
    switch (node.kind) {
      case 'text':
        this.out += node.text;
        return;
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'if':
      case 'with':
        this.walkIfOrWith(node, dot);
        return;
      case 'range':
        this.walkRange(node, dot);
        return;
      case 'break':
      case 'continue':
        throw new LoopSignal(node.kind);
      case 'template':
        this.walkTemplate(node, dot);
        return;
    }
  }

  private templateDepth = 0;

  /** Runs a named template with the pipeline's value (nil without one) as its dot and its $. */
  private walkTemplate(node: TemplateNode, dot: unknown): void {
    const body = this.templates.get(node.name);
    if (!body) this.errorf(`template ${JSON.stringify(node.name)} not defined`);
    if (this.templateDepth >= MAX_EXEC_DEPTH) {
      this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    }
    const newDot = node.pipe ? this.evalPipeline(dot, node.pipe) : null;
    const saved = this.vars;
    this.vars = [{ name: '$', value: newDot }];
    this.templateDepth++;
    try {
      this.walk(newDot, body);
    } finally {
      this.templateDepth--;
      this.vars = saved;
    }
  }

  private walkIfOrWith(node: BranchNode, dot: unknown): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (truth(val)) {
        this.walk(node.kind === 'with' ? val : dot, node.list);
      } else if (node.elseList) {
        this.walk(dot, node.elseList);
      }
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(r: BranchNode, dot: unknown): void {
    this.at(r);
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const decl = r.pipe.decl;
      const one = (index: unknown, elem: unknown): boolean => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) {
            this.setVar(decl[0]!.idents[0]!, decl.length > 1 ? index : elem);
          } else {
            this.setTopVar(1, elem);
          }
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]!.idents[0]!, elem);
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, r.list);
        } catch (sig) {
          if (!(sig instanceof LoopSignal)) throw sig;
          if (sig.kind === 'break') return false;
        } finally {
          this.pop(mark);
        }
        return true;
      };
      let ran = false;
      if (Array.isArray(val) || val instanceof Uint8Array) {
        for (let i = 0; i < val.length; i++) {
          ran = true;
          if (!one(i, val[i])) break;
        }
      } else if (isGoInt(val)) {
        if (decl.length > 1) {
          this.at(r);
          this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
        }
        for (let i = 0; i < Number(val); i++) {
          ran = true;
          if (!one(i, i)) break;
        }
      } else if (
        val instanceof Map ||
        isGoMap(val) ||
        isPlainObject(val) ||
        mapLike(val, this.objectsAsMaps)
      ) {
        for (const [k, v] of sortedEntries(val as object)) {
          ran = true;
          if (!one(k, v)) break;
        }
      } else if (val !== undefined && val !== null) {
        this.at(r);
        this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
      if (!ran && r.elseList) this.walk(dot, r.elseList);
    } finally {
      this.pop(outer);
    }
  }

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.idents[0]!, value);
      else this.push(v.idents[0]!, value);
    }
    return value;
  }

  private notAFunction(args: ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`);
    }
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'field':
        this.at(first);
        return this.evalFieldChain(dot, dot, first, first.idents, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
      default:
        break;
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.errorf('nil is not a command');
      case 'number':
        return first.value;
      case 'string':
        return first.value;
    }
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: ArgNode[], final: Final): unknown {
    this.at(chain);
    if (chain.node.kind === 'nil')
      this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.fields, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: ArgNode[], final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.idents[0]!);
    if (v.idents.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.idents.slice(1), args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: AnyNode,
    idents: string[],
    args: ArgNode[],
    final: Final,
  ): unknown {
    let r = receiver;
    for (let i = 0; i < idents.length - 1; i++)
      r = this.evalField(dot, idents[i]!, node, [], MISSING, r);
    return this.evalField(dot, idents[idents.length - 1]!, node, args, final, r);
  }

  private evalField(
    dot: unknown,
    name: string,
    node: AnyNode,
    args: ArgNode[],
    final: Final,
    receiver: unknown,
  ): unknown {
    if (receiver === undefined) {
      if (this.missingKey === 'error')
        this.errorf(`nil data; no entry for key ${JSON.stringify(name)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${name}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    if (mapLike(receiver, this.objectsAsMaps)) {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
      const m = receiver as object;
      if (mapHas(m, name)) return mapGet(m, name);
      if (this.missingKey === 'error')
        this.errorf(`map has no entry for key ${JSON.stringify(name)}`);
      return this.missingKey === 'zero' ? mapZero(m) : undefined;
    }
    if (typeof receiver === 'object' && !Array.isArray(receiver) && hasMember(receiver, name)) {
      const value: unknown = (receiver as Record<string, unknown>)[name];
      if (typeof value === 'function') {
        const fn = value as TemplateFunc;
        return this.evalCall(
          dot,
          (...a: unknown[]) => fn.apply(receiver, a),
          undefined,
          node,
          name,
          args,
          final,
        );
      }
      if (hasArgs) this.errorf(`${name} has arguments but cannot be invoked as function`);
      return value;
    }
    return this.errorf(`can't evaluate field ${name} in type ${typeNameOf(receiver)}`);
  }

  private evalFunction(
    dot: unknown,
    node: IdentifierNode,
    cmd: AnyNode,
    args: ArgNode[],
    final: Final,
  ): unknown {
    this.at(node);
    const name = node.name;
    const custom = this.extra[name] ?? this.funcs[name];
    const builtin = BUILTINS[name];
    if (custom) return this.evalCall(dot, custom, undefined, cmd, name, args, final);
    if (builtin) return this.evalCall(dot, builtin.fn, builtin, cmd, name, args, final);
    return this.errorf(`${JSON.stringify(name)} is not a defined function`);
  }

  private evalCall(
    dot: unknown,
    fn: TemplateFunc,
    def: BuiltinDef | undefined,
    node: AnyNode,
    name: string,
    args: ArgNode[],
    final: Final,
  ): unknown {
    const argNodes = args.slice(1);
    const numIn = argNodes.length + (final !== MISSING ? 1 : 0);
    if (def) {
      const fixed = def.params.length;
      if (def.variadic !== undefined) {
        if (numIn < fixed) {
          this.at(node);
          this.errorf(`wrong number of args for ${name}: want at least ${fixed} got ${numIn}`);
        }
      } else if (numIn !== fixed) {
        this.at(node);
        this.errorf(`wrong number of args for ${name}: want ${fixed} got ${numIn}`);
      }
    }
    const kindAt = (i: number): ParamKind =>
      def ? (def.params[i] ?? def.variadic ?? 'any') : 'any';

    // and/or stop at the first argument that decides the result, like Go ≥1.18.
    if (def && (name === 'and' || name === 'or')) {
      let v: unknown;
      const all: Array<ArgNode | typeof MISSING> = [...argNodes];
      if (final !== MISSING) all.push(MISSING);
      for (const a of all) {
        v = a === MISSING ? final : this.evalArg(dot, a);
        if (v === undefined) v = null;
        if (truth(v) === (name === 'or')) return v;
      }
      return v;
    }

    const argv: unknown[] = argNodes.map((a, i) => this.evalTypedArg(dot, a, kindAt(i)));
    if (final !== MISSING) {
      this.at(node);
      argv.push(this.validateType(final, kindAt(argv.length)));
    }
    this.at(node);
    try {
      return fn(...argv);
    } catch (err) {
      if (err instanceof ExecFailure || err instanceof LoopSignal) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      return this.errorf(`error calling ${name}: ${msg}`);
    }
  }

  private evalTypedArg(dot: unknown, n: ArgNode, kind: ParamKind): unknown {
    this.at(n);
    switch (n.kind) {
      case 'nil':
        if (kind === 'any') return null;
        return this.errorf(`cannot assign nil to ${goKindName(kind)}`);
      case 'bool':
      case 'number':
      case 'string': {
        const ok =
          kind === 'any' ||
          (kind === 'string' && n.kind === 'string') ||
          (kind === 'bool' && n.kind === 'bool') ||
          (kind === 'int' && n.kind === 'number' && n.isInt);
        if (!ok) {
          const expected = kind === 'int' ? 'integer' : goKindName(kind);
          this.errorf(`expected ${expected}; found ${nodeString(n)}`);
        }
        return n.value;
      }
      default: {
        const v = this.evalArg(dot, n);
        this.at(n);
        return this.validateType(v, kind);
      }
    }
  }

  private validateType(v: unknown, kind: ParamKind): unknown {
    if (v === undefined) {
      if (kind === 'any') return null;
      return this.errorf(`invalid value; expected ${goKindName(kind)}`);
    }
    const ok =
      kind === 'any' ||
      (kind === 'string' && typeof v === 'string') ||
      (kind === 'bool' && typeof v === 'boolean') ||
      (kind === 'int' && isGoInt(v)) ||
      (kind === 'strings' && Array.isArray(v) && v.every((e) => typeof e === 'string'));
    if (!ok) {
      this.errorf(`wrong type for value; expected ${goKindName(kind)}; got ${typeNameOf(v)}`);
    }
    return kind === 'int' ? Number(v) : v;
  }

  private evalArg(dot: unknown, n: ArgNode): unknown {
    this.at(n);
    switch (n.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.evalFieldChain(dot, dot, n, n.idents, [n], MISSING);
      case 'variable':
        return this.evalVariableNode(dot, n, [], MISSING);
      case 'pipe':
        return this.evalPipeline(dot, n);
      case 'identifier':
        return this.evalFunction(dot, n, n, [n], MISSING);
      case 'chain':
        return this.evalChainNode(dot, n, [], MISSING);
      case 'bool':
      case 'number':
      case 'string':
        return n.value;
    }
  }

  private printValue(node: AnyNode, v: unknown): void {
    this.at(node);
    if (v === undefined || v === MISSING) {
      this.out += '<no value>';
      return;
    }
    if (typeof v === 'function') this.errorf(`can't print ${nodeString(node)} of type func`);
    this.out += formatValue(v);
  }
}

function goKindName(kind: ParamKind): string {
  return kind === 'any' ? 'interface {}' : kind === 'strings' ? '[]string' : kind;
}

const OBJECT_PROTO = Object.prototype;

/** Own or inherited members, but not Object.prototype's (`.constructor` is no Go field). */
function hasMember(obj: object, name: string): boolean {
  let p: object | null = obj;
  while (p !== null && p !== OBJECT_PROTO) {
    // Object.hasOwn is the same check as hasOwnProperty.call in one call; this runs per field.
    if (Object.hasOwn(p, name)) return true;
    p = Object.getPrototypeOf(p) as object | null;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Fast path
//
// List commands run one template per row, and a short-lived CLI runs that code in V8's
// interpreter, where the generic executor's per-row State, node dispatch and argument plumbing
// cost more than the fields themselves. Templates made only of text and `{{.}}` / `{{.A.B}}`
// actions (the shape of every default table) are flattened into a list of steps run by a plain
// loop. Each step performs the same observable operations as the generic executor, in the same
// order (the same map checks, member lookups, getter and method calls, printing and error
// messages), so it needs no fallback: rows with getters or methods are never evaluated twice.

/** An action `{{.}}` or `{{.A.B}}`: a field chain (empty for dot) printed as is. */
interface FastAction {
  /** Where Go reports field errors: the field (or dot) node. */
  readonly at: FieldNode | DotNode;
  /** Where Go reports print errors: the action. */
  readonly action: ActionNode;
  readonly idents: readonly string[];
}

/** Literal text, or an action. */
type FastStep = string | FastAction;

/** The steps of a template that qualifies for the fast path, else undefined. */
function fastSteps(root: ListNode): FastStep[] | undefined {
  const steps: FastStep[] = [];
  for (const node of root.nodes) {
    if (node.kind === 'text') {
      // Adjacent texts (split by a comment) print the same joined; text never fails.
      const prev = steps[steps.length - 1];
      if (typeof prev === 'string') steps[steps.length - 1] = prev + node.text;
      else steps.push(node.text);
      continue;
    }
    if (node.kind !== 'action') return undefined;
    const pipe = node.pipe;
    if (pipe.decl.length !== 0 || pipe.cmds.length !== 1) return undefined;
    const args = pipe.cmds[0]!.args;
    if (args.length !== 1) return undefined;
    const arg = args[0]!;
    if (arg.kind === 'field') steps.push({ at: arg, action: node, idents: arg.idents });
    else if (arg.kind === 'dot') steps.push({ at: arg, action: node, idents: [] });
    else return undefined;
  }
  return steps;
}

/**
 * State.evalField for a field with no arguments (the only kind a fast template has), with the
 * same checks in the same order.
 */
function fastField(
  receiver: unknown,
  name: string,
  missingKey: 'invalid' | 'zero' | 'error',
  objectsAsMaps: boolean,
  source: string,
  at: AnyNode,
): unknown {
  if (receiver === undefined) {
    if (missingKey === 'error') {
      throw new ExecFailure(
        execErrorMessage(source, at, `nil data; no entry for key ${JSON.stringify(name)}`),
      );
    }
    return undefined;
  }
  if (receiver === null) {
    throw new ExecFailure(
      execErrorMessage(source, at, `nil pointer evaluating interface {}.${name}`),
    );
  }
  if (isGoMap(receiver) || (objectsAsMaps && mapLike(receiver, true))) {
    const m = receiver as object;
    if (mapHas(m, name)) return mapGet(m, name);
    if (missingKey === 'error') {
      throw new ExecFailure(
        execErrorMessage(source, at, `map has no entry for key ${JSON.stringify(name)}`),
      );
    }
    return missingKey === 'zero' ? mapZero(m) : undefined;
  }
  if (typeof receiver === 'object' && !Array.isArray(receiver) && hasMember(receiver, name)) {
    const value: unknown = (receiver as Record<string, unknown>)[name];
    if (typeof value === 'function') {
      // The generic executor calls a method through evalCall with no arguments.
      try {
        return (value as TemplateFunc).apply(receiver, []);
      } catch (err) {
        if (err instanceof ExecFailure || err instanceof LoopSignal) throw err;
        const msg = err instanceof Error ? err.message : String(err);
        throw new ExecFailure(execErrorMessage(source, at, `error calling ${name}: ${msg}`));
      }
    }
    return value;
  }
  throw new ExecFailure(
    execErrorMessage(source, at, `can't evaluate field ${name} in type ${typeNameOf(receiver)}`),
  );
}

function fastExecute(
  source: string,
  steps: readonly FastStep[],
  data: unknown,
  missingKey: 'invalid' | 'zero' | 'error',
  objectsAsMaps: boolean,
): string {
  let out = '';
  try {
    for (let s = 0; s < steps.length; s++) {
      const step = steps[s]!;
      if (typeof step === 'string') {
        out += step;
        continue;
      }
      let v = data;
      const idents = step.idents;
      for (let i = 0; i < idents.length; i++) {
        v = fastField(v, idents[i]!, missingKey, objectsAsMaps, source, step.at);
      }
      // State.printValue
      if (typeof v === 'string') out += v;
      else if (v === undefined) out += '<no value>';
      else if (typeof v === 'function') {
        throw new ExecFailure(
          execErrorMessage(
            source,
            step.action,
            `can't print ${nodeString(step.action)} of type func`,
          ),
        );
      } else out += formatValue(v);
    }
  } catch (err) {
    if (err instanceof ExecFailure) throw new TemplateError(err.message, 'exec', out);
    throw err;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Public API

export class Template {
  private readonly fast: FastStep[] | undefined;

  /** @internal use compileTemplate */
  constructor(
    readonly source: string,
    private readonly root: ListNode,
    private readonly funcs: Readonly<Record<string, TemplateFunc>>,
    private readonly templates: ReadonlyMap<string, ListNode> = new Map(),
  ) {
    this.fast = fastSteps(root);
  }

  /** @internal Whether execute() takes the fast path (text and field chains only). */
  get hasFastPath(): boolean {
    return this.fast !== undefined;
  }

  /** Runs the template on `data`; throws TemplateError with Go's wording on failure. */
  execute(data: unknown, options: ExecuteOptions = {}): string {
    if (this.fast === undefined) return this.executeGeneric(data, options);
    const mk = options.missingKey ?? 'default';
    return fastExecute(
      this.source,
      this.fast,
      data,
      mk === 'default' ? 'invalid' : mk,
      options.objectsAsMaps ?? false,
    );
  }

  /** @internal The generic executor whatever the template; tests compare the fast path to it. */
  executeGeneric(data: unknown, options: ExecuteOptions = {}): string {
    const mk = options.missingKey ?? 'default';
    const state = new State(
      this.source,
      data,
      this.funcs,
      options.funcs ?? {},
      mk === 'default' ? 'invalid' : mk,
      options.objectsAsMaps ?? false,
      this.templates,
    );
    try {
      state.walk(data, this.root);
    } catch (err) {
      if (err instanceof ExecFailure) throw new TemplateError(err.message, 'exec', state.result());
      // Deep recursion the bounds above did not foresee: one line, never node's stack overflow.
      if (isStackOverflow(err)) {
        throw new TemplateError(
          'template: : max expression depth exceeded',
          'exec',
          state.result(),
        );
      }
      throw err;
    }
    return state.result();
  }
}

/** Parses a Go template once for repeated execution; throws TemplateError on syntax errors. */
export function compileTemplate(source: string, options: CompileOptions = {}): Template {
  const funcs = options.funcs ?? {};
  const known = new Set([...Object.keys(BUILTINS), ...Object.keys(funcs)]);
  try {
    const tokens = new Lexer(source).run();
    const parser = new Parser(tokens, (n) => known.has(n));
    const root = parser.parse();
    return new Template(source, root, funcs, parser.templates);
  } catch (err) {
    if (err instanceof ParseFailure) throw new TemplateError(`template: ${err.message}`, 'parse');
    if (isStackOverflow(err)) {
      throw new TemplateError('template: : max expression depth exceeded', 'parse');
    }
    throw err;
  }
}

/** Compiles and executes in one go. */
export function renderTemplate(
  source: string,
  data: unknown,
  options: ExecuteOptions = {},
): string {
  return compileTemplate(source, { funcs: options.funcs }).execute(data, options);
}

/**
 * docker/cli turns the two-character sequences `\t` and `\n` typed on the command line into
 * real tab and newline characters before parsing a --format string.
 */
export function unescapeFormat(format: string): string {
  return format.replace(/\\[tn]/g, (m) => (m === '\\t' ? '\t' : '\n'));
}
