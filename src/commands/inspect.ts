import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { BerthError, UsageError } from '../errors.js';

type GlobalFlag = 'address' | 'namespace' | 'snapshotter' | 'data-root';

/** What `inspect` and `container inspect` share: the lookup, Docker's errors and the output. */
export abstract class InspectBase extends BaseCommand {
  protected async inspectRefs(
    flags: { format?: string } & Partial<Record<GlobalFlag, string>>,
    refs: string[],
    type: string,
  ): Promise<void> {
    if (type !== '' && type !== 'container' && type !== 'image') {
      throw new UsageError(`"${type}" is not a valid value for --type`);
    }
    const print = await this.inspector(flags.format);
    const client = await this.client();
    const { findContainerOrUndefined, AmbiguousContainerError } =
      await import('../container/resolve.js');
    const { inspectContainer } = await import('../cmd/container/inspect.js');

    const objects: unknown[] = [];
    const missing: string[] = [];
    const errors: string[] = [];
    if (type !== 'image') {
      for (const ref of refs) {
        try {
          const c = await findContainerOrUndefined(client, ref);
          if (c) objects.push(await inspectContainer(client, c));
          else missing.push(ref);
        } catch (err) {
          if (err instanceof AmbiguousContainerError) errors.push(`Error: ${err.reason}`);
          else throw err;
        }
      }
    } else {
      missing.push(...refs);
    }

    // Images belong to `image inspect`: when every argument names an image (and none a
    // container), hand the whole call over to it.
    if (
      type !== 'container' &&
      objects.length === 0 &&
      errors.length === 0 &&
      this.config.findCommand('image:inspect') &&
      (await allImages(client, missing))
    ) {
      const passthrough = [...refs];
      if (flags.format !== undefined) passthrough.push('--format', flags.format);
      // The global flags, so the image command talks to the same containerd and namespace.
      for (const key of [
        'address',
        'namespace',
        'snapshotter',
        'data-root',
      ] satisfies GlobalFlag[]) {
        if (flags[key] !== undefined) passthrough.push(`--${key}`, flags[key]);
      }
      await this.config.runCommand('image:inspect', passthrough);
      return;
    }

    const noun = type === 'container' ? 'container' : type === 'image' ? 'image' : 'object';
    for (const ref of missing) errors.push(`Error: No such ${noun}: ${ref}`);
    print(objects);
    if (errors.length > 0) throw new BerthError(errors.join('\n'), { exitCode: 1 });
  }
}

export default class Inspect extends InspectBase {
  static summary = 'Return low-level information on containers and images';
  static usage = 'inspect [OPTIONS] NAME|ID [NAME|ID...]';
  static strict = false;
  static args = {
    object: Args.string({ required: true, description: 'Container or image name or ID' }),
  };
  static flags = {
    format: Flags.string({
      char: 'f',
      description:
        "Format output using a custom template:\n'json': Print in JSON format\n'TEMPLATE': Print output using the given Go template",
      helpValue: 'string',
    }),
    size: Flags.boolean({
      char: 's',
      description: 'Display total file sizes if the type is container',
    }),
    type: Flags.string({
      description: 'Only inspect objects of the given type',
      helpValue: 'string',
    }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Inspect);
    await this.inspectRefs(flags, argv as string[], flags.type ?? '');
  }
}

async function allImages(
  client: import('../containerd/client.js').Client,
  refs: string[],
): Promise<boolean> {
  const { resolveLocalImage } = await import('../image/local.js');
  for (const ref of refs) {
    try {
      await resolveLocalImage(client, ref);
    } catch (err) {
      if (err instanceof BerthError) return false;
      throw err;
    }
  }
  return refs.length > 0;
}
