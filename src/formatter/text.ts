/** Text helpers of docker/cli's formatter package shared by every listing. */

/** docker/cli's TruncateID length: the 12 characters `ps`, `network ls`, `stats` show. */
export const SHORT_ID_LENGTH = 12;

/** An object ID as listings show it: 12 characters unless `--no-trunc`. */
export function truncateId(id: string, noTrunc = false): string {
  return noTrunc ? id : id.slice(0, SHORT_ID_LENGTH);
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
