import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

const list = (description: string, helpValue = 'list') =>
  Flags.string({ description, multiple: true, multipleNonGreedy: true, helpValue });

export default class NetworkCreate extends BaseCommand {
  static summary = 'Create a network';
  static usage = 'network create [OPTIONS] NETWORK';
  static args = { network: Args.string({ required: true }) };
  static flags = {
    driver: Flags.string({
      char: 'd',
      description: 'Driver to manage the Network',
      default: 'bridge',
      helpValue: 'string',
    }),
    subnet: Flags.string({
      description: 'Subnet in CIDR format that represents a network segment',
      helpValue: 'string',
    }),
    gateway: Flags.string({
      description: 'IPv4 Gateway for the master subnet',
      helpValue: 'string',
    }),
    'ip-range': Flags.string({
      description: 'Allocate container ip from a sub-range',
      helpValue: 'string',
    }),
    internal: Flags.boolean({ description: 'Restrict external access to the network' }),
    label: list('Set metadata on a network'),
    opt: list('Set driver specific options', 'map'),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NetworkCreate);
    const { settings } = this;
    const { runCreate } = await import('../../cmd/network/create.js');
    const id = await runCreate(settings, {
      name: args.network,
      driver: flags.driver,
      subnet: flags.subnet,
      gateway: flags.gateway,
      ipRange: flags['ip-range'],
      internal: flags.internal,
      labels: flags.label,
      options: flags.opt,
    });
    this.log(id);
  }
}
