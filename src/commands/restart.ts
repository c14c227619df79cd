import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { parseStopFlags, stopFlags } from '../flags/stop.js';
import { BerthError, daemonText } from '../errors.js';

export default class Restart extends BaseCommand {
  static summary = 'Restart one or more containers';
  static usage = 'restart [OPTIONS] CONTAINER [CONTAINER...]';
  static aliases = ['container:restart'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'Container name or ID' }) };
  static flags = stopFlags('restarting');

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Restart);
    const { signal, timeout } = await parseStopFlags(flags);
    const { findContainer, assertMutable, refuseCri } = await import('../container/resolve.js');
    const { restartContainer } = await import('../container/stop.js');
    const { startContainer } = await import('../container/start.js');
    const client = await this.client();
    // The same start path as `berth start`, with this invocation's settings (flags included).
    const start = async (id: string): Promise<void> => {
      await startContainer(client, this.settings, await findContainer(client, id), {});
    };
    const errors: string[] = [];
    for (const ref of argv as string[]) {
      try {
        const c = await findContainer(client, ref);
        refuseCri(
          c,
          ref,
          'restart',
          'kubelet restarts its containers as new attempts: stop it with --kube-force and kubelet starts the next one',
        );
        assertMutable(c, ref, 'restart', flags['kube-force']);
        await restartContainer(client, c, { timeout, signal, settings: this.settings }, start);
        process.stdout.write(`${ref}\n`);
      } catch (err) {
        if (err instanceof BerthError) errors.push(daemonText(err));
        else throw err;
      }
    }
    if (errors.length > 0) throw new BerthError(errors.join('\n'), { exitCode: 1 });
  }
}
