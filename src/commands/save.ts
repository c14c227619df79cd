import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { interruptible } from '../process.js';

export default class Save extends BaseCommand {
  static summary = 'Save one or more images to a tar archive (streamed to STDOUT by default)';
  static usage = 'save [OPTIONS] IMAGE [IMAGE...]';
  static aliases = ['image:save'];
  static strict = false;
  static args = { image: Args.string({ required: true, description: 'Image name or ID' }) };
  static flags = {
    output: Flags.string({
      char: 'o',
      description: 'Write to a file, instead of STDOUT',
      helpValue: 'string',
    }),
    platform: Flags.string({
      description: 'Save only the given platform variant',
      helpValue: 'string',
    }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Save);
    const { runSave } = await import('../cmd/image/save.js');
    const client = await this.client();
    await interruptible((signal) =>
      runSave(client, argv as string[], {
        ...(flags.output !== undefined ? { output: flags.output } : {}),
        ...(flags.platform !== undefined ? { platform: flags.platform } : {}),
        stdout: process.stdout,
        signal,
      }),
    );
  }
}
