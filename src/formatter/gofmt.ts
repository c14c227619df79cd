/**
 * Go's fmt and strconv number/value formatting, as far as Docker's templates and go-units need
 * it. JS has one number type, so the mapping to Go kinds is: a safe integer is an `int`, any
 * other number is a `float64`, a bigint is an `int64`, null is `nil`, a `Map` or a plain object is
 * a map, an array is a slice.
 */

/** Marks an object so the template engine and printer treat it as a Go map, not a struct. */
const goMaps = new WeakSet<object>();

/**
 * Tags `obj` as a Go map: missing keys print `<no value>` instead of failing, like
 * `map[string]string` fields (e.g. `Config.Labels`) do in Docker's inspect structs.
 */
export function asGoMap<T extends object>(obj: T): T {
  goMaps.add(obj);
  return obj;
}

/** An object may carry its Go type name under this symbol, used in error messages. */
export const goTypeName: unique symbol = Symbol.for('berth.goTypeName');

export function isGoMap(v: unknown): boolean {
  return v instanceof Map || (typeof v === 'object' && v !== null && goMaps.has(v));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isGoInt(v: unknown): v is number | bigint {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v));
}

/** Best-effort Go type name of a JS value, for messages such as `can't evaluate field X in type T`. */
export function typeNameOf(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int64';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'int' : 'float64';
  if (typeof v === 'function') return 'func';
  if (typeof v !== 'object') return typeof v;
  const named = (v as { [goTypeName]?: unknown })[goTypeName];
  if (typeof named === 'string') return named;
  if (Array.isArray(v)) {
    return v.length > 0 && v.every((e) => typeof e === 'string') ? '[]string' : '[]interface {}';
  }
  if (v instanceof Uint8Array) return '[]uint8';
  if (v instanceof Date) return 'time.Time';
  if (v instanceof Map || isPlainObject(v) || goMaps.has(v)) return 'map[string]interface {}';
  const ctor = (v as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' && ctor.name !== '' ? `*${ctor.name}` : 'struct';
}

// ---------------------------------------------------------------------------------------------
// Float formatting (strconv.FormatFloat)

interface Decimal {
  digits: string; // no leading or trailing zeros; '' means zero
  dp: number; // position of the decimal point relative to the start of digits
}

/** The exact decimal expansion of a finite double; rounding must see every digit to tie-break like Go. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biasedExp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biasedExp === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = biasedExp - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length + exp;
  }
  return trimDecimal({ digits, dp });
}

function trimDecimal(d: Decimal): Decimal {
  let digits = d.digits.replace(/0+$/, '');
  let dp = d.dp;
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead);
  dp -= lead;
  if (digits === '') dp = 0;
  return { digits, dp };
}

/** The shortest digits that round-trip; JS and Go both produce the closest shortest string. */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const [mant = '', expPart = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  return trimDecimal({ digits, dp: Number(expPart) + 1 });
}

/** strconv's decimal.Round: round half to even only on an exact tie. */
function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= d.digits.length) return d;
  const next = d.digits.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === d.digits.length) {
    up = nd > 0 && (d.digits.charCodeAt(nd - 1) - 48) % 2 === 1;
  } else {
    up = next >= 5;
  }
  if (!up) return trimDecimal({ digits: d.digits.slice(0, nd), dp: d.dp });
  let i = nd - 1;
  const chars = d.digits.slice(0, nd).split('');
  while (i >= 0 && chars[i] === '9') i--;
  if (i < 0) return { digits: '1', dp: d.dp + 1 };
  chars[i] = String.fromCharCode(chars[i]!.charCodeAt(0) + 1);
  return trimDecimal({ digits: chars.slice(0, i + 1).join(''), dp: d.dp });
}

function digitAt(d: Decimal, i: number): string {
  return i >= 0 && i < d.digits.length ? d.digits[i]! : '0';
}

