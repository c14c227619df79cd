// The flags `run` and `create` share, with Docker's names, short forms and defaults, and their
// parsing into ContainerCreateOptions.
import { readFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { envFlags, listFlag } from './env.js';
import {
  PULL_POLICIES,
  type ContainerCreateOptions,
  type PullPolicy,
} from '../container/options.js';
import { BerthError, UsageError } from '../errors.js';
import { readSeccompProfileFile } from '../oci/seccomp.js';
import { parseGoDuration } from '../filters.js';
import type { HealthConfig } from '../health/config.js';
import { healthConfigFromFlags } from '../health/flags.js';
import type { MountRequest } from '../oci/mounts.js';
import {
  parseAddHost,
  parseCpus,
  parseEnvFile,
  parseLabelFile,
  parseMemory,
  parseMemorySwap,
  parseMount,
  parsePublish,
  parseRestartPolicy,
  parseSecurityOpt,
  parseSignal,
  parseStopTimeout,
  parseTmpfs,
  parseUlimit,
  parseVolume,
} from '../opts/container-parsers.js';

const list = listFlag;

/** Flags shared by `run` and `create` (Docker's names, short forms and defaults). */
export const containerFlags = {
  interactive: Flags.boolean({ char: 'i', description: 'Keep STDIN open even if not attached' }),
  tty: Flags.boolean({ char: 't', description: 'Allocate a pseudo-TTY' }),
  rm: Flags.boolean({
    description:
      'Automatically remove the container and its associated anonymous volumes when it exits',
  }),
  name: Flags.string({ description: 'Assign a name to the container', helpValue: 'string' }),
  pull: Flags.string({
    description: 'Pull image before running ("always", "missing", "never")',
    default: 'missing',
    helpValue: 'string',
  }),
  platform: Flags.string({
    description: 'Set platform if server is multi-platform capable',
    helpValue: 'string',
  }),
  ...envFlags,
  workdir: Flags.string({
    char: 'w',
    description: 'Working directory inside the container',
    helpValue: 'string',
  }),
  user: Flags.string({
    char: 'u',
    description: 'Username or UID (format: <name|uid>[:<group|gid>])',
    helpValue: 'string',
  }),
  entrypoint: Flags.string({
    description: 'Overwrite the default ENTRYPOINT of the image',
    helpValue: 'string',
  }),
  hostname: Flags.string({ char: 'h', description: 'Container host name', helpValue: 'string' }),
  label: list('Set meta data on a container', { char: 'l' }),
  'label-file': list('Read in a line delimited file of labels'),
  volume: list('Bind mount a volume', { char: 'v' }),
  mount: Flags.string({
    description: 'Attach a filesystem mount to the container',
    multiple: true,
    multipleNonGreedy: true,
    default: [],
    helpValue: 'mount',
  }),
  tmpfs: list('Mount a tmpfs directory'),
  'read-only': Flags.boolean({ description: "Mount the container's root filesystem as read only" }),
  privileged: Flags.boolean({ description: 'Give extended privileges to this container' }),
  'cap-add': list('Add Linux capabilities'),
  'cap-drop': list('Drop Linux capabilities'),
  'security-opt': list('Security Options'),
  cpus: Flags.string({ description: 'Number of CPUs', helpValue: 'decimal' }),
  'cpu-shares': Flags.integer({
    char: 'c',
    description: 'CPU shares (relative weight)',
    helpValue: 'int',
  }),
  'cpuset-cpus': Flags.string({
    description: 'CPUs in which to allow execution (0-3, 0,1)',
    helpValue: 'string',
  }),
  memory: Flags.string({ char: 'm', description: 'Memory limit', helpValue: 'bytes' }),
  'memory-swap': Flags.string({
    description: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
    helpValue: 'bytes',
  }),
  'pids-limit': Flags.integer({
    description: 'Tune container pids limit (set -1 for unlimited)',
    helpValue: 'int',
  }),
  ulimit: Flags.string({
    description: 'Ulimit options',
    multiple: true,
    multipleNonGreedy: true,
    default: [],
    helpValue: 'ulimit',
  }),
  'shm-size': Flags.string({ description: 'Size of /dev/shm', helpValue: 'bytes' }),
  init: Flags.boolean({
    description: 'Run an init inside the container that forwards signals and reaps processes',
  }),
  'stop-signal': Flags.string({ description: 'Signal to stop the container', helpValue: 'string' }),
  'stop-timeout': Flags.string({
    description: 'Timeout (in seconds) to stop a container',
    helpValue: 'int',
  }),
  restart: Flags.string({
    description: 'Restart policy to apply when a container exits',
    default: 'no',
    helpValue: 'string',
  }),
  cidfile: Flags.string({ description: 'Write the container ID to the file', helpValue: 'string' }),
  'add-host': list('Add a custom host-to-IP mapping (host:ip)'),
  network: Flags.string({
    aliases: ['net'],
    description: 'Connect a container to a network',
    multiple: true,
    multipleNonGreedy: true,
    default: [],
    helpValue: 'network',
  }),
  publish: list("Publish a container's port(s) to the host", { char: 'p' }),
  'publish-all': Flags.boolean({
    char: 'P',
    description: 'Publish all exposed ports to random ports',
  }),
  dns: list('Set custom DNS servers'),
  'dns-search': list('Set custom DNS search domains'),
  'dns-option': list('Set DNS options'),
  ip: Flags.string({ description: 'IPv4 address (e.g., 172.30.100.104)', helpValue: 'string' }),
  'mac-address': Flags.string({
    description: 'Container MAC address (e.g., 92:d0:c6:0a:29:33)',
    helpValue: 'string',
  }),
  'volumes-from': list('Mount volumes from the specified container(s)'),
  'health-cmd': Flags.string({
    description: 'Command to run to check health',
    helpValue: 'string',
  }),
  'health-interval': Flags.string({
    description: 'Time between running the check (ms|s|m|h) (default 0s)',
    helpValue: 'duration',
  }),
  'health-timeout': Flags.string({
    description: 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)',
    helpValue: 'duration',
  }),
  'health-retries': Flags.integer({
    description: 'Consecutive failures needed to report unhealthy',
    helpValue: 'int',
  }),
  'health-start-period': Flags.string({
    description:
      'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)',
    helpValue: 'duration',
  }),
  'health-start-interval': Flags.string({
    description: 'Time between running the check during the start period (ms|s|m|h) (default 0s)',
    helpValue: 'duration',
  }),
  'no-healthcheck': Flags.boolean({ description: 'Disable any container-specified HEALTHCHECK' }),
};

