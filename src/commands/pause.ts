import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Pause extends BaseCommand {
  static summary = 'Pause all processes within one or more containers';
  static usage = 'pause CONTAINER [CONTAINER...]';
  static aliases = ['container:pause'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'Container name or ID' }) };
  static flags = {
    'kube-force': Flags.boolean({
      description: 'Allow changing a container managed by Kubernetes (CRI)',
    }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Pause);
    this.loadSettings(flags);
    const { forEachContainer, assertMutable } = await import('../cmd/container/resolve.js');
    const { pauseContainer } = await import('../cmd/container/pause.js');
    const client = await this.client();
    await forEachContainer(client, argv as string[], async (c, ref) => {
      assertMutable(c, ref, 'pause', flags['kube-force']);
      await pauseContainer(client, c);
    });
  }
}
