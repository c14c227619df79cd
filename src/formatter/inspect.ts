/**
 * docker/cli's inspect output (cli/command/inspect): an indented JSON array by default, a compact
 * one for `--format json`, otherwise the template once per object.
 */
import { marshalJSON } from './gojson.js';
import { compileTemplate, TemplateError, type Template } from './template.js';

/**
 * Thrown by compileInspect and its renderer. `partialOutput` holds what Docker still prints on
 * stdout (the objects that rendered); `exitCode` is Docker's: 64 for a template that does not
 * parse, 1 otherwise.
 */
export class InspectError extends TemplateError {
  constructor(
    message: string,
    phase: 'parse' | 'exec',
    partialOutput: string,
    readonly exitCode: number,
  ) {
    super(message, phase, partialOutput);
  }
}

/**
 * Turns the objects found into `docker inspect`'s text, newline-terminated: keys in the order
 * given (the daemon's struct order), no HTML escaping, as the daemon's JSON is.
 */
export type InspectRenderer = (objects: readonly unknown[]) => string;

/**
 * docker/cli's NewTemplateInspectorFromString: the template is parsed before any object is looked
 * up, so a bad one fails (InspectError, exit code 64) whatever the arguments name.
 */
export function compileInspect(format?: string): InspectRenderer {
  if (format === undefined || format === '') {
    return (objects) =>
      objects.length === 0 ? '[]\n' : `${marshalJSON(objects, { indent: '    ' })}\n`;
  }
  if (format === 'json') return (objects) => `${marshalJSON(objects)}\n`;

  let tmpl: Template;
  try {
    tmpl = compileTemplate(format);
  } catch (err) {
    if (err instanceof TemplateError) {
      throw new InspectError(`template parsing error: ${err.message}`, 'parse', '', 64);
    }
    throw err;
  }
  return (objects) => executeInspect(tmpl, objects);
}

function executeInspect(tmpl: Template, objects: readonly unknown[]): string {
  let out = '';
  const errors: string[] = [];
  for (const obj of objects) {
    try {
      out += tmpl.execute(obj) + '\n';
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      // Docker retries over the decoded JSON (maps only, missingkey=error) and reports that
      // second error, so `{{.Nope}}` ends as `map has no entry for key "Nope"`.
      try {
        out += tmpl.execute(obj, { objectsAsMaps: true, missingKey: 'error' }) + '\n';
      } catch (rawErr) {
        if (!(rawErr instanceof TemplateError)) throw rawErr;
        errors.push(`template parsing error: ${rawErr.message}`);
      }
    }
  }
  // With nothing rendered Docker still prints an empty line.
  if (out === '') out = '\n';
  if (errors.length > 0) throw new InspectError(errors.join('\n'), 'exec', out, 1);
  return out;
}

/**
 * Adds fields that Docker's typed structs always have but its JSON leaves out when empty
 * (`omitempty`), as non-enumerable properties: a template sees their zero values, as docker/cli's
 * does (`{{.State.Health}}` prints `<nil>`, `{{.Config.ExposedPorts}}` `map[]`), while the JSON
 * output, which only walks enumerable keys, still leaves them out.
 */
export function withZeroFields<T extends object>(obj: T, zeros: Record<string, unknown>): T {
  for (const [key, value] of Object.entries(zeros)) {
    if (Object.hasOwn(obj, key)) continue;
    Object.defineProperty(obj, key, {
      value,
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }
  return obj;
}
