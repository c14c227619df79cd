import { Flags } from '@oclif/core';
import { BaseCommand, orderedArgs } from '../base-command.js';
import { containerFlags, parseContainerFlags } from '../flags/container-create.js';
import { ConnectError } from '../containerd/errors.js';
import { BerthError } from '../errors.js';

export default class Run extends BaseCommand {
  static summary = 'Create and run a new container from an image';
  static usage = 'run [OPTIONS] IMAGE [COMMAND] [ARG...]';
  static aliases = ['container:run'];
  static strict = false;
  static flags = {
    ...containerFlags,
    detach: Flags.boolean({
      char: 'd',
      description: 'Run container in background and print container ID',
    }),
    attach: Flags.string({
      char: 'a',
      description: 'Attach to STDIN, STDOUT or STDERR',
      multiple: true,
      multipleNonGreedy: true,
      default: [],
      helpValue: 'list',
    }),
    'sig-proxy': Flags.boolean({
      description: 'Proxy received signals to the process',
      default: true,
      allowNo: true,
    }),
    'detach-keys': Flags.string({
      description: 'Override the key sequence for detaching a container',
      helpValue: 'string',
    }),
  };

  async run(): Promise<void> {
    const parsed = await this.parse(Run);
    const { flags, nonExistentFlags } = parsed;
    const argv = orderedArgs(parsed);
    if (nonExistentFlags?.length) throw this.flagUsageError(`unknown flag: ${nonExistentFlags[0]}`);
    // docker/cli's RequiresMinArgs(1): IMAGE is not an oclif arg here.
    if (argv.length === 0) throw this.argCountError({ min: 1 });
    const create = parseContainerFlags(flags, argv);
    const { runContainer } = await import('../container/run.js');
    const client = await this.client().catch((err: unknown) => {
      // docker run's status for a socket the user may not use is 126, with its help line.
      if (err instanceof ConnectError && err.reason === 'permission denied') {
        throw new BerthError(err.message, { exitCode: 126, help: true, cause: err });
      }
      throw err;
    });
    const code = await runContainer(client, this.settings, {
      create,
      detach: flags.detach,
      sigProxy: flags['sig-proxy'],
      detachKeys: flags['detach-keys'],
      attach: flags.attach,
    });
    if (code !== 0) this.exit(code);
  }
}
