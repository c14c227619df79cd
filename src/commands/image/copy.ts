import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

export default class ImageCopy extends BaseCommand {
  static summary =
    'Copy images into another containerd namespace (e.g. into k8s.io for kubelet), sharing content by digest';
  static usage = 'image copy [OPTIONS] IMAGE [IMAGE...]';
  static strict = false;
  static args = { image: Args.string({ required: true }) };
  static flags = {
    to: Flags.string({
      description: 'Namespace to copy the images into',
      helpValue: 'namespace',
      required: true,
    }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ImageCopy);
    const { settings } = this;
    const { copyImages } = await import('../../cmd/image/copy.js');
    const ok = await copyImages(await this.client(), argv as string[], {
      to: flags.to,
      snapshotter: settings.snapshotter,
      onLine: (l) => process.stdout.write(`${l}\n`),
      onError: (m) => process.stderr.write(`${m}\n`),
    });
    if (!ok) this.exit(1);
  }
}
