import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { forceFlag } from '../../flags/common.js';

export default class VolumeRm extends BaseCommand {
  static summary = 'Remove one or more volumes';
  static usage = 'volume rm [OPTIONS] VOLUME [VOLUME...]';
  static aliases = ['volume:remove'];
  static strict = false;
  static args = { volume: Args.string({ required: true }) };
  static flags = {
    force: forceFlag('Force the removal of one or more volumes'),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(VolumeRm);
    const { settings } = this;
    const { runRemove } = await import('../../cmd/volume/remove.js');
    // Like `docker volume rm a b`: each name is tried, each success printed, all errors reported.
    const errors = await runRemove(
      settings,
      await this.client(),
      argv as string[],
      { force: flags.force },
      (name) => this.log(name),
    );
    if (errors.length > 0) {
      process.stderr.write(`${errors.join('\n')}\n`);
      this.exit(1);
    }
  }
}
