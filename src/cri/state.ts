/**
 * What CRI says about one of its containers or sandboxes, in the shape berth's container views
 * use. CRI deletes a container's task when it exits and keeps the exit code, the times and the
 * log path itself, so containerd's records alone describe an exited CRI container as "created".
 */
import { hostname as osHostname } from 'node:os';
import type { Client } from '../containerd/client.js';
import { NotFoundError } from '../containerd/errors.js';
import { CRI_LABEL } from '../labels.js';
import { criOf, type CriContainerStatus, type CriPodStatus } from './client.js';
import { isNoCri } from './images.js';

export type CriKind = 'container' | 'sandbox';

/** The kind of CRI object a containerd container record is, or undefined when CRI did not make it. */
export function criKind(labels: Record<string, string> | undefined): CriKind | undefined {
  const k = labels?.[CRI_LABEL.kind];
  return k === 'container' || k === 'sandbox' ? k : undefined;
}

export interface CriMount {
  source: string;
  destination: string;
  readOnly: boolean;
  propagation: string;
}

/** The fields of berth's ContainerState that CRI answers (structurally the same type). */
export interface CriState {
  Status: 'created' | 'running' | 'exited' | 'dead';
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt?: Date;
  FinishedAt?: Date;
}

export interface CriView {
  kind: CriKind;
  id: string;
  /** The sandbox this container belongs to (its own ID for a sandbox). */
  podId: string;
  state: CriState;
  /** CRI's state word (CONTAINER_EXITED, SANDBOX_READY, …). */
  criState: string;
  createdAt?: Date;
  /** Absolute path of the CRI log file; '' for sandboxes (they have none). */
  logPath: string;
  mounts: CriMount[];
  /** Docker's NetworkMode: `host` for pods on the node's network, else `container:<pod id>`-like pod. */
  networkMode: string;
  hostNetwork: boolean;
  hostname: string;
  /** kubelet's attempt number (restart count) of this container or sandbox. */
  attempt: number;
  image: string;
  imageRef: string;
}

/** CRI times are nanoseconds since the epoch; 0 means "not yet". */
export function nsToDate(ns: string | number | undefined): Date | undefined {
  if (ns === undefined || ns === '' || ns === '0' || ns === 0) return undefined;
  return new Date(Number(BigInt(ns) / 1_000_000n));
}

