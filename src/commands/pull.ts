import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Pull extends BaseCommand {
  static summary = 'Download an image from a registry';
  static usage = 'pull [OPTIONS] NAME[:TAG|@DIGEST]';
  static aliases = ['image:pull'];
  static args = { name: Args.string({ required: true }) };
  static flags = {
    'all-tags': Flags.boolean({
      char: 'a',
      description: 'Download all tagged images in the repository',
    }),
    'disable-content-trust': Flags.boolean({
      description: 'Skip image verification',
      default: true,
      allowNo: false,
    }),
    platform: Flags.string({
      description: 'Set platform if server is multi-platform capable',
      helpValue: 'string',
    }),
    quiet: Flags.boolean({ char: 'q', description: 'Suppress verbose output' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Pull);
    const { settings } = this.loadSettings(flags);
    const { runPull } = await import('../cmd/image/pull.js');
    const client = await this.client();
    // First Ctrl-C: stop downloading and clean up (lease, half-made snapshots); the ingests stay
    // so the next pull resumes. A second one leaves at once.
    const ac = new AbortController();
    const onSignal = (): void => {
      if (ac.signal.aborted) process.exit(130);
      ac.abort(new Error('interrupted'));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await runPull(client, settings, args.name, {
        allTags: flags['all-tags'],
        quiet: flags.quiet,
        out: process.stdout,
        signal: ac.signal,
        ...(flags.platform !== undefined ? { platform: flags.platform } : {}),
      });
    } catch (err) {
      if (ac.signal.aborted) this.exit(130);
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
