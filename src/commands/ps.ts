import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { formatLongFlag } from '../flags/format.js';
import { FlagValueError } from '../errors.js';
import { invalidIntText } from '../usage.js';
import { filterFlag, noTruncFlag, quietFlag } from '../flags/common.js';

export default class Ps extends BaseCommand {
  static summary = 'List containers';
  static usage = 'ps [OPTIONS]';
  static aliases = ['container:ls', 'container:ps', 'container:list'];
  static flags = {
    all: Flags.boolean({
      char: 'a',
      description: 'Show all containers (default shows just running)',
    }),
    filter: filterFlag(),
    format: formatLongFlag,
    last: Flags.string({
      char: 'n',
      description: 'Show n last created containers (includes all states)',
      helpValue: 'int',
      default: '-1',
    }),
    latest: Flags.boolean({
      char: 'l',
      description: 'Show the latest created container (includes all states)',
    }),
    'kube-sandboxes': Flags.boolean({
      description: "Also list kubelet's pod sandboxes (hidden by default)",
    }),
    'no-trunc': noTruncFlag(),
    quiet: quietFlag('Only display container IDs'),
    size: Flags.boolean({ char: 's', description: 'Display total file sizes' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Ps);
    const last = Number(flags.last);
    if (!/^-?\d+$/.test(flags.last) || !Number.isSafeInteger(last)) {
      throw new FlagValueError(invalidIntText(flags.last, '-n, --last'));
    }
    const { listContainerRows } = await import('../cmd/container/ps.js');
    const { PS_DEFAULT_FORMAT, PS_SIZE_FORMAT, PS_HEADERS } =
      await import('../formatter/container.js');
    const { renderList } = await import('../formatter/format.js');
    const { quietOverridesFormat } = await import('../formatter/text.js');
    const format = quietOverridesFormat(flags.quiet, flags.format ?? '');
    // Sizes cost a snapshot walk per container: only when shown.
    const wantSize = flags.size || /\.Size\b/.test(format) || format === 'json';
    const rows = await listContainerRows(await this.client(), {
      all: flags.all,
      last,
      latest: flags.latest,
      size: wantSize && !flags.quiet,
      noTrunc: flags['no-trunc'],
      filters: flags.filter ?? [],
      kubeSandboxes: flags['kube-sandboxes'],
    });
    process.stdout.write(
      renderList(rows, {
        format,
        quiet: flags.quiet,
        quietField: 'ID',
        defaultTableFormat: flags.size ? PS_SIZE_FORMAT : PS_DEFAULT_FORMAT,
        headers: PS_HEADERS,
      }),
    );
  }
}
