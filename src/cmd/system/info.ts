import { existsSync, readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import type { Client } from '../../containerd/client.js';
import type { LoadedConfig, SettingKey } from '../../config/index.js';
import { bytesSize } from '../../formatter/units.js';
import { goArch } from '../../image/platform-names.js';

declare global {
  // Set by the entry that started this process (src/snapshot.ts; bin/run.js leaves it unset).
  var __berthStart: string | undefined;
}

export interface InfoData {
  ServerVersion: string;
  Namespace: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
  Driver: string;
  Snapshotters: string[];
  DefaultRuntime: string;
  CgroupDriver: string;
  CgroupVersion: string;
  KernelVersion: string;
  OperatingSystem: string;
  OSType: string;
  Architecture: string;
  NCPU: number;
  MemTotal: number;
  DataRoot: string;
  Address: string;
  ConfigFile: string;
  Settings: Record<string, { Value: unknown; Source: string }>;
  DebugMode: boolean;
  /** How this berth process started (docs/startup.md): agent, snapshot or plain. */
  StartPath: string;
}

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

export async function getInfo(client: Client, config: LoadedConfig): Promise<InfoData> {
  const { settings, sources } = config;
  const [version, containers, tasks, images, plugins] = await Promise.all([
    client.version.version(),
    client.containers.list({ filters: [] }),
    client.tasks.list({}),
    client.images.list({ filters: [] }),
    client.introspection.plugins({ filters: ['type==io.containerd.snapshotter.v1'] }),
  ]);
  const byId = new Map(tasks.tasks.map((t) => [t.id, t.status]));
  let running = 0;
  let paused = 0;
  for (const c of containers.containers) {
    const status = byId.get(c.id);
    if (status === 'RUNNING') running++;
    else if (status === 'PAUSED' || status === 'PAUSING') paused++;
  }
  const snapshotters = plugins.plugins
    .filter((p) => !p.init_err)
    .map((p) => p.id)
    .sort();
  const settingsOut: InfoData['Settings'] = {};
  for (const key of Object.keys(settings) as SettingKey[]) {
    settingsOut[key] = { Value: settings[key], Source: sources[key] };
  }
  return {
    ServerVersion: version.version,
    Namespace: settings.namespace,
    Containers: containers.containers.length,
    ContainersRunning: running,
    ContainersPaused: paused,
    ContainersStopped: containers.containers.length - running - paused,
    // Docker counts images, not names: tags and digest records of one image count once.
    Images: new Set(images.images.map((i) => i.target?.digest ?? i.name)).size,
    Driver: settings.snapshotter,
    Snapshotters: snapshotters,
    DefaultRuntime: 'io.containerd.runc.v2',
    CgroupDriver: settings.cgroupManager,
    CgroupVersion: existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1',
    KernelVersion: release(),
    OperatingSystem: osName(),
    OSType: 'linux',
    Architecture: goArch(),
    NCPU: cpus().length,
    MemTotal: totalmem(),
    DataRoot: settings.dataRoot,
    Address: settings.address,
    ConfigFile: config.file ?? '',
    Settings: settingsOut,
    DebugMode: settings.debug,
    StartPath: globalThis.__berthStart ?? 'plain',
  };
}

const TOML_NAME: Record<string, string> = {
  address: 'address',
  namespace: 'namespace',
  snapshotter: 'snapshotter',
  dataRoot: 'data_root',
  cniPath: 'cni_path',
  cniNetconfPath: 'cni_netconfpath',
  cgroupManager: 'cgroup_manager',
  insecureRegistry: 'insecure_registry',
  hostsDir: 'hosts_dir',
  debug: 'debug',
  debugFull: 'debug_full',
  experimental: 'experimental',
  hostGatewayIp: 'host_gateway_ip',
  bridgeIp: 'bridge_ip',
  kubeHideDupe: 'kube_hide_dupe',
  dns: 'dns',
  dnsOpts: 'dns_opts',
  dnsSearch: 'dns_search',
};

const START_PATHS: Record<string, string> = {
  agent: 'agent (a warm worker of the per-user berth agent)',
  snapshot: 'snapshot (node started from dist/berth.blob)',
  plain: 'plain (node running bin/run.js)',
};

/** Docker's `info` text layout, plus berth's own section on where each setting came from. */
export function renderInfo(i: InfoData): string {
  const lines = [
    'Client:',
    ` Debug Mode: ${i.DebugMode}`,
    ` Start-up: ${START_PATHS[i.StartPath] ?? i.StartPath}`,
    ` Config File: ${i.ConfigFile || '(none)'}`,
    '',
    'Server:',
    ` Containers: ${i.Containers}`,
    `  Running: ${i.ContainersRunning}`,
    `  Paused: ${i.ContainersPaused}`,
    `  Stopped: ${i.ContainersStopped}`,
    ` Images: ${i.Images}`,
    ` Server Version: containerd ${i.ServerVersion}`,
    ` Namespace: ${i.Namespace}`,
    ` Storage Driver: ${i.Driver}`,
    ` Snapshotters: ${i.Snapshotters.join(' ')}`,
    ` Default Runtime: ${i.DefaultRuntime}`,
    ` Cgroup Driver: ${i.CgroupDriver}`,
    ` Cgroup Version: ${i.CgroupVersion}`,
    ` Kernel Version: ${i.KernelVersion}`,
    ` Operating System: ${i.OperatingSystem}`,
    ` OSType: ${i.OSType}`,
    ` Architecture: ${i.Architecture}`,
    ` CPUs: ${i.NCPU}`,
    ` Total Memory: ${bytesSize(i.MemTotal)}`,
    ` containerd Address: ${i.Address}`,
    ` Berth Root Dir: ${i.DataRoot}`,
    '',
    'Settings:',
  ];
  for (const [k, v] of Object.entries(i.Settings)) {
    const value = Array.isArray(v.Value) ? v.Value.join(',') : String(v.Value);
    lines.push(` ${TOML_NAME[k] ?? k}: ${value} (${v.Source})`);
  }
  return `${lines.join('\n')}\n`;
}
