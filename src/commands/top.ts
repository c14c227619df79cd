import { Args } from '@oclif/core';
import { BaseCommand, orderedArgs } from '../base-command.js';

export default class Top extends BaseCommand {
  static summary = 'Display the running processes of a container';
  static usage = 'top CONTAINER [ps OPTIONS]';
  static aliases = ['container:top'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'Container name or ID' }) };

  async run(): Promise<void> {
    const parsed = await this.parse(Top);
    // src/argv.ts ends flag parsing after CONTAINER (`top c -o pid`): the rest are ps options.
    const [ref, ...psArgs] = orderedArgs(parsed);
    const { findContainer } = await import('../container/resolve.js');
    const { topContainer, renderTop } = await import('../cmd/container/top.js');
    const client = await this.client();
    const c = await findContainer(client, ref);
    process.stdout.write(renderTop(await topContainer(client, c, psArgs)));
  }
}
