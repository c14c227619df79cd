import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { closest } from 'fastest-levenshtein';
import { UsageError } from '../errors.js';

/** The effective settings every command runs with. Keys mirror nerdctl.toml so a migrating user keeps their file. */
export interface Settings {
  address: string;
  namespace: string;
  snapshotter: string;
  dataRoot: string;
  cniPath: string;
  cniNetconfPath: string;
  cgroupManager: string;
  insecureRegistry: boolean;
  hostsDir: string[];
  debug: boolean;
  debugFull: boolean;
  experimental: boolean;
  hostGatewayIp: string;
  bridgeIp: string;
  kubeHideDupe: boolean;
  dns: string[];
  dnsOpts: string[];
  dnsSearch: string[];
}

export type SettingKey = keyof Settings;
export type Source = 'flag' | 'env' | 'file' | 'default';

export interface LoadedConfig {
  settings: Settings;
  sources: Record<SettingKey, Source>;
  /** The TOML file that was read, if any. */
  file?: string;
  warnings: string[];
}

/** TOML key -> setting. The TOML keys are nerdctl's, plus nothing berth-only, so files stay interchangeable. */
const TOML_KEYS: Record<string, SettingKey> = {
  address: 'address',
  namespace: 'namespace',
  snapshotter: 'snapshotter',
  data_root: 'dataRoot',
  cni_path: 'cniPath',
  cni_netconfpath: 'cniNetconfPath',
  cgroup_manager: 'cgroupManager',
  insecure_registry: 'insecureRegistry',
  hosts_dir: 'hostsDir',
  debug: 'debug',
  debug_full: 'debugFull',
  experimental: 'experimental',
  host_gateway_ip: 'hostGatewayIp',
  bridge_ip: 'bridgeIp',
  kube_hide_dupe: 'kubeHideDupe',
  dns: 'dns',
  dns_opts: 'dnsOpts',
  dns_search: 'dnsSearch',
};

/** nerdctl keys berth accepts silently but does not act on (so a nerdctl.toml never warns). */
const IGNORED_TOML_KEYS = new Set([
  'cdi_spec_dirs',
  'userns_remap',
  'selinux_enabled',
  'global_dns',
]);

const ENV_KEYS: Partial<Record<SettingKey, string>> = {
  address: 'CONTAINERD_ADDRESS',
  namespace: 'CONTAINERD_NAMESPACE',
  snapshotter: 'CONTAINERD_SNAPSHOTTER',
  cniPath: 'CNI_PATH',
  cniNetconfPath: 'NETCONFPATH',
};

const CNI_PATH_CANDIDATES = [
  '/opt/cni/bin',
  '/usr/local/libexec/cni',
  '/usr/local/lib/cni',
  '/usr/libexec/cni',
  '/usr/lib/cni',
];

export function defaultSettings(): Settings {
  return {
    address: '/run/containerd/containerd.sock',
    namespace: 'default',
    snapshotter: 'overlayfs',
    dataRoot: '/var/lib/berth',
    cniPath: CNI_PATH_CANDIDATES.find((p) => existsSync(p)) ?? '/opt/cni/bin',
    cniNetconfPath: '/etc/cni/net.d',
    cgroupManager: 'cgroupfs',
    insecureRegistry: false,
    hostsDir: ['/etc/containerd/certs.d', '/etc/docker/certs.d'],
    debug: false,
    debugFull: false,
    experimental: true,
    hostGatewayIp: '',
    bridgeIp: '',
    kubeHideDupe: false,
    dns: [],
    dnsOpts: [],
    dnsSearch: [],
  };
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Which TOML file to read: berth's own first; a nerdctl file only when berth has none, so a user
 * moving from nerdctl keeps their settings without copying anything.
 */
export function configFileCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.BERTH_TOML) return [env.BERTH_TOML];
  const home = env.HOME ?? homedir();
  const xdg = env.XDG_CONFIG_HOME || join(home, '.config');
  const own = isRoot() ? '/etc/berth/berth.toml' : join(xdg, 'berth', 'berth.toml');
  const nerdctl = env.NERDCTL_TOML
    ? env.NERDCTL_TOML
    : isRoot()
      ? '/etc/nerdctl/nerdctl.toml'
      : join(xdg, 'nerdctl', 'nerdctl.toml');
  return [own, nerdctl];
}

