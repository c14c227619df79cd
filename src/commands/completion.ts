import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { UsageError } from '../errors.js';

export default class Completion extends BaseCommand {
  static summary = 'Generate the autocompletion script for the specified shell';
  static description =
    'bash: source <(berth completion bash), or save it as ' +
    '/etc/bash_completion.d/berth. zsh: berth completion zsh > "${fpath[1]}/_berth". ' +
    'fish: berth completion fish > ~/.config/fish/completions/berth.fish';
  static usage = 'completion bash|zsh|fish';
  static args = {
    shell: Args.string({ required: true, description: 'bash, zsh or fish' }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    const { bashScript, fishScript, zshScript } = await import('../cmd/system/completion.js');
    const scripts = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;
    const make = scripts[args.shell as keyof typeof scripts];
    if (!make) throw new UsageError(`unsupported shell "${args.shell}": use bash, zsh or fish`);
    const commands = this.config.commands.map((c) => ({
      id: c.id,
      aliases: c.aliases ?? [],
      hidden: c.hidden ?? false,
      flags: Object.entries(c.flags ?? {}).map(([name, f]) => ({
        name,
        ...(f.char ? { char: f.char } : {}),
        aliases: f.aliases ?? [],
        charAliases: (f.charAliases ?? []) as string[],
        type: f.type,
        hidden: f.hidden ?? false,
        global: f.helpGroup === 'GLOBAL',
      })),
    }));
    process.stdout.write(make(commands, this.config.bin));
  }
}
