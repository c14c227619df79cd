/**
 * Loading a Compose project as Docker Compose v2 does: which files (`-f`, `COMPOSE_FILE`, the
 * default names searched upward, the override file beside them), which directory and name, the
 * variables (`.env` or `--env-file`, the environment winning), then per file: parse, interpolate,
 * validate, expand short forms, apply `extends`; then `include`, the merge of all files, profiles,
 * `env_file`, and the checks of the whole project.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { absPath, canonicalService } from './canonical.js';
import { parseDotenv } from './dotenv.js';
import { ComposeError } from './errors.js';
import { interpolateTree, type InterpolationContext, type Lookup } from './interpolate.js';
import { mergeFiles, mergeValue, unwrap } from './merge.js';
import type {
  ComposeProject,
  FileObjectConfig,
  NetworkConfig,
  ServiceConfig,
  VolumeConfig,
} from './model.js';
import { parseComposeYaml, validateCompose } from './parse.js';

type Obj = Record<string, unknown>;

export interface ProjectOptions {
  /** `-f`, in order; `-` is stdin. */
  files?: string[];
  /** `-p`. */
  projectName?: string;
  /** `--project-directory`. */
  projectDirectory?: string;
  /** `--env-file`, in order. */
  envFiles?: string[];
  /** `--profile`. */
  profiles?: string[];
  /** Services named on the command line: their profiles are enabled, as Compose does. */
  services?: string[];
  /** The process environment. */
  env: Record<string, string | undefined>;
  cwd: string;
  readStdin?: () => string;
}

export const DEFAULT_FILES = [
  'compose.yaml',
  'compose.yml',
  'docker-compose.yml',
  'docker-compose.yaml',
];
const OVERRIDE_FILES = [
  'compose.override.yaml',
  'compose.override.yml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
];

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Compose's normalisation of a directory name into a project name. */
export function normalizeProjectName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

function checkProjectName(name: string): string {
  if (!PROJECT_NAME.test(name)) {
    throw new ComposeError(
      `invalid project name "${name}": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`,
    );
  }
  return name;
}

/** The default file in `dir` or a parent directory, with the warning when a directory has two. */
function findDefaultFiles(dir: string, warn: (s: string) => void): string[] {
  let d = resolve(dir);
  for (;;) {
    const found = DEFAULT_FILES.filter((f) => existsSync(join(d, f)));
    if (found.length > 0) {
      if (found.length > 1) {
        warn(
          `Found multiple config files with supported names: ${found.map((f) => join(d, f)).join(', ')}`,
        );
        warn(`Using ${join(d, found[0])}`);
      }
      const files = [join(d, found[0])];
      const over = OVERRIDE_FILES.find((f) => existsSync(join(d, f)));
      if (over) files.push(join(d, over));
      return files;
    }
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  throw new ComposeError('no configuration file provided: not found');
}

function readEnvFile(path: string, lookup: Lookup): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ComposeError(`couldn't find env file: ${path}`, { cause: err });
  }
  return parseDotenv(text, lookup, path);
}

interface LoadState {
  ctx: InterpolationContext;
  lookup: Lookup;
  readStdin?: () => string;
  /** Files being loaded through include/extends, to report cycles. */
  stack: string[];
}

