import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { formatFlag } from '../../flags/format.js';

export default class ImageInspect extends BaseCommand {
  static summary = 'Display detailed information on one or more images';
  static usage = 'image inspect [OPTIONS] IMAGE [IMAGE...]';
  static strict = false;
  static args = { image: Args.string({ required: true }) };
  static flags = {
    format: formatFlag,
    platform: Flags.string({
      description: 'Inspect a specific platform of the multi-platform image.',
      helpValue: 'string',
    }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ImageInspect);
    const { settings } = this;
    const print = await this.inspector(flags.format);
    const { inspectImages } = await import('../../cmd/image/inspect.js');
    const { parsePlatform } = await import('../../image/platform.js');
    const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
    const { objects, errors } = await inspectImages(await this.client(), argv as string[], {
      snapshotter: settings.snapshotter,
      ...(platform ? { platform } : {}),
    });
    print(objects);
    for (const e of errors) process.stderr.write(`Error: ${e}\n`);
    if (errors.length > 0) this.exit(1);
  }
}
