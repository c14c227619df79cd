import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Import extends BaseCommand {
  static summary = 'Import the contents from a tarball to create a filesystem image';
  static usage = 'import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]';
  static aliases = ['image:import'];
  static args = {
    source: Args.string({ required: true, description: 'Tarball path, or - for stdin' }),
    repository: Args.string({ required: false }),
  };
  static flags = {
    change: Flags.string({
      char: 'c',
      description: 'Apply Dockerfile instruction to the created image',
      multiple: true,
      multipleNonGreedy: true,
      default: [],
      helpValue: 'list',
    }),
    message: Flags.string({
      char: 'm',
      description: 'Set commit message for imported image',
      helpValue: 'string',
    }),
    platform: Flags.string({
      description: 'Set platform if server is multi-platform capable',
      helpValue: 'string',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Import);
    const { importImage } = await import('../cmd/image/import.js');
    const id = await importImage(await this.client(), args.source, args.repository, {
      changes: flags.change,
      ...(flags.message !== undefined ? { message: flags.message } : {}),
      stdin: process.stdin,
    });
    process.stdout.write(`${id}\n`);
  }
}
