import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Commit extends BaseCommand {
  static summary = "Create a new image from a container's changes";
  static usage = 'commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]';
  static aliases = ['container:commit'];
  static args = {
    container: Args.string({ required: true, description: 'Container name or ID' }),
    repository: Args.string({ required: false }),
  };
  static flags = {
    author: Flags.string({
      char: 'a',
      description: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")',
      helpValue: 'string',
    }),
    change: Flags.string({
      char: 'c',
      description: 'Apply Dockerfile instruction to the created image',
      multiple: true,
      multipleNonGreedy: true,
      default: [],
      helpValue: 'list',
    }),
    message: Flags.string({ char: 'm', description: 'Commit message', helpValue: 'string' }),
    pause: Flags.boolean({
      char: 'p',
      description: 'Pause container during commit',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Commit);
    const { commitContainer } = await import('../cmd/container/commit.js');
    const id = await commitContainer(await this.client(), args.container, args.repository, {
      ...(flags.author !== undefined ? { author: flags.author } : {}),
      ...(flags.message !== undefined ? { message: flags.message } : {}),
      changes: flags.change,
      pause: flags.pause,
    });
    process.stdout.write(`${id}\n`);
  }
}
