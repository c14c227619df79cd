import { BaseCommand, orderedArgs } from '../base-command.js';
import { containerFlags, parseContainerFlags } from '../flags/container-create.js';

export default class Create extends BaseCommand {
  static summary = 'Create a new container';
  static usage = 'create [OPTIONS] IMAGE [COMMAND] [ARG...]';
  static aliases = ['container:create'];
  static strict = false;
  static flags = { ...containerFlags };

  async run(): Promise<void> {
    const parsed = await this.parse(Create);
    const { flags, nonExistentFlags } = parsed;
    const argv = orderedArgs(parsed);
    if (nonExistentFlags?.length) throw this.flagUsageError(`unknown flag: ${nonExistentFlags[0]}`);
    // docker/cli's RequiresMinArgs(1): IMAGE is not an oclif arg here.
    if (argv.length === 0) throw this.argCountError({ min: 1 });
    const opts = parseContainerFlags(flags, argv);
    const { createContainer } = await import('../container/create.js');
    const { interruptGuard } = await import('../container/interrupt.js');
    const guard = interruptGuard();
    try {
      const c = await createContainer(await this.client(), this.settings, opts, {
        signal: guard.signal,
      });
      process.stdout.write(`${c.id}\n`);
      await c.settled;
    } catch (err) {
      // Interrupted: what was made is undone already; leave as a shell does on Ctrl-C.
      if (guard.signal.aborted) this.exit(130);
      throw err;
    } finally {
      guard.release();
    }
  }
}
