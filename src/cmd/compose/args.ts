/**
 * `berth compose` words as docker compose (cobra/pflag) reads them: the project flags before the
 * verb, then the verb's own flags; flags stop at the first argument for verbs that run a command
 * in a container (exec, run), as they do in Docker.
 */
import { ComposeError } from '../../compose/errors.js';

export interface FlagSpec {
  name: string;
  short?: string;
  type: 'bool' | 'string' | 'multi';
}

export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

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
