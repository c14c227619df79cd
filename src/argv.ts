// Docker's argument rules that oclif lacks, applied to argv before oclif parses it:
//  1. global flags go before the command (`berth -n k8s.io ps`): they are moved after the command id;
//  2. for run/create/exec everything after the image (or container) belongs to the container,
//     including `--help`: a `--` is inserted after that first positional.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What argv rewriting needs of a command in oclif.manifest.json. */
export interface ManifestFlag {
  type?: string;
  char?: string;
  aliases?: string[];
  charAliases?: string[];
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
      if (
        !['true', 'false', '1', '0', 't', 'f', 'TRUE', 'FALSE', 'True', 'False'].includes(value)
      ) {
        return {
          error: `invalid argument "${value}" for "${name}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`,
        };
      }
      if (['true', '1', 't', 'TRUE', 'True'].includes(value)) {
        globals.push(name === '-D' ? '--debug' : name);
      }
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
  if (cmd && INTERSPERSE_STOP.has(id)) tail = stopAtFirstPositional(tail, cmd.flags ?? {});
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
