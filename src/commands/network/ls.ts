import { BaseCommand } from '../../base-command.js';
import { formatLongFlag } from '../../flags/format.js';
import { filterFlag, noTruncFlag, quietFlag } from '../../flags/common.js';

export default class NetworkLs extends BaseCommand {
  static summary = 'List networks';
  static usage = 'network ls [OPTIONS]';
  static aliases = ['network:list'];
  static flags = {
    quiet: quietFlag('Only display network IDs'),
    format: formatLongFlag,
    filter: filterFlag("Provide filter values (e.g. 'driver=bridge')"),
    'no-trunc': noTruncFlag('Do not truncate the output'),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NetworkLs);
    const { settings } = this;
    const { runList } = await import('../../cmd/network/list.js');
    const { renderList } = await import('../../formatter/format.js');
    const { NETWORK_LS_HEADERS, NETWORK_LS_TABLE } = await import('../../formatter/network.js');
    const rows = await runList(settings, () => this.client(), flags.filter, flags['no-trunc']);
    process.stdout.write(
      renderList(rows, {
        format: flags.format,
        quiet: flags.quiet,
        quietField: 'ID',
        defaultTableFormat: NETWORK_LS_TABLE,
        headers: NETWORK_LS_HEADERS,
      }),
    );
  }
}
