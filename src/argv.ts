// Docker's argument rules that oclif lacks, applied to argv before oclif parses it:
//  1. global flags go before the command (`berth -n k8s.io ps`): they are moved after the command id;
//  2. for run/create/exec everything after the image (or container) belongs to the container,
//     including `--help`: a `--` is inserted after that first positional;
//  3. boolean flags take pflag's `=true`/`=false` (`--sig-proxy=false`, `-q=true`), spelled the
//     oclif way (`--sig-proxy`, `--no-sig-proxy`, or nothing for a false default);
//  4. `-h` is `--help` wherever the command has no `-h` of its own (run and create: hostname);
//  5. a single-value flag given twice takes the last value, as pflag does (oclif would refuse);
//  6. an unknown verb of a management command (`container nosuchverb`) is Docker's
//     `unknown command`, exit 1, and a flag there is an unknown flag;
//  7. a word after a command that takes no arguments (`ps x`, `container ls extra`) is an
//     argument, not part of a command id as oclif would read it, so that the command refuses it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { usageLineFor, usageText } from './usage.js';

/** What argv rewriting needs of a command in oclif.manifest.json. */
export interface ManifestFlag {
  type?: string;
  char?: string;
  aliases?: string[];
  charAliases?: string[];
  allowNo?: boolean;
  multiple?: boolean;
}
export type ManifestCommands = Record<
  string,
  | {
      flags?: Record<string, ManifestFlag>;
      aliases?: string[];
      args?: Record<string, unknown>;
      strict?: boolean;
      usage?: string | string[];
    }
  | undefined
>;
export interface Rewritten {
  argv?: string[];
  error?: string;
  help?: boolean;
  /** The first word names no command: Docker's `'x' is not a docker command.` (exit 1). */
  notCommand?: string;
  /** The command an `error` is about, for its `--help` hint (words as typed, spaces). */
  command?: string;
  /** The usage line (`container COMMAND`) printed between an `error` and its hint. */
  usage?: string;
  /** A management command's unknown verb: `container nosuchverb` (exit 1). */
  unknownCommand?: { topic: string; words: string };
}

const GLOBAL_VALUE: Record<string, string> = {
  '-a': '--address',
  '-H': '--address',
  '--host': '--address',
  '--address': '--address',
  '-n': '--namespace',
  '--namespace': '--namespace',
  '--snapshotter': '--snapshotter',
  '--storage-driver': '--snapshotter',
  '--data-root': '--data-root',
  '--cni-path': '--cni-path',
  '--cni-netconfpath': '--cni-netconfpath',
  '--hosts-dir': '--hosts-dir',
};
const GLOBAL_BOOL = new Set(['--debug', '--insecure-registry', '-D']);
// strconv.ParseBool's spellings.
const TRUE_WORDS = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE_WORDS = ['0', 'f', 'F', 'FALSE', 'false', 'False'];
const TOPICS = new Set([
  'container',
  'image',
  'namespace',
  'system',
  'network',
  'pod',
  'volume',
  'builder',
]);
// Commands whose first positional starts the container's own argv (top: the ps options).
const INTERSPERSE_STOP = new Set(['run', 'create', 'exec', 'top']);

/** The manifest's command table; `root` is the package directory. */
export function loadManifest(root: string): ManifestCommands {
  try {
    return JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')).commands;
  } catch {
    return {};
  }
}

