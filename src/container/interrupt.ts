import { constants } from 'node:os';

/**
 * Ctrl-C (or SIGTERM/SIGHUP) while a container is being made: instead of dying with half of it
 * in place (FIFOs, netns, snapshot, container record), berth notes the signal, lets the step in
 * flight finish (a pull stops at once), undoes everything and exits 130. A second signal leaves at
 * once, for a step that hangs. Once the container exists, an attached run holds the signals for
 * the task instead (see hold()).
 */
export interface InterruptGuard {
  readonly signal: AbortSignal;
  /**
   * The container exists: from here on Docker's CLI forwards signals to it (sig-proxy) instead of
   * dying, so a signal no longer aborts; it is kept for the task, which gets it once started.
   */
  hold(): void;
  /**
   * Stops catching the signals (the task's own signal forwarding takes over, or we are done).
   * Returns the signals held since hold(), oldest first.
   */
  release(): NodeJS.Signals[];
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function interruptGuard(): InterruptGuard {
  const ac = new AbortController();
  let holding = false;
  const held: NodeJS.Signals[] = [];
  const onSignal = (sig: NodeJS.Signals): void => {
    if (holding) {
      // Two are forwarded (the second Ctrl-C kills the task); a third leaves a step that hangs.
      if (held.length >= 2) process.exit(130);
      held.push(sig);
      return;
    }
    if (ac.signal.aborted) process.exit(130);
    ac.abort(new Error('interrupted'));
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  return {
    signal: ac.signal,
    hold: () => {
      holding = true;
    },
    release: () => {
      for (const s of SIGNALS) process.off(s, onSignal);
      return held.splice(0);
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

/**
 * Ctrl-Z under Docker's sig-proxy (attached, no -t): docker/cli's ForwardAllSignals sends
 * SIGTSTP to the container and the CLI keeps running, where a plain process would stop. With
 * -t the terminal is raw and Ctrl-Z is a byte to the container. Returns the remover.
 */
export function forwardTstp(kill: (signal: number) => void): () => void {
  const h = (): void => kill(constants.signals.SIGTSTP);
  process.on('SIGTSTP', h);
  return () => process.off('SIGTSTP', h);
}