/** One file: parse, interpolate, validate, expand, with its services' `extends` applied. */
function loadFile(path: string, base: string, st: LoadState): Obj {
  let text: string;
  let shown = path;
  if (path === '-') {
    text = st.readStdin ? st.readStdin() : readFileSync(0, 'utf8');
    shown = '-';
  } else {
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ComposeError(
        code === 'ENOENT'
          ? `open ${path}: no such file or directory`
          : `open ${path}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  const parsed = parseComposeYaml(text, shown);
  const data = interpolateTree(parsed.data, st.ctx, '') as Obj;
  validateCompose(parsed, data);
  const services = (data.services as Obj | undefined) ?? {};
  const out: Obj = { ...data, services: {} };
  for (const [name, raw] of Object.entries(services)) {
    (out.services as Obj)[name] = canonicalService((raw ?? {}) as Obj, base, st.lookup);
  }
  for (const section of ['configs', 'secrets'] as const) {
    const sec = data[section] as Obj | undefined;
    if (!sec) continue;
    const abs: Obj = {};
    for (const [k, v] of Object.entries(sec)) {
      const o = { ...(v as Obj) };
      if (typeof o.file === 'string') o.file = absPath(base, o.file);
      abs[k] = o;
    }
    out[section] = abs;
  }
  resolveExtends(out, path, base, st);
  return out;
}

function resolveExtends(file: Obj, path: string, base: string, st: LoadState): void {
  const services = file.services as Obj;
  const done = new Set<string>();
  const visit = (name: string, chain: string[]): Obj => {
    const svc = services[name] as Obj | undefined;
    if (!svc)
      throw new ComposeError(
        `cannot extend service "${chain[chain.length - 1]}" in ${path}: service "${name}" not found`,
      );
    if (done.has(name) || svc.extends === undefined) return svc;
    if (chain.includes(name))
      throw new ComposeError(`Circular reference with extends: ${[...chain, name].join(' -> ')}`);
    const ext = typeof svc.extends === 'string' ? { service: svc.extends } : (svc.extends as Obj);
    const target = String(ext.service);
    let parent: Obj;
    if (ext.file !== undefined) {
      const other = absPath(dirname(path === '-' ? join(base, 'x') : path), String(ext.file));
      if (st.stack.includes(`${other}#${target}`))
        throw new ComposeError(`Circular reference with extends: ${other} ${target}`);
      st.stack.push(`${other}#${target}`);
      const loaded = loadFile(other, dirname(other), st);
      st.stack.pop();
      parent =
        ((loaded.services as Obj)[target] as Obj | undefined) ??
        (() => {
          throw new ComposeError(
            `cannot extend service "${name}" in ${path}: service "${target}" not found in ${other}`,
          );
        })();
    } else {
      parent = visit(target, [...chain, name]);
    }
    const { extends: _drop, ...own } = svc;
    void _drop;
    const merged = unwrap(mergeValue(name, { ...parent }, own, 'services.*')) as Obj;
    delete merged.extends;
    services[name] = merged;
    done.add(name);
    return merged;
  };
  for (const name of Object.keys(services)) visit(name, []);
}

function loadInclude(file: Obj, base: string, st: LoadState, env: Record<string, string>): Obj {
  const includes = file.include as unknown[] | undefined;
  if (!includes) return file;
  delete file.include;
  let out = file;
  for (const inc of includes) {
    const o = typeof inc === 'string' ? { path: inc } : (inc as Obj);
    const paths = (Array.isArray(o.path) ? o.path : [o.path]).map((p) => absPath(base, String(p)));
    const dir = o.project_directory
      ? absPath(base, String(o.project_directory))
      : dirname(paths[0]);
    for (const p of paths) {
      if (st.stack.includes(p))
        throw new ComposeError(`include cycle detected:\n${[...st.stack, p].join('\n include ')}`);
    }
    // An included project reads its own env_file (or the .env of its directory) under ours.
    const envFiles =
      o.env_file !== undefined
        ? (Array.isArray(o.env_file) ? o.env_file : [o.env_file]).map((f) =>
            absPath(base, String(f)),
          )
        : [join(dir, '.env')];
    const incEnv: Record<string, string> = {};
    for (const f of envFiles) {
      if (!existsSync(f)) continue;
      for (const [k, v] of readEnvFile(f, (n) => env[n])) incEnv[k] = v;
    }
    const lookup: Lookup = (n) => env[n] ?? incEnv[n];
    const sub: LoadState = {
      ...st,
      lookup,
      ctx: { ...st.ctx, lookup },
      stack: [...st.stack, ...paths],
    };
    let merged: Obj = {};
    for (const p of paths)
      merged = mergeFiles(merged, loadInclude(loadFile(p, dir, sub), dir, sub, env));
    for (const section of ['services', 'networks', 'volumes', 'configs', 'secrets']) {
      const inc2 = merged[section] as Obj | undefined;
      if (!inc2) continue;
      const mine = ((out[section] as Obj | undefined) ?? {}) as Obj;
      for (const k of Object.keys(inc2)) {
        if (k in mine && JSON.stringify(mine[k]) !== JSON.stringify(inc2[k])) {
          throw new ComposeError(`${section}.${k} conflicts with imported resource`);
        }
      }
      out = { ...out, [section]: { ...inc2, ...mine } };
    }
  }
  return out;
}

/** Everything `loadProject` found besides the project: for `config` and the labels. */
export interface LoadedProject extends ComposeProject {
  /** The merged, canonical file data before the typed model (kept for the config hash). */
  raw: Obj;
}