export function rewriteArgv(argv: string[], commands: ManifestCommands): Rewritten {
  const globals: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const tok = argv[i];
    if (!tok.startsWith('-') || tok === '-') break;
    const eq = tok.indexOf('=');
    const name = eq > 0 ? tok.slice(0, eq) : tok;
    if (GLOBAL_VALUE[name]) {
      const value = eq > 0 ? tok.slice(eq + 1) : argv[++i];
      if (value === undefined) return { error: `flag needs an argument: ${name}` };
      const long = GLOBAL_VALUE[name];
      // Docker lets a later global flag override an earlier one; oclif would reject the repeat.
      if (long !== '--hosts-dir') {
        const prev = globals.findIndex((g) => g.startsWith(`${long}=`));
        if (prev >= 0) globals.splice(prev, 1);
      }
      globals.push(`${long}=${value}`);
    } else if (GLOBAL_BOOL.has(name)) {
      // Go's boolean flags take `=true`/`=false` too.
      const value = eq > 0 ? tok.slice(eq + 1) : 'true';
      if (!TRUE_WORDS.includes(value) && !FALSE_WORDS.includes(value)) {
        return { error: parseBoolError(value, name) };
      }
      if (TRUE_WORDS.includes(value)) globals.push(name === '-D' ? '--debug' : name);
    } else if (tok === '-v' || tok === '--version') {
      return { argv: ['version', '--format', 'berth version {{.Client.Version}}', ...globals] };
    } else if (tok === '-h' || tok === '--help') {
      return { argv: ['--help'] };
    } else {
      return { error: `unknown flag: ${tok}`, help: true };
    }
  }
  const rest = argv.slice(i);
  if (rest.length === 0) return { argv: ['--help'] };
  // `berth help [COMMAND…]` is `berth [COMMAND…] --help`, as in Docker.
  if (rest[0] === 'help') return { argv: [...rest.slice(1), '--help'] };
  if (!isKnownWord(rest[0]!, commands)) return { notCommand: rest[0]! };
  const manifestKnown = Object.keys(commands).length > 0;
  let idLen = 1;
  if (TOPICS.has(rest[0]) && rest[1] !== undefined) {
    const second = rest[1];
    if (!second.startsWith('-') || second === '-') idLen = 2;
    else if (second !== '--help' && second !== '-h' && manifestKnown) {
      // cobra parses a management command's own flags, and it has none but --help.
      return { error: unknownFlagText(second), command: rest[0], usage: `${rest[0]} COMMAND` };
    }
  }
  const idTokens = rest.slice(0, idLen);
  let tail = rest.slice(idLen);
  const typed = idTokens.join(':');
  // `container run` is an alias: the manifest lists it under `run`.
  const id = commands[typed]
    ? typed
    : (Object.keys(commands).find((k) => commands[k]?.aliases?.includes(typed)) ?? typed);
  const cmd = commands[id];
  if (!cmd && idLen === 2 && manifestKnown) {
    return { unknownCommand: { topic: rest[0], words: idTokens.join(' ') } };
  }
  // compose parses its own words (project flags before the verb, each verb's flags after it).
  if (id === 'compose') return { argv: [...idTokens, ...globals, '--', ...tail] };
  if (cmd) {
    const flags = cmd.flags ?? {};
    const stop = INTERSPERSE_STOP.has(id);
    const normalized = normalizeFlags(tail, flags, stop);
    if (typeof normalized === 'string') {
      const path = idTokens.join(' ');
      return {
        error: normalized,
        command: path,
        usage: usageLineFor(cmd.usage, id.split(':').join(' '), path),
      };
    }
    tail = normalized;
    if (stop) tail = stopAtFirstPositional(tail, flags);
    // oclif reads the word after a command without arguments as part of a longer command id
    // (`ps x` is looked up as `ps:x`); after `--` it is an argument, which the command refuses
    // with Docker's `accepts no arguments`.
    const takesNone = !stop && cmd.strict !== false && Object.keys(cmd.args ?? {}).length === 0;
    if (takesNone && tail[0] !== undefined && (!tail[0].startsWith('-') || tail[0] === '-')) {
      tail = ['--', ...tail];
    }
  }
  return { argv: [...idTokens, ...globals, ...tail] };
}

/**
 * The command id the user typed (`container:ls`), with the global flags before it skipped; for
 * naming the command in errors, which oclif knows only by its canonical id (`ps`).
 */
