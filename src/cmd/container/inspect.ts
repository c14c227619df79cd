/**
 * `inspect` for containers: Docker's ContainerJSON shape, built from the OCI spec stored in the
 * container record plus berth's labels.
 */
import { effectiveHealth, type HealthConfig } from '../../health/config.js';
import { readHealthState } from '../../health/state.js';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '../../containerd/client.js';
import { withZeroFields } from '../../formatter/inspect.js';
import { asGoMap } from '../../formatter/template.js';
import { LABEL, RESTART_LABEL, containerName, networksFromLabels } from '../../labels.js';
import { STOP_SIGNAL_ANNOTATION } from '../../oci/opts.js';
import {
  displayImage,
  jsonLabel,
  mountsOf,
  portsOf,
  specOf,
  userLabels,
} from '../../container/labels.js';
import { imageConfigDigest } from '../../container/image.js';
import type { Container } from '../../container/resolve.js';
import { createdAt, getState, type ContainerState } from '../../container/state.js';
import { criKind, criView, withCriView } from '../../cri/index.js';
import { truncateId } from '../../formatter/text.js';

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** RFC 3339 with nanoseconds, as Go's time.Time marshals (`2024-01-02T03:04:05.123456789Z`). */
function rfc3339Nano(d: Date | undefined): string {
  if (!d || Number.isNaN(d.getTime()) || d.getTime() <= 0) return GO_ZERO_TIME;
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_m, f: string) => (f ? `.${f}Z` : 'Z'));
}

interface HostConfigLabel {
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
  Binds?: string[] | null;
  Memory?: number;
  NanoCpus?: number;
  CpuShares?: number;
  PidsLimit?: number | null;
  Privileged?: boolean;
  ReadonlyRootfs?: boolean;
  AutoRemove?: boolean;
  NetworkMode?: string;
  PortBindings?: Record<string, Array<{ HostIp: string; HostPort: string }>>;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  [key: string]: unknown;
}

function restartPolicy(
  labels: Record<string, string>,
  hc: HostConfigLabel,
): { Name: string; MaximumRetryCount: number } {
  if (hc.RestartPolicy?.Name !== undefined) {
    return {
      Name: hc.RestartPolicy.Name,
      MaximumRetryCount: hc.RestartPolicy.MaximumRetryCount ?? 0,
    };
  }
  const policy = labels[RESTART_LABEL.policy];
  if (!policy) return { Name: 'no', MaximumRetryCount: 0 };
  const [name, max] = policy.split(':');
  return { Name: name, MaximumRetryCount: Number(max ?? 0) || 0 };
}

function portMap(
  labels: Record<string, string>,
): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of portsOf(labels)) {
    const [cp, cproto] = String(p.ContainerPort ?? '').split('/');
    const key = `${Number.parseInt(cp, 10)}/${(p.Protocol || cproto || 'tcp').toLowerCase()}`;
    (out[key] ??= []).push({ HostIp: p.HostIp || '0.0.0.0', HostPort: String(p.HostPort ?? '') });
  }
  return out;
}

/** Docker's ContainerJSON for one container. */
export async function inspectContainer(
  client: Client,
  container: Container,
): Promise<Record<string, unknown>> {
  // CRI's objects: CRI keeps the exit code, times, log path, mounts and network mode.
  const kind = criKind(container.labels);
  const view = kind ? await criView(client, container.id, kind) : undefined;
  const state = view?.state ?? (await getState(client, container));
  const doc = buildInspect(
    container,
    state,
    await imageConfigDigest(client, container.image, container.labels?.[LABEL.platform]),
  );
  return view ? withCriView(doc, view) : doc;
}