function flagError(value: string, flag: string, err: unknown): UsageError {
  return new UsageError(
    `invalid argument "${value}" for "${flag}" flag: ${err instanceof Error ? err.message : String(err)}`,
    { help: true },
  );
}

/** docker/cli's ValidateLabel: a label needs a name (`-l ''`, `-l =x` are refused). */
function validateLabel(value: string): string {
  const eq = value.indexOf('=');
  if ((eq < 0 ? value : value.slice(0, eq)).trim() === '') {
    throw new Error(`invalid label '${value}': empty name`);
  }
  return value;
}

function parseEach<T>(values: readonly string[], flag: string, fn: (v: string) => T): T[] {
  return values.map((v) => {
    try {
      return fn(v);
    } catch (err) {
      throw flagError(v, flag, err);
    }
  });
}

function parseOne<T>(value: string | undefined, flag: string, fn: (v: string) => T): T | undefined {
  if (value === undefined) return undefined;
  return parseEach([value], flag, fn)[0];
}

/** Bytes, not text: the env-file parser must see invalid UTF-8 to refuse it as docker/cli does. */
/** A file's content error (env file, seccomp profile) as docker/cli prints it, exit 125. */
function usageOnError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof BerthError) throw err;
    throw new UsageError((err as Error).message, { help: true });
  }
}

function readFileOrFail(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(
      `open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`,
      { help: true },
    );
  }
}

function goDuration(v: string): number {
  const ms = parseGoDuration(v);
  if (ms === undefined) throw new Error(`time: invalid duration ${JSON.stringify(v)}`);
  return ms;
}

/** The --health-* flags (docker/cli's checks) as the container's HealthConfig. */
function healthFromFlags(flags: Record<string, unknown>): HealthConfig | undefined {
  const d = (k: string): number | undefined =>
    parseOne(flags[k] as string | undefined, `--${k}`, goDuration);
  const config = {
    cmd: flags['health-cmd'] as string | undefined,
    interval: d('health-interval'),
    timeout: d('health-timeout'),
    startPeriod: d('health-start-period'),
    startInterval: d('health-start-interval'),
    retries: flags['health-retries'] as number | undefined,
    noHealthcheck: Boolean(flags['no-healthcheck']),
  };
  try {
    return healthConfigFromFlags(config);
  } catch (err) {
    throw new UsageError((err as Error).message, { help: true });
  }
}

/**
 * oclif's parse result → ContainerCreateOptions, every value parsed here once (docker/cli's
 * `parse()`), with Docker's `invalid argument "…" for "…" flag` errors. The caller has checked
 * that IMAGE is there.
 */
