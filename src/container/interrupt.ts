/**
 * Ctrl-C (or SIGTERM/SIGHUP) while a container is being made: instead of dying with half of it
 * in place (FIFOs, netns, snapshot, container record), berth notes the signal, lets the step in
 * flight finish (a pull stops at once), undoes everything and exits 130. A second signal leaves at
 * once, for a step that hangs.
 */
export interface InterruptGuard {
  readonly signal: AbortSignal;
  /** Stops catching the signals (the task's own signal forwarding takes over, or we are done). */
  release(): void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function interruptGuard(): InterruptGuard {
  const ac = new AbortController();
  const onSignal = (): void => {
    if (ac.signal.aborted) process.exit(130);
    ac.abort(new Error('interrupted'));
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  return {
    signal: ac.signal,
    release: () => {
      for (const s of SIGNALS) process.off(s, onSignal);
    },
  };
}

/** Thrown by the attach path when the signal came while the task was being created. */
export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'InterruptedError';
  }
}
