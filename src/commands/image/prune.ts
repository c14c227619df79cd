import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { filterFlag, forceFlag } from '../../flags/common.js';

export default class ImagePrune extends BaseCommand {
  static summary = 'Remove unused images';
  static usage = 'image prune [OPTIONS]';
  static flags = {
    all: Flags.boolean({
      char: 'a',
      description: 'Remove all unused images, not just dangling ones',
    }),
    filter: filterFlag('Provide filter values (e.g. "until=<timestamp>")', {}),
    force: forceFlag(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ImagePrune);
    const { settings } = this;
    const { pruneImages, pruneReport, PRUNE_ALL_WARNING, PRUNE_WARNING } =
      await import('../../cmd/image/prune.js');
    const warning = flags.all ? PRUNE_ALL_WARNING : PRUNE_WARNING;
    if (!flags.force && !(await this.confirmPrompt(warning))) return;
    const result = await pruneImages(await this.client(), {
      all: flags.all,
      filters: flags.filter ?? [],
      snapshotter: settings.snapshotter,
    });
    process.stdout.write(pruneReport(result));
  }
}
