import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { BerthError, FlagValueError } from '../errors.js';

export default class Update extends BaseCommand {
  static summary = 'Update configuration of one or more containers';
  static usage = 'update [OPTIONS] CONTAINER [CONTAINER...]';
  static aliases = ['container:update'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'Container name or ID' }) };
  static flags = {
    'cpu-shares': Flags.string({
      char: 'c',
      description: 'CPU shares (relative weight)',
      helpValue: 'int',
    }),
    cpus: Flags.string({ description: 'Number of CPUs', helpValue: 'decimal' }),
    'cpuset-cpus': Flags.string({
      description: 'CPUs in which to allow execution (0-3, 0,1)',
      helpValue: 'string',
    }),
    memory: Flags.string({ char: 'm', description: 'Memory limit', helpValue: 'bytes' }),
    'memory-swap': Flags.string({
      description: 'Swap limit equal to memory plus swap: -1 to enable unlimited swap',
      helpValue: 'bytes',
    }),
    'pids-limit': Flags.string({
      description: 'Tune container pids limit (set -1 for unlimited)',
      helpValue: 'int',
    }),
    restart: Flags.string({
      description: 'Restart policy to apply when a container exits',
      helpValue: 'string',
    }),
    'kube-force': Flags.boolean({
      description: 'Allow changing a container managed by Kubernetes (CRI)',
    }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Update);
    const { settings } = this;
    const { parseCpus, parseMemory, parseMemorySwap } =
      await import('../opts/container-parsers.js');
    const parse = <T>(
      name: string,
      short: string | undefined,
      fn: (v: string) => T,
    ): T | undefined => {
      const v = (flags as Record<string, unknown>)[name];
      if (typeof v !== 'string') return undefined;
      try {
        return fn(v);
      } catch (err) {
        const flag = short ? `-${short}, --${name}` : `--${name}`;
        throw new FlagValueError(
          `invalid argument "${v}" for "${flag}" flag: ${(err as Error).message}`,
        );
      }
    };
    const int = (v: string): number => {
      if (!/^[+-]?\d+$/.test(v))
        throw new Error(`strconv.ParseInt: parsing "${v}": invalid syntax`);
      return Number(v);
    };
    const opts = {
      cpus: parse('cpus', undefined, parseCpus),
      cpuShares: parse('cpu-shares', 'c', int),
      cpusetCpus: flags['cpuset-cpus'],
      memory: parse('memory', 'm', parseMemory),
      memorySwap: parse('memory-swap', undefined, parseMemorySwap),
      pidsLimit: parse('pids-limit', undefined, int),
      restart: flags.restart,
    };
    const { hasUpdates, updateContainer } = await import('../cmd/container/update.js');
    if (!hasUpdates(opts)) {
      throw new BerthError('you must provide one or more flags when using this command');
    }
    const { forEachContainer, assertMutable } = await import('../container/resolve.js');
    const client = await this.client();
    await forEachContainer(client, argv as string[], async (c, ref) => {
      assertMutable(c, ref, 'update', flags['kube-force']);
      await updateContainer(client, settings, c, opts);
    });
  }
}
