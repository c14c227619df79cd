// `-e, --env` and `--env-file`, as run, create and exec take them (docker/cli defines them once
// for the three).
import { Flags } from '@oclif/core';

/** A repeatable string flag (`-e A -e B`), `[]` when absent. */
export function listFlag(
  description: string,
  extra: { char?: 'e' | 'l' | 'v' | 'a' | 'p'; helpValue?: string } = {},
) {
  return Flags.string({
    description,
    multiple: true,
    multipleNonGreedy: true,
    default: [],
    helpValue: extra.helpValue ?? 'list',
    ...(extra.char ? { char: extra.char } : {}),
  });
}

export const envFlags = {
  env: listFlag('Set environment variables', { char: 'e' }),
  'env-file': listFlag('Read in a file of environment variables'),
};