function fmtE(d: Decimal, prec: number, e: string): string {
  let s = d.digits === '' ? '0' : d.digits[0]!;
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += digitAt(d, i);
  }
  const exp = d.digits === '' ? 0 : d.dp - 1;
  const abs = Math.abs(exp);
  return `${s}${e}${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

function fmtF(d: Decimal, prec: number): string {
  let s = '';
  if (d.dp > 0) {
    for (let i = 0; i < d.dp; i++) s += digitAt(d, i);
  } else {
    s = '0';
  }
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += digitAt(d, d.dp + i - 1);
  }
  return s;
}

/**
 * strconv.FormatFloat(x, verb, prec, 64). `prec` -1 means the shortest representation.
 * Infinities and NaN come out as Go prints them (`+Inf`, `-Inf`, `NaN`).
 */
export function formatFloat(x: number, verb: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDecimal(x);
  } else {
    d = exactDecimal(x);
    switch (verb) {
      case 'e':
      case 'E':
        d = roundDecimal(d, prec + 1);
        break;
      case 'f':
        d = roundDecimal(d, d.dp + prec);
        break;
      default:
        d = roundDecimal(d, prec === 0 ? 1 : prec);
        if (prec === 0) prec = 1;
    }
  }
  let body: string;
  const nd = d.digits.length;
  switch (verb) {
    case 'e':
    case 'E':
      body = fmtE(d, shortest ? Math.max(nd - 1, 0) : prec, verb);
      break;
    case 'f':
      body = fmtF(d, shortest ? Math.max(nd - d.dp, 0) : prec);
      break;
    default: {
      let eprec = shortest ? 6 : prec;
      if (!shortest && eprec > nd && nd >= d.dp) eprec = nd;
      const exp = d.dp - 1;
      let p = shortest ? nd : prec;
      if (exp < -4 || exp >= eprec) {
        if (p > nd) p = nd;
        body = fmtE(d, Math.max(p - 1, 0), verb === 'G' ? 'E' : 'e');
      } else {
        if (p > d.dp) p = nd;
        body = fmtF(d, Math.max(p - d.dp, 0));
      }
    }
  }
  return neg ? `-${body}` : body;
}

// ---------------------------------------------------------------------------------------------
// Quoting (strconv.Quote) and value printing (fmt %v)

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrintable(cp: number): boolean {
  return cp === 0x20 || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(cp));
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** strconv.Quote: Go escapes, printable Unicode kept as is. */
export function goQuote(s: string, quote = '"'): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') {
      out += `\\${ch}`;
      continue;
    }
    switch (ch) {
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (isPrintable(cp)) out += ch;
    else if (cp < 0x80) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + quote;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** time.Time.String() in UTC, e.g. `2024-01-02 03:04:05.5 +0000 UTC`. */
export function goTimeString(d: Date): string {
  if (Number.isNaN(d.getTime())) return '0001-01-01 00:00:00 +0000 UTC';
  const ms = d.getUTCMilliseconds();
  const frac = ms === 0 ? '' : `.${String(ms).padStart(3, '0').replace(/0+$/, '')}`;
  return (
    `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${frac} +0000 UTC`
  );
}

/**
 * `time.Unix(sec, 0).String()`: how docker/cli prints the Engine API's Created, which has whole
 * seconds only, so any fraction is dropped (not rounded).
 */
export function goUnixTimeString(d: Date): string {
  const ms = d.getTime();
  return goTimeString(Number.isNaN(ms) ? d : new Date(Math.floor(ms / 1000) * 1000));
}

/** Sorted entries of a map-like value; Go prints and ranges over maps in key order. */
export function sortedEntries(v: object): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> =
    v instanceof Map
      ? [...(v as Map<unknown, unknown>).entries()].map(([k, val]) => [String(k), val])
      : Object.entries(v);
  return entries.sort(([a], [b]) => compareGoStrings(a, b));
}

/** Go compares strings bytewise (UTF-8); UTF-16 code-unit order differs above the BMP. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function hasCustomToString(v: object): boolean {
  const fn = (v as { toString?: unknown }).toString;
  return typeof fn === 'function' && fn !== Object.prototype.toString && !Array.isArray(v);
}

/** fmt's %v of a value (nil prints as `<nil>`; the template layer handles `<no value>`). */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isSafeInteger(v) ? String(v) : formatFloat(v, 'g', -1);
    case 'function':
      return `0x${'0'.repeat(6)}`;
    case 'symbol':
      return v.toString();
    default:
      break;
  }
  const obj = v as object;
  if (obj instanceof Date) return goTimeString(obj);
  if (Array.isArray(obj)) return `[${obj.map((e: unknown) => formatValue(e)).join(' ')}]`;
  if (obj instanceof Uint8Array) return `[${[...obj].join(' ')}]`;
  if (obj instanceof Map || isPlainObject(obj) || goMaps.has(obj)) {
    return `map[${sortedEntries(obj)
      .map(([k, e]) => `${k}:${formatValue(e)}`)
      .join(' ')}]`;
  }
  // A class with its own toString plays the part of a fmt.Stringer.
  if (hasCustomToString(obj)) return String(obj);
  return `{${Object.values(obj)
    .map((e: unknown) => formatValue(e))
    .join(' ')}}`;
}

/** fmt.Sprint: a space between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

/** fmt.Sprintln: always spaces, plus a newline. */
export function sprintln(args: readonly unknown[]): string {
  return args.map((a) => formatValue(a)).join(' ') + '\n';
}

// ---------------------------------------------------------------------------------------------
// fmt.Sprintf

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

function runeLen(s: string): number {
  return Array.from(s).length;
}

function padTo(s: string, spec: Spec, numeric: boolean): string {
  const w = spec.width;
  if (w === undefined) return s;
  const missing = w - runeLen(s);
  if (missing <= 0) return s;
  if (spec.minus) return s + ' '.repeat(missing);
  if (spec.zero) {
    // Zero padding goes after the sign for numbers, as Go does.
    if (numeric && (s.startsWith('-') || s.startsWith('+') || s.startsWith(' '))) {
      return s[0] + '0'.repeat(missing) + s.slice(1);
    }
    return '0'.repeat(missing) + s;
  }
  return ' '.repeat(missing) + s;
}

function bad(verb: string, arg: unknown): string {
  if (arg === null || arg === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeNameOf(arg)}=${formatValue(arg)})`;
}

