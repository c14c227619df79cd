/**
 * Errors that the CLI prints as a single line (the message) and turns into a
 * process exit code. Anything that is not a BerthError is treated as a bug.
 */
export interface BerthErrorOptions {
  /** Process exit status; 1 unless the situation has a Docker-defined code. */
  exitCode?: number;
  /** The underlying failure, printed only with --debug. */
  cause?: unknown;
}

export class BerthError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: BerthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // new.target keeps subclass names in stack traces without each subclass repeating this.
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Bad flags, arguments or configuration; Docker exits 125 for these. */
export class UsageError extends BerthError {
  constructor(message: string, options: Omit<BerthErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: 125 });
  }
}

/**
 * A bad flag value found after parsing (`ps -n abc`): the message is pflag's one line, and the
 * command adds its usage line and `--help` hint, as docker/cli's flag errors have (exit 125).
 */
export class FlagValueError extends UsageError {}
