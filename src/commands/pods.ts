import { BaseCommand } from '../base-command.js';
import { formatLongFlag } from '../flags/format.js';
import { filterFlag, noTruncFlag, quietFlag } from '../flags/common.js';

export default class Pods extends BaseCommand {
  static summary = "List kubelet's pods (read-only, through CRI)";
  static usage = 'pods [OPTIONS]';
  static aliases = ['pod:ls', 'pod:list'];
  static flags = {
    filter: filterFlag(
      'Filter output based on conditions provided (id, name, namespace, label, state)',
    ),
    format: formatLongFlag,
    'no-trunc': noTruncFlag(),
    quiet: quietFlag('Only display pod IDs'),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Pods);
    const { listPods, PODS_DEFAULT_FORMAT, PODS_HEADERS } = await import('../cmd/pod/pods.js');
    const { renderList } = await import('../formatter/format.js');
    const rows = await listPods(await this.client(), {
      filters: flags.filter ?? [],
      noTrunc: flags['no-trunc'] || flags.quiet === true,
    });
    process.stdout.write(
      renderList(rows, {
        format: flags.format,
        quiet: flags.quiet,
        quietField: 'ID',
        defaultTableFormat: PODS_DEFAULT_FORMAT,
        headers: PODS_HEADERS,
      }),
    );
  }
}
