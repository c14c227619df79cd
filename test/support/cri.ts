// A small CRI client for tests only: it plays kubelet against the CRI fixture
// (scripts/test-env/cri.sh), creating pods and containers the way kubelet does (its labels,
// annotations and /var/log/pods-like log layout) and reading CRI's own view back, so a test can
// judge berth by what CRI reports afterwards.
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ROOT } from './berth.js';

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the CRI tests through "npm test"`);
  return v;
}

export const criEnv = {
  /** The socket of the containerd with the CRI plugin (also berth's --address for CRI tests). */
  get address(): string {
    return need('BERTH_TEST_CRI_ADDRESS');
  },
  /** Root of the kubelet-like pod log directories (`<root>/<ns>_<pod>_<uid>/<ctr>/<n>.log`). */
  get podLogRoot(): string {
    return need('BERTH_TEST_CRI_POD_LOGS');
  },
  /** The sandbox image CRI is configured with (pushed to the test registry). */
  get sandboxImage(): string {
    return need('BERTH_TEST_CRI_SANDBOX_IMAGE');
  },
};

export function hasCriEnv(): boolean {
  return Boolean(process.env.BERTH_TEST_CRI_ADDRESS);
}

type Msg = Record<string, unknown>;

const PROTO = join(ROOT, 'proto', 'k8s.io', 'cri-api', 'pkg', 'apis', 'runtime', 'v1', 'api.proto');

let pkg: grpc.GrpcObject | undefined;
function runtimePackage(): grpc.GrpcObject {
  if (!pkg) {
    const def = protoLoader.loadSync(PROTO, {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    pkg = grpc.loadPackageDefinition(def);
  }
  return pkg;
}

type Unary = (
  req: Msg,
  meta: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: Msg) => void,
) => void;

export interface PodSpec {
  name: string;
  namespace?: string;
  uid?: string;
  attempt?: number;
  hostNetwork?: boolean;
  labels?: Record<string, string>;
  hostname?: string;
}

export interface Pod {
  id: string;
  name: string;
  namespace: string;
  uid: string;
  config: Msg;
  logDirectory: string;
}

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  attempt?: number;
  env?: Record<string, string>;
  mounts?: { container_path: string; host_path: string; readonly?: boolean }[];
  labels?: Record<string, string>;
  /** Start it after creating it (kubelet does both at once). */
  start?: boolean;
}

/** Every pod the tests make carries this label, so cleanup finds them whatever failed. */
export const TEST_POD_LABEL = 'org.berth.test.cri-run';

export class CriClient {
  private readonly runtime: grpc.Client;
  private readonly image: grpc.Client;
  readonly runId = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(readonly address = criEnv.address) {
    const p = runtimePackage() as unknown as {
      runtime: { v1: Record<string, grpc.ServiceClientConstructor> };
    };
    const target = `unix://${address}`;
    this.runtime = new p.runtime.v1.RuntimeService(target, grpc.credentials.createInsecure());
    this.image = new p.runtime.v1.ImageService(target, grpc.credentials.createInsecure(), {
      channelOverride: this.runtime.getChannel(),
    } as grpc.ClientOptions);
  }

  close(): void {
    this.runtime.close();
  }

  private call<T = Msg>(
    client: grpc.Client,
    method: string,
    req: Msg,
    timeoutMs = 60_000,
  ): Promise<T> {
    const fn = (client as unknown as Record<string, Unary>)[method];
    if (!fn) throw new Error(`no CRI method ${method}`);
    return new Promise((resolve, reject) => {
      fn.call(client, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) =>
        err ? reject(err) : resolve(res as T),
      );
    });
  }

  rt<T = Msg>(method: string, req: Msg = {}, timeoutMs?: number): Promise<T> {
    return this.call<T>(this.runtime, method, req, timeoutMs);
  }

  img<T = Msg>(method: string, req: Msg = {}, timeoutMs?: number): Promise<T> {
    return this.call<T>(this.image, method, req, timeoutMs);
  }

  /** RunPodSandbox with the config kubelet would send for a pod of this shape. */
  async runPod(spec: PodSpec): Promise<Pod> {
    const namespace = spec.namespace ?? 'default';
    const uid = spec.uid ?? randomUUID();
    const logDirectory = join(criEnv.podLogRoot, `${namespace}_${spec.name}_${uid}`);
    mkdirSync(logDirectory, { recursive: true });
    const nsOptions = {
      network: spec.hostNetwork === false ? 'POD' : 'NODE',
      pid: 'CONTAINER',
      ipc: 'POD',
    };
    const config: Msg = {
      metadata: { name: spec.name, uid, namespace, attempt: spec.attempt ?? 0 },
      hostname: spec.hostNetwork === false ? (spec.hostname ?? spec.name) : '',
      log_directory: logDirectory,
      dns_config: { servers: [], searches: [], options: [] },
      port_mappings: [],
      labels: {
        'io.kubernetes.pod.name': spec.name,
        'io.kubernetes.pod.namespace': namespace,
        'io.kubernetes.pod.uid': uid,
        [TEST_POD_LABEL]: this.runId,
        ...spec.labels,
      },
      annotations: {
        'kubernetes.io/config.seen': new Date().toISOString(),
        'kubernetes.io/config.source': 'api',
      },
      linux: {
        cgroup_parent: '',
        security_context: { namespace_options: nsOptions, privileged: false },
      },
    };
    const res = await this.rt<{ pod_sandbox_id: string }>('RunPodSandbox', { config }, 120_000);
    return { id: res.pod_sandbox_id, name: spec.name, namespace, uid, config, logDirectory };
  }

  /** CreateContainer (and StartContainer) as kubelet does; the image must be present already. */
  async createContainer(pod: Pod, spec: ContainerSpec): Promise<string> {
    const attempt = spec.attempt ?? 0;
    const podNs = (pod.config['linux'] as { security_context: { namespace_options: Msg } })
      .security_context.namespace_options;
    mkdirSync(join(pod.logDirectory, spec.name), { recursive: true });
    const config: Msg = {
      metadata: { name: spec.name, attempt },
      image: { image: spec.image },
      command: spec.command ?? [],
      args: spec.args ?? [],
      working_dir: '',
      envs: Object.entries(spec.env ?? {}).map(([key, value]) => ({ key, value })),
      mounts: (spec.mounts ?? []).map((m) => ({
        container_path: m.container_path,
        host_path: m.host_path,
        readonly: m.readonly ?? false,
        propagation: 'PROPAGATION_PRIVATE',
      })),
      log_path: `${spec.name}/${attempt}.log`,
      labels: {
        'io.kubernetes.container.name': spec.name,
        'io.kubernetes.pod.name': pod.name,
        'io.kubernetes.pod.namespace': pod.namespace,
        'io.kubernetes.pod.uid': pod.uid,
        [TEST_POD_LABEL]: this.runId,
        ...spec.labels,
      },
      annotations: {
        'io.kubernetes.container.hash': '1a2b3c4d',
        'io.kubernetes.container.restartCount': String(attempt),
        'io.kubernetes.container.terminationMessagePath': '/dev/termination-log',
        'io.kubernetes.container.terminationMessagePolicy': 'File',
        'io.kubernetes.pod.terminationGracePeriod': '30',
      },
      linux: {
        resources: {},
        security_context: { namespace_options: podNs, privileged: false },
      },
    };
    const res = await this.rt<{ container_id: string }>('CreateContainer', {
      pod_sandbox_id: pod.id,
      config,
      sandbox_config: pod.config,
    });
    if (spec.start !== false) await this.rt('StartContainer', { container_id: res.container_id });
    return res.container_id;
  }

  async containerStatus(id: string): Promise<CriContainerStatus> {
    const res = await this.rt<{ status: CriContainerStatus }>('ContainerStatus', {
      container_id: id,
    });
    return res.status;
  }

  async podStatus(id: string): Promise<Msg> {
    const res = await this.rt<{ status: Msg }>('PodSandboxStatus', { pod_sandbox_id: id });
    return res.status;
  }

  async listContainers(podId?: string): Promise<CriContainerStatus[]> {
    const res = await this.rt<{ containers: CriContainerStatus[] }>('ListContainers', {
      filter: podId ? { pod_sandbox_id: podId } : {},
    });
    return res.containers;
  }

  /** Polls ContainerStatus until the state is `want` (CONTAINER_EXITED, …). */
  async waitState(id: string, want: string, timeoutMs = 30_000): Promise<CriContainerStatus> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.containerStatus(id);
      if (s.state === want) return s;
      if (Date.now() > end) throw new Error(`container ${id} is ${s.state}, not ${want}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async pullImage(ref: string): Promise<string> {
    const res = await this.img<{ image_ref: string }>(
      'PullImage',
      { image: { image: ref } },
      120_000,
    );
    return res.image_ref;
  }

  async imageStatus(
    ref: string,
  ): Promise<{ id: string; repo_tags: string[]; repo_digests: string[] } | null> {
    const res = await this.img<{
      image: { id: string; repo_tags: string[]; repo_digests: string[] } | null;
    }>('ImageStatus', { image: { image: ref } });
    return res.image && res.image.id ? res.image : null;
  }

  /** Stop and remove one pod, as kubelet does when a pod is deleted; errors propagate. */
  async removePod(id: string): Promise<void> {
    await this.rt('StopPodSandbox', { pod_sandbox_id: id });
    await this.rt('RemovePodSandbox', { pod_sandbox_id: id });
  }

  /** Removes every pod this client made (whatever state the test left them in). */
  async cleanup(): Promise<void> {
    const res = await this.rt<{ items: { id: string }[] }>('ListPodSandbox', {
      filter: { label_selector: { [TEST_POD_LABEL]: this.runId } },
    });
    for (const p of res.items) {
      await this.removePod(p.id).catch(() => undefined);
    }
  }
}

export interface CriContainerStatus {
  id: string;
  state: string;
  exit_code: number;
  created_at: string;
  started_at: string;
  finished_at: string;
  reason: string;
  log_path: string;
  image: { image: string };
  image_ref: string;
  labels: Record<string, string>;
  mounts: { container_path: string; host_path: string; readonly: boolean }[];
  metadata: { name: string; attempt: number };
}

/** ctr against the CRI fixture's k8s.io namespace. */
export function criCtr(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('ctr', ['--address', criEnv.address, '--namespace', 'k8s.io', ...args], {
    encoding: 'utf8',
    timeout: 60000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
