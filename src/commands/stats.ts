import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { formatLongFlag } from '../flags/format.js';
import { noTruncFlag } from '../flags/common.js';

export default class Stats extends BaseCommand {
  static summary = 'Display a live stream of container(s) resource usage statistics';
  static usage = 'stats [OPTIONS] [CONTAINER...]';
  static aliases = ['container:stats'];
  static strict = false;
  static args = {
    container: Args.string({ required: false, description: 'Container name or ID' }),
  };
  static flags = {
    all: Flags.boolean({
      char: 'a',
      description: 'Show all containers (default shows just running)',
    }),
    format: formatLongFlag,
    'no-stream': Flags.boolean({
      description: 'Disable streaming stats and only pull the first result',
    }),
    'no-trunc': noTruncFlag(),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Stats);
    const { findContainer } = await import('../container/resolve.js');
    const { containersNewestFirst, runStats } = await import('../cmd/container/stats.js');
    const { STATS_DEFAULT_FORMAT, STATS_HEADERS } = await import('../formatter/stats.js');
    const { renderList } = await import('../formatter/format.js');
    const client = await this.client();

    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await runStats(client, {
        refs: argv as string[],
        all: flags.all,
        noStream: flags['no-stream'],
        noTrunc: flags['no-trunc'],
        tty: Boolean(process.stdout.isTTY),
        signal: controller.signal,
        resolve: (ref) => findContainer(client, ref),
        listAll: () => containersNewestFirst(client),
        render: (rows) => {
          return renderList(rows, {
            format: flags.format ?? '',
            defaultTableFormat: STATS_DEFAULT_FORMAT,
            headers: STATS_HEADERS,
          });
        },
        write: (text) => process.stdout.write(text),
      });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }
}
