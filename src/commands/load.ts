import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { interruptible } from '../process.js';
import { quietFlag } from '../flags/common.js';

export default class Load extends BaseCommand {
  static summary = 'Load an image from a tar archive or STDIN';
  static usage = 'load [OPTIONS]';
  static aliases = ['image:load'];
  static flags = {
    input: Flags.string({
      char: 'i',
      description: 'Read from tar archive file, instead of STDIN',
      helpValue: 'string',
    }),
    quiet: quietFlag('Suppress the load output'),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Load);
    const { settings } = this;
    const { runLoad } = await import('../cmd/image/load.js');
    const client = await this.client();
    await interruptible((signal) =>
      runLoad(client, {
        ...(flags.input !== undefined ? { input: flags.input } : {}),
        quiet: flags.quiet,
        snapshotter: settings.snapshotter,
        dataRoot: settings.dataRoot,
        stdin: process.stdin,
        stdout: process.stdout,
        signal,
      }),
    );
  }
}
