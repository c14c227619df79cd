/**
 * Word expansion for Dockerfile instructions, following the rules of BuildKit's shell lexer
 * (frontend/dockerfile/shell): single quotes are literal, double quotes allow `$` expansion and
 * escape only `"`, `$` and the escape character, the escape character (`\` or the `# escape=`
 * directive's) quotes the next character outside quotes, and `$NAME`, `${NAME}`,
 * `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`, `${NAME+word}`, `${NAME:?msg}`, `${NAME?msg}`,
 * `${NAME#p}`, `${NAME##p}`, `${NAME%p}`, `${NAME%%p}` expand from the build's environment.
 * processWords also splits on unquoted whitespace (including inside unquoted expansions).
 */

export type Env = ReadonlyMap<string, string>;

export class ShellExpansionError extends Error {}

/** Collects the result as one string or as whitespace-split words. */
class Words {
  readonly words: string[] = [];
  private cur = '';
  private inWord = false;

  /** A character that came from the source unquoted: whitespace ends a word. */
  addChar(ch: string): void {
    if (/\s/.test(ch)) {
      this.end();
      return;
    }
    this.cur += ch;
    this.inWord = true;
  }

  /** Quoted or escaped text: never splits, and marks a word as present even if empty. */
  addRaw(s: string): void {
    this.cur += s;
    this.inWord = true;
  }

  /** An unquoted expansion's value: split like unquoted text. */
  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }

  end(): void {
    if (this.inWord) this.words.push(this.cur);
    this.cur = '';
    this.inWord = false;
  }
}

class Lexer {
  private pos = 0;
  constructor(
    private readonly src: string,
    private readonly env: Env,
    private readonly escape: string,
  ) {}

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private next(): string | undefined {
    return this.src[this.pos++];
  }

  /** Processes until `stop` (not consumed... consumed if found) or the end. */
  run(out: Words, stop?: string): { text: string; found: boolean } {
    let text = '';
    const emit = (s: string, raw: boolean): void => {
      text += s;
      if (raw) out.addRaw(s);
      else out.addString(s);
    };
    while (this.pos < this.src.length) {
      const ch = this.peek()!;
      if (stop !== undefined && ch === stop) {
        this.next();
        return { text, found: true };
      }
      if (ch === "'") {
        this.next();
        emit(this.singleQuoted(), true);
      } else if (ch === '"') {
        this.next();
        emit(this.doubleQuoted(), true);
      } else if (ch === '$') {
        this.next();
        const { value, quoted } = this.dollar();
        emit(value, quoted);
      } else {
        this.next();
        if (ch === this.escape) {
          const esc = this.next();
          if (esc === undefined) break;
          emit(esc, true);
        } else {
          text += ch;
          out.addChar(ch);
        }
      }
    }
    return { text, found: false };
  }

  private singleQuoted(): string {
    let s = '';
    for (;;) {
      const ch = this.next();
      if (ch === undefined)
        throw new ShellExpansionError(
          'unexpected end of statement while looking for matching single-quote',
        );
      if (ch === "'") return s;
      s += ch;
    }
  }

  private doubleQuoted(): string {
    let s = '';
    for (;;) {
      const ch = this.next();
      if (ch === undefined)
        throw new ShellExpansionError(
          'unexpected end of statement while looking for matching double-quote',
        );
      if (ch === '"') return s;
      if (ch === '$') {
        s += this.dollar().value;
        continue;
      }
      if (ch === this.escape) {
        const nx = this.peek();
        if (nx === undefined) continue;
        if (nx === '"' || nx === '$' || nx === this.escape) {
          s += this.next();
          continue;
        }
      }
      s += ch;
    }
  }

  private name(): string {
    let name = '';
    while (this.pos < this.src.length) {
      const ch = this.peek()!;
      if (name === '' && /\d/.test(ch)) {
        while (this.pos < this.src.length && /\d/.test(this.peek()!)) name += this.next();
        return name;
      }
      if (name === '' && '@*#?-$!0'.includes(ch)) return this.next()!;
      if (!/[\p{L}\p{N}_]/u.test(ch)) break;
      name += this.next();
    }
    return name;
  }

  /** After a `$`: returns the expansion (quoted: true when it must not be word-split). */
  private dollar(): { value: string; quoted: boolean } {
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') return { value: '$', quoted: true };
      return { value: this.env.get(name) ?? '', quoted: false };
    }
    this.next();
    const name = this.name();
    const ch = this.next();
    if (ch === '}') return { value: this.env.get(name) ?? '', quoted: false };
    if (ch === undefined) throw new ShellExpansionError(`missing '}'`);
    const value = this.env.get(name);
    if (ch === ':' || ch === '-' || ch === '+' || ch === '?') {
      let op = ch;
      let colon = false;
      if (ch === ':') {
        colon = true;
        const m = this.next();
        if (m !== '-' && m !== '+' && m !== '?') {
          throw new ShellExpansionError(`unsupported modifier (${m ?? ''}) in substitution`);
        }
        op = m;
      }
      const { text: word, found } = this.run(new Words(), '}');
      if (!found) throw new ShellExpansionError(`missing '}'`);
      const unset = value === undefined || (colon && value === '');
      switch (op) {
        case '-':
          return { value: unset ? word : value!, quoted: false };
        case '+':
          return { value: unset ? '' : word, quoted: false };
        default:
          if (unset) {
            throw new ShellExpansionError(`${name}: ${word || 'is not allowed to be unset'}`);
          }
          return { value: value!, quoted: false };
      }
    }
    if (ch === '#' || ch === '%') {
      let longest = false;
      if (this.peek() === ch) {
        this.next();
        longest = true;
      }
      const { text: pattern, found } = this.run(new Words(), '}');
      if (!found) throw new ShellExpansionError(`missing '}'`);
      return { value: trimPattern(value ?? '', pattern, ch === '#', longest), quoted: false };
    }
    throw new ShellExpansionError(`unsupported modifier (${ch}) in substitution`);
  }
}

/** `${v#p}` and friends: p is a shell glob (`*`, `?`). */
function trimPattern(value: string, pattern: string, prefix: boolean, longest: boolean): string {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );
  const lengths = [...Array(value.length + 1).keys()];
  if (longest) lengths.reverse();
  for (const n of lengths) {
    const part = prefix ? value.slice(0, n) : value.slice(value.length - n);
    if (re.test(part)) return prefix ? value.slice(n) : value.slice(0, value.length - n);
  }
  return value;
}

/** One word: quotes removed, variables expanded, no splitting. */
export function processWord(word: string, env: Env, escape = '\\'): string {
  const out = new Words();
  return new Lexer(word, env, escape).run(out).text;
}

/** Words split on unquoted whitespace after expansion. */
export function processWords(text: string, env: Env, escape = '\\'): string[] {
  const out = new Words();
  new Lexer(text, env, escape).run(out);
  out.end();
  return out.words;
}
