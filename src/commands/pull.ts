import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { interruptible } from '../process.js';
import { quietFlag } from '../flags/common.js';

export default class Pull extends BaseCommand {
  static summary = 'Download an image from a registry';
  static usage = 'pull [OPTIONS] NAME[:TAG|@DIGEST]';
  static aliases = ['image:pull'];
  static args = { name: Args.string({ required: true }) };
  static flags = {
    'all-tags': Flags.boolean({
      char: 'a',
      description: 'Download all tagged images in the repository',
    }),
    'disable-content-trust': Flags.boolean({
      description: 'Skip image verification',
      default: true,
      allowNo: false,
    }),
    platform: Flags.string({
      description: 'Set platform if server is multi-platform capable',
      helpValue: 'string',
    }),
    quiet: quietFlag('Suppress verbose output'),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Pull);
    const { settings } = this;
    const { runPull } = await import('../cmd/image/pull.js');
    const client = await this.client();
    // First Ctrl-C: stop downloading and clean up (lease, half-made snapshots); the ingests stay
    // so the next pull resumes. A second one leaves at once.
    await interruptible((signal) =>
      runPull(client, settings, args.name, {
        allTags: flags['all-tags'],
        quiet: flags.quiet,
        out: process.stdout,
        signal,
        ...(flags.platform !== undefined ? { platform: flags.platform } : {}),
      }),
    );
  }
}
