import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { interruptible } from '../process.js';
import { quietFlag } from '../flags/common.js';

export default class Cp extends BaseCommand {
  static summary = 'Copy files/folders between a container and the local filesystem';
  static description =
    "Use '-' as the source to read a tar archive from stdin and extract it to a directory destination in a container.\nUse '-' as the destination to stream a tar archive of a container source to stdout.";
  static usage = [
    'cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-',
    'cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  ];
  static aliases = ['container:cp'];
  static args = {
    src: Args.string({ required: true, description: 'Source path' }),
    dest: Args.string({ required: true, description: 'Destination path' }),
  };
  static flags = {
    archive: Flags.boolean({
      char: 'a',
      description: 'Archive mode (copy all uid/gid information)',
    }),
    'kube-force': Flags.boolean({
      description: 'Allow copying into a container managed by Kubernetes (CRI)',
    }),
    'follow-link': Flags.boolean({
      char: 'L',
      description: 'Always follow symbol link in SRC_PATH',
    }),
    quiet: quietFlag(
      'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached',
    ),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Cp);
    const { findContainer } = await import('../container/resolve.js');
    const { copy } = await import('../cmd/container/cp.js');
    const { humanSize } = await import('../formatter/units.js');
    const client = await this.client();
    // Interrupted or with its reader gone, cp still unmounts the container's root before leaving.
    const result = await interruptible((signal) =>
      copy(
        client,
        args.src,
        args.dest,
        {
          archive: flags.archive,
          followLink: flags['follow-link'],
          kubeForce: flags['kube-force'],
          signal,
        },
        (ref) => findContainer(client, ref),
      ),
    );
    if (!flags.quiet && process.stderr.isTTY && result.destination !== '-') {
      process.stderr.write(
        `Successfully copied ${humanSize(result.bytes)} to ${result.destination}\n`,
      );
    }
  }
}
