/**
 * `berth pods` (`pod ls`) and `pod inspect`: kubelet's pods as CRI reports them, read-only, in
 * Docker's table and `--format` conventions.
 */
import type { Client } from '../../containerd/client.js';
import { criOf, type CriContainer, type CriPod } from '../../cri/client.js';
import { isNoCri, nsToDate } from '../../cri/index.js';
import { BerthError } from '../../errors.js';
import { formatAge } from '../../formatter/units.js';
import { labelsMatch, parseFilterFlags } from '../../filters.js';
import { truncateId } from '../../formatter/text.js';

export const PODS_DEFAULT_FORMAT =
  'table {{.ID}}\t{{.Name}}\t{{.State}}\t{{.RunningFor}}\t{{.Containers}}\t{{.Restarts}}';
export const PODS_HEADERS = {
  ID: 'POD ID',
  Name: 'NAME',
  State: 'STATE',
  RunningFor: 'CREATED',
  CreatedAt: 'CREATED AT',
  Containers: 'CONTAINERS',
  Restarts: 'RESTARTS',
  Namespace: 'NAMESPACE',
  Pod: 'POD',
  UID: 'UID',
  Attempt: 'ATTEMPT',
  Labels: 'LABELS',
};

export interface PodRow {
  ID: string;
  /** `k8s://<namespace>/<pod>`, the name berth's other commands take. */
  Name: string;
  Namespace: string;
  Pod: string;
  UID: string;
  /** `Ready` or `NotReady`. */
  State: string;
  CreatedAt: string;
  RunningFor: string;
  /** Containers of the pod, counting only the latest attempt of each. */
  Containers: number;
  /** kubelet's restarts: the attempts of the pod's containers beyond their first. */
  Restarts: number;
  Attempt: number;
  Labels: string;
}

export interface PodListOptions {
  filters: string[];
  noTrunc: boolean;
  now?: number;
}

function stateWord(p: { state: string }): string {
  return p.state === 'SANDBOX_READY' ? 'Ready' : 'NotReady';
}

/** The latest attempt of each container name in a pod. */
export function latestAttempts(containers: readonly CriContainer[]): CriContainer[] {
  const byName = new Map<string, CriContainer>();
  for (const c of containers) {
    const name = c.metadata?.name ?? c.id;
    const seen = byName.get(name);
    if (!seen || (c.metadata?.attempt ?? 0) > (seen.metadata?.attempt ?? 0)) byName.set(name, c);
  }
  return [...byName.values()];
}

async function listAll(client: Client): Promise<{ pods: CriPod[]; containers: CriContainer[] }> {
  const cri = criOf(client);
  try {
    const [p, c] = await Promise.all([cri.runtime.listPodSandbox(), cri.runtime.listContainers()]);
    return { pods: p.items, containers: c.containers };
  } catch (err) {
    if (isNoCri(err)) {
      throw new BerthError(
        `containerd at ${client.address} does not serve the CRI (kubelet's runtime API): no pods to show`,
      );
    }
    throw err;
  }
}

export async function listPods(client: Client, o: PodListOptions): Promise<PodRow[]> {
  const filters = parseFilterFlags(o.filters, {
    keys: ['id', 'name', 'namespace', 'label', 'label!', 'state'],
    flag: '--filter',
    values: { state: (v) => /^(ready|notready)$/i.test(v) },
  });
  const { pods, containers } = await listAll(client);
  const now = o.now ?? Date.now();
  const rows = pods.map((p) => {
    const mine = latestAttempts(containers.filter((c) => c.pod_sandbox_id === p.id));
    const created = nsToDate(p.created_at) ?? new Date(0);
    const ns = p.metadata?.namespace ?? '';
    const pod = p.metadata?.name ?? '';
    return {
      ID: truncateId(p.id, o.noTrunc),
      Name: `k8s://${ns}/${pod}`,
      Namespace: ns,
      Pod: pod,
      UID: p.metadata?.uid ?? '',
      State: stateWord(p),
      CreatedAt: created.toISOString(),
      RunningFor: formatAge(created, now),
      Containers: mine.length,
      Restarts: mine.reduce((n, c) => n + (c.metadata?.attempt ?? 0), 0),
      Attempt: p.metadata?.attempt ?? 0,
      Labels: Object.entries(p.labels)
        .map(([k, v]) => `${k}=${v}`)
        .sort()
        .join(','),
      _full: p,
      _created: created.getTime(),
    };
  });
  const any = (key: string, test: (v: string) => boolean): boolean => {
    const vs = filters.get(key);
    return !vs || vs.some(test);
  };
  return rows
    .filter(
      (r) =>
        any('id', (v) => r._full.id.startsWith(v)) &&
        any('name', (v) => r.Name.includes(v) || r.Pod.includes(v)) &&
        any('namespace', (v) => r.Namespace === v) &&
        any('state', (v) => r.State.toLowerCase() === v.toLowerCase()) &&
        labelsMatch(filters, r._full.labels),
    )
    .sort((a, b) => b._created - a._created)
    .map(({ _full, _created, ...row }) => row);
}

