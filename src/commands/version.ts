import { BaseCommand } from '../base-command.js';
import { formatFlag } from '../flags/format.js';

export default class Version extends BaseCommand {
  static summary = 'Show the berth version information';
  static usage = 'version [OPTIONS]';
  static flags = { format: formatFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    const { getVersion, renderVersion } = await import('../cmd/system/version.js');
    const { info, error } = await getVersion(await this.client(), this.config.version);
    if (flags.format) {
      await this.printFormatted(flags.format, info);
    } else {
      process.stdout.write(renderVersion(info));
    }
    if (error) throw error;
  }
}
