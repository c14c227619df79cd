/**
 * Reading one Compose file: YAML (anchors, merge keys, the `!reset` and `!override` tags of the
 * merge rules) and validation against the Compose Specification's JSON schema, with errors as one
 * line naming the file, the key and its line.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { LineCounter, Scalar, parseDocument, visit, isNode, type Document } from 'yaml';
import { ComposeError } from './errors.js';

/** `!reset`: the key is removed from what earlier files set. */
export class ResetTag {}
/** `!override`: the value replaces what earlier files set instead of merging with it. */
export class OverrideTag {
  constructor(readonly value: unknown) {}
}

/** A mapping of the file (not a sequence, not a tagged value). */
export function isMap(v: unknown): v is Record<string, unknown> {
  return (
    !!v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    !(v instanceof ResetTag) &&
    !(v instanceof OverrideTag)
  );
}

export interface ParsedFile {
  path: string;
  /** The file's top-level mapping, tags replaced by ResetTag/OverrideTag values. */
  data: Record<string, unknown>;
  /** Line (1-based) of the value at a path of keys, for error messages. */
  lineOf: (path: readonly (string | number)[]) => number | undefined;
}

export function parseComposeYaml(text: string, path: string): ParsedFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    merge: true,
    lineCounter: lines,
    prettyErrors: true,
    uniqueKeys: true,
  });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    const at = pos ? ` line ${pos.line}, column ${pos.col}` : '';
    throw new ComposeError(
      `yaml: ${path}:${at}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  replaceTags(doc);
  const data: unknown = doc.toJS({ maxAliasCount: 10000 }) ?? {};
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new ComposeError(`${path}: top-level object must be a mapping`);
  }
  return {
    path,
    data: data as Record<string, unknown>,
    lineOf: (keys) => {
      const node = doc.getIn(keys, true);
      const range = isNode(node) ? node.range : undefined;
      return range ? lines.linePos(range[0]).line : undefined;
    },
  };
}

function replaceTags(doc: Document): void {
  visit(doc, {
    Node(_key, node) {
      if (node.tag === '!reset') return new Scalar(new ResetTag());
      if (node.tag === '!override') {
        node.tag = undefined;
        return new Scalar(new OverrideTag(node.toJS(doc)));
      }
      return undefined;
    },
  });
}

let validator: ValidateFunction | undefined;

/**
 * The schema compiled ahead of time (scripts/build-compose-schema.mjs): ajv took ≈ 1.2 s to
 * compile it at run time. It is read from disk, not bundled, so that only compose commands pay
 * for its 440 kB.
 */
function schemaValidator(): ValidateFunction {
  if (!validator) {
    const candidates = [
      new URL('./compose-validate.cjs', import.meta.url), // bundled: dist/<bundle>.js
      new URL('../compose-validate.cjs', import.meta.url), // bundled one level down
      new URL('./schema/validate.cjs', import.meta.url), // src/compose
    ].map((u) => fileURLToPath(u));
    const file = candidates.find((f) => existsSync(f));
    if (!file)
      throw new Error(`compose schema validator not found (looked in ${candidates.join(', ')})`);
    const mod = createRequire(file)(file) as { default: ValidateFunction };
    validator = mod.default;
  }
  return validator;
}

/**
 * Validates one interpolated file. Tagged values are skipped (a `!reset` value need not match),
 * as compose-go validates after resolving them.
 */
export function validateCompose(file: ParsedFile, data: Record<string, unknown>): void {
  const validate = schemaValidator();
  if (validate(stripTags(data))) return;
  const errors = validate.errors ?? [];
  const best = pickError(errors);
  const keys = best.instancePath
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  const where = keys.length > 0 ? keys.join('.') : '(root)';
  const at_ = keys.map((k): string | number => (/^\d+$/.test(k) ? Number(k) : k));
  // An unknown key is best shown at its own line.
  if (best.keyword === 'additionalProperties')
    at_.push(String((best.params as Record<string, unknown>).additionalProperty));
  const line = file.lineOf(at_) ?? file.lineOf(at_.slice(0, -1));
  const at = line ? ` (line ${line})` : '';
  throw new ComposeError(`validating ${file.path}: ${where} ${describe(best)}${at}`);
}

function stripTags(v: unknown): unknown {
  if (v instanceof OverrideTag) return stripTags(v.value);
  if (Array.isArray(v)) return v.filter((x) => !(x instanceof ResetTag)).map(stripTags);
  if (v && typeof v === 'object' && !(v instanceof ResetTag)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!(x instanceof ResetTag)) out[k] = stripTags(x);
    return out;
  }
  return v;
}

// oneOf failures report each branch; the deepest error points closest to the user's mistake.
function pickError(errors: ErrorObject[]): ErrorObject {
  let best = errors[0];
  for (const e of errors) {
    const depth = e.instancePath.split('/').length;
    const bestDepth = best.instancePath.split('/').length;
    if (
      depth > bestDepth ||
      (depth === bestDepth && best.keyword === 'oneOf' && e.keyword !== 'oneOf')
    )
      best = e;
  }
  return best;
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `additional properties '${String(p.additionalProperty)}' not allowed`;
    case 'type': {
      const types = String(p.type).split(',');
      return `must be a ${types.join(' or ')}`;
    }
    case 'required':
      return `missing property '${String(p.missingProperty)}'`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => `"${String(v)}"`).join(', ')}`;
    case 'uniqueItems':
      return `array items ${String(p.j)} and ${String(p.i)} are equal`;
    case 'pattern':
      return `does not match pattern '${String(p.pattern)}'`;
    case 'oneOf':
      return 'does not match any of the allowed types';
    default:
      return e.message ?? 'is invalid';
  }
}
