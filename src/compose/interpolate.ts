/**
 * The Compose Specification's variable interpolation (`${VAR}`, `$VAR`, `${VAR:-d}`, `${VAR-d}`,
 * `${VAR:?err}`, `${VAR?err}`, `${VAR:+r}`, `${VAR+r}`, `$$`), applied to YAML values only, never
 * to keys, with nesting inside defaults as compose-go's template package allows.
 */
import { ComposeError } from './errors.js';

export type Lookup = (name: string) => string | undefined;

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

/** Warnings go through this so that a variable missing in ten places is reported once. */
export interface InterpolationContext {
  lookup: Lookup;
  warn: (name: string) => void;
}

/** Substitutes one string; `where` names the value (`services.web.image`) for errors. */
export function substitute(text: string, ctx: InterpolationContext, where: string): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      out += c;
      i += 1;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(text, i + 2);
      if (end < 0) throw invalidFormat(where);
      out += expand(text.slice(i + 2, end), ctx, where);
      i = end + 1;
      continue;
    }
    const m = NAME.exec(text.slice(i + 1));
    if (m) {
      out += resolve(m[0], ctx);
      i += 1 + m[0].length;
      continue;
    }
    // A `$` that starts no variable stays as it is.
    out += '$';
    i += 1;
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '$') {
      i += 1;
    } else if (text[i] === '$' && text[i + 1] === '{') {
      depth += 1;
      i += 1;
    } else if (text[i] === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function invalidFormat(where: string): ComposeError {
  return new ComposeError(
    `invalid interpolation format for ${where}.\nYou may need to escape any $ with another $.`,
  );
}

function resolve(name: string, ctx: InterpolationContext): string {
  const v = ctx.lookup(name);
  if (v === undefined) {
    ctx.warn(name);
    return '';
  }
  return v;
}

function expand(body: string, ctx: InterpolationContext, where: string): string {
  const m = NAME.exec(body);
  if (!m) throw invalidFormat(where);
  const name = m[0];
  const rest = body.slice(name.length);
  if (rest === '') return resolve(name, ctx);
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest);
  if (!op) throw invalidFormat(where);
  const arg = rest.slice(op[0].length);
  const value = ctx.lookup(name);
  const colon = op[0].startsWith(':');
  const unset = value === undefined || (colon && value === '');
  switch (op[0].replace(':', '')) {
    case '-':
      return unset ? substitute(arg, ctx, where) : (value ?? '');
    case '?':
      if (unset) {
        throw new ComposeError(
          `error while interpolating ${where}: required variable ${name} is missing a value: ${substitute(arg, ctx, where)}`,
        );
      }
      return value ?? '';
    default:
      return unset ? '' : substitute(arg, ctx, where);
  }
}

/**
 * Interpolates every string value of a parsed YAML tree (keys untouched). `path` is the dotted
 * location of `node` used in error messages.
 */
export function interpolateTree(node: unknown, ctx: InterpolationContext, path: string): unknown {
  if (typeof node === 'string') return substitute(node, ctx, path);
  if (Array.isArray(node)) {
    return node.map((v, i) => interpolateTree(v, ctx, path ? `${path}.[${i}]` : `[${i}]`));
  }
  if (node && typeof node === 'object' && Object.getPrototypeOf(node) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = interpolateTree(v, ctx, path ? `${path}.${k}` : k);
    }
    return out;
  }
  return node;
}
