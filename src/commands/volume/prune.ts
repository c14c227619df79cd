import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { filterFlag, forceFlag } from '../../flags/common.js';

export default class VolumePrune extends BaseCommand {
  static summary = 'Remove unused local volumes';
  static usage = 'volume prune [OPTIONS]';
  static flags = {
    all: Flags.boolean({
      char: 'a',
      description: 'Remove all unused volumes, not just anonymous ones',
    }),
    filter: filterFlag("Provide filter values (e.g. 'label=<label>')", {}),
    force: forceFlag(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(VolumePrune);
    const { settings } = this;
    const { pruneOutput, pruneWarning, runPrune } = await import('../../cmd/volume/prune.js');
    const { parseVolumePruneFilters } = await import('../../volume/filters.js');
    const filters = parseVolumePruneFilters(flags.filter ?? []);
    if (!flags.force && !(await this.confirmPrompt(pruneWarning(flags.all)))) return;
    const report = await runPrune(settings, await this.client(), { all: flags.all, filters });
    const { humanSize } = await import('../../formatter/units.js');
    process.stdout.write(pruneOutput(report, humanSize));
  }
}
