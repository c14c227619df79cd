import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Login extends BaseCommand {
  static summary = 'Authenticate to a registry';
  static description =
    'Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.';
  static usage = 'login [OPTIONS] [SERVER]';
  static args = { server: Args.string({ required: false, description: 'Registry server' }) };
  static flags = {
    username: Flags.string({ char: 'u', description: 'Username', helpValue: 'string' }),
    password: Flags.string({
      char: 'p',
      description: 'Password or Personal Access Token (PAT)',
      helpValue: 'string',
    }),
    'password-stdin': Flags.boolean({
      description: 'Take the Password or Personal Access Token (PAT) from stdin',
    }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Login);
    const { settings } = this;
    const { runLogin } = await import('../cmd/image/login.js');
    // Prompts only make sense when a person can answer them.
    const interactive = Boolean(process.stdin.isTTY) && !flags['password-stdin'];
    const prompt = interactive
      ? {
          username: async (): Promise<string> =>
            (await import('@inquirer/input')).default({ message: 'Username:' }),
          password: async (): Promise<string> =>
            (await import('@inquirer/password')).default({ message: 'Password:', mask: false }),
        }
      : undefined;
    await runLogin({
      ...(args.server !== undefined ? { server: args.server } : {}),
      ...(flags.username !== undefined ? { username: flags.username } : {}),
      ...(flags.password !== undefined ? { password: flags.password } : {}),
      passwordStdin: flags['password-stdin'],
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      hosts: { hostsDirs: settings.hostsDir, insecureAll: settings.insecureRegistry },
      ...(prompt ? { prompt } : {}),
    });
  }
}
