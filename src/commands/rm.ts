import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { forceFlag } from '../flags/common.js';

export default class Rm extends BaseCommand {
  static summary = 'Remove one or more containers';
  static usage = 'rm [OPTIONS] CONTAINER [CONTAINER...]';
  static aliases = ['container:rm', 'container:remove'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'Container name or ID' }) };
  static flags = {
    force: forceFlag('Force the removal of a running container (uses SIGKILL)'),
    volumes: Flags.boolean({
      char: 'v',
      description: 'Remove anonymous volumes associated with the container',
    }),
    'kube-force': Flags.boolean({
      description: 'Allow removing a container managed by Kubernetes (CRI)',
    }),
    // Run by a `--rm` container's logger when the task exits: removes the container unless it
    // runs again (restarted) or a `berth restart` is under way, and never kills anything.
    'auto-remove': Flags.boolean({ hidden: true }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Rm);
    const { settings } = this;
    const { forEachContainer, assertMutable } = await import('../container/resolve.js');
    const { removeContainer, sweepOrphans } = await import('../container/remove.js');
    const { criForced } = await import('../cri/index.js');
    const client = await this.client();
    if (flags['auto-remove']) {
      const { autoRemove } = await import('../container/remove.js');
      await autoRemove(client, settings, argv as string[], { volumes: flags.volumes });
      return;
    }
    try {
      await forEachContainer(
        client,
        argv as string[],
        async (c, ref) => {
          assertMutable(c, ref, 'remove', flags['kube-force']);
          // Only CRI can remove its container without leaving it a ghost it cannot describe.
          if (await criForced(client, c, ref, { op: 'remove', force: flags.force })) return;
          await removeContainer(client, settings, c, {
            force: flags.force,
            volumes: flags.volumes,
          });
        },
        { ignoreMissing: flags.force },
      );
    } finally {
      await sweepOrphans(client, settings).catch(() => undefined);
    }
  }
}
