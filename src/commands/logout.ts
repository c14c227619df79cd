import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Logout extends BaseCommand {
  static summary = 'Log out from a registry';
  static description =
    'Log out from a registry.\nIf no server is specified, the default is defined by the daemon.';
  static usage = 'logout [SERVER]';
  static args = { server: Args.string({ required: false, description: 'Registry server' }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Logout);
    const { runLogout } = await import('../cmd/image/login.js');
    await runLogout({
      ...(args.server !== undefined ? { server: args.server } : {}),
      stdout: process.stdout,
    });
  }
}
