import { BaseCommand } from '../../base-command.js';
import { daemonFlags } from './start.js';

export default class SystemStop extends BaseCommand {
  static summary = 'Stop the containerd started by "berth system start"';
  static usage = 'system stop [OPTIONS]';
  static flags = { ...daemonFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemStop);
    const { settings } = this;
    const { stopDaemon } = await import('../../cmd/system/daemon.js');
    const r = await stopDaemon(settings, {
      stateDir: flags['state-dir'],
      restartInterval: '',
      timeoutMs: 15000,
    });
    if (r.stopped) this.log(`containerd (pid ${r.pid}) stopped`);
    else this.log('no containerd started by berth is running');
  }
}
