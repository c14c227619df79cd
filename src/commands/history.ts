import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { formatLongFlag } from '../flags/format.js';
import { globalFlags } from '../flags/global.js';
import { noTruncFlag, quietFlag } from '../flags/common.js';

export default class History extends BaseCommand {
  static summary = 'Show the history of an image';
  static usage = 'history [OPTIONS] IMAGE';
  static aliases = ['image:history'];
  static args = { image: Args.string({ required: true }) };
  // Here -H is Docker's --human, so the global --address gives up its -H alias (it still works
  // before the command name, where bin/run.js handles it).
  static baseFlags = {
    ...globalFlags,
    address: { ...globalFlags.address, charAliases: [] },
  };
  static flags = {
    format: formatLongFlag,
    human: Flags.boolean({
      char: 'H',
      description: 'Print sizes and dates in human readable format',
      default: true,
      allowNo: true,
    }),
    'no-trunc': noTruncFlag(),
    platform: Flags.string({
      description: 'Show history for the given platform',
      helpValue: 'string',
    }),
    quiet: quietFlag('Only show image IDs'),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(History);
    const { settings } = this;
    const { historyRows } = await import('../cmd/image/history.js');
    const { HISTORY_DEFAULT_FORMAT, HISTORY_HEADERS } = await import('../formatter/history.js');
    const { renderList } = await import('../formatter/format.js');
    const { parsePlatform } = await import('../image/platform.js');
    const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
    const rows = await historyRows(await this.client(), args.image, {
      human: flags.human,
      noTrunc: flags['no-trunc'],
      snapshotter: settings.snapshotter,
      ...(platform ? { platform } : {}),
    });
    process.stdout.write(
      renderList(rows, {
        format: flags.format ?? '',
        quiet: flags.quiet,
        quietField: 'ID',
        defaultTableFormat: HISTORY_DEFAULT_FORMAT,
        headers: HISTORY_HEADERS,
      }),
    );
  }
}
