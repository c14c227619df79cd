import { Flags } from '@oclif/core';

/**
 * Global flags. Short forms (-a, -n) are only valid before the command name (bin/run.js rewrites
 * them), because after it they mean something else (`run -a`, `ps -n`), exactly as in Docker.
 */
export const globalFlags = {
  address: Flags.string({
    aliases: ['host'],
    charAliases: ['H'],
    description: 'containerd address, optionally with "unix://" prefix',
    helpGroup: 'GLOBAL',
    helpValue: 'string',
  }),
  namespace: Flags.string({
    description: 'containerd namespace',
    helpGroup: 'GLOBAL',
    helpValue: 'string',
  }),
  snapshotter: Flags.string({
    aliases: ['storage-driver'],
    description: 'containerd snapshotter',
    helpGroup: 'GLOBAL',
    helpValue: 'string',
  }),
  'data-root': Flags.string({
    description: 'Root directory of persistent berth state',
    helpGroup: 'GLOBAL',
    helpValue: 'string',
  }),
  'cni-path': Flags.string({
    description: 'cni plugins binary directory',
    helpGroup: 'GLOBAL',
    helpValue: 'string',
  }),
  'cni-netconfpath': Flags.string({
    description: 'cni config directory',
    helpGroup: 'GLOBAL',
    helpValue: 'string',
  }),
  'hosts-dir': Flags.string({
    description:
      'A directory that contains <HOST:PORT>/hosts.toml (containerd style) or <HOST:PORT>/{ca.cert, cert.pem, key.pem} (docker style)',
    helpGroup: 'GLOBAL',
    helpValue: 'strings',
    multiple: true,
    multipleNonGreedy: true,
  }),
  'insecure-registry': Flags.boolean({
    description: 'skips verifying HTTPS certs, and allows falling back to plain HTTP',
    helpGroup: 'GLOBAL',
    allowNo: false,
  }),
  debug: Flags.boolean({ description: 'debug mode', helpGroup: 'GLOBAL' }),
};
