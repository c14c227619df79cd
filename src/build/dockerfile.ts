/**
 * Dockerfile glue: dockerfile-ast splits the text into instructions (comments, parser
 * directives, line continuations, heredoc detection); this module turns them into the classic
 * builder's model: meta ARGs before the first FROM, then stages, each instruction with its
 * original text (Docker's `Step N/M : …` line), 1-based line, leading `--flags` and arguments in
 * the shape the instruction takes (exec-form JSON or shell form, name=value pairs, words).
 */
import { createRequire } from 'node:module';
import type * as DockerfileAst from 'dockerfile-ast';
import { BerthError } from '../errors.js';

/** A Dockerfile error, named by file and line as Docker does (exit 1). */
export class DockerfileError extends BerthError {
  constructor(message: string) {
    super(message, { exitCode: 1 });
  }
}

export const KNOWN_INSTRUCTIONS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

/** Flags each instruction accepts; BuildKit-only ones are refused with their own message. */
const FLAGS: Record<string, readonly string[]> = {
  FROM: ['platform'],
  COPY: ['from', 'chown'],
  ADD: ['chown'],
  HEALTHCHECK: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
};
const BUILDKIT_ONLY_FLAGS: Record<string, readonly string[]> = {
  RUN: ['mount', 'network', 'security'],
  COPY: ['chmod', 'link', 'parents', 'exclude'],
  ADD: ['chmod', 'link', 'checksum', 'keep-git-dir', 'exclude'],
};

export interface Instruction {
  /** Upper-case keyword. */
  keyword: string;
  /** The instruction as written, continuations joined: what `Step N/M :` shows. */
  original: string;
  /** 1-based line of the keyword. */
  line: number;
  flags: Map<string, string>;
  /** Arguments after the flags, as one string (continuations joined). */
  args: string;
}

export interface Stage {
  index: number;
  /** `AS name`, lower-cased as Docker compares it. */
  name?: string;
  /** The FROM instruction. */
  from: Instruction;
  /** The base as written (before meta-ARG expansion). */
  base: string;
  platform?: string;
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  escape: string;
  metaArgs: Instruction[];
  stages: Stage[];
}

function unsupported(file: string, line: number, what: string): DockerfileError {
  return new DockerfileError(
    `${file}:${line}: ${what} is BuildKit-only syntax, not supported by berth's builder (it builds without BuildKit)`,
  );
}

/** Leading `--name[=value]` tokens; returns them and the rest. */
export function splitFlags(rest: string): { flags: Map<string, string>; args: string } {
  const flags = new Map<string, string>();
  let s = rest;
  for (;;) {
    const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(s);
    if (!m) break;
    flags.set(m[1]!.toLowerCase(), m[2] ?? '');
    s = s.slice(m[0].length);
  }
  return { flags, args: s };
}

/**
 * Parses the text. `file` names the Dockerfile in messages. Throws DockerfileError for an
 * unknown instruction, a missing FROM, BuildKit-only syntax, or a malformed instruction.
 */
let ast: typeof DockerfileAst | undefined;
// Required on first use, never at load: only `build` needs the parser, and a package evaluated
// while the start-up snapshot is made would be in every command's heap (and a CommonJS module
// loaded then makes node refuse the snapshot).
function dockerfileAst(): typeof DockerfileAst {
  ast ??= createRequire(import.meta.url)('dockerfile-ast') as typeof DockerfileAst;
  return ast;
}

