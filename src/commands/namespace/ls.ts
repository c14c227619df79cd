import { BaseCommand } from '../../base-command.js';
import { formatFlag } from '../../flags/format.js';
import { quietFlag } from '../../flags/common.js';

export default class NamespaceLs extends BaseCommand {
  static summary = 'List containerd namespaces';
  static usage = 'namespace ls [OPTIONS]';
  static aliases = ['namespace:list'];
  static flags = { quiet: quietFlag(), format: formatFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(NamespaceLs);
    const { settings } = this;
    const { runList } = await import('../../cmd/namespace/list.js');
    const { renderList } = await import('../../formatter/format.js');
    const rows = await runList(await this.client(), settings.dataRoot, {
      counts: !flags.quiet,
    });
    process.stdout.write(
      renderList(rows, {
        format: flags.format,
        quiet: flags.quiet,
        quietField: 'Name',
        defaultTableFormat:
          'table {{.Name}}\t{{.Containers}}\t{{.Images}}\t{{.Volumes}}\t{{.LabelsText}}',
        headers: {
          Name: 'NAME',
          Containers: 'CONTAINERS',
          Images: 'IMAGES',
          Volumes: 'VOLUMES',
          LabelsText: 'LABELS',
        },
      }),
    );
  }
}
