import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { UsageError } from '../errors.js';

export default class Stop extends BaseCommand {
  static summary = 'Stop one or more running containers';
  static usage = 'stop [OPTIONS] CONTAINER [CONTAINER...]';
  static aliases = ['container:stop'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'Container name or ID' }) };
  static flags = {
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
      description: 'Allow stopping a container managed by Kubernetes (CRI)',
    }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Stop);
    this.loadSettings(flags);
    const { parseSignal } = await import('../flags/container-parsers.js');
    let signal: number | undefined;
    if (flags.signal !== undefined) {
      try {
        signal = parseSignal(flags.signal);
      } catch {
        throw new UsageError(`Error response from daemon: Invalid signal: ${flags.signal}`);
      }
    }
    let timeout: number | undefined;
    if (flags.timeout !== undefined) {
      if (!/^-?\d+$/.test(flags.timeout)) {
        throw new UsageError(
          `invalid argument "${flags.timeout}" for "-t, --timeout" flag: strconv.ParseInt: parsing "${flags.timeout}": invalid syntax`,
        );
      }
      timeout = Number(flags.timeout);
    }
    const { forEachContainer, assertMutable } = await import('../cmd/container/resolve.js');
    const { stopContainer } = await import('../cmd/container/stop.js');
    const client = await this.client();
    await forEachContainer(client, argv as string[], async (c, ref) => {
      assertMutable(c, ref, 'stop', flags['kube-force']);
      await stopContainer(client, c, { timeout, signal });
    });
  }
}
