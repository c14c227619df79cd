/**
 * Short forms to long forms, per file and before merging (so that `8080:80` in one file and a
 * long-form port in another merge as one entry), with relative paths made absolute against the
 * directory the file's paths are relative to.
 */
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { ComposeError } from './errors.js';
import type { Lookup } from './interpolate.js';
import { isMap, OverrideTag, ResetTag } from './parse.js';
import type { PortConfig, ServiceVolumeConfig } from './model.js';

type Obj = Record<string, unknown>;

const isObj = isMap;

/** Applies `fn` under an `!override` tag and leaves `!reset` alone. */
function through(v: unknown, fn: (x: unknown) => unknown): unknown {
  if (v instanceof ResetTag) return v;
  if (v instanceof OverrideTag) return new OverrideTag(fn(v.value));
  return fn(v);
}

export function absPath(base: string, p: string): string {
  if (p === '~' || p.startsWith('~/')) return homedir() + p.slice(1);
  return isAbsolute(p) ? p : resolve(base, p);
}

/** Splits a command string as a POSIX shell would split words (quotes and backslashes). */
export function shellSplit(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0)
        throw new ComposeError(
          `invalid command line string: unterminated quote in ${JSON.stringify(s)}`,
        );
      cur += s.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      i += 1;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length && '"\\$`\n'.includes(s[i + 1])) i += 1;
        cur += s[i];
        i += 1;
      }
      if (i >= s.length)
        throw new ComposeError(
          `invalid command line string: unterminated quote in ${JSON.stringify(s)}`,
        );
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[i + 1];
      i += 1;
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

/** `KEY=VAL` lists and maps to a map; a bare `KEY` in a list takes its value from `lookup`. */
export function listOrDict(v: unknown, lookup?: Lookup, sep = '='): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = str(item);
      const i = s.indexOf(sep);
      if (i >= 0) out[s.slice(0, i)] = s.slice(i + 1);
      else out[s] = lookup?.(s) ?? null;
    }
  } else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      // Merge tags stay for the merge to act on.
      if (x instanceof ResetTag || x instanceof OverrideTag) out[k] = x as unknown as string;
      else out[k] = x === null || x === undefined ? (lookup?.(k) ?? null) : str(x);
    }
  }
  return out;
}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** go-units RAMInBytes: `512m`, `1g`, `1.5GB`, a plain number of bytes. */
export function parseBytes(v: unknown, key: string): number {
  if (typeof v === 'number') return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtb]?)(?:i?b)?\s*$/i.exec(str(v));
  if (!m) throw new ComposeError(`invalid size for ${key}: ${JSON.stringify(v)}`);
  return Math.round(Number(m[1]) * BYTE_UNITS[(m[2] || 'b').toLowerCase()]);
}

function splitRange(s: string): [number, number] {
  const [a, b] = s.split('-');
  const lo = Number(a);
  const hi = b === undefined ? lo : Number(b);
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo)
    throw new ComposeError(`invalid port range: ${s}`);
  return [lo, hi];
}

/** docker/go-connections' port specs as compose-go expands them: one entry per container port. */
export function parsePortShort(spec: string): PortConfig[] {
  let rest = spec;
  let protocol: PortConfig['protocol'] = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1);
    if (p !== 'tcp' && p !== 'udp' && p !== 'sctp') throw new ComposeError(`invalid proto: ${p}`);
    protocol = p;
    rest = rest.slice(0, slash);
  }
  let hostIp: string | undefined;
  let published: string | undefined;
  let container: string;
  const bracket = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (bracket) {
    hostIp = bracket[1];
    rest = bracket[2];
  }
  const parts = rest.split(':');
  if (parts.length === 1) container = parts[0];
  else if (parts.length === 2) [published, container] = parts;
  else if (parts.length === 3 && !hostIp) [hostIp, published, container] = parts;
  else throw new ComposeError(`invalid port specification: ${JSON.stringify(spec)}`);
  const [clo, chi] = splitRange(container);
  const out: PortConfig[] = [];
  if (published) {
    const [plo, phi] = splitRange(published);
    if (phi - plo !== chi - clo && plo !== phi)
      throw new ComposeError(
        `invalid ranges specified for container and host Ports: ${container} and ${published}`,
      );
    for (let p = clo; p <= chi; p++) {
      const pub = plo === phi && clo !== chi ? `${plo}-${phi}` : String(plo + (p - clo));
      out.push(portEntry(p, pub, hostIp, protocol));
    }
  } else {
    for (let p = clo; p <= chi; p++) out.push(portEntry(p, undefined, hostIp, protocol));
  }
  return out;
}