export function buildInspect(
  container: Container,
  state: ContainerState,
  imageId: string,
): Record<string, unknown> {
  const labels = container.labels ?? {};
  const healthcheck = jsonLabel<HealthConfig | undefined>(labels, LABEL.healthcheck, undefined);
  // Docker has State.Health for a container whose health check runs (not for `NONE`).
  const health = effectiveHealth(healthcheck)
    ? (readHealthState(labels[LABEL.stateDir]) ??
      (state.Running ? { Status: 'starting', FailingStreak: 0, Log: [] } : undefined))
    : undefined;
  const spec = specOf(container);
  const args = spec.process?.args ?? [];
  const hc = jsonLabel<HostConfigLabel>(labels, LABEL.hostConfig, {});
  const name = containerName(labels);
  const resources = spec.linux?.resources;
  const memory = hc.Memory ?? resources?.memory?.limit ?? 0;
  const quota = resources?.cpu?.quota ?? 0;
  const period = resources?.cpu?.period ?? 0;
  const nanoCpus =
    hc.NanoCpus ?? (quota > 0 && period > 0 ? Math.round((quota / period) * 1e9) : 0);
  const ports = portMap(labels);
  const networks = networksFromLabels(labels);
  const user = spec.process?.user;
  const userText =
    user?.username ?? (user && (user.uid || user.gid) ? `${user.uid ?? 0}:${user.gid ?? 0}` : '');
  const stopSignal = labels[STOP_SIGNAL_ANNOTATION] ?? spec.annotations?.[STOP_SIGNAL_ANNOTATION];
  const mounts = mountsOf(labels).map((m) => ({
    Type: m.Type ?? 'bind',
    ...(m.Name ? { Name: m.Name } : {}),
    Source: m.Source ?? '',
    Destination: m.Destination ?? '',
    ...m,
  }));

  const config: Record<string, unknown> = {
    Hostname: spec.hostname ?? labels[LABEL.hostname] ?? truncateId(container.id),
    Domainname: '',
    User: userText,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: spec.process?.terminal ?? false,
    OpenStdin: hc.Interactive === true,
    StdinOnce: false,
    Env: spec.process?.env ?? [],
    Cmd: args,
    ...(healthcheck ? { Healthcheck: healthcheck } : {}),
    Image: displayImage(container),
    Volumes: null,
    WorkingDir: spec.process?.cwd ?? '/',
    Entrypoint: null,
    OnBuild: null,
    Labels: asGoMap(userLabels(labels)),
  };
  if (stopSignal) config.StopSignal = stopSignal;
  withZeroFields(config, {
    ExposedPorts: asGoMap({}),
    Healthcheck: null,
    StopTimeout: null,
    Shell: null,
    ArgsEscaped: false,
    MacAddress: '',
    StopSignal: '',
  });
  const { RestartPolicy: _rp, SecurityOptFile: optFile, ...hcRest } = hc;
  // A seccomp profile too long for a label is kept in the state dir.
  if (optFile === true) hcRest.SecurityOpt = stateDirJSON(labels, 'security-opt.json') ?? null;
  void _rp;

  return {
    Id: container.id,
    Created: rfc3339Nano(createdAt(container)),
    Path: args[0] ?? '',
    Args: args.slice(1),
    State: withZeroFields(
      {
        Status: state.Status,
        Running: state.Running,
        Paused: state.Paused,
        Restarting: state.Restarting,
        OOMKilled: state.OOMKilled,
        Dead: state.Dead,
        Pid: state.Pid,
        ExitCode: state.ExitCode,
        Error: state.Error,
        StartedAt: rfc3339Nano(state.StartedAt ?? lastStart(labels)),
        FinishedAt: rfc3339Nano(state.FinishedAt),
        ...(health ? { Health: health } : {}),
      },
      { Health: null },
    ),
    Image: imageId,
    ResolvConfPath: labels[LABEL.stateDir] ? `${labels[LABEL.stateDir]}/resolv.conf` : '',
    HostnamePath: labels[LABEL.stateDir] ? `${labels[LABEL.stateDir]}/hostname` : '',
    HostsPath: labels[LABEL.stateDir] ? `${labels[LABEL.stateDir]}/hosts` : '',
    LogPath: labels[LABEL.logPath] ?? '',
    Name: `/${name}`,
    RestartCount: Number(labels[RESTART_LABEL.count] ?? 0) || 0,
    Driver: container.snapshotter || 'overlayfs',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: withZeroFields(
      {
        Binds: hc.Binds ?? null,
        ContainerIDFile: '',
        LogConfig: { Type: 'json-file', Config: asGoMap({}) },
        NetworkMode: hc.NetworkMode ?? networks[0] ?? 'default',
        PortBindings: hc.PortBindings ?? ports,
        RestartPolicy: restartPolicy(labels, hc),
        AutoRemove: hc.AutoRemove ?? labels[LABEL.autoRemove] === 'true',
        CapAdd: hc.CapAdd ?? null,
        CapDrop: hc.CapDrop ?? null,
        Privileged: hc.Privileged ?? false,
        ReadonlyRootfs: hc.ReadonlyRootfs ?? spec.root?.readonly ?? false,
        CpuShares: hc.CpuShares ?? resources?.cpu?.shares ?? 0,
        Memory: memory,
        NanoCpus: nanoCpus,
        PidsLimit: hc.PidsLimit ?? resources?.pids?.limit ?? null,
        ...hcRest,
      },
      { Tmpfs: asGoMap({}), Links: null, Devices: [] },
    ),
    GraphDriver: { Data: null, Name: container.snapshotter || 'overlayfs' },
    Mounts: mounts,
    Config: config,
    NetworkSettings: networkSettings(labels, state.Running ? ports : {}, networks, state.Running),
  };
}

