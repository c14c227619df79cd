import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { UsageError } from '../errors.js';

export default class Kill extends BaseCommand {
  static summary = 'Kill one or more running containers';
  static usage = 'kill [OPTIONS] CONTAINER [CONTAINER...]';
  static aliases = ['container:kill'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'Container name or ID' }) };
  static flags = {
    signal: Flags.string({
      char: 's',
      description: 'Signal to send to the container',
      helpValue: 'string',
    }),
    'kube-force': Flags.boolean({
      description: 'Allow signalling a container managed by Kubernetes (CRI)',
    }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Kill);
    const { parseSignal } = await import('../opts/container-parsers.js');
    let signal = 9;
    if (flags.signal !== undefined && flags.signal !== '') {
      try {
        signal = parseSignal(flags.signal);
      } catch {
        throw new UsageError(`invalid signal: ${flags.signal}`);
      }
    }
    const { forEachContainer, assertMutable } = await import('../container/resolve.js');
    const { killContainer } = await import('../cmd/container/kill.js');
    const { criForced } = await import('../cri/index.js');
    const client = await this.client();
    await forEachContainer(client, argv as string[], async (c, ref) => {
      assertMutable(c, ref, 'kill', flags['kube-force']);
      if (await criForced(client, c, ref, { op: 'kill', signal })) return;
      await killContainer(client, c, ref, signal);
    });
  }
}
