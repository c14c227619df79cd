import { Args } from '@oclif/core';
import { asDaemonText } from '../errors.js';
import { BaseCommand } from '../base-command.js';

export default class Wait extends BaseCommand {
  static summary = 'Block until one or more containers stop, then print their exit codes';
  static usage = 'wait CONTAINER [CONTAINER...]';
  static aliases = ['container:wait'];
  static strict = false;
  static args = { container: Args.string({ required: true }) };

  async run(): Promise<void> {
    const { argv } = await this.parse(Wait);
    const client = await this.client();
    const { findContainer } = await import('../container/resolve.js');
    const { waitContainer } = await import('../cmd/container/wait.js');
    let failed = false;
    for (const ref of argv as string[]) {
      try {
        const c = await findContainer(client, ref);
        process.stdout.write(`${await waitContainer(client, c)}\n`);
      } catch (err) {
        process.stderr.write(`${asDaemonText(err as Error)}\n`);
        failed = true;
      }
    }
    if (failed) this.exit(1);
  }
}
