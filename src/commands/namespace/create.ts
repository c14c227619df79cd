import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

export default class NamespaceCreate extends BaseCommand {
  static summary = 'Create a new namespace';
  static usage = 'namespace create [OPTIONS] NAMESPACE';
  static args = { namespace: Args.string({ required: true }) };
  static flags = {
    label: Flags.string({
      char: 'l',
      description: 'Set labels for a namespace',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'list',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NamespaceCreate);
    const { runCreate } = await import('../../cmd/namespace/create.js');
    const { parseKeyValues } = await import('../../opts/key-value.js');
    await runCreate(await this.client(), args.namespace, parseKeyValues(flags.label ?? []));
  }
}
