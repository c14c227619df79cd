import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Port extends BaseCommand {
  static summary = 'List port mappings or a specific mapping for the container';
  static usage = 'port CONTAINER [PRIVATE_PORT[/PROTO]]';
  static aliases = ['container:port'];
  static args = {
    container: Args.string({ required: true, description: 'Container name or ID' }),
    port: Args.string({ required: false, description: 'PRIVATE_PORT[/PROTO]' }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Port);
    const { findContainer } = await import('../container/resolve.js');
    const { getState } = await import('../container/state.js');
    const { portLines } = await import('../cmd/container/port.js');
    const client = await this.client();
    const c = await findContainer(client, args.container);
    const lines = portLines(c, await getState(client, c), args.port);
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  }
}
