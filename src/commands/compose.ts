import { BaseCommand } from '../base-command.js';

export default class Compose extends BaseCommand {
  static summary = 'Define and run multi-container applications';
  static usage = 'compose [OPTIONS] COMMAND';
  static strict = false;

  async run(): Promise<void> {
    await this.parse(Compose);
    // The words after `--` (src/argv.ts puts it there) exactly as typed: oclif's parse of them
    // loses repeated flags such as `-f a -f b`.
    const dd = this.argv.indexOf('--');
    const argv = dd >= 0 ? this.argv.slice(dd + 1) : this.argv;
    const { parseComposeArgv } = await import('../flags/compose.js');
    const parsed = parseComposeArgv(argv as string[], this.config.version);
    if ('text' in parsed) {
      process.stdout.write(parsed.text);
      return;
    }
    const { runCompose } = await import('../cmd/compose/cli.js');
    const code = await runCompose(parsed, {
      env: process.env,
      cwd: process.cwd(),
      version: this.config.version,
      stdout: (s) => void process.stdout.write(s),
      stderr: (s) => void process.stderr.write(s),
      isTTY: process.stdout.isTTY === true,
      client: () => this.client(),
      settings: () => this.settings,
    });
    if (code !== 0) process.exitCode = code;
  }
}
