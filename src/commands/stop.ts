import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { parseStopFlags, stopFlags } from '../flags/stop.js';

export default class Stop extends BaseCommand {
  static summary = 'Stop one or more running containers';
  static usage = 'stop [OPTIONS] CONTAINER [CONTAINER...]';
  static aliases = ['container:stop'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'Container name or ID' }) };
  static flags = stopFlags('stopping');

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Stop);
    const { signal, timeout } = await parseStopFlags(flags);
    const { forEachContainer, assertMutable } = await import('../container/resolve.js');
    const { stopContainer } = await import('../container/stop.js');
    const { criForced } = await import('../cri/index.js');
    const client = await this.client();
    await forEachContainer(client, argv as string[], async (c, ref) => {
      assertMutable(c, ref, 'stop', flags['kube-force']);
      // CRI stops its own containers, so that it records the exit.
      const timeoutSec = timeout ?? 10;
      if (await criForced(client, c, ref, { op: 'stop', timeoutSec })) return;
      await stopContainer(client, c, { timeout, signal, settings: this.settings });
    });
  }
}
