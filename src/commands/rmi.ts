import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { forceFlag } from '../flags/common.js';

export default class Rmi extends BaseCommand {
  static summary = 'Remove one or more images';
  static usage = 'rmi [OPTIONS] IMAGE [IMAGE...]';
  static aliases = ['image:rm', 'image:remove'];
  static strict = false;
  static args = { image: Args.string({ required: true }) };
  static flags = {
    force: forceFlag('Force removal of the image'),
    'no-prune': Flags.boolean({ description: 'Do not delete untagged parents' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Rmi);
    const { removeImages } = await import('../image/remove.js');
    const ok = await removeImages(await this.client(), argv as string[], {
      force: flags.force,
      onLine: (line) => process.stdout.write(`${line}\n`),
      onError: (message) => process.stderr.write(`${message}\n`),
    });
    if (!ok) this.exit(1);
  }
}
