/**
 * Go's path.Match, which Docker's `reference=` image filter uses: `*` and `?` never cross a `/`,
 * `[a-z]`/`[^x]` classes, `\` escapes. A malformed pattern matches nothing (Go returns an error
 * that the daemon treats as no match).
 */
export function pathMatch(pattern: string, name: string): boolean {
  try {
    return new RegExp(`^${globToRegExp(pattern)}$`, 's').test(name);
  } catch {
    return false;
  }
}

function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

function globToRegExp(p: string): string {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '\\') {
      i++;
      if (i >= p.length) throw new Error('bad pattern');
      out += escapeRe(p[i] as string);
    } else if (c === '[') {
      let j = i + 1;
      let cls = '';
      if (p[j] === '^') {
        cls += '^';
        j++;
      }
      let first = true;
      while (j < p.length && (p[j] !== ']' || first)) {
        if (p[j] === ']' && first) throw new Error('bad pattern');
        first = false;
        let ch = p[j] as string;
        if (ch === '\\') {
          j++;
          if (j >= p.length) throw new Error('bad pattern');
          ch = p[j] as string;
        }
        cls +=
          ch === '-' && p[j - 1] !== '\\' && cls !== '' && cls !== '^' && p[j + 1] !== ']'
            ? '-'
            : escapeRe(ch);
        j++;
      }
      if (j >= p.length) throw new Error('bad pattern');
      // A class never matches the separator in Go.
      out += cls.startsWith('^') ? `[${cls}/]` : `(?!/)[${cls}]`;
      i = j;
    } else {
      out += escapeRe(c);
    }
  }
  return out;
}