export function parseContainerFlags(
  flags: Record<string, unknown>,
  argv: string[],
): ContainerCreateOptions {
  const [image = '', ...args] = argv;
  const s = (k: string) => flags[k] as string | undefined;
  const b = (k: string) => Boolean(flags[k]);
  const l = (k: string) => (flags[k] as string[] | undefined) ?? [];
  const restart = parseOne(s('restart') ?? '', 'restart', parseRestartPolicy) ?? {
    name: 'no' as const,
    maximumRetryCount: 0,
  };
  if (b('rm') && restart.name !== 'no') {
    throw new UsageError('Conflicting options: --restart and --rm', { help: true });
  }
  const envFromFiles = l('env-file').flatMap((f) =>
    usageOnError(() => parseEnvFile(readFileOrFail(f), { filename: f })),
  );
  const labelList = [
    ...l('label-file').flatMap((f) =>
      usageOnError(() => parseLabelFile(readFileOrFail(f), { filename: f })),
    ),
    ...parseEach(l('label'), '-l, --label', validateLabel),
  ];
  const labels: Record<string, string> = {};
  for (const entry of labelList) {
    const eq = entry.indexOf('=');
    labels[eq < 0 ? entry : entry.slice(0, eq)] = eq < 0 ? '' : entry.slice(eq + 1);
  }
  const mounts: MountRequest[] = [
    ...parseEach(l('volume'), 'volume', (v) => parseVolume(v)),
    ...parseEach(l('mount'), 'mount', (v) => parseMount(v)),
    ...parseEach(l('tmpfs'), 'tmpfs', parseTmpfs),
  ];
  const ports = parseEach(l('publish'), 'publish', parsePublish).flat();
  const ulimits = parseEach(l('ulimit'), 'ulimit', parseUlimit);
  // docker/cli sends a seccomp profile's content, not its path (inspect shows it).
  const securityOpts = parseEach(l('security-opt'), 'security-opt', parseSecurityOpt).map((o) =>
    o.kind === 'seccomp' && o.profile !== 'unconfined' && o.profile !== 'builtin'
      ? { ...o, profile: usageOnError(() => readSeccompProfileFile(o.profile)) }
      : o,
  );
  const cpus = parseOne(s('cpus'), 'cpus', parseCpus);
  const memory = parseOne(s('memory'), 'memory', parseMemory);
  const memorySwap = parseOne(s('memory-swap'), 'memory-swap', parseMemorySwap);
  const shmSize = parseOne(s('shm-size'), 'shm-size', parseMemory);
  const stopTimeout = parseOne(s('stop-timeout'), 'stop-timeout', parseStopTimeout);
  const stopSignal = s('stop-signal');
  if (stopSignal !== undefined) parseOne(stopSignal, 'stop-signal', parseSignal);
  const extraHosts = parseEach(l('add-host'), 'add-host', parseAddHost);
  const pull = s('pull') ?? 'missing';
  if (!(PULL_POLICIES as readonly string[]).includes(pull)) {
    throw new UsageError(
      `invalid pull option: '${pull}': must be one of "always", "missing" or "never"`,
      { help: true },
    );
  }
  return {
    image,
    args,
    name: s('name'),
    pull: pull as PullPolicy,
    platform: s('platform'),
    interactive: b('interactive'),
    tty: b('tty'),
    autoRemove: b('rm'),
    env: [...envFromFiles, ...l('env')],
    workdir: s('workdir'),
    user: s('user'),
    entrypoint: s('entrypoint'),
    hostname: s('hostname'),
    labels,
    mounts,
    volumesFrom: l('volumes-from'),
    readOnly: b('read-only'),
    privileged: b('privileged'),
    capAdd: l('cap-add'),
    capDrop: l('cap-drop'),
    securityOpts,
    cpus,
    cpuShares: flags['cpu-shares'] as number | undefined,
    cpusetCpus: s('cpuset-cpus'),
    memory,
    memorySwap,
    pidsLimit: flags['pids-limit'] as number | undefined,
    ulimits,
    shmSize,
    init: b('init'),
    stopSignal,
    stopTimeout,
    restart,
    cidfile: s('cidfile'),
    extraHosts,
    networks: l('network'),
    ports,
    publishAll: b('publish-all'),
    dns: l('dns'),
    dnsSearch: l('dns-search'),
    dnsOptions: l('dns-option'),
    ip: s('ip'),
    macAddress: s('mac-address'),
    healthcheck: healthFromFlags(flags),
  };
}