export function typedCommandPath(argv: readonly string[]): string | undefined {
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '-') {
    const tok = argv[i]!;
    if (GLOBAL_VALUE[tok] && !tok.includes('=')) i++;
    i++;
  }
  const first = argv[i];
  if (first === undefined) return undefined;
  const second = argv[i + 1];
  if (TOPICS.has(first) && second !== undefined && !second.startsWith('-')) {
    return `${first}:${second}`;
  }
  return first;
}

/** pflag's words for a flag it does not know. */
function unknownFlagText(tok: string): string {
  if (tok.startsWith('--')) return `unknown flag: ${tok.split('=')[0]}`;
  return `unknown shorthand flag: '${tok[1]}' in ${tok}`;
}

/** What to print and the exit code when argv is refused before oclif runs. */
export function rejection(r: Rewritten): { text: string; code: number } | undefined {
  if (r.unknownCommand) {
    const { topic, words } = r.unknownCommand;
    const text = usageText(`berth: unknown command: berth ${words}`, topic, `${topic} COMMAND`);
    return { text: `${text}\n`, code: 1 };
  }
  if (r.notCommand !== undefined) {
    return {
      text: `berth: '${r.notCommand}' is not a berth command.\nSee 'berth --help'\n`,
      code: 1,
    };
  }
  if (r.error !== undefined || !r.argv) {
    if (r.command) return { text: `${usageText(r.error ?? '', r.command, r.usage)}\n`, code: 125 };
    return { text: `${r.error}\n\nRun 'berth --help' for more information\n`, code: 125 };
  }
  return undefined;
}

/** A command, an alias's first word, a topic, or `help`; anything goes without a manifest. */
function isKnownWord(word: string, commands: ManifestCommands): boolean {
  const ids = Object.keys(commands);
  if (ids.length === 0 || word === 'help' || TOPICS.has(word)) return true;
  return ids.some(
    (id) =>
      id.split(':')[0] === word ||
      (commands[id]?.aliases ?? []).some((a) => a.split(':')[0] === word),
  );
}

function parseBoolError(value: string, flag: string): string {
  return `invalid argument "${value}" for "${flag}" flag: strconv.ParseBool: parsing "${JSON.stringify(value).slice(1, -1)}": invalid syntax`;
}

/**
 * Rules 3, 4 and 5 over a command's own arguments, up to `--` (and, for run/create/exec/top, up
 * to the first positional: what follows is the container's). Returns the rewritten tail, or
 * Docker's error text for a boolean value that is not one.
 */