function portEntry(
  target: number,
  published: string | undefined,
  hostIp: string | undefined,
  protocol: PortConfig['protocol'],
): PortConfig {
  const e: PortConfig = { mode: 'ingress', target, protocol };
  if (hostIp) e.host_ip = hostIp;
  if (published !== undefined && published !== '') e.published = published;
  return orderPort(e);
}

/** compose-go's field order for a port, so `config` prints as Docker Compose does. */
function orderPort(p: PortConfig): PortConfig {
  const o: Partial<PortConfig> = {};
  if (p.name !== undefined) o.name = p.name;
  o.mode = p.mode;
  if (p.host_ip !== undefined) o.host_ip = p.host_ip;
  o.target = p.target;
  if (p.published !== undefined) o.published = p.published;
  o.protocol = p.protocol;
  if (p.app_protocol !== undefined) o.app_protocol = p.app_protocol;
  return o as PortConfig;
}

function ports(v: unknown): PortConfig[] {
  const out: PortConfig[] = [];
  for (const item of v as unknown[]) {
    if (isObj(item)) {
      out.push(
        orderPort({
          ...(item as unknown as PortConfig),
          mode: (item.mode as PortConfig['mode']) ?? 'ingress',
          target: Number(item.target),
          protocol: (item.protocol as PortConfig['protocol']) ?? 'tcp',
          ...(item.published !== undefined ? { published: str(item.published) } : {}),
        }),
      );
    } else out.push(...parsePortShort(str(item)));
  }
  return out;
}

const VOLUME_MODES = new Set([
  'ro',
  'rw',
  'z',
  'Z',
  'nocopy',
  'shared',
  'rshared',
  'slave',
  'rslave',
  'private',
  'rprivate',
  'consistent',
  'cached',
  'delegated',
]);

export function parseVolumeShort(spec: string, base: string): ServiceVolumeConfig {
  const parts = spec.split(':');
  let source: string | undefined;
  let target: string;
  let mode: string | undefined;
  if (parts.length === 1) target = parts[0];
  else if (parts.length === 2) {
    if (parts[1].startsWith('/') || !VOLUME_MODES.has(parts[1].split(',')[0]))
      [source, target] = parts;
    else [target, mode] = parts;
  } else if (parts.length === 3) [source, target, mode] = parts;
  else throw new ComposeError(`invalid spec: ${spec}: too many colons`);
  if (!target) throw new ComposeError(`invalid spec: ${spec}: empty section between colons`);
  const v: ServiceVolumeConfig = { type: 'volume', target };
  if (source !== undefined) {
    const isPath =
      source.startsWith('.') ||
      source.startsWith('/') ||
      source.startsWith('~') ||
      source.includes('/');
    if (isPath) {
      v.type = 'bind';
      v.source = absPath(base, source);
    } else v.source = source;
  }
  const ordered: ServiceVolumeConfig = {
    type: v.type,
    ...(v.source !== undefined ? { source: v.source } : {}),
    target,
  };
  const opts = (mode ?? '').split(',').filter(Boolean);
  if (opts.includes('ro')) ordered.read_only = true;
  if (ordered.type === 'bind') {
    ordered.bind = { create_host_path: true };
    const prop = opts.find((o) => /^r?(shared|slave|private)$/.test(o));
    if (prop) ordered.bind.propagation = prop;
    const se = opts.find((o) => o === 'z' || o === 'Z');
    if (se) ordered.bind.selinux = se;
  } else if (ordered.type === 'volume') {
    ordered.volume = opts.includes('nocopy') ? { nocopy: true } : {};
  }
  return ordered;
}

function volumes(v: unknown, base: string): ServiceVolumeConfig[] {
  return (v as unknown[]).map((item) => {
    if (!isObj(item)) return parseVolumeShort(str(item), base);
    const out = { ...item } as unknown as ServiceVolumeConfig;
    if (out.type === 'bind' && out.source) out.source = absPath(base, out.source);
    if (out.type === 'bind' && !out.bind) out.bind = { create_host_path: true };
    if (isObj(item.tmpfs) && item.tmpfs.size !== undefined)
      out.tmpfs = { ...(item.tmpfs as Obj), size: parseBytes(item.tmpfs.size, 'tmpfs.size') };
    return out;
  });
}

