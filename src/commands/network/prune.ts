import { BaseCommand } from '../../base-command.js';
import { filterFlag, forceFlag } from '../../flags/common.js';

export default class NetworkPrune extends BaseCommand {
  static summary = 'Remove all unused networks';
  static usage = 'network prune [OPTIONS]';
  static flags = {
    force: forceFlag(),
    filter: filterFlag("Provide filter values (e.g. 'label=<key>=<value>')", {}),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NetworkPrune);
    const { settings } = this;
    const warning =
      'WARNING! This will remove all custom networks not used by at least one container.';
    if (!flags.force && !(await this.confirmPrompt(warning))) return;
    const { runPrune } = await import('../../cmd/network/prune.js');
    const removed = await runPrune(settings, await this.client(), flags.filter);
    if (removed.length) this.log(`Deleted Networks:\n${removed.join('\n')}\n`);
  }
}
