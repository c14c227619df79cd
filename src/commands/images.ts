import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { formatLongFlag } from '../flags/format.js';
import { filterFlag, noTruncFlag, quietFlag } from '../flags/common.js';

export default class Images extends BaseCommand {
  static summary = 'List images';
  static usage = 'images [OPTIONS] [REPOSITORY[:TAG]]';
  static aliases = ['image:ls', 'image:list'];
  static args = { repository: Args.string({ required: false }) };
  static flags = {
    all: Flags.boolean({
      char: 'a',
      description: 'Show all images (default hides intermediate images)',
    }),
    digests: Flags.boolean({ description: 'Show digests' }),
    filter: filterFlag(),
    format: formatLongFlag,
    'no-trunc': noTruncFlag(),
    quiet: quietFlag('Only show image IDs'),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Images);
    const { settings } = this;
    const { listImageRows } = await import('../cmd/image/list.js');
    const { IMAGES_DEFAULT_FORMAT, IMAGES_DIGEST_FORMAT, IMAGES_HEADERS } =
      await import('../formatter/image.js');
    const { renderList } = await import('../formatter/format.js');
    const { quietOverridesFormat } = await import('../formatter/text.js');
    const format = quietOverridesFormat(flags.quiet, flags.format ?? '');
    // Sizes cost a content Info per blob: only when the output shows them (`{{json .}}` and a
    // bare `{{.}}` print every field).
    const wantSize =
      !flags.quiet &&
      (format === '' ||
        format === 'table' ||
        format === 'json' ||
        /\.(Size|VirtualSize)\b|\bjson\b|\{\{-?\s*\.\s*-?\}\}/.test(format));
    const rows = await listImageRows(await this.client(), {
      filters: flags.filter ?? [],
      ...(args.repository !== undefined ? { reference: args.repository } : {}),
      // docker/cli's needDigest: --digests, or a format that prints {{.Digest}}.
      digests: flags.digests || format.includes('{{.Digest}}'),
      noTrunc: flags['no-trunc'],
      snapshotter: settings.snapshotter,
      sizes: wantSize,
    });
    process.stdout.write(
      renderList(rows, {
        format,
        quiet: flags.quiet,
        quietField: 'ID',
        defaultTableFormat: flags.digests ? IMAGES_DIGEST_FORMAT : IMAGES_DEFAULT_FORMAT,
        headers: IMAGES_HEADERS,
      }),
    );
  }
}
