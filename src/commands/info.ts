import { BaseCommand } from '../base-command.js';
import { formatFlag } from '../flags/format.js';

export default class Info extends BaseCommand {
  static summary = 'Display system-wide information';
  static usage = 'info [OPTIONS]';
  static aliases = ['system:info'];
  static flags = { format: formatFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Info);
    const config = this.config_;
    const { getInfo, renderInfo } = await import('../cmd/system/info.js');
    const info = await getInfo(await this.client(), config);
    if (flags.format) {
      await this.printFormatted(flags.format, info);
    } else {
      process.stdout.write(renderInfo(info));
    }
  }
}
