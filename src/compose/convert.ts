/**
 * A Compose service as the container library's typed create options (never as flag strings):
 * the keys berth supports map onto ContainerCreateOptions, the rest are named in one warning.
 */
import { createOptions, type ContainerCreateOptions } from '../container/options.js';
import type { HealthConfig } from '../health/config.js';
import type { MountRequest } from '../oci/mounts.js';
import { parseRestartPolicy, parseTmpfs, type PortMapping } from '../opts/container-parsers.js';
import { parseGoDuration } from '../filters.js';
import { ComposeError } from './errors.js';
import type { ComposeProject, HealthcheckConfig, ServiceConfig } from './model.js';

/** Service keys berth acts on; anything else in a service is reported once, by name. */
export const SUPPORTED_SERVICE_KEYS = new Set([
  'name',
  'image',
  'build',
  'command',
  'entrypoint',
  'environment',
  'ports',
  'expose',
  'volumes',
  'networks',
  'depends_on',
  'healthcheck',
  'restart',
  'working_dir',
  'user',
  'labels',
  'hostname',
  'init',
  'read_only',
  'cap_add',
  'cap_drop',
  'privileged',
  'tmpfs',
  'ulimits',
  'mem_limit',
  'cpus',
  'stop_signal',
  'stop_grace_period',
  'extra_hosts',
  'dns',
  'dns_search',
  'logging',
  'scale',
  'deploy',
  'container_name',
  'pull_policy',
  'profiles',
  'configs',
  'secrets',
  'stdin_open',
  'tty',
  'platform',
  'network_mode',
]);

/** `build:` keys berth's builder takes. */
const BUILD_KEYS = new Set([
  'context',
  'dockerfile',
  'dockerfile_inline',
  'args',
  'target',
  'labels',
]);

/** Keys of the project that berth does not act on: `service.key` names, for one warning. */
export function unsupportedKeys(project: ComposeProject): string[] {
  const out: string[] = [];
  for (const s of Object.values(project.services)) {
    for (const k of Object.keys(s)) {
      if (!SUPPORTED_SERVICE_KEYS.has(k) && !k.startsWith('x-')) out.push(`${s.name}.${k}`);
    }
    const deploy = s.deploy as Record<string, unknown> | undefined;
    for (const k of Object.keys(deploy ?? {}))
      if (k !== 'replicas') out.push(`${s.name}.deploy.${k}`);
    if (s.logging?.driver && s.logging.driver !== 'json-file') out.push(`${s.name}.logging.driver`);
    for (const k of Object.keys(s.build ?? {}))
      if (!BUILD_KEYS.has(k)) out.push(`${s.name}.build.${k}`);
  }
  return out;
}

function durationMs(v: string | undefined, key: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseGoDuration(v);
  if (ms === undefined) throw new ComposeError(`invalid duration for ${key}: ${JSON.stringify(v)}`);
  return ms;
}

/** compose `healthcheck:` → Docker's HealthConfig (nanoseconds). */
export function healthConfig(
  h: HealthcheckConfig | undefined,
  service: string,
): HealthConfig | undefined {
  if (!h) return undefined;
  if (h.disable) return { Test: ['NONE'] };
  const ns = (v: string | undefined, k: string): number | undefined => {
    const ms = durationMs(v, `services.${service}.healthcheck.${k}`);
    return ms === undefined ? undefined : ms * 1_000_000;
  };
  const out: HealthConfig = {};
  if (h.test) out.Test = h.test;
  const interval = ns(h.interval, 'interval');
  const timeout = ns(h.timeout, 'timeout');
  const startPeriod = ns(h.start_period, 'start_period');
  const startInterval = ns(h.start_interval, 'start_interval');
  if (interval) out.Interval = interval;
  if (timeout) out.Timeout = timeout;
  if (startPeriod) out.StartPeriod = startPeriod;
  if (startInterval) out.StartInterval = startInterval;
  if (h.retries) out.Retries = h.retries;
  return out;
}

function ports(s: ServiceConfig): PortMapping[] {
  return (s.ports ?? []).map((p) => {
    const [lo, hi] = (p.published ?? '').split('-').map((x) => (x === '' ? 0 : Number(x)));
    return {
      hostIP: p.host_ip ?? '',
      hostPort: lo ?? 0,
      hostPortEnd: hi ?? lo ?? 0,
      containerPort: p.target,
      protocol: p.protocol,
    };
  });
}

