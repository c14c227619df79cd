/**
 * Errors that the CLI prints as a single line (the message) and turns into a
 * process exit code. Anything that is not a BerthError is treated as a bug.
 *
 * The vocabulary: every error has a kind. The daemon kinds (`daemon`, `not-found`, `conflict`)
 * are what Docker's daemon would have answered; their message is the daemon's text alone, and
 * `errorText` puts Docker's `Error response from daemon: ` before it. `help` marks the errors
 * docker/cli prints with `docker: ` and its `Run 'docker CMD --help'` trailer (run, create and
 * start's daemon and usage errors); the base command adds both, knowing which command ran.
 */
export type ErrorKind = 'cli' | 'usage' | 'daemon' | 'not-found' | 'conflict';

export interface BerthErrorOptions {
  /** Process exit status; 1 unless the situation has a Docker-defined code. */
  exitCode?: number;
  /** The underlying failure, printed only with --debug. */
  cause?: unknown;
  /** What went wrong, as Docker tells it apart; `cli` (a plain message) by default. */
  kind?: ErrorKind;
  /** Printed as `berth: MESSAGE` with the `Run 'berth CMD --help'` trailer. */
  help?: boolean;
}

export class BerthError extends Error {
  readonly exitCode: number;
  readonly kind: ErrorKind;
  readonly help: boolean;

  constructor(message: string, options: BerthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // new.target keeps subclass names in stack traces without each subclass repeating this.
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 1;
    this.kind = options.kind ?? 'cli';
    this.help = options.help ?? false;
  }
}

/** Bad flags, arguments or configuration; Docker exits 125 for these. */
export class UsageError extends BerthError {
  constructor(message: string, options: Omit<BerthErrorOptions, 'exitCode' | 'kind'> = {}) {
    super(message, { ...options, kind: 'usage', exitCode: 125 });
  }
}

/**
 * A bad flag value found after parsing (`ps -n abc`): the message is pflag's one line, and the
 * command adds its usage line and `--help` hint, as docker/cli's flag errors have (exit 125).
 */
export class FlagValueError extends UsageError {}

export type DaemonErrorKind = 'daemon' | 'not-found' | 'conflict';

/** What Docker's daemon would have refused; the message is the daemon's text, with no prefix. */
export class DaemonError extends BerthError {
  constructor(
    message: string,
    options: Omit<BerthErrorOptions, 'kind'> & { kind?: DaemonErrorKind } = {},
  ) {
    super(message, { ...options, kind: options.kind ?? 'daemon' });
  }
}

export const DAEMON_PREFIX = 'Error response from daemon: ';

export function isDaemonKind(kind: ErrorKind): kind is DaemonErrorKind {
  return kind === 'daemon' || kind === 'not-found' || kind === 'conflict';
}

/**
 * The text printed for an error: the daemon's prefix for the daemon kinds, and for `help`
 * errors docker/cli's `berth: …` form with the trailer naming `command`.
 */
export function errorText(err: BerthError, command?: string): string {
  const text = isDaemonKind(err.kind) ? `${DAEMON_PREFIX}${err.message}` : err.message;
  if (!err.help || command === undefined) return text;
  return `berth: ${text}\n\nRun 'berth ${command} --help' for more information`;
}

/** An error reported as the daemon's answer whatever its kind (rmi's and wait's per-object lines). */
export function asDaemonText(err: Error): string {
  return `${DAEMON_PREFIX}${err.message}`;
}

/**
 * One line of a per-object failure list (`rm a b`, `restart a b`), where Docker shows every
 * failure as the daemon's answer: the daemon kinds as errorText has them, and any other error
 * given the prefix too unless its text already reads as a daemon answer.
 */
export function daemonText(err: BerthError): string {
  if (isDaemonKind(err.kind) || !/^(Error|Conflict)/.test(err.message)) {
    return `${DAEMON_PREFIX}${err.message}`;
  }
  return err.message;
}

/** Any failure as one printable text (errorText for berth's own errors). */
export function messageOf(err: unknown): string {
  if (err instanceof BerthError) return errorText(err);
  return err instanceof Error ? err.message : String(err);
}
