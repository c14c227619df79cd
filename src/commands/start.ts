import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { BerthError, messageOf } from '../errors.js';

export default class Start extends BaseCommand {
  static summary = 'Start one or more stopped containers';
  static usage = 'start [OPTIONS] CONTAINER [CONTAINER...]';
  static aliases = ['container:start'];
  static strict = false;
  static args = { container: Args.string({ required: true }) };
  static flags = {
    attach: Flags.boolean({ char: 'a', description: 'Attach STDOUT/STDERR and forward signals' }),
    interactive: Flags.boolean({ char: 'i', description: "Attach container's STDIN" }),
    // Used by berth's logger for on-failure restart policies.
    'restart-check': Flags.boolean({ hidden: true }),
    'kube-force': Flags.boolean({
      description: 'Allow starting a container managed by Kubernetes (CRI), through CRI',
    }),
    'detach-keys': Flags.string({
      description: 'Override the key sequence for detaching a container',
      helpValue: 'string',
    }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Start);
    const client = await this.client();
    const { findContainer, assertMutable } = await import('../container/resolve.js');
    const { criForced } = await import('../cri/index.js');
    // CRI starts its containers itself (once); anything else is refused in one line.
    const findStartable = async (ref: string) => {
      const c = await findContainer(client, ref);
      assertMutable(c, ref, 'start', flags['kube-force']);
      return { c, viaCri: await criForced(client, c, ref, { op: 'start' }) };
    };
    const { startContainer, restartCheck } = await import('../container/start.js');
    const refs = argv as string[];
    if (flags['restart-check']) {
      for (const ref of refs)
        await restartCheck(client, this.settings, await findContainer(client, ref));
      return;
    }
    if (flags.attach || flags.interactive) {
      if (refs.length > 1) {
        throw new BerthError('you cannot start and attach multiple containers at once', {
          exitCode: 1,
        });
      }
      const { c, viaCri } = await findStartable(refs[0]!);
      if (viaCri) return;
      const code = await startContainer(client, this.settings, c, {
        attach: true,
        interactive: flags.interactive,
        detachKeys: flags['detach-keys'],
      });
      if (code) this.exit(code);
      return;
    }
    let failed = false;
    for (const ref of refs) {
      try {
        const { c, viaCri } = await findStartable(ref);
        if (!viaCri) await startContainer(client, this.settings, c, {});
        process.stdout.write(`${ref}\n`);
      } catch (err) {
        process.stderr.write(`${messageOf(err)}\n`);
        failed = true;
      }
    }
    if (failed) this.exit(1);
  }
}