export function loadProject(opts: ProjectOptions): LoadedProject {
  const warnings: string[] = [];
  const warn = (s: string): void => {
    warnings.push(s);
  };
  const osEnv = opts.env;
  const startDir = opts.projectDirectory ? resolve(opts.cwd, opts.projectDirectory) : opts.cwd;
  // COMPOSE_FILE and friends may come from the .env of the directory compose starts in.
  const preEnv = (() => {
    const f = opts.envFiles?.length ? undefined : join(startDir, '.env');
    return f && existsSync(f) && statSync(f).isFile()
      ? readEnvFile(f, (n) => osEnv[n])
      : new Map<string, string>();
  })();
  const pre = (n: string): string | undefined => osEnv[n] ?? preEnv.get(n);
  let files: string[];
  if (opts.files && opts.files.length > 0)
    files = opts.files.map((f) => (f === '-' ? '-' : resolve(opts.cwd, f)));
  else if (pre('COMPOSE_FILE')) {
    const sep = pre('COMPOSE_PATH_SEPARATOR') ?? ':';
    files = pre('COMPOSE_FILE')!
      .split(sep)
      .filter(Boolean)
      .map((f) => resolve(startDir, f));
  } else files = findDefaultFiles(startDir, warn);
  const workingDir = opts.projectDirectory
    ? resolve(opts.cwd, opts.projectDirectory)
    : files[0] === '-'
      ? opts.cwd
      : dirname(files[0]);

  const dotenv: Record<string, string> = {};
  const envFiles = opts.envFiles?.length
    ? opts.envFiles.map((f) => resolve(opts.cwd, f))
    : [join(workingDir, '.env')];
  for (const f of envFiles) {
    if (!opts.envFiles?.length && !(existsSync(f) && statSync(f).isFile())) continue;
    for (const [k, v] of readEnvFile(f, (n) => osEnv[n] ?? dotenv[n])) dotenv[k] = v;
  }
  const environment: Record<string, string> = { ...dotenv };
  for (const [k, v] of Object.entries(osEnv)) if (v !== undefined) environment[k] = v;

  let name = opts.projectName ?? environment.COMPOSE_PROJECT_NAME;
  if (name !== undefined) {
    checkProjectName(name);
    environment.COMPOSE_PROJECT_NAME = name;
  }
  const lookup: Lookup = (n) => environment[n];
  const missing = new Set<string>();
  const st: LoadState = {
    lookup,
    ctx: {
      lookup,
      warn: (n) => {
        if (!missing.has(n)) {
          missing.add(n);
          warn(`The "${n}" variable is not set. Defaulting to a blank string.`);
        }
      },
    },
    readStdin: opts.readStdin,
    stack: [...files],
  };
  let merged: Obj = {};
  for (const f of files) {
    const loaded = loadInclude(
      loadFile(f, workingDir, st),
      f === '-' ? workingDir : dirname(f),
      st,
      environment,
    );
    merged = mergeFiles(merged, loaded);
  }
  merged = unwrap(merged) as Obj;

  if (name === undefined) {
    name =
      typeof merged.name === 'string' && merged.name !== ''
        ? checkProjectName(merged.name)
        : normalizeProjectName(basename(workingDir));
    if (name === '') throw new ComposeError('project name must not be empty');
  }
  environment.COMPOSE_PROJECT_NAME ??= name;

  const profiles = opts.profiles?.length
    ? opts.profiles
    : (environment.COMPOSE_PROFILES ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
  const project = buildProject(merged, {
    name,
    workingDir,
    configFiles: files.map((f) => (f === '-' ? join(workingDir, '-') : f)),
    environment,
    profiles,
    requested: opts.services ?? [],
    lookup,
  });
  return { ...project, warnings, raw: merged };
}

interface BuildContext {
  name: string;
  workingDir: string;
  configFiles: string[];
  environment: Record<string, string>;
  profiles: string[];
  requested: string[];
  lookup: Lookup;
}

function serviceEnabled(svc: Obj, profiles: string[]): boolean {
  const own = (svc.profiles as string[] | undefined) ?? [];
  if (own.length === 0) return true;
  return profiles.includes('*') || own.some((p) => profiles.includes(p));
}

function buildProject(data: Obj, c: BuildContext): ComposeProject {
  const rawServices = (data.services as Obj | undefined) ?? {};
  const services: Record<string, ServiceConfig> = {};
  const disabled: Record<string, ServiceConfig> = {};
  for (const [name, raw] of Object.entries(rawServices)) {
    const svc = finishService(name, raw as Obj, c);
    const on = serviceEnabled(raw as Obj, c.profiles) || c.requested.includes(name);
    (on ? services : disabled)[name] = svc;
  }
  // A service that an enabled one needs is enabled with it (Compose enables required dependencies
  // of services named on the command line).
  const forced = new Set(c.requested);
  let changed = true;
  while (changed) {
    changed = false;
    for (const svc of Object.values(services)) {
      for (const [dep, cfg] of Object.entries(svc.depends_on ?? {})) {
        if (services[dep]) continue;
        if (disabled[dep] && forced.has(svc.name)) {
          forced.add(dep);
          services[dep] = disabled[dep];
          delete disabled[dep];
          changed = true;
        } else if (cfg.required) {
          throw new ComposeError(
            `service "${svc.name}" depends on undefined service "${dep}": invalid compose project`,
          );
        }
      }
    }
  }
  for (const n of c.requested) {
    if (!services[n]) throw new ComposeError(`no such service: ${n}`);
  }
  checkCycles(services);

  const networks: Record<string, NetworkConfig> = {};
  const rawNets = (data.networks as Obj | undefined) ?? {};
  const usesDefault = Object.values(services).some(
    (s) => s.network_mode === undefined && s.networks !== undefined && 'default' in s.networks,
  );
  for (const [k, v] of Object.entries(rawNets)) networks[k] = resource(k, (v ?? {}) as Obj, c.name);
  if (usesDefault && !networks.default) networks.default = { name: `${c.name}_default` };
  for (const svc of Object.values(services)) {
    for (const n of Object.keys(svc.networks ?? {})) {
      if (!networks[n])
        throw new ComposeError(
          `service "${svc.name}" refers to undefined network ${n}: invalid compose project`,
        );
    }
  }
  const volumes: Record<string, VolumeConfig> = {};
  for (const [k, v] of Object.entries((data.volumes as Obj | undefined) ?? {}))
    volumes[k] = resource(k, (v ?? {}) as Obj, c.name);
  for (const svc of Object.values(services)) {
    for (const v of svc.volumes ?? []) {
      if (v.type === 'volume' && v.source && !volumes[v.source]) {
        throw new ComposeError(
          `service "${svc.name}" refers to undefined volume ${v.source}: invalid compose project`,
        );
      }
    }
  }
  const fileObjects = (section: 'configs' | 'secrets'): Record<string, FileObjectConfig> => {
    const out: Record<string, FileObjectConfig> = {};
    for (const [k, v] of Object.entries((data[section] as Obj | undefined) ?? {}))
      out[k] = resource(k, (v ?? {}) as Obj, c.name);
    for (const svc of Object.values(services)) {
      for (const ref of (svc[section] as { source: string }[] | undefined) ?? []) {
        if (!out[ref.source])
          throw new ComposeError(
            `service "${svc.name}" refers to undefined ${section.slice(0, -1)} ${ref.source}: invalid compose project`,
          );
      }
    }
    return out;
  };
  return {
    name: c.name,
    workingDir: c.workingDir,
    configFiles: c.configFiles,
    environment: c.environment,
    services,
    disabledServices: disabled,
    networks,
    volumes,
    configs: fileObjects('configs'),
    secrets: fileObjects('secrets'),
    profiles: c.profiles,
    warnings: [],
  };
}

function resource<T>(key: string, v: Obj, project: string): T {
  const external = v.external === true || (typeof v.external === 'object' && v.external !== null);
  const name = typeof v.name === 'string' ? v.name : external ? key : `${project}_${key}`;
  const out: Obj = { name, ...v };
  out.name = name;
  if (v.external !== undefined) out.external = external;
  return out as T;
}

function finishService(name: string, raw: Obj, c: BuildContext): ServiceConfig {
  const s: Obj = { ...raw };
  // env_file is read now, after every file is merged, and folded into environment, which wins.
  if (Array.isArray(s.env_file)) {
    const fromFiles: Record<string, string | null> = {};
    for (const f of s.env_file as { path: string; required: boolean }[]) {
      if (!existsSync(f.path)) {
        if (f.required)
          throw new ComposeError(
            `env file ${f.path} not found: stat ${f.path}: no such file or directory`,
          );
        continue;
      }
      for (const [k, v] of readEnvFile(f.path, c.lookup)) fromFiles[k] = v;
    }
    s.environment = { ...fromFiles, ...((s.environment as Obj | undefined) ?? {}) };
    delete s.env_file;
  }
  if (s.network_mode === undefined && s.networks === undefined) s.networks = { default: null };
  const deploy = s.deploy as Obj | undefined;
  if (s.scale === undefined && deploy && deploy.replicas !== undefined)
    s.scale = Number(deploy.replicas);
  return { ...(s as ServiceConfig), name };
}

function checkCycles(services: Record<string, ServiceConfig>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting')
      throw new ComposeError(`dependency cycle detected: ${[...path, n].join(' -> ')}`);
    state.set(n, 'visiting');
    for (const d of Object.keys(services[n]?.depends_on ?? {}))
      if (services[d]) visit(d, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of Object.keys(services)) visit(n, []);
}
