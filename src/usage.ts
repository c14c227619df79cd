// Docker's usage-error texts, as pure functions of a command's name, usage line and arguments.
// docker/cli's cobra Args validators (cli/required.go) are plain errors, so a wrong number of
// arguments exits 1; only flag errors are 125 (StatusError). Each text is one headline, then the
// usage line, then the `--help` hint.

/** How many positional arguments a command takes; `max` undefined means any number more. */
export interface ArgRule {
  min: number;
  max?: number;
}

/**
 * The validator docker/cli would give a command with these oclif args: NoArgs, ExactArgs(n),
 * RequiresMaxArgs(n), RequiresRangeArgs(min, max), or RequiresMinArgs(n) when `strict` is false
 * (the last arg takes the rest).
 */
export function argRule(
  args: Readonly<Record<string, { required?: boolean } | undefined>> | undefined,
  strict: boolean | undefined,
): ArgRule {
  const list = Object.values(args ?? {});
  const min = list.filter((a) => a?.required).length;
  return strict === false ? { min } : { min, max: list.length };
}

/** Whether `count` arguments satisfy the rule. */
export function argCountFits(rule: ArgRule, count: number): boolean {
  return count >= rule.min && (rule.max === undefined || count <= rule.max);
}

function plural(n: number): string {
  return n === 1 ? 'argument' : 'arguments';
}

/** docker/cli's wording of each validator (docker 28). */
export function argCountMessage(rule: ArgRule): string {
  const { min, max } = rule;
  if (max === undefined) return `requires at least ${min} ${plural(min)}`;
  if (max === 0) return 'accepts no arguments';
  if (min === max) return `requires ${min} ${plural(min)}`;
  if (min === 0) return `requires at most ${max} ${plural(max)}`;
  return `requires at least ${min} and at most ${max} ${plural(max)}`;
}

/**
 * The usage line for the name the user typed: oclif's usage strings start with the command id
 * (`ps [OPTIONS]`), and `container ls` must read `container ls [OPTIONS]`, as cobra's UseLine does.
 */
export function usageLineFor(
  usage: string | readonly string[] | undefined,
  canonical: string,
  path: string,
): string | undefined {
  const line = typeof usage === 'string' ? usage : usage?.[0];
  if (line === undefined) return undefined;
  if (path !== canonical && (line === canonical || line.startsWith(`${canonical} `))) {
    return path + line.slice(canonical.length);
  }
  return line;
}

/**
 * `headline`, then `Usage:  berth …` (when there is a usage line) and `Run 'berth PATH --help' for
 * more information`, without a final newline.
 */
export function usageText(headline: string, path: string, usageLine: string | undefined): string {
  const usage = usageLine ? `\n\nUsage:  berth ${usageLine}` : '';
  return `${headline}${usage}\n\nRun 'berth ${path} --help' for more information`;
}

/** `berth: 'berth PATH' requires …` with its usage lines: docker/cli's argument-count error. */
export function argCountText(path: string, usageLine: string | undefined, rule: ArgRule): string {
  return usageText(`berth: 'berth ${path}' ${argCountMessage(rule)}`, path, usageLine);
}

/** pflag's error for an int flag whose value strconv.ParseInt refuses; `flag` is `-c, --cpu-shares`. */
export function invalidIntText(value: string, flag: string): string {
  const q = JSON.stringify(value);
  return `invalid argument ${q} for "${flag}" flag: strconv.ParseInt: parsing ${q}: invalid syntax`;
}
