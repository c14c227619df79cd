// The flags many commands share, defined once: Docker gives each command its own help text (and
// `-f` only where it does not mean --force or --format), so the text and short form are
// arguments; the flag's kind and parsing are not.
import { Flags } from '@oclif/core';

/** `--filter` (`-f` on list commands, none on prune commands): repeatable `key=value`. */
export function filterFlag(
  description = 'Filter output based on conditions provided',
  opts: { char?: 'f' } = { char: 'f' },
) {
  return Flags.string({
    ...opts,
    description,
    helpValue: 'filter',
    multiple: true,
    multipleNonGreedy: true,
  });
}

/** `-f, --force`. */
export function forceFlag(description = 'Do not prompt for confirmation') {
  return Flags.boolean({ char: 'f', description });
}

/** `--no-trunc`. */
export function noTruncFlag(description = "Don't truncate output") {
  return Flags.boolean({ description });
}

/** `-q, --quiet`. */
export function quietFlag(description = 'Only display IDs') {
  return Flags.boolean({ char: 'q', description });
}
