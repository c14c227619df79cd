/**
 * docker/cli's formatter.Context for list commands (`ps`, `images`, `volume ls`, ...): the
 * `--format` modes `table`, `table <template>`, `json`, a raw template, and `--quiet`.
 */
import { marshalJSON } from './gojson.js';
import { tabwrite, DOCKER_TABWRITER } from './tabwriter.js';
import {
  compileTemplate,
  HEADER_FUNCS,
  TemplateError,
  unescapeFormat,
  type Template,
  type TemplateFunc,
} from './template.js';

export const TABLE_FORMAT_KEY = 'table';
export const JSON_FORMAT_KEY = 'json';

export interface RenderListOptions {
  /** The user's --format: '' or 'table' (default table), 'table <tmpl>', 'json', or a template. */
  format?: string;
  /** The command's default, e.g. 'table {{.ID}}\t{{.Image}}'; the 'table' prefix is optional. */
  defaultTableFormat: string;
  /** --quiet: print only `quietField` (default 'ID'), one per line, whatever the format. */
  quiet?: boolean;
  quietField?: string;
  /** Header text per field name, e.g. { ID: 'CONTAINER ID' }. */
  headers: Readonly<Record<string, string>>;
  /** Extra template functions. */
  funcs?: Readonly<Record<string, TemplateFunc>>;
  /**
   * Marshal a row passed whole to `json` with sorted keys, as Docker does: its list contexts
   * are marshalled as maps. Default true.
   */
  sortJsonKeys?: boolean;
}

export function isTableFormat(format: string): boolean {
  return format.startsWith(TABLE_FORMAT_KEY);
}

/** The format actually used once the default, `table` and `--quiet` are resolved. */
export function resolveFormat(
  opts: Pick<RenderListOptions, 'format' | 'defaultTableFormat' | 'quiet' | 'quietField'>,
): string {
  if (opts.quiet) return `{{.${opts.quietField ?? 'ID'}}}`;
  const format = opts.format ?? '';
  if (format === '' || format === TABLE_FORMAT_KEY) {
    const def = opts.defaultTableFormat;
    return isTableFormat(def) ? def : `${TABLE_FORMAT_KEY} ${def}`;
  }
  return format;
}

/** formatter.Context.preFormat: strip `table`, map `json`, trim spaces, expand `\t` and `\n`. */
export function templateSource(format: string): string {
  let source = format;
  if (isTableFormat(format)) source = format.slice(TABLE_FORMAT_KEY.length);
  else if (format === JSON_FORMAT_KEY) source = '{{json .}}';
  // strings.Trim(s, " ") trims spaces only, not tabs or newlines.
  source = source.replace(/^ +| +$/g, '');
  return unescapeFormat(source);
}

function wrap(err: unknown): unknown {
  if (err instanceof TemplateError) {
    return new TemplateError(
      `template parsing error: ${err.message}`,
      err.phase,
      err.partialOutput,
    );
  }
  return err;
}

/**
 * Renders rows the way docker/cli's formatter does and returns the text to print (each line
 * newline-terminated). Errors are TemplateErrors worded as Docker's
 * (`template parsing error: template: :1:2: executing "" at <.Nope>: ...`).
 */
export function renderList(rows: readonly unknown[], opts: RenderListOptions): string {
  const format = resolveFormat(opts);
  const table = isTableFormat(format);
  let tmpl: Template;
  try {
    tmpl = compileTemplate(templateSource(format), { funcs: opts.funcs });
  } catch (err) {
    throw wrap(err);
  }

  // One funcs object for every row: `json` sorts the keys of the row being rendered only, and
  // templates run synchronously, so it can read the row from a variable the loop updates rather
  // than from a closure made per row.
  let current: unknown;
  const funcs: Record<string, TemplateFunc> = { ...opts.funcs };
  if ((opts.sortJsonKeys ?? true) && !funcs.json) {
    funcs.json = (v: unknown): unknown => {
      try {
        return marshalJSON(v, { sortKeys: v === current });
      } catch {
        // docker/cli drops the encoder's error and prints nothing.
        return '';
      }
    };
  }
  const execOpts = { funcs };
  let body = '';
  for (const row of rows) {
    current = row;
    try {
      body += tmpl.execute(row, execOpts) + '\n';
    } catch (err) {
      throw wrap(err);
    }
  }
  if (!table) return body;

  // The header is the same template run over the header names; Docker ignores errors here and
  // keeps whatever was written before them.
  let header: string;
  try {
    header = tmpl.execute(new Map(Object.entries(opts.headers)), { funcs: HEADER_FUNCS });
  } catch (err) {
    header = err instanceof TemplateError ? err.partialOutput : '';
  }
  return tabwrite(`${header}\n${body}`, DOCKER_TABWRITER);
}
