import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { formatLongFlag, quietFlag } from '../../flags/format.js';

export default class NetworkLs extends BaseCommand {
  static summary = 'List networks';
  static usage = 'network ls [OPTIONS]';
  static aliases = ['network:list'];
  static flags = {
    quiet: { ...quietFlag, description: 'Only display network IDs' },
    format: formatLongFlag,
    filter: Flags.string({
      char: 'f',
      description: "Provide filter values (e.g. 'driver=bridge')",
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'filter',
    }),
    'no-trunc': Flags.boolean({ description: 'Do not truncate the output' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NetworkLs);
    const { settings } = this;
    const { listNetworks } = await import('../../cmd/network/network.js');
    const { renderList } = await import('../../formatter/format.js');
    const rows = await listNetworks(settings, () => this.client(), flags.filter, flags['no-trunc']);
    process.stdout.write(
      renderList(rows, {
        format: flags.format,
        quiet: flags.quiet,
        quietField: 'ID',
        defaultTableFormat: 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}',
        headers: {
          ID: 'NETWORK ID',
          Name: 'NAME',
          Driver: 'DRIVER',
          Scope: 'SCOPE',
          IPv6: 'IPV6',
          Internal: 'INTERNAL',
          Labels: 'LABELS',
          CreatedAt: 'CREATED AT',
        },
      }),
    );
  }
}
