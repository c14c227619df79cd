/**
 * Compose's merge rules for `-f a -f b`, override files and `extends` (compose-spec 13-merge):
 * mappings merge key by key, sequences append, `command`, `entrypoint` and `healthcheck.test`
 * are replaced, ports/volumes/secrets/configs are unique by their key, `!reset` removes and
 * `!override` replaces. Both sides are canonical (long forms) already.
 */
import { isMap, OverrideTag, ResetTag } from './parse.js';

type Obj = Record<string, unknown>;

const REPLACED = new Set(['command', 'entrypoint', 'services.*.healthcheck.test']);

const isObj = isMap;

function portKey(p: unknown): string {
  const o = p as Obj;
  return `${String(o.host_ip ?? '')}|${String(o.target)}|${String(o.published ?? '')}|${String(o.protocol ?? 'tcp')}`;
}

const UNIQUE: Record<string, (x: unknown) => string> = {
  ports: portKey,
  volumes: (v) => String((v as Obj).target),
  secrets: (v) => String((v as Obj).target ?? (v as Obj).source),
  configs: (v) => String((v as Obj).target ?? (v as Obj).source),
  env_file: (v) => String((v as Obj).path),
};

function mergeSeq(key: string, base: unknown[], over: unknown[]): unknown[] {
  const keyOf = UNIQUE[key];
  if (keyOf) {
    const out = [...base];
    for (const item of over) {
      const i = out.findIndex((b) => keyOf(b) === keyOf(item));
      if (i >= 0) out[i] = isObj(out[i]) && isObj(item) ? mergeValue(key, out[i], item, '') : item;
      else out.push(item);
    }
    return out;
  }
  const out = [...base];
  for (const item of over) {
    if (typeof item === 'object' && item !== null) out.push(item);
    else if (!out.includes(item)) out.push(item);
  }
  return out;
}

/** Merges `over` onto `base`; `path` is the dotted location with services' names as `*`. */
export function mergeValue(key: string, base: unknown, over: unknown, path: string): unknown {
  if (over instanceof OverrideTag) return over.value;
  if (over instanceof ResetTag) return undefined;
  if (base === undefined || base instanceof ResetTag) return unwrap(over);
  if (base instanceof OverrideTag) base = base.value;
  if (REPLACED.has(key) || REPLACED.has(path)) return unwrap(over);
  if (Array.isArray(base) && Array.isArray(over)) return mergeSeq(key, base, over.map(unwrap));
  if (isObj(base) && isObj(over)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(over)) {
      const merged = mergeValue(k, base[k], v, path ? `${path}.${k}` : k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  return unwrap(over);
}

/** Resolves tags left in a value that had nothing to merge with. */
export function unwrap(v: unknown): unknown {
  if (v instanceof OverrideTag) return unwrap(v.value);
  if (v instanceof ResetTag) return undefined;
  if (Array.isArray(v)) return v.filter((x) => !(x instanceof ResetTag)).map(unwrap);
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      const u = unwrap(x);
      if (u !== undefined) out[k] = u;
    }
    return out;
  }
  return v;
}

/** Merges two whole files' data (services by name, other sections key by key). */
export function mergeFiles(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (k === 'services' && isObj(v)) {
      const services: Obj = { ...((base.services as Obj | undefined) ?? {}) };
      for (const [name, svc] of Object.entries(v)) {
        const merged = mergeValue(name, services[name], svc, 'services.*');
        if (merged === undefined) delete services[name];
        else services[name] = merged;
      }
      out.services = services;
    } else {
      const merged = mergeValue(k, base[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
  }
  return out;
}
