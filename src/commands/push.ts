import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { interruptible } from '../process.js';
import { quietFlag } from '../flags/common.js';

export default class Push extends BaseCommand {
  static summary = 'Upload an image to a registry';
  static usage = 'push [OPTIONS] NAME[:TAG]';
  static aliases = ['image:push'];
  static args = { name: Args.string({ required: true, description: 'Image name' }) };
  static flags = {
    'all-tags': Flags.boolean({
      char: 'a',
      description: 'Push all tags of an image to the repository',
    }),
    quiet: quietFlag('Suppress verbose output'),
    platform: Flags.string({
      description: 'Push a platform-specific manifest as a single-platform image',
      helpValue: 'string',
    }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Push);
    const { settings } = this;
    const { runPush } = await import('../image/push.js');
    const client = await this.client();
    await interruptible((signal) =>
      runPush(client, settings, args.name, {
        allTags: flags['all-tags'],
        quiet: flags.quiet,
        ...(flags.platform !== undefined ? { platform: flags.platform } : {}),
        stdout: process.stdout,
        signal,
      }),
    );
  }
}
