/**
 * Go's encoding/json output for JS values, so `{{json .}}` and `docker inspect` produce the bytes
 * Docker produces: Go's string escapes, Go's float spelling, sorted keys for maps, key order as
 * given for struct-like objects.
 */
import { isGoMap, sortedEntries } from './gofmt.js';

export interface MarshalOptions {
  /** Escape <, > and & as \u003c, \u003e, \u0026 (json.Marshal's default; docker/cli turns it off). */
  escapeHTML?: boolean;
  /** Indent string per level, as json.MarshalIndent; '' gives compact output. */
  indent?: string;
  /** Sort the keys of every plain object, as Go does for maps. */
  sortKeys?: boolean;
}

export class JsonMarshalError extends Error {
  override readonly name = 'JsonMarshalError';
}

const HEX = '0123456789abcdef';

/** encoding/json's string encoding (Go ≥1.22 spells \b and \f as short escapes). */
export function quoteJSON(s: string, escapeHTML = false): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      // Go replaces invalid UTF-8 (here: a lone surrogate) with U+FFFD.
      const isPair =
        c <= 0xdbff &&
        i + 1 < s.length &&
        s.charCodeAt(i + 1) >= 0xdc00 &&
        s.charCodeAt(i + 1) <= 0xdfff;
      if (isPair) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else {
        out += '\ufffd';
      }
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += '\\\\';
        continue;
      case 0x0a:
        out += '\\n';
        continue;
      case 0x0d:
        out += '\\r';
        continue;
      case 0x09:
        out += '\\t';
        continue;
      case 0x08:
        out += '\\b';
        continue;
      case 0x0c:
        out += '\\f';
        continue;
      case 0x2028:
      case 0x2029:
        out += `\\u${c.toString(16)}`;
        continue;
    }
    if (c < 0x20 || (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26))) {
      out += `\\u00${HEX[c >> 4]}${HEX[c & 0xf]}`;
      continue;
    }
    out += s[i];
  }
  return out + '"';
}

/** time.Time's MarshalJSON: RFC 3339 with the fraction's trailing zeros dropped. */
function marshalTime(d: Date): string {
  if (Number.isNaN(d.getTime()))
    throw new JsonMarshalError('json: error calling MarshalJSON for type time.Time: invalid time');
  return `"${d.toISOString().replace(/\.?0+Z$/, 'Z')}"`;
}

function marshalNumber(n: number): string {
  if (!Number.isFinite(n)) {
    throw new JsonMarshalError(
      `json: unsupported value: ${Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf'}`,
    );
  }
  // ES number-to-string switches to exponents at the same thresholds as Go (1e21, 1e-6) and also
  // drops the exponent's leading zero, so the spelling already matches.
  return Object.is(n, -0) ? '-0' : String(n);
}

function encode(v: unknown, opts: MarshalOptions, depth: number, seen: Set<object>): string {
  if (v === undefined || v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return quoteJSON(v, opts.escapeHTML);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return marshalNumber(v);
    case 'bigint':
      return v.toString();
    case 'function':
    case 'symbol':
      throw new JsonMarshalError(
        `json: unsupported type: ${typeof v === 'function' ? 'func()' : 'symbol'}`,
      );
    default:
      break;
  }
  const obj = v as object;
  if (obj instanceof Date) return marshalTime(obj);
  if (obj instanceof Uint8Array) return `"${Buffer.from(obj).toString('base64')}"`;
  if (seen.has(obj)) throw new JsonMarshalError('json: unsupported value: encountered a cycle');
  const toJSON = (obj as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    // The JS counterpart of a MarshalJSON method.
    return encode(toJSON.call(obj) as unknown, opts, depth, seen);
  }
  seen.add(obj);
  try {
    const indent = opts.indent ?? '';
    const nl = indent === '' ? '' : '\n' + indent.repeat(depth + 1);
    const close = indent === '' ? '' : '\n' + indent.repeat(depth);
    if (Array.isArray(obj)) {
      if (obj.length === 0) return '[]';
      const items = obj.map((e: unknown) => encode(e, opts, depth + 1, seen));
      return `[${nl}${items.join(',' + nl)}${close}]`;
    }
    const entries: Array<[string, unknown]> =
      isGoMap(obj) || opts.sortKeys ? sortedEntries(obj) : Object.entries(obj);
    const parts: string[] = [];
    for (const [k, e] of entries) {
      // Like `omitempty` on pointers: JS leaves absent what Go would have to spell out.
      if (e === undefined || typeof e === 'function') continue;
      parts.push(
        `${quoteJSON(k, opts.escapeHTML)}:${indent === '' ? '' : ' '}${encode(e, opts, depth + 1, seen)}`,
      );
    }
    if (parts.length === 0) return '{}';
    return `{${nl}${parts.join(',' + nl)}${close}}`;
  } finally {
    seen.delete(obj);
  }
}

/** json.Marshal / json.MarshalIndent. Throws JsonMarshalError where Go returns an error. */
export function marshalJSON(v: unknown, opts: MarshalOptions = {}): string {
  return encode(v, opts, 0, new Set());
}
