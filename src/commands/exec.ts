import { Flags } from '@oclif/core';
import { BaseCommand, orderedArgs } from '../base-command.js';
import { envFlags } from '../flags/env.js';

export default class Exec extends BaseCommand {
  static summary = 'Execute a command in a running container';
  static usage = 'exec [OPTIONS] CONTAINER COMMAND [ARG...]';
  static aliases = ['container:exec'];
  static strict = false;
  static flags = {
    interactive: Flags.boolean({ char: 'i', description: 'Keep STDIN open even if not attached' }),
    tty: Flags.boolean({ char: 't', description: 'Allocate a pseudo-TTY' }),
    detach: Flags.boolean({
      char: 'd',
      description: 'Detached mode: run command in the background',
    }),
    ...envFlags,
    workdir: Flags.string({
      char: 'w',
      description: 'Working directory inside the container',
      helpValue: 'string',
    }),
    user: Flags.string({
      char: 'u',
      description: 'Username or UID (format: "<name|uid>[:<group|gid>]")',
      helpValue: 'string',
    }),
    privileged: Flags.boolean({ description: 'Give extended privileges to the command' }),
    'kube-force': Flags.boolean({
      description: 'Allow --privileged in a container managed by Kubernetes (CRI)',
    }),
  };

  async run(): Promise<void> {
    const parsed = await this.parse(Exec);
    const { flags, nonExistentFlags } = parsed;
    const argv = orderedArgs(parsed);
    if (nonExistentFlags?.length) throw this.flagUsageError(`unknown flag: ${nonExistentFlags[0]}`);
    const [ref, ...args] = argv;
    // docker/cli's RequiresMinArgs(2): CONTAINER and COMMAND are not oclif args here.
    if (!ref || args.length === 0) throw this.argCountError({ min: 2 });
    const client = await this.client();
    const { findContainer, assertMutable } = await import('../container/resolve.js');
    const { execInContainer } = await import('../container/exec.js');
    const c = await findContainer(client, ref);
    if (flags.privileged) {
      assertMutable(c, ref, 'exec a privileged process in', flags['kube-force']);
    }
    const code = await execInContainer(client, c, { ...flags, envFile: flags['env-file'], args });
    if (code) this.exit(code);
  }
}
