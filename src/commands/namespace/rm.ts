import { Args } from '@oclif/core';
import { messageOf } from '../../errors.js';
import { BaseCommand } from '../../base-command.js';

export default class NamespaceRm extends BaseCommand {
  static summary = 'Remove one or more namespaces';
  static usage = 'namespace rm NAMESPACE [NAMESPACE...]';
  static aliases = ['namespace:remove'];
  static strict = false;
  static args = { namespace: Args.string({ required: true }) };

  async run(): Promise<void> {
    const { argv } = await this.parse(NamespaceRm);
    const { runRemove } = await import('../../cmd/namespace/remove.js');
    const client = await this.client();
    let failed: Error | undefined;
    // Like `docker rm a b`: each name is tried, each success printed, the last error decides.
    for (const name of argv as string[]) {
      try {
        await runRemove(client, name);
        this.log(name);
      } catch (err) {
        if (!(err instanceof Error)) throw err;
        process.stderr.write(`${messageOf(err)}\n`);
        failed = err;
      }
    }
    if (failed) this.exit(1);
  }
}