function parseInfo(info: Record<string, string> | undefined): Record<string, unknown> {
  try {
    const raw = info?.['info'];
    return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const baseState = (): CriState => ({
  Status: 'created',
  Running: false,
  Paused: false,
  Restarting: false,
  OOMKilled: false,
  Dead: false,
  Pid: 0,
  ExitCode: 0,
  Error: '',
});

export function stateOfContainer(s: CriContainerStatus, pid: number): CriState {
  const st = baseState();
  const started = nsToDate(s.started_at);
  switch (s.state) {
    case 'CONTAINER_RUNNING':
      return { ...st, Status: 'running', Running: true, Pid: pid, StartedAt: started };
    case 'CONTAINER_EXITED':
      return {
        ...st,
        Status: 'exited',
        ExitCode: s.exit_code,
        OOMKilled: s.reason === 'OOMKilled',
        Error: s.reason === 'Error' || s.reason === 'Completed' ? '' : s.message,
        StartedAt: started,
        FinishedAt: nsToDate(s.finished_at),
      };
    case 'CONTAINER_CREATED':
      return st;
    default:
      return { ...st, Status: 'dead', Dead: true, Error: s.message };
  }
}

interface PodFacts {
  hostNetwork: boolean;
  hostname: string;
  status?: CriPodStatus;
  info: Record<string, unknown>;
}

async function podFacts(client: Client, podId: string): Promise<PodFacts> {
  try {
    const res = await criOf(client).runtime.podSandboxStatus(podId, true);
    const info = parseInfo(res.info);
    const status = res.status ?? undefined;
    const hostNetwork = status?.linux?.namespaces?.options?.network === 'NODE';
    const config = (info['config'] ?? {}) as { hostname?: string; metadata?: { name?: string } };
    // CRI gives a host-network pod the node's hostname; others get the pod spec's (or its name).
    const hostname = hostNetwork
      ? osHostname()
      : config.hostname || config.metadata?.name || status?.metadata?.name || '';
    return { hostNetwork, hostname, status, info };
  } catch (err) {
    if (err instanceof NotFoundError || isNoCri(err)) {
      return { hostNetwork: false, hostname: '', info: {} };
    }
    throw err;
  }
}

function networkModeOf(facts: PodFacts, podId: string, kind: CriKind): string {
  if (facts.hostNetwork) return 'host';
  // A pod's containers join the sandbox's network namespace, as Docker's container:<id> mode.
  return kind === 'sandbox' ? 'bridge' : `container:${podId}`;
}

/** ContainerStatus (or PodSandboxStatus) of one CRI object; undefined when CRI does not know it. */
export async function criView(
  client: Client,
  id: string,
  kind: CriKind,
): Promise<CriView | undefined> {
  const cri = criOf(client);
  if (kind === 'sandbox') {
    const facts = await podFacts(client, id);
    const s = facts.status;
    if (!s) return undefined;
    const pid = Number(facts.info['pid'] ?? 0) || 0;
    const ready = s.state === 'SANDBOX_READY';
    const created = nsToDate(s.created_at);
    const state: CriState = ready
      ? { ...baseState(), Status: 'running', Running: true, Pid: pid, StartedAt: created }
      : { ...baseState(), Status: 'exited', ExitCode: 0, StartedAt: created };
    return {
      kind,
      id,
      podId: id,
      state,
      criState: s.state,
      createdAt: created,
      logPath: '',
      mounts: [],
      networkMode: networkModeOf(facts, id, kind),
      hostNetwork: facts.hostNetwork,
      hostname: facts.hostname,
      attempt: s.metadata?.attempt ?? 0,
      image: String(facts.info['image'] ?? ''),
      imageRef: '',
    };
  }
  let res;
  try {
    res = await cri.runtime.containerStatus(id, true);
  } catch (err) {
    // Not CRI's after all (hand-made labels), or no CRI on this socket: containerd's view stands.
    if (err instanceof NotFoundError || isNoCri(err)) return undefined;
    throw err;
  }
  const s = res.status;
  if (!s) return undefined;
  const info = parseInfo(res.info);
  const podId = String(info['sandboxID'] ?? '');
  const facts = podId
    ? await podFacts(client, podId)
    : { hostNetwork: false, hostname: '', info: {} };
  return {
    kind,
    id,
    podId,
    state: stateOfContainer(s, Number(info['pid'] ?? 0) || 0),
    criState: s.state,
    createdAt: nsToDate(s.created_at),
    logPath: s.log_path,
    mounts: s.mounts.map((m) => ({
      source: m.host_path,
      destination: m.container_path,
      readOnly: m.readonly,
      propagation: propagationWord(String(m.propagation)),
    })),
    networkMode: networkModeOf(facts, podId, kind),
    hostNetwork: facts.hostNetwork,
    hostname: facts.hostname,
    attempt: s.metadata?.attempt ?? 0,
    image: s.image?.image ?? '',
    imageRef: s.image_ref,
  };
}

function propagationWord(p: string): string {
  switch (p) {
    case 'PROPAGATION_HOST_TO_CONTAINER':
      return 'rslave';
    case 'PROPAGATION_BIDIRECTIONAL':
      return 'rshared';
    default:
      return 'rprivate';
  }
}

/**
 * CRI's views of every CRI-made record among `containers` (others are left out), asked
 * concurrently; one that vanished meanwhile is simply missing from the map.
 */
export async function criViews(
  client: Client,
  containers: readonly { id: string; labels: Record<string, string> }[],
): Promise<Map<string, CriView>> {
  const out = new Map<string, CriView>();
  await Promise.all(
    containers.map(async (c) => {
      const kind = criKind(c.labels);
      if (!kind) return;
      const v = await criView(client, c.id, kind);
      if (v) out.set(c.id, v);
    }),
  );
  return out;
}

/**
 * The exit code CRI records once the container has exited (CRI deletes the task at exit and keeps
 * the code itself), polling its status; undefined when CRI does not know the container.
 */
export async function waitCriExit(
  client: Client,
  id: string,
  signal?: AbortSignal,
): Promise<number | undefined> {
  const cri = criOf(client);
  for (;;) {
    let status;
    try {
      ({ status } = await cri.runtime.containerStatus(id, false));
    } catch (err) {
      if (err instanceof NotFoundError || isNoCri(err)) return undefined;
      throw err;
    }
    if (!status) return undefined;
    if (status.state === 'CONTAINER_EXITED') return status.exit_code;
    if (status.state === 'CONTAINER_UNKNOWN') return undefined;
    if (signal?.aborted) throw signal.reason;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** CRI's state word of a container, or undefined when CRI does not know it. */
export async function criContainerState(client: Client, id: string): Promise<string | undefined> {
  try {
    return (await criOf(client).runtime.containerStatus(id, false)).status?.state;
  } catch (err) {
    if (err instanceof NotFoundError || isNoCri(err)) return undefined;
    throw err;
  }
}
