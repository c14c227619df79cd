import { BaseCommand } from '../base-command.js';

export default class Compose extends BaseCommand {
  static summary = 'Define and run multi-container applications';
  static usage = 'compose [OPTIONS] COMMAND';
  static strict = false;

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Compose);
    this.loadSettings(flags);
    const { runCompose } = await import('../cmd/compose/cli.js');
    const code = await runCompose(argv as string[], {
      env: process.env,
      cwd: process.cwd(),
      version: this.config.version,
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
    });
    if (code !== 0) process.exitCode = code;
  }
}