function coerce(
  key: SettingKey,
  value: unknown,
  file: string,
  tomlKey: string,
): Settings[SettingKey] {
  const def = defaultSettings()[key];
  const bad = (want: string): never => {
    throw new UsageError(`invalid config file ${file}: key "${tomlKey}" must be ${want}`);
  };
  if (typeof def === 'boolean') return typeof value === 'boolean' ? value : bad('a boolean');
  if (Array.isArray(def)) {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
    return bad('a list of strings');
  }
  return typeof value === 'string' ? value : bad('a string');
}

export interface FileValues {
  values: Partial<Settings>;
  warnings: string[];
}

export function readConfigFile(file: string): FileValues {
  const text = readFileSync(file, 'utf8');
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = err.message.split('\n')[0];
      throw new UsageError(
        `invalid config file ${file}: line ${err.line}, column ${err.column}: ${reason}`,
        {
          cause: err,
        },
      );
    }
    throw err;
  }
  const values: Partial<Settings> = {};
  const warnings: string[] = [];
  const known = Object.keys(TOML_KEYS);
  for (const [tomlKey, value] of Object.entries(doc)) {
    const key = TOML_KEYS[tomlKey];
    if (!key) {
      if (IGNORED_TOML_KEYS.has(tomlKey)) continue;
      warnings.push(
        `WARNING: unknown key "${tomlKey}" in ${file} (did you mean "${closest(tomlKey, known)}"?); ignoring it`,
      );
      continue;
    }
    (values as Record<string, unknown>)[key] = coerce(key, value, file, tomlKey);
  }
  return { values, warnings };
}

/**
 * Resolves the settings, highest first: flags, environment, TOML file, defaults. Each setting
 * remembers where it came from so `berth info` can say why a value is what it is.
 */
export function loadConfig(
  flags: Partial<Settings>,
  env: NodeJS.ProcessEnv = process.env,
): LoadedConfig {
  const settings = defaultSettings();
  const sources = Object.fromEntries(Object.keys(settings).map((k) => [k, 'default'])) as Record<
    SettingKey,
    Source
  >;
  const set = <K extends SettingKey>(key: K, value: Settings[K], source: Source): void => {
    settings[key] = value;
    sources[key] = source;
  };

  let file: string | undefined;
  let warnings: string[] = [];
  for (const candidate of configFileCandidates(env)) {
    if (!existsSync(candidate)) continue;
    file = candidate;
    const read = readConfigFile(candidate);
    warnings = read.warnings;
    for (const [k, v] of Object.entries(read.values)) set(k as SettingKey, v as never, 'file');
    break;
  }

  for (const [k, name] of Object.entries(ENV_KEYS)) {
    const v = env[name as string];
    if (v) set(k as SettingKey, v as never, 'env');
  }
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined) continue;
    set(k as SettingKey, v as never, 'flag');
  }
  settings.address = normaliseAddress(settings.address);
  validateNamespace(settings.namespace);
  return { settings, sources, file, warnings };
}

export function normaliseAddress(address: string): string {
  if (address.startsWith('unix://')) return address.slice('unix://'.length);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) {
    throw new UsageError(`invalid address "${address}": only unix sockets are supported`);
  }
  return address;
}

// containerd's identifier rule: namespaces become path segments and label values, so it is strict.
const IDENTIFIER = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;

export function validateNamespace(name: string): void {
  if (name.length === 0 || name.length > 76 || !IDENTIFIER.test(name)) {
    throw new UsageError(
      `invalid namespace name "${name}": must match ${IDENTIFIER.source} and be at most 76 characters`,
    );
  }
}