function mounts(project: ComposeProject, s: ServiceConfig): MountRequest[] {
  const out: MountRequest[] = [];
  for (const v of s.volumes ?? []) {
    const readonly = v.read_only === true;
    if (v.type === 'bind') {
      out.push({
        type: 'bind',
        source: v.source ?? '',
        target: v.target,
        readonly,
        createHostPath: v.bind?.create_host_path !== false,
        ...(v.bind?.propagation ? { propagation: v.bind.propagation as never } : {}),
      });
    } else if (v.type === 'volume') {
      out.push({
        type: 'volume',
        ...(v.source ? { name: project.volumes[v.source]?.name ?? v.source } : {}),
        target: v.target,
        readonly,
        ...(v.volume?.nocopy ? { noCopy: true } : {}),
        ...(v.volume?.subpath ? { subpath: v.volume.subpath } : {}),
      });
    } else {
      const opts: string[] = [];
      if (v.tmpfs?.size) opts.push(`size=${v.tmpfs.size}`);
      if (v.tmpfs?.mode) opts.push(`mode=${v.tmpfs.mode.toString(8)}`);
      out.push({ type: 'tmpfs', target: v.target, readonly, options: opts });
    }
  }
  for (const t of s.tmpfs ?? []) out.push(parseTmpfs(t));
  // configs and secrets from files, mounted read-only where Compose puts them.
  for (const [section, dir] of [
    ['configs', '/'],
    ['secrets', '/run/secrets/'],
  ] as const) {
    for (const ref of s[section] ?? []) {
      const obj = project[section][ref.source];
      if (!obj?.file) {
        throw new ComposeError(
          `${section.slice(0, -1)} "${ref.source}": only file-based ${section} are supported`,
        );
      }
      out.push({
        type: 'bind',
        source: obj.file,
        target: ref.target ?? `${dir}${ref.source}`,
        readonly: true,
        createHostPath: false,
      });
    }
  }
  return out;
}

export interface ServiceContainerSpec {
  options: ContainerCreateOptions;
  /** Names every member of its networks resolves to it: the service name. */
  aliases: string[];
  /** A network's own `aliases:`, resolved on that network only, by network name. */
  aliasesByNetwork: Record<string, string[]>;
}

/** The image a service runs: `image:`, or Compose v2's `<project>-<service>` for a built one. */
export function serviceImage(project: ComposeProject, s: ServiceConfig): string {
  return s.image ?? `${project.name}-${s.name}`;
}

/** The create options of container `name` of `s`, with compose's labels already in `labels`. */
export function containerSpec(
  project: ComposeProject,
  s: ServiceConfig,
  name: string,
  labels: Record<string, string>,
): ServiceContainerSpec {
  const image = serviceImage(project, s);
  const entry = s.entrypoint ?? undefined;
  const command = s.command ?? undefined;
  const o = createOptions(image, []);
  if (entry) {
    // The library takes Docker's single --entrypoint word; the rest of a list entrypoint leads the
    // arguments, and an overridden entrypoint drops the image's CMD, as Docker does.
    o.entrypoint = entry[0] ?? '';
    o.args = [...entry.slice(1), ...(command ?? [])];
  } else if (command) o.args = command;
  o.name = name;
  // A built service's image comes from the builder (up builds it first), never a registry.
  o.pull = s.build
    ? 'never'
    : s.pull_policy === 'always'
      ? 'always'
      : s.pull_policy === 'never'
        ? 'never'
        : 'missing';
  o.env = Object.entries(s.environment ?? {})
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${v}`);
  if (s.working_dir) o.workdir = s.working_dir;
  if (s.user !== undefined) o.user = s.user;
  o.hostname = s.hostname;
  o.labels = labels;
  o.mounts = mounts(project, s);
  o.readOnly = s.read_only === true;
  o.privileged = s.privileged === true;
  o.capAdd = s.cap_add ?? [];
  o.capDrop = s.cap_drop ?? [];
  o.cpus = s.cpus;
  o.memory = s.mem_limit;
  o.ulimits = Object.entries(s.ulimits ?? {}).map(([n, v]) =>
    typeof v === 'number' ? { name: n, soft: v, hard: v } : { name: n, soft: v.soft, hard: v.hard },
  );
  o.init = s.init === true;
  o.interactive = s.stdin_open === true;
  o.tty = s.tty === true;
  if (s.stop_signal) o.stopSignal = s.stop_signal;
  const grace = durationMs(s.stop_grace_period, `services.${s.name}.stop_grace_period`);
  if (grace !== undefined) o.stopTimeout = Math.ceil(grace / 1000);
  if (s.restart) {
    try {
      o.restart = parseRestartPolicy(s.restart);
    } catch (err) {
      throw new ComposeError(`services.${s.name}.restart: ${(err as Error).message}`);
    }
  }
  o.extraHosts = (s.extra_hosts ?? []).map((h) => {
    const i = h.indexOf('=');
    return { host: h.slice(0, i), ip: h.slice(i + 1) };
  });
  o.dns = s.dns ?? [];
  o.dnsSearch = (s.dns_search as string[] | undefined) ?? [];
  o.ports = ports(s);
  if (s.platform) o.platform = s.platform as string;
  const health = healthConfig(s.healthcheck, s.name);
  if (health) o.healthcheck = health;
  const aliasesByNetwork: Record<string, string[]> = {};
  if (s.network_mode) o.networks = [s.network_mode];
  else {
    // Networks in a stable order: the library attaches the first as eth0.
    const keys = Object.keys(s.networks ?? {}).sort((a, b) => {
      const pa = s.networks?.[a]?.priority ?? 0;
      const pb = s.networks?.[b]?.priority ?? 0;
      return pb - pa || a.localeCompare(b);
    });
    o.networks = keys.map((k) => project.networks[k]!.name);
    for (const k of keys) {
      const own = s.networks?.[k]?.aliases ?? [];
      if (own.length > 0) aliasesByNetwork[project.networks[k]!.name] = own;
    }
  }
  return { options: o, aliases: s.network_mode ? [] : [s.name], aliasesByNetwork };
}
