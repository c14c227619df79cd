import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Diff extends BaseCommand {
  static summary = "Inspect changes to files or directories on a container's filesystem";
  static usage = 'diff CONTAINER';
  static aliases = ['container:diff'];
  static args = { container: Args.string({ required: true, description: 'Container name or ID' }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Diff);
    const { containerChanges } = await import('../cmd/container/diff.js');
    const lines = await containerChanges(await this.client(), args.container);
    process.stdout.write(lines.map((l) => `${l}\n`).join(''));
  }
}
