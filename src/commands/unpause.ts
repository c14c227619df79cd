import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Unpause extends BaseCommand {
  static summary = 'Unpause all processes within one or more containers';
  static usage = 'unpause CONTAINER [CONTAINER...]';
  static aliases = ['container:unpause'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'Container name or ID' }) };
  static flags = {
    'kube-force': Flags.boolean({
      description: 'Allow changing a container managed by Kubernetes (CRI)',
    }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Unpause);
    this.loadSettings(flags);
    const { forEachContainer, assertMutable } = await import('../cmd/container/resolve.js');
    const { unpauseContainer } = await import('../cmd/container/pause.js');
    const client = await this.client();
    await forEachContainer(client, argv as string[], async (c, ref) => {
      assertMutable(c, ref, 'unpause', flags['kube-force']);
      await unpauseContainer(client, c);
    });
  }
}
