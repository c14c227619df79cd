/** A parsed `compose` command line, as the flag edge hands it to the verbs. */
export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

/** A compose command line, parsed: project flags, verb, the verb's flags and arguments. */
export interface ComposeCommand {
  project: ParsedFlags;
  verb: string;
  flags: ParsedFlags;
  args: string[];
}
