import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Export extends BaseCommand {
  static summary = "Export a container's filesystem as a tar archive";
  static usage = 'export [OPTIONS] CONTAINER';
  static aliases = ['container:export'];
  static args = { container: Args.string({ required: true, description: 'Container name or ID' }) };
  static flags = {
    output: Flags.string({
      char: 'o',
      description: 'Write to a file, instead of STDOUT',
      helpValue: 'string',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Export);
    const { exportContainer } = await import('../cmd/container/export.js');
    await exportContainer(await this.client(), args.container, {
      ...(flags.output !== undefined ? { output: flags.output } : {}),
      stdout: process.stdout,
    });
  }
}
