import { Args } from '@oclif/core';
import { messageOf } from '../../errors.js';
import { BaseCommand } from '../../base-command.js';
import { formatFlag } from '../../flags/format.js';

export default class NamespaceInspect extends BaseCommand {
  static summary = 'Display detailed information on one or more namespaces';
  static usage = 'namespace inspect [OPTIONS] NAMESPACE [NAMESPACE...]';
  static strict = false;
  static args = { namespace: Args.string({ required: true }) };
  static flags = { format: formatFlag };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(NamespaceInspect);
    const print = await this.inspector(flags.format);
    const { runInspect } = await import('../../cmd/namespace/inspect.js');
    const client = await this.client();
    const found: unknown[] = [];
    const errors: string[] = [];
    for (const name of argv as string[]) {
      try {
        found.push(await runInspect(client, name));
      } catch (err) {
        if (!(err instanceof Error)) throw err;
        errors.push(messageOf(err));
      }
    }
    print(found);
    for (const e of errors) process.stderr.write(`Error: ${e}\n`);
    if (errors.length > 0) this.exit(1);
  }
}
