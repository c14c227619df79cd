import { Command, Errors, Interfaces } from '@oclif/core';
import { accessSync, constants } from 'node:fs';
import { globalFlags } from './flags/global.js';
import { loadConfig, type LoadedConfig, type Settings } from './config/index.js';
import { BerthError, errorText, FlagValueError, UsageError } from './errors.js';
import type { Client } from './containerd/client.js';
import { typedCommandPath } from './argv.js';
import {
  argCountText,
  argRule,
  invalidIntText,
  usageLineFor,
  usageText,
  type ArgRule,
} from './usage.js';

export type GlobalFlags = Interfaces.InferredFlags<typeof BaseCommand.baseFlags>;

/**
 * Shared base for every berth command: global flags, settings, a lazily opened containerd client,
 * and Docker's error and exit-code conventions.
 */
export abstract class BaseCommand extends Command {
  static baseFlags = globalFlags;

  private loaded?: LoadedConfig;
  private globals?: Partial<GlobalFlags>;
  private parsedInput?: { argv: readonly string[]; output: unknown };
  private clientInstance?: Client;

  /**
   * Parses the command line once, before run(): the global flags are kept for the settings,
   * which are read on first use (a command that never needs them never reads the TOML file).
   * run()'s own `this.parse(Cmd)` returns this same result.
   */
  override async init(): Promise<void> {
    await super.init();
    const output = await super.parse(this.ctor as typeof BaseCommand);
    this.parsedInput = { argv: this.argv, output };
    this.globals = output.flags;
  }

  protected override async parse<
    F extends Interfaces.OutputFlags<Interfaces.FlagInput>,
    B extends Interfaces.OutputFlags<Interfaces.FlagInput>,
    A extends Interfaces.OutputArgs<Interfaces.ArgInput>,
  >(
    options?: Interfaces.Input<F, B, A>,
    argv: string[] = this.argv,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const cached = this.parsedInput;
    if (cached && cached.argv === argv && (options === undefined || options === this.ctor)) {
      return cached.output as Interfaces.ParserOutput<F, B, A>;
    }
    return super.parse(options, argv);
  }

  /** The settings (flags, environment, TOML file), read on first use; warnings printed then. */
  protected get config_(): LoadedConfig {
    if (!this.loaded) {
      const flags = this.globals ?? {};
      this.loaded = loadConfig({
        address: flags.address,
        namespace: flags.namespace,
        snapshotter: flags.snapshotter,
        dataRoot: flags['data-root'],
        cniPath: flags['cni-path'],
        cniNetconfPath: flags['cni-netconfpath'],
        hostsDir: flags['hosts-dir'],
        insecureRegistry: flags['insecure-registry'] ? true : undefined,
        debug: flags.debug ? true : undefined,
      });
      for (const w of this.loaded.warnings) process.stderr.write(`${w}\n`);
    }
    return this.loaded;
  }

  protected get settings(): Settings {
    return this.config_.settings;
  }

