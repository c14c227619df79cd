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
  /** Unpause reuses this class with the other verb. */
  protected readonly verb: 'pause' | 'unpause' = 'pause';

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(this.ctor as typeof Pause);
    const { forEachContainer, assertMutable } = await import('../container/resolve.js');
    const { pauseContainer, unpauseContainer } = await import('../cmd/container/pause.js');
    const act = this.verb === 'pause' ? pauseContainer : unpauseContainer;
    const client = await this.client();
    await forEachContainer(client, argv as string[], async (c, ref) => {
      assertMutable(c, ref, this.verb, flags['kube-force']);
      await act(client, c);
    });
  }
}
