/**
 * `.env` and `env_file` files as compose-go's dotenv reads them: `KEY=VAL`, `export KEY=VAL`,
 * `KEY: VAL`, `#` comments, single quotes literal, double quotes with escapes and multi-line
 * values, `${VAR}` expansion in unquoted and double-quoted values from the variables defined
 * above and the lookup, and a bare `KEY` taking its value from the lookup (dropped if unset).
 */
import { substitute, type Lookup } from './interpolate.js';
import { ComposeError } from './errors.js';

const KEY = /^(?:export\s+)?([A-Za-z_.\-\][0-9a-zA-Z_.\-[\]]*)\s*(=|:)?/;

export function parseDotenv(text: string, lookup: Lookup, file: string): Map<string, string> {
  const out = new Map<string, string>();
  const vars: Lookup = (name) => out.get(name) ?? lookup(name);
  const ctx = { lookup: vars, warn: () => {} };
  let src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let lineNo = 0;
  while (src.length > 0) {
    const nl = src.indexOf('\n');
    const line = nl < 0 ? src : src.slice(0, nl);
    lineNo += 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      src = nl < 0 ? '' : src.slice(nl + 1);
      continue;
    }
    const m = KEY.exec(trimmed);
    if (!m)
      throw new ComposeError(
        `failed to read ${file}: line ${lineNo}: unexpected character "${trimmed[0]}" in variable name "${trimmed}"`,
      );
    const key = m[1];
    if (!m[2]) {
      if (
        trimmed.slice(m[0].length).trim() !== '' &&
        !trimmed.slice(m[0].length).trim().startsWith('#')
      ) {
        throw new ComposeError(
          `failed to read ${file}: line ${lineNo}: unexpected character " " in variable name "${trimmed}"`,
        );
      }
      const v = lookup(key);
      if (v !== undefined) out.set(key, v);
      src = nl < 0 ? '' : src.slice(nl + 1);
      continue;
    }
    // The value may span lines when quoted, so it is read from the rest of the text.
    const lead = line.length - line.trimStart().length;
    let rest = src.slice(lead + m[0].length).replace(/^[ \t]+/, '');
    let value: string;
    const q = rest[0];
    if (q === '"' || q === "'") {
      let end = 1;
      while (end < rest.length && !(rest[end] === q && rest[end - 1] !== '\\')) end += 1;
      if (end >= rest.length)
        throw new ComposeError(`failed to read ${file}: line ${lineNo}: unterminated quoted value`);
      const raw = rest.slice(1, end);
      lineNo += raw.split('\n').length - 1;
      value = q === "'" ? raw : substitute(unescapeDouble(raw), ctx, key);
      rest = rest.slice(end + 1);
      const eol = rest.indexOf('\n');
      src = eol < 0 ? '' : rest.slice(eol + 1);
    } else {
      const eol = rest.indexOf('\n');
      let raw = eol < 0 ? rest : rest.slice(0, eol);
      const hash = raw.search(/\s#/);
      if (hash >= 0) raw = raw.slice(0, hash);
      value = substitute(raw.trim(), ctx, key);
      src = eol < 0 ? '' : rest.slice(eol + 1);
    }
    out.set(key, value);
  }
  return out;
}

function unescapeDouble(s: string): string {
  return s.replace(/\\([\\"nrt$])/g, (_m, c: string) =>
    c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c === '$' ? '$$' : c,
  );
}
