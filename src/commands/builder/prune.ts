import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { forceFlag } from '../../flags/common.js';

export default class BuilderPrune extends BaseCommand {
  static summary = 'Remove build cache';
  static usage = 'builder prune [OPTIONS]';
  static flags = {
    all: Flags.boolean({
      char: 'a',
      description: 'Remove all unused build cache, not just dangling ones',
    }),
    force: forceFlag(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BuilderPrune);
    const { pruneBuilder, BUILDER_PRUNE_WARNING } = await import('../../cmd/builder/prune.js');
    if (!flags.force && !(await this.confirmPrompt(BUILDER_PRUNE_WARNING))) return;
    process.stdout.write(await pruneBuilder(await this.client()));
  }
}