function fileRefs(v: unknown, kind: 'secrets' | 'configs'): Obj[] {
  return (v as unknown[])
    .map((item) => {
      const ref: Obj = isObj(item) ? { ...item } : { source: str(item) };
      return ref;
    })
    .map((ref) => {
      if (kind === 'secrets' && ref.target && !str(ref.target).startsWith('/'))
        ref.target = `/run/secrets/${str(ref.target)}`;
      return ref;
    });
}

function command(v: unknown): unknown {
  if (v === null) return null;
  return typeof v === 'string' ? shellSplit(v) : (v as unknown[]).map(str);
}

function stringList(v: unknown): string[] {
  return (Array.isArray(v) ? v : [v]).map(str);
}

/** The long form of one service's keys that have a short form. */
export function canonicalService(raw: Obj, base: string, lookup: Lookup): Obj {
  const s: Obj = { ...raw };
  const map = (key: string, fn: (x: unknown) => unknown): void => {
    if (s[key] !== undefined) s[key] = through(s[key], fn);
  };
  map('build', (b) => {
    const o: Obj = typeof b === 'string' ? { context: b } : { ...(b as Obj) };
    const ctx = str(o.context ?? '.');
    o.context = /^[a-z]+:\/\//.test(ctx) || ctx.startsWith('git@') ? ctx : absPath(base, ctx);
    if (o.dockerfile === undefined && o.dockerfile_inline === undefined)
      o.dockerfile = 'Dockerfile';
    if (o.args !== undefined) o.args = listOrDict(o.args, lookup);
    if (o.labels !== undefined) o.labels = listOrDict(o.labels);
    return o;
  });
  map('command', command);
  map('entrypoint', command);
  map('environment', (e) => listOrDict(e, lookup));
  map('labels', (l) => listOrDict(l));
  map('env_file', (e) =>
    (Array.isArray(e) ? e : [e]).map((f) =>
      isObj(f)
        ? { ...f, path: absPath(base, str(f.path)), required: f.required ?? true }
        : { path: absPath(base, str(f)), required: true },
    ),
  );
  map('ports', ports);
  map('expose', (e) => (e as unknown[]).map(str));
  map('volumes', (v) => volumes(v, base));
  map('tmpfs', stringList);
  map('dns', stringList);
  map('dns_search', stringList);
  map('cap_add', stringList);
  map('cap_drop', stringList);
  map('profiles', stringList);
  map('depends_on', (d) => {
    const out: Obj = {};
    if (Array.isArray(d))
      for (const n of d) out[str(n)] = { condition: 'service_started', required: true };
    else
      for (const [n, c] of Object.entries(d as Obj)) {
        const cfg = c as Obj;
        out[n] = {
          condition: cfg.condition ?? 'service_started',
          ...(cfg.restart !== undefined
            ? { restart: cfg.restart === true || cfg.restart === 'true' }
            : {}),
          required: cfg.required ?? true,
        };
      }
    return out;
  });
  map('networks', (n) => {
    if (!Array.isArray(n)) return n;
    const out: Obj = {};
    for (const name of n) out[str(name)] = null;
    return out;
  });
  map('extra_hosts', (h) => {
    if (Array.isArray(h)) return h.map((e) => str(e).replace(/^([^:=]+):(?!:)/, '$1='));
    return Object.entries(h as Obj).flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((ip) => `${k}=${str(ip)}`),
    );
  });
  map('healthcheck', (h) => {
    const o = { ...(h as Obj) };
    if (typeof o.test === 'string') o.test = ['CMD-SHELL', o.test];
    if (o.retries !== undefined) o.retries = Number(o.retries);
    return o;
  });
  map('mem_limit', (m) => parseBytes(m, 'mem_limit'));
  map('cpus', (c) => Number(c));
  map('ulimits', (u) => {
    const out: Obj = {};
    for (const [k, v] of Object.entries(u as Obj))
      out[k] = isObj(v) ? { soft: Number(v.soft), hard: Number(v.hard) } : Number(v);
    return out;
  });
  map('secrets', (v) => fileRefs(v, 'secrets'));
  map('configs', (v) => fileRefs(v, 'configs'));
  for (const key of ['init', 'read_only', 'privileged', 'tty', 'stdin_open']) {
    map(key, (b) => b === true || b === 'true');
  }
  map('scale', (n) => Number(n));
  return s;
}
