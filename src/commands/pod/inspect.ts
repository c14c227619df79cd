import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { formatFlag } from '../../flags/format.js';

export default class PodInspect extends BaseCommand {
  static summary = "Display detailed information on one or more of kubelet's pods (through CRI)";
  static usage = 'pod inspect [OPTIONS] POD [POD...]';
  static strict = false;
  static args = { pod: Args.string({ required: true }) };
  static flags = { format: formatFlag };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(PodInspect);
    const print = await this.inspector(flags.format);
    const { inspectPods } = await import('../../cmd/pod/pods.js');
    const { found, errors } = await inspectPods(await this.client(), argv as string[]);
    print(found);
    for (const e of errors) process.stderr.write(`Error: ${e}\n`);
    if (errors.length > 0) this.exit(1);
  }
}
