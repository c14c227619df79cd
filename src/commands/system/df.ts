import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { formatLongFlag } from '../../flags/format.js';

export default class SystemDf extends BaseCommand {
  static summary = 'Show docker disk usage';
  static usage = 'system df [OPTIONS]';
  static flags = {
    format: formatLongFlag,
    verbose: Flags.boolean({ char: 'v', description: 'Show detailed information on space usage' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemDf);
    const { settings } = this;
    const { diskUsage, summaryRows, verboseSections, DF_DEFAULT_FORMAT, DF_HEADERS } =
      await import('../../cmd/system/df.js');
    const { renderList } = await import('../../formatter/format.js');
    const usage = await diskUsage(await this.client(), settings, { verbose: flags.verbose });
    if (flags.verbose && !flags.format) {
      process.stdout.write(
        verboseSections(usage, (rows, format, headers) =>
          renderList(rows, { format, defaultTableFormat: format, headers }),
        ),
      );
      return;
    }
    process.stdout.write(
      renderList(summaryRows(usage), {
        format: flags.format ?? '',
        defaultTableFormat: DF_DEFAULT_FORMAT,
        headers: DF_HEADERS,
      }),
    );
  }
}
