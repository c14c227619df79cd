// Docker's argument rules that oclif lacks, applied to argv before oclif parses it:
//  1. global flags go before the command (`berth -n k8s.io ps`): they are moved after the command id;
//  2. for run/create/exec everything after the image (or container) belongs to the container,
//     including `--help`: a `--` is inserted after that first positional;
//  3. boolean flags take pflag's `=true`/`=false` (`--sig-proxy=false`, `-q=true`), spelled the
//     oclif way (`--sig-proxy`, `--no-sig-proxy`, or nothing for a false default);
//  4. `-h` is `--help` wherever the command has no `-h` of its own (run and create: hostname).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What argv rewriting needs of a command in oclif.manifest.json. */
export interface ManifestFlag {
  type?: string;
  char?: string;
  aliases?: string[];
  charAliases?: string[];
  allowNo?: boolean;
}
export type ManifestCommands = Record<
  string,
  { flags?: Record<string, ManifestFlag>; aliases?: string[] } | undefined
>;
export interface Rewritten {
  argv?: string[];
  error?: string;
  help?: boolean;
  /** The first word names no command: Docker's `'x' is not a docker command.` (exit 1). */
  notCommand?: string;
  /** The command an `error` is about, for its `--help` hint. */
  command?: string;
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
  'volume',
  'builder',
]);
// Commands whose first positional starts the container's own argv.
const INTERSPERSE_STOP = new Set(['run', 'create', 'exec']);

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
  let idLen = 1;
  if (TOPICS.has(rest[0]) && rest[1] && !rest[1].startsWith('-')) idLen = 2;
  const idTokens = rest.slice(0, idLen);
  let tail = rest.slice(idLen);
  const typed = idTokens.join(':');
  // `container run` is an alias: the manifest lists it under `run`.
  const id = commands[typed]
    ? typed
    : (Object.keys(commands).find((k) => commands[k]?.aliases?.includes(typed)) ?? typed);
  const cmd = commands[id];
  if (cmd) {
    const flags = cmd.flags ?? {};
    const normalized = normalizeFlags(tail, flags, INTERSPERSE_STOP.has(id));
    if (typeof normalized === 'string') return { error: normalized, command: id };
    tail = normalized;
    if (INTERSPERSE_STOP.has(id)) tail = stopAtFirstPositional(tail, flags);
  }
  return { argv: [...idTokens, ...globals, ...tail] };
}

/** What to print and the exit code when argv is refused before oclif runs. */
export function rejection(r: Rewritten): { text: string; code: number } | undefined {
  if (r.notCommand !== undefined) {
    return {
      text: `berth: '${r.notCommand}' is not a berth command.\nSee 'berth --help'\n`,
      code: 1,
    };
  }
  if (r.error !== undefined || !r.argv) {
    const help = r.command ? `berth ${r.command.split(':').join(' ')} --help` : 'berth --help';
    return { text: `${r.error}\n\nRun '${help}' for more information\n`, code: 125 };
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
 * Rules 3 and 4 over a command's own arguments, up to `--` (and, for run/create/exec, up to the
 * first positional: what follows is the container's). Returns the rewritten tail, or Docker's
 * error text for a boolean value that is not one.
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
  const out: string[] = [];
  for (let i = 0; i < tail.length; i++) {
    const tok = tail[i]!;
    if (tok === '--' || !tok.startsWith('-') || tok === '-') {
      if (tok === '--' || stopAtPositional) return [...out, ...tail.slice(i)];
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
      out.push(tok);
      continue;
    }
    out.push(tok);
    // A flag that takes a value: the next word is that value, whatever it looks like.
    if (long) {
      if (byToken.get(tok)?.flag.type === 'option' && i + 1 < tail.length) out.push(tail[++i]!);
      continue;
    }
    for (let j = 1; j < tok.length; j++) {
      if (byToken.get(`-${tok[j]}`)?.flag.type === 'option') {
        if (j === tok.length - 1 && i + 1 < tail.length) out.push(tail[++i]!);
        break;
      }
    }
  }
  return out;
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
