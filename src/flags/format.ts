import { Flags } from '@oclif/core';

/** `--format` / `-f` as Docker's list and inspect commands take it. */
export const formatFlag = Flags.string({
  char: 'f',
  description:
    "Format output using a custom template:\n'json': Print in JSON format\n'TEMPLATE': Print output using the given Go template",
  helpValue: 'string',
});

/** Same flag where `-f` means something else (`ps -f` is --filter). */
export const formatLongFlag = Flags.string({
  description:
    "Format output using a custom template:\n'table': Print output in table format with column headers (default)\n'table TEMPLATE': Print output in table format using the given Go template\n'json': Print in JSON format\n'TEMPLATE': Print output using the given Go template",
  helpValue: 'string',
});