export function parseDockerfile(text: string, file = 'Dockerfile'): ParsedDockerfile {
  const df = dockerfileAst().DockerfileParser.parse(text);
  const escape = df.getEscapeCharacter();
  const lines = text.split(/\r?\n/);
  const metaArgs: Instruction[] = [];
  const stages: Stage[] = [];
  const escRe = new RegExp(`${escape.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}[ \\t]*$`);
  for (const ins of df.getInstructions()) {
    const range = ins.getRange();
    const lineNo = range.start.line + 1;
    const keyword = ins.getKeyword().toUpperCase();
    if (!KNOWN_INSTRUCTIONS.has(keyword)) {
      throw new DockerfileError(
        `${file}:${lineNo}: unknown instruction: ${ins.getInstruction().toUpperCase()}`,
      );
    }
    const parts: string[] = [];
    for (let l = range.start.line; l <= range.end.line; l++) {
      let t = lines[l] ?? '';
      if (l === range.end.line) t = t.slice(0, range.end.character);
      if (l > range.start.line && /^\s*#/.test(t)) continue;
      if (l < range.end.line) t = t.replace(escRe, '');
      parts.push(t);
    }
    const original = parts.join('').trim();
    const kwText = ins.getInstruction();
    const afterKw = original.slice(original.indexOf(kwText) + kwText.length).trim();
    // dockerfile-ast detects heredocs on RUN/COPY/ADD (getHeredocs is public on those classes).
    const withHeredocs = ins as unknown as { getHeredocs?: () => unknown[] };
    const heredocs =
      typeof withHeredocs.getHeredocs === 'function' ? withHeredocs.getHeredocs() : [];
    if (heredocs.length > 0 || /^<<-?["']?[A-Za-z_]/.test(afterKw.replace(/^(--\S+\s+)*/, ''))) {
      throw unsupported(file, lineNo, `a heredoc (${keyword} <<…)`);
    }
    const { flags, args } =
      keyword === 'ONBUILD'
        ? { flags: new Map<string, string>(), args: afterKw }
        : splitFlags(afterKw);
    for (const name of flags.keys()) {
      if (BUILDKIT_ONLY_FLAGS[keyword]?.includes(name)) {
        throw unsupported(file, lineNo, `${keyword} --${name}`);
      }
      if (!FLAGS[keyword]?.includes(name)) {
        throw new DockerfileError(`${file}:${lineNo}: Unknown flag: ${name}`);
      }
    }
    const instruction: Instruction = { keyword, original, line: lineNo, flags, args };
    if (keyword === 'FROM') {
      const words = args.trim().split(/\s+/).filter(Boolean);
      if (words.length !== 1 && !(words.length === 3 && words[1]!.toLowerCase() === 'as')) {
        throw new DockerfileError(`${file}:${lineNo}: FROM requires either one or three arguments`);
      }
      const stage: Stage = {
        index: stages.length,
        from: instruction,
        base: words[0]!,
        instructions: [],
      };
      if (words.length === 3) {
        const name = words[2]!.toLowerCase();
        if (!/^[a-z][a-z0-9-_.]*$/.test(name)) {
          throw new DockerfileError(
            `${file}:${lineNo}: invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`,
          );
        }
        if (stages.some((s) => s.name === name)) {
          throw new DockerfileError(
            `${file}:${lineNo}: duplicate stage name ${JSON.stringify(name)}`,
          );
        }
        stage.name = name;
      }
      const platform = flags.get('platform');
      if (platform !== undefined) stage.platform = platform;
      stages.push(stage);
      continue;
    }
    if (args.trim() === '' && !['HEALTHCHECK'].includes(keyword)) {
      throw new DockerfileError(`${file}:${lineNo}: ${keyword} requires at least one argument`);
    }
    const stage = stages.at(-1);
    if (!stage) {
      if (keyword !== 'ARG') {
        throw new DockerfileError(`${file}:${lineNo}: no build stage in current context`);
      }
      metaArgs.push(instruction);
    } else {
      stage.instructions.push(instruction);
    }
  }
  if (stages.length === 0) {
    throw new DockerfileError(`${file}: the Dockerfile has no FROM instruction`);
  }
  return { escape, metaArgs, stages };
}

/** Exec form: a JSON array of strings; otherwise undefined (shell form), as Docker decides. */
export function parseJsonArray(args: string): string[] | undefined {
  const t = args.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // not JSON: shell form
  }
  return undefined;
}

/**
 * Splits on whitespace while keeping quoted runs (quotes and escapes kept for the later
 * expansion), as Docker's parser does for ENV/LABEL/ARG.
 */
export function splitWords(text: string, escape = '\\'): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (!quote && /\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === escape && i + 1 < text.length && quote !== "'") {
      cur += ch + text[++i];
      continue;
    }
    if (quote ? ch === quote : ch === '"' || ch === "'") quote = quote ? undefined : ch;
    cur += ch;
  }
  if (inWord) words.push(cur);
  return words;
}

/**
 * `KEY=VALUE …` pairs (or the legacy `KEY VALUE` single pair) of ENV and LABEL; values still
 * need expansion.
 */
export function parseNameValues(
  ins: Instruction,
  escape = '\\',
  file = 'Dockerfile',
): { key: string; value: string }[] {
  const words = splitWords(ins.args, escape);
  if (words.length === 0) return [];
  if (!words[0]!.includes('=')) {
    if (words.length < 2) {
      throw new DockerfileError(`${file}:${ins.line}: ${ins.keyword} must have two arguments`);
    }
    const rest = ins.args.trim().slice(words[0]!.length).trim();
    return [{ key: words[0]!, value: rest }];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) {
      throw new DockerfileError(`${file}:${ins.line}: ${ins.keyword} names can not be blank`);
    }
    return { key: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}

/** ADD/COPY/VOLUME arguments: JSON array or whitespace-separated words. */
export function parseList(args: string): string[] {
  return parseJsonArray(args) ?? args.trim().split(/\s+/).filter(Boolean);
}