/** Finds one pod by ID (or unique prefix), `k8s://ns/pod`, `ns/pod` or a unique pod name. */
function findPod(pods: readonly CriPod[], ref: string): CriPod {
  const byId = pods.filter((p) => p.id === ref || (ref.length >= 1 && p.id.startsWith(ref)));
  if (byId.length === 1 && byId[0]) return byId[0];
  const name = ref.startsWith('k8s://') ? ref.slice('k8s://'.length) : ref;
  const [ns, pod] = name.includes('/') ? name.split('/', 2) : [undefined, name];
  const byName = pods
    .filter((p) => p.metadata?.name === pod && (ns === undefined || p.metadata?.namespace === ns))
    // Several attempts of one pod: the newest, as kubelet would use.
    .sort((a, b) => Number(BigInt(b.created_at) - BigInt(a.created_at)));
  const namespaces = new Set(byName.map((p) => p.metadata?.namespace));
  if (byName[0] && namespaces.size === 1) return byName[0];
  if (byName.length > 1 || byId.length > 1) {
    throw new BerthError(`multiple pods match ${ref}: give the pod ID or k8s://<namespace>/<pod>`);
  }
  throw new BerthError(`No such pod: ${ref}`);
}

export async function inspectPods(
  client: Client,
  refs: readonly string[],
): Promise<{ found: unknown[]; errors: string[] }> {
  const cri = criOf(client);
  const { pods, containers } = await listAll(client);
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      const p = findPod(pods, ref);
      const { status } = await cri.runtime.podSandboxStatus(p.id);
      const hostNetwork = status?.linux?.namespaces?.options?.network === 'NODE';
      const mine = containers.filter((c) => c.pod_sandbox_id === p.id);
      found.push({
        Id: p.id,
        Name: `k8s://${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`,
        Namespace: p.metadata?.namespace ?? '',
        Pod: p.metadata?.name ?? '',
        Uid: p.metadata?.uid ?? '',
        Attempt: p.metadata?.attempt ?? 0,
        State: stateWord(p),
        Created: (nsToDate(p.created_at) ?? new Date(0)).toISOString(),
        RuntimeHandler: p.runtime_handler,
        Network: {
          Mode: hostNetwork ? 'host' : 'pod',
          IP: status?.network?.ip ?? '',
          AdditionalIPs: (status?.network?.additional_ips ?? []).map((i) => i.ip),
        },
        Labels: p.labels,
        Annotations: p.annotations,
        Containers: mine
          .sort((a, b) => Number(BigInt(a.created_at) - BigInt(b.created_at)))
          .map((c) => ({
            Id: c.id,
            Name: c.metadata?.name ?? '',
            Attempt: c.metadata?.attempt ?? 0,
            State: c.state,
            Image: c.image?.image ?? '',
            ImageID: c.image_ref,
            Created: (nsToDate(c.created_at) ?? new Date(0)).toISOString(),
          })),
      });
    } catch (err) {
      if (!(err instanceof BerthError)) throw err;
      errors.push(err.message);
    }
  }
  return { found, errors };
}