function signed(body: string, negative: boolean, spec: Spec): string {
  if (negative) return `-${body}`;
  if (spec.plus) return `+${body}`;
  if (spec.space) return ` ${body}`;
  return body;
}

function fmtInteger(v: number | bigint, verb: string, spec: Spec): string {
  const big = BigInt(v);
  const neg = big < 0n;
  const abs = neg ? -big : big;
  let body: string;
  switch (verb) {
    case 'b':
      body = abs.toString(2);
      break;
    case 'o':
      body = abs.toString(8);
      if (spec.sharp && body !== '0') body = `0${body}`;
      break;
    case 'O':
      body = `0o${abs.toString(8)}`;
      break;
    case 'x':
      body = (spec.sharp ? '0x' : '') + abs.toString(16);
      break;
    case 'X':
      body = (spec.sharp ? '0X' : '') + abs.toString(16).toUpperCase();
      break;
    default:
      body = abs.toString();
  }
  if (spec.prec !== undefined) {
    body = spec.prec === 0 && abs === 0n ? '' : body.padStart(spec.prec, '0');
  }
  const zero = spec.zero && spec.prec === undefined && !spec.minus;
  return padTo(signed(body, neg, spec), { ...spec, zero }, true);
}

function fmtFloatVerb(v: number, verb: string, spec: Spec): string {
  const goVerb = (verb === 'v' ? 'g' : verb === 'F' ? 'f' : verb) as 'e' | 'E' | 'f' | 'g' | 'G';
  const prec = spec.prec ?? (goVerb === 'g' || goVerb === 'G' ? -1 : 6);
  let s = formatFloat(v, goVerb, prec);
  if (s === '+Inf') s = spec.space && !spec.plus ? ' Inf' : s;
  else if (!s.startsWith('-')) s = signed(s, false, spec);
  // Go never zero-pads infinities and NaN.
  const zero = spec.zero && Number.isFinite(v) && !spec.minus;
  return padTo(s, { ...spec, zero }, true);
}

function fmtString(s: string, verb: string, spec: Spec): string {
  let str = s;
  if (spec.prec !== undefined && verb !== 'x' && verb !== 'X') {
    str = Array.from(str).slice(0, spec.prec).join('');
  }
  switch (verb) {
    case 'q':
      str = spec.sharp && !str.includes('`') ? `\`${str}\`` : goQuote(str);
      break;
    case 'x':
    case 'X': {
      let h = Buffer.from(str).toString('hex');
      if (spec.prec !== undefined) h = h.slice(0, spec.prec * 2);
      if (verb === 'X') h = h.toUpperCase();
      str = h;
      break;
    }
  }
  return padTo(str, spec, false);
}

