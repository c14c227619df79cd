import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

export const daemonFlags = {
  'state-dir': Flags.string({
    description: "containerd's state directory",
    default: '/run/berth/containerd',
    helpValue: 'string',
  }),
};

export default class SystemStart extends BaseCommand {
  static summary = 'Start a private containerd for berth';
  static description =
    'Starts containerd with its own config, root (under --data-root), state and socket (--address), for machines where containerd is installed but not running.';
  static usage = 'system start [OPTIONS]';
  static flags = {
    ...daemonFlags,
    'restart-interval': Flags.string({
      description: 'How often the restart monitor checks containers with a restart policy',
      default: '1s',
      helpValue: 'duration',
    }),
    timeout: Flags.integer({
      description: 'Seconds to wait for containerd to answer',
      default: 20,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemStart);
    const { settings } = this;
    const { startDaemon } = await import('../../cmd/system/daemon.js');
    // A spinner only for a person watching; scripts and CI get the one result line.
    const spinner = process.stderr.isTTY
      ? (await import('ora'))
          .default({ text: 'Starting containerd', stream: process.stderr })
          .start()
      : undefined;
    let r;
    try {
      r = await startDaemon(settings, {
        stateDir: flags['state-dir'],
        restartInterval: flags['restart-interval'],
        timeoutMs: flags.timeout * 1000,
      });
    } finally {
      spinner?.stop();
    }
    if (r.started) {
      this.log(`containerd ${r.version} started (pid ${r.pid}) at ${r.paths.address}`);
    } else {
      this.log(`containerd ${r.version} is already running at ${r.paths.address}`);
    }
  }
}
