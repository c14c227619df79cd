import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

export default class NetworkDisconnect extends BaseCommand {
  static summary = 'Disconnect a container from a network';
  static usage = 'network disconnect NETWORK CONTAINER';
  static args = {
    network: Args.string({ required: true }),
    container: Args.string({ required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(NetworkDisconnect);
    const { settings } = this;
    const { runDisconnect } = await import('../../cmd/network/disconnect.js');
    await runDisconnect(settings, await this.client(), args.network, args.container);
  }
}
