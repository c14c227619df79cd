import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Logs extends BaseCommand {
  static summary = 'Fetch the logs of a container';
  static usage = 'logs [OPTIONS] CONTAINER';
  static aliases = ['container:logs'];
  static args = { container: Args.string({ required: true }) };
  static flags = {
    follow: Flags.boolean({ char: 'f', description: 'Follow log output' }),
    tail: Flags.string({
      char: 'n',
      description: 'Number of lines to show from the end of the logs',
      default: 'all',
      helpValue: 'string',
    }),
    since: Flags.string({
      description:
        'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
      helpValue: 'string',
    }),
    until: Flags.string({
      description:
        'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
      helpValue: 'string',
    }),
    timestamps: Flags.boolean({ char: 't', description: 'Show timestamps' }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Logs);
    const client = await this.client();
    const { findContainer } = await import('../container/resolve.js');
    const { showLogs } = await import('../container/logs.js');
    const c = await findContainer(client, args.container);
    await showLogs(client, c, flags, this.settings);
  }
}
