/**
 * `berth compose` words as docker compose (cobra/pflag) reads them: the project flags before the
 * verb, then the verb's own flags; flags stop at the first argument for verbs that run a command
 * in a container (exec, run), as they do in Docker.
 */
import { ComposeError } from '../compose/errors.js';
import type { ComposeCommand, ParsedFlags } from '../compose/command.js';

export type { ComposeCommand, ParsedFlags };

export interface FlagSpec {
  name: string;
  short?: string;
  type: 'bool' | 'string' | 'multi';
}

export interface ParsedWords {
  flags: ParsedFlags;
  args: string[];
}

const BOOL_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const BOOL_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

export function parseWords(
  words: readonly string[],
  specs: readonly FlagSpec[],
  stopAtArg = false,
): ParsedWords {
  const flags: ParsedFlags = {};
  const args: string[] = [];
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const set = (spec: FlagSpec, value: string | boolean): void => {
    if (spec.type === 'multi')
      flags[spec.name] = [...((flags[spec.name] as string[] | undefined) ?? []), String(value)];
    else flags[spec.name] = value;
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '--') {
      args.push(...words.slice(i + 1));
      break;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq > 0 ? w.slice(2, eq) : w.slice(2);
      const spec = byLong.get(name);
      if (!spec) throw new ComposeError(`unknown flag: --${name}`);
      if (spec.type === 'bool') {
        const v = eq > 0 ? w.slice(eq + 1) : 'true';
        if (!BOOL_TRUE.includes(v) && !BOOL_FALSE.includes(v)) {
          throw new ComposeError(
            `invalid argument "${v}" for "--${name}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`,
          );
        }
        set(spec, BOOL_TRUE.includes(v));
      } else {
        const v = eq > 0 ? w.slice(eq + 1) : words[++i];
        if (v === undefined) throw new ComposeError(`flag needs an argument: --${name}`);
        set(spec, v);
      }
      continue;
    }
    if (w.startsWith('-') && w !== '-') {
      for (let j = 1; j < w.length; j++) {
        const c = w[j];
        const spec = byShort.get(c);
        if (!spec) throw new ComposeError(`unknown shorthand flag: '${c}' in ${w}`);
        if (spec.type === 'bool') {
          set(spec, true);
          continue;
        }
        let v = w.slice(j + 1);
        if (v.startsWith('=')) v = v.slice(1);
        if (v === '') {
          const next = words[++i];
          if (next === undefined) throw new ComposeError(`flag needs an argument: '${c}' in -${c}`);
          v = next;
        }
        set(spec, v);
        break;
      }
      continue;
    }
    args.push(w);
    if (stopAtArg) {
      args.push(...words.slice(i + 1));
      break;
    }
  }
  return { flags, args };
}

export const PROJECT_FLAGS: FlagSpec[] = [
  { name: 'file', short: 'f', type: 'multi' },
  { name: 'project-name', short: 'p', type: 'string' },
  { name: 'project-directory', type: 'string' },
  { name: 'env-file', type: 'multi' },
  { name: 'profile', type: 'multi' },
  { name: 'ansi', type: 'string' },
  { name: 'progress', type: 'string' },
  { name: 'parallel', type: 'string' },
  { name: 'compatibility', type: 'bool' },
  { name: 'dry-run', type: 'bool' },
  { name: 'all-resources', type: 'bool' },
  { name: 'help', short: 'h', type: 'bool' },
  { name: 'version', short: 'v', type: 'bool' },
];

/** Splits `[project flags] VERB [verb words]`. */
export function splitVerb(words: readonly string[]): {
  project: ParsedFlags;
  verb?: string;
  rest: string[];
} {
  const { flags, args } = parseWords(words, PROJECT_FLAGS, true);
  return { project: flags, verb: args[0], rest: args.slice(1) };
}

const b = (name: string, short?: string): FlagSpec => ({ name, short, type: 'bool' });
const str = (name: string, short?: string): FlagSpec => ({ name, short, type: 'string' });
const multi = (name: string, short?: string): FlagSpec => ({ name, short, type: 'multi' });
const help = b('help', 'h');

