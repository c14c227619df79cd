/**
 * `berth compose …`: the project flags, the verb's flags, loading the project once, and the verb.
 * Verbs live in their own modules; this one only routes.
 */
import { loadProject, type LoadedProject } from '../../compose/loader.js';
import { ComposeError } from '../../compose/errors.js';
import type { Client } from '../../containerd/client.js';
import type { Settings } from '../../config/index.js';
import type { ComposeCommand, ParsedFlags } from '../../compose/command.js';
import { renderConfig } from '../../compose/config-view.js';
import type { Ctx } from '../../compose/runtime.js';

/** What a verb needs from the command that runs it (settings, a client) without oclif. */
export interface ComposeHost {
  env: Record<string, string | undefined>;
  cwd: string;
  version: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  client: () => Promise<Client>;
  settings: () => Settings;
}

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

function seconds(v: string | boolean | string[] | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) {
    throw new ComposeError(
      `invalid argument "${String(v)}" for "${flag}" flag: strconv.ParseInt: parsing "${String(v)}": invalid syntax`,
    );
  }
  return n;
}

function index(v: string | boolean | string[] | undefined): number {
  return v === undefined ? 1 : (seconds(v, '--index') ?? 1);
}

/** Runs a parsed `compose` command line; returns the exit code. */
export async function runCompose(cmd: ComposeCommand, host: ComposeHost): Promise<number> {
  const { project: pflags, verb, flags: f, args } = cmd;
  if (verb === 'version') {
    if (f.short) host.stdout(`${host.version}\n`);
    else if (f.format === 'json')
      host.stdout(`${JSON.stringify({ version: `v${host.version}` })}\n`);
    else host.stdout(`Docker Compose version v${host.version} (berth)\n`);
    return 0;
  }
  if (verb === 'config') {
    const project = projectOf(host, pflags, args);
    const text = renderConfig(project, {
      quiet: f.quiet === true,
      services: f.services === true,
      volumes: f.volumes === true,
      profiles: f.profiles === true,
      images: f.images === true,
      format: f.format as string | undefined,
    });
    if (f.output) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(f.output as string, text);
    } else host.stdout(text);
    return 0;
  }
  const ctx: Ctx = {
    client: await host.client(),
    settings: host.settings(),
    progress: (line) => host.stderr(`${line}\n`),
  };
  if (verb === 'ls') {
    const { ls } = await import('../../compose/verbs.js');
    host.stdout(
      await ls(ctx, {
        all: f.all === true,
        quiet: f.quiet === true,
        format: f.format as string | undefined,
      }),
    );
    return 0;
  }
  // Verbs that take a service first and a command after it name only that service.
  const named = verb === 'exec' || verb === 'run' || verb === 'port' ? args.slice(0, 1) : args;
  const project = projectOf(host, pflags, verb === 'down' || verb === 'ls' ? [] : named);
  const { unsupportedKeys } = await import('../../compose/convert.js');
  const unsupported = unsupportedKeys(project);
  if (unsupported.length > 0 && (verb === 'up' || verb === 'create' || verb === 'run')) {
    host.stderr(`WARN[0000] berth compose ignores these keys: ${unsupported.join(', ')}\n`);
  }
  switch (verb) {
    case 'up':
    case 'create': {
      const { up } = await import('../../compose/up.js');
      const wt = f['wait-timeout'] as string | undefined;
      return up(
        ctx,
        project,
        {
          detach: f.detach === true,
          wait: f.wait === true,
          waitTimeoutMs: wt === undefined ? undefined : (seconds(wt, '--wait-timeout') ?? 0) * 1000,
          build: f.build === true,
          noBuild: f['no-build'] === true,
          pull: f.pull as string | undefined,
          buildOutput: host.stderr,
          forceRecreate: f['force-recreate'] === true,
          noRecreate: f['no-recreate'] === true,
          removeOrphans: f['remove-orphans'] === true,
          noDeps: f['no-deps'] === true,
          abortOnContainerExit:
            f['abort-on-container-exit'] === true || f['exit-code-from'] !== undefined,
          exitCodeFrom: f['exit-code-from'] as string | undefined,
          noStart: f['no-start'] === true,
          timeout: seconds(f.timeout, '--timeout'),
          noColor: f['no-color'] === true,
          noLogPrefix: f['no-log-prefix'] === true,
          timestamps: f.timestamps === true,
          services: args,
          write: host.stdout,
          isTTY: host.isTTY,
        },
        verb === 'up' && f['no-start'] !== true,
      );
    }
    case 'down': {
      const { down } = await import('../../compose/up.js');
      await down(ctx, project, {
        volumes: f.volumes === true,
        removeOrphans: f['remove-orphans'] === true,
        timeout: seconds(f.timeout, '--timeout'),
        rmi: f.rmi as string | undefined,
      });
      return 0;
    }
    case 'ps': {
      const { ps } = await import('../../compose/verbs.js');
      host.stdout(
        await ps(ctx, project, {
          all: f.all === true,
          quiet: f.quiet === true,
          services: f.services === true,
          status: (f.status as string[] | undefined) ?? [],
          format: f.format as string | undefined,
          names: args,
        }),
      );
      return 0;
    }
    case 'logs': {
      const { logs } = await import('../../compose/verbs.js');
      const tail = f.tail === undefined || f.tail === 'all' ? undefined : seconds(f.tail, '--tail');
      await logs(ctx, project, {
        follow: f.follow === true,
        tail,
        timestamps: f.timestamps === true,
        noColor: f['no-color'] === true,
        noLogPrefix: f['no-log-prefix'] === true,
        services: args,
        write: host.stdout,
        isTTY: host.isTTY,
      });
      return 0;
    }
    case 'start':
    case 'stop':
    case 'restart':
    case 'kill':
    case 'rm':
    case 'pause':
    case 'unpause': {
      const { lifecycle } = await import('../../compose/verbs.js');
      await lifecycle(ctx, project, verb, {
        services: args,
        timeout: seconds(f.timeout, '--timeout'),
        signal: f.signal as string | undefined,
        force: f.force === true,
        volumes: f.volumes === true,
        stopFirst: f.stop === true,
      });
      return 0;
    }
    case 'port': {
      const { port } = await import('../../compose/verbs.js');
      if (args.length !== 2)
        throw new ComposeError('"compose port" requires 2 arguments: SERVICE PRIVATE_PORT');
      host.stdout(
        await port(ctx, project, {
          service: args[0]!,
          port: args[1]!,
          protocol: (f.protocol as string | undefined) ?? 'tcp',
          index: index(f.index),
        }),
      );
      return 0;
    }
    case 'images': {
      const { images } = await import('../../compose/verbs.js');
      host.stdout(await images(ctx, project, { quiet: f.quiet === true, services: args }));
      return 0;
    }
    case 'exec': {
      const { exec } = await import('../../compose/verbs.js');
      if (args.length < 2)
        throw new ComposeError(
          '"compose exec" requires at least 2 arguments: SERVICE COMMAND [ARGS...]',
        );
      return exec(ctx, project, {
        service: args[0]!,
        args: args.slice(1),
        index: index(f.index),
        env: (f.env as string[] | undefined) ?? [],
        workdir: f.workdir as string | undefined,
        user: f.user as string | undefined,
        noTty: f['no-TTY'] === true,
        detach: f.detach === true,
        privileged: f.privileged === true,
      });
    }
    case 'run': {
      const { run } = await import('../../compose/verbs.js');
      const { up } = await import('../../compose/up.js');
      if (args.length < 1)
        throw new ComposeError(
          '"compose run" requires at least 1 argument: SERVICE [COMMAND] [ARGS...]',
        );
      const { ensureBuilt } = await import('../../compose/build.js');
      const own = project.services[args[0]!];
      if (own)
        await ensureBuilt(
          ctx,
          project,
          { [own.name]: own },
          { build: false, noBuild: false, out: host.stderr },
        );
      return run(
        ctx,
        project,
        {
          service: args[0]!,
          args: args.slice(1),
          rm: f.rm === true,
          detach: f.detach === true,
          env: (f.env as string[] | undefined) ?? [],
          entrypoint: f.entrypoint as string | undefined,
          name: f.name as string | undefined,
          noDeps: f['no-deps'] === true,
          noTty: f['no-TTY'] === true,
          workdir: f.workdir as string | undefined,
          user: f.user as string | undefined,
          publish: f['service-ports'] === true,
        },
        async (deps) => {
          await up(ctx, project, {
            detach: true,
            wait: false,
            build: false,
            noBuild: false,
            forceRecreate: false,
            noRecreate: false,
            removeOrphans: false,
            noDeps: false,
            abortOnContainerExit: false,
            noStart: false,
            noColor: true,
            noLogPrefix: false,
            timestamps: false,
            services: deps,
            write: host.stdout,
            isTTY: false,
          });
        },
      );
    }
    case 'pull':
    case 'push': {
      const { pullImages, pushImages } = await import('../../compose/pull.js');
      return (verb === 'pull' ? pullImages : pushImages)(ctx, project, {
        services: args,
        quiet: f.quiet === true,
        ignoreFailures: f[`ignore-${verb}-failures`] === true,
        ignoreBuildable: f['ignore-buildable'] === true,
        write: host.stderr,
      });
    }
    case 'build': {
      const { buildService } = await import('../../compose/build.js');
      for (const name of args)
        if (!project.services[name]) throw new ComposeError(`no such service: ${name}`);
      const extraArgs = ((f['build-arg'] as string[] | undefined) ?? []).map((kv) => {
        const eq = kv.indexOf('=');
        return eq < 0 ? [kv, host.env[kv] ?? null] : [kv.slice(0, eq), kv.slice(eq + 1)];
      });
      for (const s of Object.values(project.services)) {
        if (!s.build || (args.length > 0 && !args.includes(s.name))) continue;
        const withArgs = {
          ...s,
          build: { ...s.build, args: { ...s.build.args, ...Object.fromEntries(extraArgs) } },
        };
        await buildService(ctx, project, withArgs, {
          noCache: f['no-cache'] === true,
          pull: f.pull === true,
          quiet: f.quiet === true,
          out: host.stderr,
        });
      }
      return 0;
    }
    case 'top': {
      const { top } = await import('../../compose/verbs.js');
      host.stdout(await top(ctx, project, { services: args }));
      return 0;
    }
    default:
      throw new ComposeError(`unknown docker command: "compose ${verb}"`);
  }
}
