// The flags `run` and `create` share, with Docker's names, short forms and defaults, and their
// translation into the engine's plain options.
import { Flags } from '@oclif/core';
import type { ContainerOptions } from '../container/create.js';

const list = (
  description: string,
  extra: { char?: 'e' | 'l' | 'v' | 'a' | 'p'; helpValue?: string } = {},
) =>
  Flags.string({
    description,
    multiple: true,
    multipleNonGreedy: true,
    default: [],
    helpValue: extra.helpValue ?? 'list',
    ...(extra.char ? { char: extra.char } : {}),
  });

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
  env: list('Set environment variables', { char: 'e' }),
  'env-file': list('Read in a file of environment variables'),
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
};

/** oclif's parse result → the engine's plain options; the caller has checked IMAGE is there. */
export function containerOptions(
  flags: Record<string, unknown>,
  argv: string[],
  command: 'run' | 'create',
): ContainerOptions {
  const [image = '', ...args] = argv;
  const s = (k: string) => flags[k] as string | undefined;
  const b = (k: string) => flags[k] as boolean | undefined;
  const l = (k: string) => (flags[k] as string[] | undefined) ?? [];
  return {
    image,
    args,
    detach: b('detach'),
    interactive: b('interactive'),
    tty: b('tty'),
    rm: b('rm'),
    name: s('name'),
    pull: s('pull'),
    platform: s('platform'),
    env: l('env'),
    envFile: l('env-file'),
    workdir: s('workdir'),
    user: s('user'),
    entrypoint: s('entrypoint'),
    hostname: s('hostname'),
    label: l('label'),
    labelFile: l('label-file'),
    volume: l('volume'),
    mount: l('mount'),
    tmpfs: l('tmpfs'),
    readOnly: b('read-only'),
    privileged: b('privileged'),
    capAdd: l('cap-add'),
    capDrop: l('cap-drop'),
    securityOpt: l('security-opt'),
    cpus: s('cpus'),
    cpuShares: flags['cpu-shares'] as number | undefined,
    cpusetCpus: s('cpuset-cpus'),
    memory: s('memory'),
    memorySwap: s('memory-swap'),
    pidsLimit: flags['pids-limit'] as number | undefined,
    ulimit: l('ulimit'),
    shmSize: s('shm-size'),
    init: b('init'),
    stopSignal: s('stop-signal'),
    stopTimeout: s('stop-timeout'),
    restart: s('restart'),
    cidfile: s('cidfile'),
    addHost: l('add-host'),
    network: l('network'),
    publish: l('publish'),
    publishAll: b('publish-all'),
    dns: l('dns'),
    dnsSearch: l('dns-search'),
    dnsOption: l('dns-option'),
    ip: s('ip'),
    macAddress: s('mac-address'),
    volumesFrom: l('volumes-from'),
    command,
  };
}
