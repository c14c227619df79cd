/**
 * `berth compose …`: the project flags, the verb's flags, loading the project once, and the verb.
 * Verbs live in their own modules; this one only routes.
 */
import { loadProject, type LoadedProject } from '../../compose/loader.js';
import { ComposeError } from '../../compose/errors.js';
import { parseWords, splitVerb, type FlagSpec, type ParsedFlags } from './args.js';
import { renderConfig } from './config.js';

/** What a verb needs from the command that runs it (settings, a client) without oclif. */
export interface ComposeHost {
  env: Record<string, string | undefined>;
  cwd: string;
  version: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const COMPOSE_VERBS = ['config', 'version'] as const;

const VERB_FLAGS: Record<string, FlagSpec[]> = {
  config: [
    { name: 'quiet', short: 'q', type: 'bool' },
    { name: 'services', type: 'bool' },
    { name: 'volumes', type: 'bool' },
    { name: 'profiles', type: 'bool' },
    { name: 'images', type: 'bool' },
    { name: 'format', type: 'string' },
    { name: 'output', short: 'o', type: 'string' },
    { name: 'no-interpolate', type: 'bool' },
    { name: 'help', short: 'h', type: 'bool' },
  ],
  version: [
    { name: 'format', short: 'f', type: 'string' },
    { name: 'short', type: 'bool' },
    { name: 'help', short: 'h', type: 'bool' },
  ],
};

export const COMPOSE_USAGE = `
Usage:  docker compose [OPTIONS] COMMAND

Define and run multi-container applications with berth

Options:
      --env-file stringArray       Specify an alternate environment file
  -f, --file stringArray           Compose configuration files
      --profile stringArray        Specify a profile to enable
      --project-directory string   Specify an alternate working directory
                                   (default: the path of the, first specified, Compose file)
  -p, --project-name string        Project name

Commands:
${COMPOSE_VERBS.map((v) => `  ${v}`).join('\n')}
`.replace('docker compose', 'berth compose');

function projectOf(host: ComposeHost, p: ParsedFlags, services: string[] = []): LoadedProject {
  const project = loadProject({
    files: p.file as string[] | undefined,
    projectName: p['project-name'] as string | undefined,
    projectDirectory: p['project-directory'] as string | undefined,
    envFiles: p['env-file'] as string[] | undefined,
    profiles: p.profile as string[] | undefined,
    services,
    env: host.env,
    cwd: host.cwd,
  });
  for (const w of project.warnings) host.stderr(`WARN[0000] ${w}\n`);
  return project;
}

export async function runCompose(words: readonly string[], host: ComposeHost): Promise<number> {
  const { project: pflags, verb, rest } = splitVerb(words);
  if (pflags.version) {
    host.stdout(`Docker Compose version v${host.version} (berth)\n`);
    return 0;
  }
  if (!verb || pflags.help) {
    host.stdout(COMPOSE_USAGE);
    return 0;
  }
  const specs = VERB_FLAGS[verb];
  if (!specs) throw new ComposeError(`unknown docker command: "compose ${verb}"`);
  const { flags, args } = parseWords(rest, specs);
  if (flags.help) {
    host.stdout(`Usage:  berth compose ${verb} [OPTIONS]\n`);
    return 0;
  }
  switch (verb) {
    case 'version':
      if (flags.short) host.stdout(`${host.version}\n`);
      else if (flags.format === 'json')
        host.stdout(`${JSON.stringify({ version: `v${host.version}` })}\n`);
      else host.stdout(`Docker Compose version v${host.version} (berth)\n`);
      return 0;
    case 'config': {
      const project = projectOf(host, pflags, args);
      const text = renderConfig(project, {
        quiet: flags.quiet === true,
        services: flags.services === true,
        volumes: flags.volumes === true,
        profiles: flags.profiles === true,
        images: flags.images === true,
        format: flags.format as string | undefined,
      });
      if (flags.output) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(flags.output as string, text);
      } else host.stdout(text);
      return 0;
    }
    default:
      throw new ComposeError(`unknown docker command: "compose ${verb}"`);
  }
}