const VERB_FLAGS: Record<string, { flags: FlagSpec[]; summary: string; stopAtArg?: boolean }> = {
  build: {
    summary: 'Build or rebuild services',
    flags: [b('no-cache'), b('pull'), multi('build-arg'), b('quiet', 'q'), help],
  },
  config: {
    summary: 'Parse, resolve and render compose file in canonical format',
    flags: [
      b('quiet', 'q'),
      b('services'),
      b('volumes'),
      b('profiles'),
      b('images'),
      str('format'),
      str('output', 'o'),
      b('no-interpolate'),
      help,
    ],
  },
  create: {
    summary: 'Creates containers for a service',
    flags: [
      b('build'),
      b('no-build'),
      str('pull'),
      b('force-recreate'),
      b('no-recreate'),
      b('remove-orphans'),
      b('quiet-pull'),
      help,
    ],
  },
  down: {
    summary: 'Stop and remove containers, networks',
    flags: [b('volumes', 'v'), str('rmi'), b('remove-orphans'), str('timeout', 't'), help],
  },
  exec: {
    summary: 'Execute a command in a running container',
    stopAtArg: true,
    flags: [
      b('detach', 'd'),
      multi('env', 'e'),
      str('index'),
      b('no-TTY', 'T'),
      b('privileged'),
      str('user', 'u'),
      str('workdir', 'w'),
      b('interactive', 'i'),
      b('tty', 't'),
      help,
    ],
  },
  images: {
    summary: 'List images used by the created containers',
    flags: [b('quiet', 'q'), str('format'), help],
  },
  kill: {
    summary: 'Force stop service containers',
    flags: [str('signal', 's'), b('remove-orphans'), help],
  },
  logs: {
    summary: 'View output from containers',
    flags: [
      b('follow', 'f'),
      str('tail', 'n'),
      b('timestamps', 't'),
      b('no-color'),
      b('no-log-prefix'),
      str('index'),
      help,
    ],
  },
  ls: {
    summary: 'List running compose projects',
    flags: [b('all', 'a'), b('quiet', 'q'), str('format'), help],
  },
  pause: { summary: 'Pause services', flags: [help] },
  port: {
    summary: 'Print the public port for a port binding',
    flags: [str('protocol'), str('index'), help],
  },
  ps: {
    summary: 'List containers',
    flags: [
      b('all', 'a'),
      b('quiet', 'q'),
      str('format'),
      b('services'),
      multi('status'),
      b('no-trunc'),
      help,
    ],
  },
  pull: {
    summary: 'Pull service images',
    flags: [
      b('ignore-pull-failures'),
      b('quiet', 'q'),
      b('include-deps'),
      b('ignore-buildable'),
      help,
    ],
  },
  push: {
    summary: 'Push service images',
    flags: [b('ignore-push-failures'), b('quiet', 'q'), b('include-deps'), help],
  },
  restart: {
    summary: 'Restart service containers',
    flags: [str('timeout', 't'), b('no-deps'), help],
  },
  rm: {
    summary: 'Removes stopped service containers',
    flags: [b('force', 'f'), b('stop', 's'), b('volumes', 'v'), help],
  },
  run: {
    summary: 'Run a one-off command on a service',
    stopAtArg: true,
    flags: [
      b('detach', 'd'),
      multi('env', 'e'),
      str('entrypoint'),
      str('name'),
      b('no-deps'),
      b('no-TTY', 'T'),
      b('rm'),
      b('service-ports'),
      str('user', 'u'),
      str('workdir', 'w'),
      b('interactive', 'i'),
      b('tty', 't'),
      b('quiet-pull'),
      help,
    ],
  },
  start: { summary: 'Start services', flags: [help] },
  stop: { summary: 'Stop services', flags: [str('timeout', 't'), help] },
  top: { summary: 'Display the running processes', flags: [help] },
  unpause: { summary: 'Unpause services', flags: [help] },
  up: {
    summary: 'Create and start containers',
    flags: [
      b('detach', 'd'),
      b('wait'),
      str('wait-timeout'),
      b('build'),
      b('no-build'),
      str('pull'),
      b('force-recreate'),
      b('no-recreate'),
      b('remove-orphans'),
      b('no-deps'),
      b('abort-on-container-exit'),
      str('exit-code-from'),
      b('no-start'),
      b('no-color'),
      b('no-log-prefix'),
      b('timestamps'),
      b('quiet-pull'),
      str('timeout', 't'),
      help,
    ],
  },
  version: {
    summary: 'Show the Docker Compose version information',
    flags: [str('format', 'f'), b('short'), help],
  },
};

export const COMPOSE_VERBS = Object.keys(VERB_FLAGS);

export const COMPOSE_USAGE = `
Usage:  berth compose [OPTIONS] COMMAND

Define and run multi-container applications with berth

Options:
      --env-file stringArray       Specify an alternate environment file
  -f, --file stringArray           Compose configuration files
      --profile stringArray        Specify a profile to enable
      --project-directory string   Specify an alternate working directory
                                   (default: the path of the, first specified, Compose file)
  -p, --project-name string        Project name

Commands:
${COMPOSE_VERBS.map((v) => `  ${v.padEnd(11)}${VERB_FLAGS[v]!.summary}`).join('\n')}

Run 'berth compose COMMAND --help' for more information on a command.
`;

function verbUsage(verb: string): string {
  const v = VERB_FLAGS[verb]!;
  const lines = v.flags.map(
    (f) =>
      `  ${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.type === 'bool' ? '' : ' string'}`,
  );
  return `\nUsage:  berth compose ${verb} [OPTIONS]\n\n${v.summary}\n\nOptions:\n${lines.join('\n')}\n`;
}

/** Parses `compose` words; help and version requests come back as the text to print. */
export function parseComposeArgv(
  words: readonly string[],
  version: string,
): ComposeCommand | { text: string } {
  const { project, verb, rest } = splitVerb(words);
  if (project.version) return { text: `Docker Compose version v${version} (berth)\n` };
  if (!verb || project.help) return { text: COMPOSE_USAGE };
  const spec = VERB_FLAGS[verb];
  if (!spec) throw new ComposeError(`unknown docker command: "compose ${verb}"`);
  const { flags, args } = parseWords(rest, spec.flags, spec.stopAtArg);
  if (flags.help) return { text: verbUsage(verb) };
  return { project, verb, flags, args };
}
