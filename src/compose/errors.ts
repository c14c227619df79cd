import { BerthError } from '../errors.js';

/** A Compose file or project problem: one line, exit 1, as `docker compose` reports them. */
export class ComposeError extends BerthError {
  constructor(message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, { exitCode: options.exitCode ?? 1, cause: options.cause });
  }
}