/**
 * When the last task started, for a container whose task has exited (containerd keeps no start
 * time): the `started` marker's mtime, the time Tasks.Start was called (see markStarted).
 */
function lastStart(labels: Record<string, string>): Date | undefined {
  const dir = labels[LABEL.stateDir];
  if (!dir) return undefined;
  try {
    return statSync(join(dir, 'started')).mtime;
  } catch {
    return undefined;
  }
}

function stateDirJSON(labels: Record<string, string>, file: string): unknown {
  const dir = labels[LABEL.stateDir];
  if (!dir) return undefined;
  try {
    return JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

interface Endpoint {
  NetworkID: string;
  Gateway?: string;
  IPAddress: string;
  IPPrefixLen?: number;
  MacAddress?: string;
}

/** What the network set-up recorded at create time, in Docker's shape. */
function networkSettings(
  labels: Record<string, string>,
  ports: unknown,
  networks: string[],
  running: boolean,
): Record<string, unknown> {
  let saved: { SandboxKey?: string; Networks?: Record<string, Endpoint> } = {};
  try {
    saved = JSON.parse(labels[LABEL.networkSettings] ?? '{}') as typeof saved;
  } catch {
    saved = {};
  }
  let nets: Record<string, Endpoint> =
    saved.Networks ??
    Object.fromEntries(networks.map((n) => [n, { NetworkID: '', IPAddress: '' }]));
  if (!running) {
    // Addresses are held only while the container runs (the label keeps the last run's).
    nets = Object.fromEntries(
      Object.entries(nets).map(([n, e]) => [
        n,
        { ...e, EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '' },
      ]),
    );
    saved.SandboxKey = '';
  }
  // Docker's top-level fields mirror the default bridge endpoint.
  const bridge = nets.bridge;
  return {
    Bridge: '',
    SandboxID: '',
    SandboxKey: saved.SandboxKey ?? '',
    Ports: ports,
    Gateway: bridge?.Gateway ?? '',
    IPAddress: bridge?.IPAddress ?? '',
    IPPrefixLen: bridge?.IPPrefixLen ?? 0,
    MacAddress: bridge?.MacAddress ?? '',
    Networks: nets,
  };
}
