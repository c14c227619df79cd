import { BaseCommand } from '../../base-command.js';
import { formatLongFlag } from '../../flags/format.js';
import { filterFlag, quietFlag } from '../../flags/common.js';

export default class VolumeLs extends BaseCommand {
  static summary = 'List volumes';
  static usage = 'volume ls [OPTIONS]';
  static aliases = ['volume:list'];
  static flags = {
    filter: filterFlag("Provide filter values (e.g. 'dangling=true')"),
    format: formatLongFlag,
    quiet: quietFlag('Only display volume names'),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(VolumeLs);
    const { settings } = this;
    const { runList } = await import('../../cmd/volume/list.js');
    const { parseVolumeFilters } = await import('../../volume/filters.js');
    const { VOLUME_LS_HEADERS, VOLUME_LS_TABLE } = await import('../../formatter/volume.js');
    const { renderList } = await import('../../formatter/format.js');
    const filters = parseVolumeFilters(flags.filter ?? []);
    const rows = await runList(settings, () => this.client(), filters);
    process.stdout.write(
      renderList(rows, {
        format: flags.format,
        quiet: flags.quiet,
        quietField: 'Name',
        defaultTableFormat: VOLUME_LS_TABLE,
        headers: VOLUME_LS_HEADERS,
      }),
    );
  }
}
