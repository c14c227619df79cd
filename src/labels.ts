// containerd labels berth writes on containers and images. The truth about a container lives in
// these labels (not in side files), so every berth process, and nerdctl, sees the same state.

export const LABEL = {
  /** The container's name (unique per namespace). */
  name: 'berth/name',
  /** The image as the user typed it, shown by `ps` like Docker does. */
  imageRef: 'berth/image',
  /** `--rm`: remove when the task exits, even if berth is gone (`-d --rm`). */
  autoRemove: 'berth/auto-remove',
  /** Host path of the json-file log. */
  logPath: 'berth/log-path',
  /** Per-container state dir under data_root (hosts, resolv.conf, FIFOs…). */
  stateDir: 'berth/state-dir',
  hostname: 'berth/hostname',
  platform: 'berth/platform',
  stopTimeout: 'berth/stop-timeout',
  /** JSON: Docker-shaped HostConfig bits inspect shows and `start` needs again. */
  hostConfig: 'berth/host-config',
  /** JSON array of `{HostIp, HostPort, ContainerPort, Protocol}`. */
  ports: 'berth/ports',
  /** JSON: Docker-shaped NetworkSettings captured at setup, for inspect. */
  networkSettings: 'berth/network-settings',
  /** JSON array of network names. */
  networks: 'berth/networks',
  /** JSON array of Docker-shaped mounts. */
  mounts: 'berth/mounts',
  /** JSON array of anonymous volume names, removed by `rm -v` and `--rm`. */
  anonymousVolumes: 'berth/anonymous-volumes',
  /** Set by `stop`/`kill` so the restart policy does not bring the container back. */
  explicitlyStopped: 'berth/explicitly-stopped',
  /**
   * JSON array of the keys of labels whose value is empty (`-l key`): containerd drops a label
   * set to "", so their keys live here and are shown back as `"key": ""`.
   */
  emptyLabels: 'berth/empty-labels',
  /** JSON: Docker's Config.Healthcheck after merging the flags with the image's HEALTHCHECK. */
  healthcheck: 'berth/healthcheck',
} as const;

/** nerdctl's labels, read so containers it created show with their names. */
export const NERDCTL_LABEL = {
  name: 'nerdctl/name',
  autoRemove: 'nerdctl/auto-remove',
} as const;

/** containerd's restart monitor (plugin io.containerd.internal.v1.restart). */
export const RESTART_LABEL = {
  status: 'containerd.io/restart.status',
  policy: 'containerd.io/restart.policy',
  logUri: 'containerd.io/restart.loguri',
  explicitlyStopped: 'containerd.io/restart.explicitly-stopped',
  count: 'containerd.io/restart.count',
} as const;

/** Kubernetes (CRI) labels, for `k8s://ns/pod/ctr` names in the k8s.io namespace. */
export const CRI_LABEL = {
  kind: 'io.cri-containerd.kind',
  podNamespace: 'io.kubernetes.pod.namespace',
  podName: 'io.kubernetes.pod.name',
  containerName: 'io.kubernetes.container.name',
  imageManaged: 'io.cri-containerd.image',
} as const;

/** The name to show for a container: berth's, nerdctl's, the CRI form, or none. */
export function containerName(labels: Record<string, string> | undefined): string {
  if (!labels) return '';
  const own = labels[LABEL.name] ?? labels[NERDCTL_LABEL.name];
  if (own) return own;
  const ns = labels[CRI_LABEL.podNamespace];
  const pod = labels[CRI_LABEL.podName];
  if (ns && pod) {
    const ctr = labels[CRI_LABEL.containerName];
    return ctr ? `k8s://${ns}/${pod}/${ctr}` : `k8s://${ns}/${pod}`;
  }
  return '';
}

/** True for containers kubelet manages; mutating them needs explicit confirmation. */
export function isCriManaged(labels: Record<string, string> | undefined): boolean {
  return Boolean(labels?.[CRI_LABEL.kind]);
}

/** The networks a container's labels name (`berth/networks`), for ps, inspect and `network rm`. */
export function networksFromLabels(labels: Record<string, string> | undefined): string[] {
  try {
    const v = JSON.parse(labels?.[LABEL.networks] ?? '[]') as unknown;
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

/** Labels as containerd can keep them: empty-valued keys moved into `berth/empty-labels`. */
export function encodeEmptyLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const empty: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (v === '') empty.push(k);
    else out[k] = v;
  }
  if (empty.length > 0) out[LABEL.emptyLabels] = JSON.stringify(empty);
  return out;
}

/** A container's labels with the empty-valued ones containerd could not store put back. */
export function withEmptyLabels(
  labels: Record<string, string> | undefined,
): Record<string, string> {
  const text = labels?.[LABEL.emptyLabels];
  if (!text) return labels ?? {};
  let keys: unknown;
  try {
    keys = JSON.parse(text);
  } catch {
    return labels ?? {};
  }
  if (!Array.isArray(keys)) return labels ?? {};
  const out = { ...labels };
  for (const k of keys) if (typeof k === 'string' && !Object.hasOwn(out, k)) out[k] = '';
  return out;
}
