import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Rename extends BaseCommand {
  static summary = 'Rename a container';
  static usage = 'rename CONTAINER NEW_NAME';
  static aliases = ['container:rename'];
  static args = {
    container: Args.string({ required: true, description: 'Container name or ID' }),
    newName: Args.string({ required: true, description: 'New name' }),
  };
  static flags = {
    'kube-force': Flags.boolean({
      description: 'Allow renaming a container managed by Kubernetes (CRI)',
    }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Rename);
    const { findContainer, assertMutable } = await import('../container/resolve.js');
    const { renameContainer } = await import('../cmd/container/rename.js');
    const client = await this.client();
    const c = await findContainer(client, args.container);
    assertMutable(c, args.container, 'rename', flags['kube-force']);
    await renameContainer(client, c, args.newName);
  }
}
