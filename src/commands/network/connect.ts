import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

export default class NetworkConnect extends BaseCommand {
  static summary = 'Connect a container to a network';
  static usage = 'network connect NETWORK CONTAINER';
  static args = {
    network: Args.string({ required: true }),
    container: Args.string({ required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(NetworkConnect);
    const { settings } = this;
    const { runConnect } = await import('../../cmd/network/connect.js');
    await runConnect(settings, await this.client(), args.network, args.container);
  }
}