function fmtArg(arg: unknown, verb: string, spec: Spec): string {
  if (verb === 'T')
    return padTo(arg === null || arg === undefined ? '<nil>' : typeNameOf(arg), spec, false);
  if (arg === null || arg === undefined) {
    return verb === 'v' || verb === 's' ? padTo('<nil>', spec, false) : bad(verb, arg);
  }
  if (typeof arg === 'boolean') {
    return verb === 'v' || verb === 't' ? padTo(String(arg), spec, false) : bad(verb, arg);
  }
  if (typeof arg === 'string') {
    return 'vsqxX'.includes(verb) ? fmtString(arg, verb, spec) : bad(verb, arg);
  }
  if (isGoInt(arg)) {
    switch (verb) {
      case 'v':
      case 'd':
      case 'b':
      case 'o':
      case 'O':
      case 'x':
      case 'X':
        return fmtInteger(arg, verb, spec);
      case 'c':
        return padTo(String.fromCodePoint(Number(arg)), spec, false);
      case 'q':
        return padTo(goQuote(String.fromCodePoint(Number(arg)), "'"), spec, false);
      case 'U':
        return padTo(`U+${Number(arg).toString(16).toUpperCase().padStart(4, '0')}`, spec, false);
      // JS cannot tell 2.0 from 2, so integers are accepted where Go wants a float.
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
        return fmtFloatVerb(Number(arg), verb, spec);
      default:
        return bad(verb, arg);
    }
  }
  if (typeof arg === 'number') {
    return 'veEfFgG'.includes(verb) ? fmtFloatVerb(arg, verb, spec) : bad(verb, arg);
  }
  if (Array.isArray(arg) && verb !== 'v') {
    return `[${arg.map((e: unknown) => fmtArg(e, verb, spec)).join(' ')}]`;
  }
  if (verb === 'v' || verb === 's') return padTo(formatValue(arg), spec, false);
  return bad(verb, arg);
}

/** Go's fmt bound on widths and precisions (fmt/print.go tooLarge). */
const tooLarge = (n: number): boolean => n > 1e6 || n < -1e6;

/** fmt.Sprintf with Go's flags, widths, precisions, `*`, and its `%!` error notation. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const spec: Spec = {
      minus: false,
      plus: false,
      sharp: false,
      space: false,
      zero: false,
      width: undefined,
      prec: undefined,
    };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') spec.minus = true;
      else if (c === '+') spec.plus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = !spec.minus;
      else break;
    }
    // Go's parsenum: a number that grows past a million before its next digit is taken for
    // garbage and swallows the rest of the format (so `%0100000000d` prints `%!(NOVERB)`, never
    // 100 MB of zeros).
    const readNum = (): number | undefined => {
      let num = 0;
      const start = i;
      for (; i < format.length && format[i]! >= '0' && format[i]! <= '9'; i++) {
        if (tooLarge(num)) {
          i = format.length;
          return undefined;
        }
        num = num * 10 + (format.charCodeAt(i) - 48);
      }
      return i > start ? num : undefined;
    };
    if (format[i] === '*') {
      i++;
      const a = args[argi++];
      if (isGoInt(a) && !tooLarge(Number(a))) {
        spec.width = Number(a);
        if (spec.width < 0) {
          spec.minus = true;
          spec.width = -spec.width;
        }
      } else {
        out += '%!(BADWIDTH)';
      }
    } else {
      spec.width = readNum();
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        i++;
        const a = args[argi++];
        if (isGoInt(a) && Number(a) >= 0 && !tooLarge(Number(a))) spec.prec = Number(a);
        else out += '%!(BADPREC)';
      } else {
        spec.prec = readNum() ?? 0;
      }
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += fmtArg(args[argi++], verb, spec);
  }
  if (argi < args.length) {
    const extra = args
      .slice(argi)
      .map((a) => (a === null || a === undefined ? '<nil>' : `${typeNameOf(a)}=${formatValue(a)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}
