import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { DaemonError } from '../../errors.js';

export default class VolumeCreate extends BaseCommand {
  static summary = 'Create a volume';
  static usage = 'volume create [OPTIONS] [VOLUME]';
  static args = { name: Args.string({ required: false }) };
  static flags = {
    driver: Flags.string({
      char: 'd',
      description: 'Specify volume driver name',
      default: 'local',
      helpValue: 'string',
    }),
    label: Flags.string({
      description: 'Set metadata for a volume',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'list',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(VolumeCreate);
    const { settings } = this;
    if (flags.driver !== 'local') {
      throw new DaemonError(`create ${args.name ?? ''}: plugin "${flags.driver}" not found`);
    }
    const { runCreate } = await import('../../cmd/volume/create.js');
    const { parseKeyValues } = await import('../../opts/key-value.js');
    this.log(
      await runCreate(settings, args.name, parseKeyValues(flags.label ?? []), await this.client()),
    );
  }
}
