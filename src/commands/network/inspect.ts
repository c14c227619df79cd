import { Args } from '@oclif/core';
import { messageOf } from '../../errors.js';
import { BaseCommand } from '../../base-command.js';
import { formatFlag } from '../../flags/format.js';

export default class NetworkInspect extends BaseCommand {
  static summary = 'Display detailed information on one or more networks';
  static usage = 'network inspect [OPTIONS] NETWORK [NETWORK...]';
  static strict = false;
  static args = { network: Args.string({ required: true }) };
  static flags = { format: formatFlag };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(NetworkInspect);
    const { settings } = this;
    const print = await this.inspector(flags.format);
    const { runInspect } = await import('../../cmd/network/inspect.js');
    const client = await this.client();
    const found: unknown[] = [];
    const errors: string[] = [];
    for (const ref of argv as string[]) {
      try {
        found.push(await runInspect(settings, client, ref));
      } catch (err) {
        if (!(err instanceof Error)) throw err;
        errors.push(messageOf(err));
      }
    }
    print(found);
    for (const e of errors) process.stderr.write(`${e.startsWith('Error') ? e : `Error: ${e}`}\n`);
    if (errors.length > 0) this.exit(1);
  }
}
