/** Text helpers of docker/cli's formatter package shared by every listing. */

/** docker/cli's TruncateID length: the 12 characters `ps`, `network ls`, `stats` show. */
export const SHORT_ID_LENGTH = 12;

/**
 * docker/cli's stringid.TruncateID, the one place IDs are shortened: an image's `sha256:` goes,
 * then 12 characters are kept, unless `--no-trunc`.
 */
export function truncateId(id: string, noTrunc = false): string {
  if (noTrunc) return id;
  return id.slice(id.indexOf(':') + 1, id.indexOf(':') + 1 + SHORT_ID_LENGTH);
}

/** docker/cli's formatter.Ellipsis: cut to `max` characters, the last being `…`. */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  return `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * `-q` wins over `--format` (ps, images): docker/cli warns once and drops the format. Returns
 * the format to use.
 */
export function quietOverridesFormat(quiet: boolean | undefined, format: string): string {
  if (!quiet || format === '') return format;
  process.stderr.write(
    'WARNING: Ignoring custom format, because both --format and --quiet are set.\n',
  );
  return '';
}
