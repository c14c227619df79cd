import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Tag extends BaseCommand {
  static summary = 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE';
  static usage = 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]';
  static aliases = ['image:tag'];
  static args = {
    source: Args.string({ required: true }),
    target: Args.string({ required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Tag);
    const { settings } = this;
    const { tagImage } = await import('../cmd/image/tag.js');
    await tagImage(await this.client(), settings.namespace, args.source, args.target);
  }
}
