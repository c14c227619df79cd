// The flags `stop` and `restart` share (Docker's -s/--signal and -t/--timeout), and their parsing.
import { Flags } from '@oclif/core';
import { DaemonError, FlagValueError } from '../errors.js';
import { invalidIntText } from '../usage.js';

export function stopFlags(verb: string) {
  return {
    signal: Flags.string({
      char: 's',
      description: 'Signal to send to the container',
      helpValue: 'string',
    }),
    timeout: Flags.string({
      char: 't',
      aliases: ['time'],
      description: 'Seconds to wait before killing the container',
      helpValue: 'int',
    }),
    'kube-force': Flags.boolean({
      description: `Allow ${verb} a container managed by Kubernetes (CRI)`,
    }),
  };
}

/** Parsed -s and -t, with Docker's error words. */
export async function parseStopFlags(flags: {
  signal?: string;
  timeout?: string;
}): Promise<{ signal?: number; timeout?: number }> {
  const { parseSignal } = await import('../opts/container-parsers.js');
  let signal: number | undefined;
  if (flags.signal !== undefined) {
    try {
      signal = parseSignal(flags.signal);
    } catch {
      throw new DaemonError(`Invalid signal: ${flags.signal}`, { exitCode: 125 });
    }
  }
  let timeout: number | undefined;
  if (flags.timeout !== undefined) {
    if (!/^-?\d+$/.test(flags.timeout)) {
      throw new FlagValueError(invalidIntText(flags.timeout, '-t, --timeout'));
    }
    timeout = Number(flags.timeout);
  }
  return { signal, timeout };
}