  /** The containerd client, connected on first use and closed when the command finishes. */
  protected async client(): Promise<Client> {
    if (!this.clientInstance) {
      // A user outside the socket's group: Docker's one permission line before anything local
      // (FIFO and state directories under /run) fails with a raw EACCES text.
      const { ConnectError } = await import('./containerd/errors.js');
      const { socketPathOf } = await import('./containerd/connection.js');
      const socket = socketPathOf(this.settings.address);
      try {
        accessSync(socket, constants.R_OK | constants.W_OK);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EACCES' || code === 'EPERM') {
          throw new ConnectError(socket, 'permission denied', err);
        }
      }
      const { Client } = await import('./containerd/client.js');
      this.clientInstance = new Client({
        address: this.settings.address,
        namespace: this.settings.namespace,
      });
    }
    return this.clientInstance;
  }

  /** `--format` for a single object (version, info): `json` or a Go template, one line. */
  protected async printFormatted(format: string, data: unknown): Promise<void> {
    const { renderTemplate, unescapeFormat, TemplateError } =
      await import('./formatter/template.js');
    const source = format === 'json' ? '{{json .}}' : unescapeFormat(format);
    try {
      process.stdout.write(`${renderTemplate(source, data)}\n`);
    } catch (err) {
      // docker/cli: a template that does not parse is StatusError 64; one that fails running, 1.
      if (err instanceof TemplateError) {
        throw new BerthError(`template parsing error: ${err.message}`, {
          exitCode: err.phase === 'parse' ? 64 : 1,
        });
      }
      throw err;
    }
  }

  /**
   * docker/cli's inspect.Inspect, shared by every `inspect` command: the template is parsed
   * before anything is looked up, so one that does not parse exits 64 whatever the arguments
   * name. The function returned prints the objects found; a template that fails on one of them
   * still prints what rendered, then exits 1.
   */
  protected async inspector(
    format: string | undefined,
  ): Promise<(objects: readonly unknown[]) => void> {
    const { compileInspect, InspectError } = await import('./formatter/inspect.js');
    const fail = (err: unknown): never => {
      if (!(err instanceof InspectError)) throw err;
      process.stdout.write(err.partialOutput);
      throw new BerthError(err.message, { exitCode: err.exitCode });
    };
    let render: (objects: readonly unknown[]) => string;
    try {
      render = compileInspect(format);
    } catch (err) {
      return fail(err);
    }
    return (objects) => {
      let out: string;
      try {
        out = render(objects);
      } catch (err) {
        fail(err);
        return;
      }
      process.stdout.write(out);
    };
  }

  /**
   * Docker's prune question: `WARNING! …` then `Are you sure you want to continue? [y/N] `. On a
   * terminal inquirer asks; otherwise, as docker/cli does, the question goes to stdout and one
   * line is read from stdin, so `echo y | berth volume prune` works. Only `y` or `Y` agrees; an
   * empty line or end of input declines.
   */
  protected async confirmPrompt(warning: string): Promise<boolean> {
    if (process.stdin.isTTY && process.stdout.isTTY) {
      const { default: confirm } = await import('@inquirer/confirm');
      return confirm({ message: `${warning}\nAre you sure you want to continue?`, default: false });
    }
    process.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
    const answer = await new Promise<string>((resolve) => {
      let buf = '';
      const done = (): void => {
        process.stdin.off('data', onData).off('end', done).off('error', done);
        // Nothing else reads stdin after the question; an open pipe must not keep berth alive.
        process.stdin.destroy();
        resolve(buf.split('\n')[0] ?? '');
      };
      const onData = (d: Buffer): void => {
        buf += d.toString('utf8');
        if (buf.includes('\n')) done();
      };
      process.stdin.on('data', onData).once('end', done).once('error', done);
    });
    return answer.trim().toLowerCase() === 'y';
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.clientInstance?.close();
    return super.finally(err);
  }

  /**
   * The command's name as the user typed it (`container ls`, not `ps`), for usage errors, as
   * cobra's CommandPath names the command that ran. oclif keeps only the canonical id, so the
   * words are read again from process.argv; the id when they do not name this command.
   */
  protected get displayId(): string {
    const canonical = this.id ?? '';
    const typed = typedCommandPath(process.argv.slice(2));
    const aliases: readonly string[] = this.ctor.aliases ?? [];
    if (typed && (typed === canonical || aliases.includes(typed)))
      return typed.replaceAll(':', ' ');
    return canonical.replaceAll(':', ' ');
  }

  /** The usage line under the typed name (`container ls [OPTIONS]`). */
  protected get usageLine(): string | undefined {
    return usageLineFor(this.ctor.usage, (this.id ?? '').replaceAll(':', ' '), this.displayId);
  }

  /** A flag error (exit 125): `headline`, then the usage line and the `--help` hint. */
  protected flagUsageError(headline: string): UsageError {
    return new UsageError(usageText(headline, this.displayId, this.usageLine));
  }

  /**
   * A wrong number of arguments found by the command itself (run, create, exec: their arguments
   * are not oclif args): docker/cli's RequiresMinArgs text, exit 1.
   */
  protected argCountError(rule: ArgRule): BerthError {
    return new BerthError(argCountText(this.displayId, this.usageLine, rule));
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    const usage = translateParseError(
      err,
      this.displayId,
      this.ctor as typeof BaseCommand,
      this.usageLine,
    );
    if (usage) {
      process.stderr.write(usage.text);
      return this.exit(usage.code);
    }
    if (err instanceof FlagValueError) {
      process.stderr.write(`${usageText(err.message, this.displayId, this.usageLine)}\n`);
      return this.exit(err.exitCode);
    }
    // A --format that does not fit the rows: Docker prints the template error and exits 1.
    if (err.name === 'TemplateError') {
      process.stderr.write(`${err.message}\n`);
      return this.exit(1);
    }
    if (err instanceof BerthError) {
      // The one place Docker's daemon prefix and the `--help` trailer are added.
      process.stderr.write(`${errorText(err, (this.id ?? '').replaceAll(':', ' '))}\n`);
      if (this.loaded?.settings.debug && err.cause) {
        process.stderr.write(`${formatCause(err.cause)}\n`);
      }
      return this.exit(err.exitCode);
    }
    if (err instanceof Errors.ExitError) throw err;
    // An unexpected failure is still one line unless --debug asks for the whole story.
    process.stderr.write(`Error: ${err.message}\n`);
    if (this.loaded?.settings.debug || process.argv.includes('--debug')) {
      process.stderr.write(`${err.stack ?? ''}\n`);
    }
    return this.exit(125);
  }
}

