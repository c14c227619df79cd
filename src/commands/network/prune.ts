import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

export default class NetworkPrune extends BaseCommand {
  static summary = 'Remove all unused networks';
  static usage = 'network prune [OPTIONS]';
  static flags = {
    force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }),
    filter: Flags.string({
      description: "Provide filter values (e.g. 'label=<key>=<value>')",
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'filter',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NetworkPrune);
    const { settings } = this;
    const warning =
      'WARNING! This will remove all custom networks not used by at least one container.';
    if (!flags.force && !(await this.confirmPrompt(warning))) return;
    const { pruneNetworks } = await import('../../cmd/network/network.js');
    const removed = await pruneNetworks(settings, await this.client(), flags.filter);
    if (removed.length) this.log(`Deleted Networks:\n${removed.join('\n')}\n`);
  }
}