function normalizeFlags(
  tail: string[],
  flags: Record<string, ManifestFlag>,
  stopAtPositional: boolean,
): string[] | string {
  const byToken = new Map<string, { name: string; flag: ManifestFlag }>();
  for (const [name, flag] of Object.entries(flags)) {
    byToken.set(`--${name}`, { name, flag });
    if (flag.char) byToken.set(`-${flag.char}`, { name, flag });
    for (const a of flag.aliases ?? []) byToken.set(`--${a}`, { name, flag });
    for (const c of flag.charAliases ?? []) byToken.set(`-${c}`, { name, flag });
  }
  const hasH = byToken.has('-h');
  // Words kept so far; an earlier occurrence of a repeated single-value flag is blanked (null).
  const out: (string | null)[] = [];
  // Where the last occurrence of each single-value option flag is in `out`: the flag's word, how
  // many words it spans (2 with a separate value), and the boolean shorthands grouped before it
  // (`-it` of `-itw /tmp`), which stay when the occurrence is dropped.
  const seen = new Map<string, { at: number; span: number; keep: string }>();
  const single = (hit: { flag: ManifestFlag } | undefined): boolean =>
    hit?.flag.type === 'option' && !hit.flag.multiple;
  const occurrence = (name: string, at: number, span: number, keep = ''): void => {
    const prev = seen.get(name);
    if (prev) {
      out[prev.at] = prev.keep.length > 1 ? prev.keep : null;
      if (prev.span === 2) out[prev.at + 1] = null;
    }
    seen.set(name, { at, span, keep });
  };
  const done = (rest: string[]): string[] => [
    ...out.filter((w): w is string => w !== null),
    ...rest,
  ];
  for (let i = 0; i < tail.length; i++) {
    const tok = tail[i]!;
    if (tok === '--' || !tok.startsWith('-') || tok === '-') {
      if (tok === '--' || stopAtPositional) return done(tail.slice(i));
      out.push(tok);
      continue;
    }
    if (tok === '-h' && !hasH) {
      out.push('--help');
      continue;
    }
    // `--name=value`, or a single short flag with `=` (`-q=true`, as pflag reads it).
    const eq = tok.indexOf('=');
    const long = tok.startsWith('--');
    if (eq > 0 && (long || eq === 2)) {
      const hit = byToken.get(tok.slice(0, eq));
      if (hit?.flag.type === 'boolean') {
        const value = tok.slice(eq + 1);
        const { name, flag } = hit;
        if (TRUE_WORDS.includes(value)) out.push(`--${name}`);
        else if (FALSE_WORDS.includes(value)) {
          // A false default needs no word; a true default (allowNo) is turned off with --no-.
          if (flag.allowNo) out.push(`--no-${name}`);
        } else {
          return parseBoolError(value, flag.char ? `-${flag.char}, --${name}` : `--${name}`);
        }
        continue;
      }
      if (hit && single(hit)) occurrence(hit.name, out.length, 1);
      out.push(tok);
      continue;
    }
    // A flag that takes a value: the next word is that value, whatever it looks like.
    if (long) {
      const hit = byToken.get(tok);
      const span = hit?.flag.type === 'option' && i + 1 < tail.length ? 2 : 1;
      if (hit && single(hit)) occurrence(hit.name, out.length, span);
      out.push(tok);
      if (span === 2) out.push(tail[++i]!);
      continue;
    }
    const at = out.length;
    out.push(tok);
    // Grouped shorthands: booleans, then at most one that takes a value, attached (`-wx`,
    // `-itw/tmp`) or the next word.
    for (let j = 1; j < tok.length; j++) {
      const hit = byToken.get(`-${tok[j]}`);
      if (hit?.flag.type === 'option') {
        const span = j === tok.length - 1 && i + 1 < tail.length ? 2 : 1;
        if (single(hit)) occurrence(hit.name, at, span, tok.slice(0, j));
        if (span === 2) out.push(tail[++i]!);
        break;
      }
    }
  }
  return done([]);
}

function stopAtFirstPositional(tail: string[], flags: Record<string, ManifestFlag>): string[] {
  const takesValue = new Map<string, boolean>();
  for (const [name, f] of Object.entries(flags)) {
    const v = f.type === 'option';
    takesValue.set(`--${name}`, v);
    if (f.char) takesValue.set(`-${f.char}`, v);
    for (const a of f.aliases ?? []) takesValue.set(`--${a}`, v);
    for (const c of f.charAliases ?? []) takesValue.set(`-${c}`, v);
  }
  for (let i = 0; i < tail.length; i++) {
    const tok = tail[i];
    if (tok === '--') return tail;
    if (!tok.startsWith('-') || tok === '-') {
      return [...tail.slice(0, i + 1), '--', ...tail.slice(i + 1)];
    }
    if (tok.startsWith('--')) {
      if (!tok.includes('=') && takesValue.get(tok)) i++;
      continue;
    }
    // Short flags may be grouped (-it) and the last one may take a value (-itu root, -eFOO=1).
    for (let j = 1; j < tok.length; j++) {
      if (takesValue.get(`-${tok[j]}`)) {
        if (j === tok.length - 1) i++;
        break;
      }
    }
  }
  return tail;
}