/**
 * Positional arguments in the order typed. oclif's own `argv` is re-sorted by each token's first
 * occurrence in the command line, which scrambles a container command repeating an earlier token
 * (`run -p 80:80 img httpd -p 80`).
 */
export function orderedArgs(parsed: { raw: readonly { type: string; input: string }[] }): string[] {
  return parsed.raw.filter((r) => r.type === 'arg').map((r) => r.input);
}

function formatCause(cause: unknown): string {
  if (cause instanceof Error) return `caused by: ${cause.stack ?? cause.message}`;
  return `caused by: ${String(cause)}`;
}

/** What translateParseError needs of a command class. */
export interface ParseErrorContext {
  usage?: string | string[];
  args?: Readonly<Record<string, { required?: boolean } | undefined>>;
  strict?: boolean;
  flags?: Readonly<Record<string, { char?: string } | undefined>>;
}

/**
 * Rewrites oclif's parse errors into Docker's usage-error text: a wrong number of arguments
 * exits 1 (docker/cli's Args validators return plain errors), a bad flag 125. `path` is the
 * command as typed (`container ls`), `usageLine` its usage line for that name.
 */
export function translateParseError(
  err: Error,
  path: string,
  ctor: ParseErrorContext,
  usageLine: string | undefined = usageLineFor(ctor.usage, path, path),
): { text: string; code: number } | undefined {
  const name = (err as { constructor: { name: string } }).constructor.name;
  const flagError = (headline: string) => ({
    text: `${usageText(headline, path, usageLine)}\n`,
    code: 125,
  });
  if (name === 'NonExistentFlagsError') {
    const flag = /--?[\w-]+/.exec(err.message)?.[0] ?? err.message;
    return flagError(`unknown flag: ${flag}`);
  }
  if (name === 'UnexpectedArgsError' || name === 'RequiredArgsError') {
    return { text: `${argCountText(path, usageLine, argRule(ctor.args, ctor.strict))}\n`, code: 1 };
  }
  // A Flags.integer value that is not one; oclif wraps the parser's error as
  // `Parsing --NAME \n\tExpected an integer but received: VALUE\nSee more help with --help`.
  const notInt =
    /^Parsing --([\w-]+) \n\tExpected an integer but received: (.*)\nSee more help/s.exec(
      err.message,
    );
  if (notInt) {
    const [, flagName, value] = notInt as unknown as [string, string, string];
    const char = ctor.flags?.[flagName]?.char;
    return flagError(invalidIntText(value, char ? `-${char}, --${flagName}` : `--${flagName}`));
  }
  if (
    name === 'ArgInvalidOptionError' ||
    name === 'FlagInvalidOptionError' ||
    name === 'CLIParseError' ||
    name === 'FailedFlagValidationError'
  ) {
    return flagError(`invalid argument: ${err.message.split('\n')[0]}`);
  }
  if (
    (err as { oclif?: { exit?: number } }).oclif &&
    /flag/i.test(err.message) &&
    /expects a value/.test(err.message)
  ) {
    const flag = /--?[\w-]+/.exec(err.message)?.[0] ?? '';
    return flagError(`flag needs an argument: ${flag}`);
  }
  return undefined;
}
