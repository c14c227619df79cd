import { Args } from '@oclif/core';
import { messageOf } from '../../errors.js';
import { BaseCommand } from '../../base-command.js';
import { forceFlag } from '../../flags/common.js';

export default class NetworkRm extends BaseCommand {
  static summary = 'Remove one or more networks';
  static usage = 'network rm NETWORK [NETWORK...]';
  static aliases = ['network:remove'];
  static strict = false;
  static args = { network: Args.string({ required: true }) };
  static flags = {
    force: forceFlag('Do not error if the network does not exist'),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(NetworkRm);
    const { settings } = this;
    const { runRemove } = await import('../../cmd/network/remove.js');
    const client = await this.client();
    let failed = false;
    for (const ref of argv as string[]) {
      try {
        await runRemove(settings, client, ref);
        this.log(ref);
      } catch (err) {
        if (!(err instanceof Error)) throw err;
        if (flags.force && / not found$/.test(err.message)) continue;
        process.stderr.write(`${messageOf(err)}\n`);
        failed = true;
      }
    }
    if (failed) this.exit(1);
  }
}
