import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

export default class VolumePrune extends BaseCommand {
  static summary = 'Remove unused local volumes';
  static usage = 'volume prune [OPTIONS]';
  static flags = {
    all: Flags.boolean({
      char: 'a',
      description: 'Remove all unused volumes, not just anonymous ones',
    }),
    filter: Flags.string({
      description: "Provide filter values (e.g. 'label=<label>')",
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'filter',
    }),
    force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(VolumePrune);
    const { settings } = this;
    const { parseVolumePruneFilters, pruneOutput, pruneWarning, volumePrune } =
      await import('../../cmd/volume/volume.js');
    const filters = parseVolumePruneFilters(flags.filter ?? []);
    if (!flags.force && !(await this.confirmPrompt(pruneWarning(flags.all)))) return;
    const report = await volumePrune(settings, await this.client(), { all: flags.all, filters });
    const { humanSize } = await import('../../formatter/units.js');
    process.stdout.write(pruneOutput(report, humanSize));
  }
}
