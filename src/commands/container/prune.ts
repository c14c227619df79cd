import { BaseCommand } from '../../base-command.js';
import { filterFlag, forceFlag } from '../../flags/common.js';

const CONTAINER_PRUNE_WARNING = 'WARNING! This will remove all stopped containers.';

export default class ContainerPrune extends BaseCommand {
  static summary = 'Remove all stopped containers';
  static usage = 'container prune [OPTIONS]';
  static flags = {
    filter: filterFlag(
      'Provide filter values (e.g. "until=<timestamp>", "label=<key>=<value>")',
      {},
    ),
    force: forceFlag(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ContainerPrune);
    const { settings } = this;
    if (!flags.force && !(await this.confirmPrompt(CONTAINER_PRUNE_WARNING))) return;
    const { pruneContainers } = await import('../../cmd/container/prune.js');
    const { humanSize } = await import('../../formatter/units.js');
    const result = await pruneContainers(await this.client(), settings, flags.filter ?? []);
    let out = '';
    if (result.deleted.length > 0)
      out += `Deleted Containers:\n${result.deleted.map((id) => `${id}\n`).join('')}\n`;
    out += `Total reclaimed space: ${humanSize(result.reclaimed)}\n`;
    process.stdout.write(out);
  }
}
