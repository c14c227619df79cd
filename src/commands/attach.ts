import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Attach extends BaseCommand {
  static summary = 'Attach local standard input, output, and error streams to a running container';
  static usage = 'attach [OPTIONS] CONTAINER';
  static aliases = ['container:attach'];
  static args = { container: Args.string({ required: true }) };
  static flags = {
    'detach-keys': Flags.string({
      description: 'Override the key sequence for detaching a container',
      helpValue: 'string',
    }),
    'no-stdin': Flags.boolean({ description: 'Do not attach STDIN' }),
    'sig-proxy': Flags.boolean({
      description: 'Proxy all received signals to the process',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Attach);
    const client = await this.client();
    const { findContainer } = await import('../container/resolve.js');
    const { attachContainer } = await import('../cmd/container/attach.js');
    const code = await attachContainer(client, await findContainer(client, args.container), {
      noStdin: flags['no-stdin'],
      detachKeys: flags['detach-keys'],
      sigProxy: flags['sig-proxy'],
    });
    if (code) this.exit(code);
  }
}
