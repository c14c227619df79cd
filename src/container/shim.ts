/**
 * Calls that containerd passes on to a container's shim hang as long as the shim does (stopped,
 * wedged in the kernel). stop, kill and rm give such calls a bounded time and then fail with
 * one Docker-like line instead of the transport's words after the client's whole deadline.
 */
import { DeadlineExceededError } from '../containerd/errors.js';
import { DaemonError } from '../errors.js';

export const SHIM_TIMEOUT_MS = 10_000;

/** Runs fn; a deadline it hits becomes the daemon error say(why). */
export async function withShimDeadline<T>(
  say: (why: string) => string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof DeadlineExceededError)) throw err;
    throw new DaemonError(
      say(`the container's runtime shim did not answer within ${SHIM_TIMEOUT_MS / 1000}s`),
      { cause: err },
    );
  }
}
