import { BaseCommand } from '../../base-command.js';
import { daemonFlags } from './start.js';

export default class SystemStatus extends BaseCommand {
  static summary = 'Show whether containerd answers, and whether berth started it';
  static usage = 'system status [OPTIONS]';
  static flags = { ...daemonFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemStatus);
    const { settings } = this;
    const { daemonStatus } = await import('../../cmd/system/daemon.js');
    const s = await daemonStatus(settings, flags['state-dir']);
    if (!s.running) {
      this.log(`containerd is not running at ${s.paths.address}`);
      this.exit(1);
    }
    const who = s.managed ? `started by berth, pid ${s.pid}` : 'not started by berth';
    this.log(`containerd ${s.version} is running at ${s.paths.address} (${who})`);
  }
}
