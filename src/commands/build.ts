import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Build extends BaseCommand {
  static summary = 'Build an image from a Dockerfile';
  static usage = 'build [OPTIONS] PATH | URL | -';
  static aliases = ['image:build', 'builder:build'];
  static args = {
    path: Args.string({ required: true, description: 'Build context directory, or - for stdin' }),
  };
  static flags = {
    tag: Flags.string({
      char: 't',
      description: "Name and optionally a tag in the 'name:tag' format",
      multiple: true,
      multipleNonGreedy: true,
      default: [],
      helpValue: 'list',
    }),
    file: Flags.string({
      char: 'f',
      description: "Name of the Dockerfile (Default is 'PATH/Dockerfile')",
      helpValue: 'string',
    }),
    'build-arg': Flags.string({
      description: 'Set build-time variables',
      multiple: true,
      multipleNonGreedy: true,
      default: [],
      helpValue: 'list',
    }),
    target: Flags.string({
      description: 'Set the target build stage to build.',
      helpValue: 'string',
    }),
    'no-cache': Flags.boolean({ description: 'Do not use cache when building the image' }),
    pull: Flags.boolean({ description: 'Always attempt to pull a newer version of the image' }),
    label: Flags.string({
      description: 'Set metadata for an image',
      multiple: true,
      multipleNonGreedy: true,
      default: [],
      helpValue: 'list',
    }),
    quiet: Flags.boolean({
      char: 'q',
      description: 'Suppress the build output and print image ID on success',
    }),
    iidfile: Flags.string({ description: 'Write the image ID to the file', helpValue: 'string' }),
    platform: Flags.string({
      description: 'Set platform if server is multi-platform capable',
      helpValue: 'string',
    }),
    network: Flags.string({
      description: 'Set the networking mode for the RUN instructions during build',
      default: 'default',
      helpValue: 'string',
    }),
    'add-host': Flags.string({
      description: 'Add a custom host-to-IP mapping (host:ip)',
      multiple: true,
      multipleNonGreedy: true,
      default: [],
      helpValue: 'list',
    }),
    progress: Flags.string({
      description: 'Set type of progress output (auto, plain, tty)',
      options: ['auto', 'plain', 'tty'],
      default: 'auto',
      helpValue: 'string',
    }),
    rm: Flags.boolean({
      description: 'Remove intermediate containers after a successful build',
      default: true,
      allowNo: true,
    }),
    'force-rm': Flags.boolean({ description: 'Always remove intermediate containers' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Build);
    const { settings } = this.loadSettings(flags);
    const { runBuild } = await import('../cmd/image/build.js');
    const client = await this.client();
    // First Ctrl-C: the running step is killed and everything the build made so far goes; a
    // second one leaves at once.
    const ac = new AbortController();
    const onSignal = (): void => {
      if (ac.signal.aborted) process.exit(130);
      ac.abort(new Error('interrupted'));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await runBuild(client, settings, {
        path: args.path,
        ...(flags.file !== undefined ? { file: flags.file } : {}),
        tags: flags.tag,
        buildArgs: flags['build-arg'],
        ...(flags.target !== undefined ? { target: flags.target } : {}),
        noCache: flags['no-cache'],
        pull: flags.pull,
        labels: flags.label,
        quiet: flags.quiet,
        ...(flags.iidfile !== undefined ? { iidfile: flags.iidfile } : {}),
        ...(flags.platform !== undefined ? { platform: flags.platform } : {}),
        network: flags.network,
        addHost: flags['add-host'],
        progress: flags.progress,
        stdin: process.stdin,
        stdout: process.stdout,
        stderr: process.stderr,
        signal: ac.signal,
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
