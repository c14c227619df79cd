/**
 * kubelet's runtime API (CRI, runtime.v1) as containerd's CRI plugin serves it on containerd's own
 * socket: berth asks it about the objects CRI manages (pods, their containers and images) instead
 * of guessing from containerd's records, and makes the few changes it allows through it, so CRI's
 * own bookkeeping (exit codes, log paths, sandboxes) stays true.
 */
import type { Client } from '../containerd/client.js';
import type { CallOptions, Connection } from '../containerd/connection.js';
import { ServiceBase } from '../containerd/service.js';
import type { ContainerStatusResponse__Output } from '../containerd/generated/runtime/v1/ContainerStatusResponse.js';
import type { ContainerFilter } from '../containerd/generated/runtime/v1/ContainerFilter.js';
import type { ListContainersResponse__Output } from '../containerd/generated/runtime/v1/ListContainersResponse.js';
import type { ListImagesResponse__Output } from '../containerd/generated/runtime/v1/ListImagesResponse.js';
import type { ListPodSandboxResponse__Output } from '../containerd/generated/runtime/v1/ListPodSandboxResponse.js';
import type { PodSandboxFilter } from '../containerd/generated/runtime/v1/PodSandboxFilter.js';
import type { PodSandboxStatusResponse__Output } from '../containerd/generated/runtime/v1/PodSandboxStatusResponse.js';
import type { StatusResponse__Output } from '../containerd/generated/runtime/v1/StatusResponse.js';

export type { ContainerStatus__Output as CriContainerStatus } from '../containerd/generated/runtime/v1/ContainerStatus.js';
export type { PodSandboxStatus__Output as CriPodStatus } from '../containerd/generated/runtime/v1/PodSandboxStatus.js';
export type { PodSandbox__Output as CriPod } from '../containerd/generated/runtime/v1/PodSandbox.js';
export type { Container__Output as CriContainer } from '../containerd/generated/runtime/v1/Container.js';
export type { Image__Output as CriImage } from '../containerd/generated/runtime/v1/Image.js';

/** runtime.v1.RuntimeService: pods and containers. */
export class CriRuntime extends ServiceBase {
  constructor(conn: Connection) {
    super(conn, 'cri', 'runtime.v1.RuntimeService');
  }

  status(verbose = false, opts?: CallOptions): Promise<StatusResponse__Output> {
    return this.unary('Status', { verbose }, opts);
  }

  containerStatus(
    id: string,
    verbose = false,
    opts?: CallOptions,
  ): Promise<ContainerStatusResponse__Output> {
    return this.unary('ContainerStatus', { container_id: id, verbose }, opts);
  }

  podSandboxStatus(
    id: string,
    verbose = false,
    opts?: CallOptions,
  ): Promise<PodSandboxStatusResponse__Output> {
    return this.unary('PodSandboxStatus', { pod_sandbox_id: id, verbose }, opts);
  }

  listPodSandbox(
    filter: PodSandboxFilter = {},
    opts?: CallOptions,
  ): Promise<ListPodSandboxResponse__Output> {
    return this.unary('ListPodSandbox', { filter }, opts);
  }

  listContainers(
    filter: ContainerFilter = {},
    opts?: CallOptions,
  ): Promise<ListContainersResponse__Output> {
    return this.unary('ListContainers', { filter }, opts);
  }

  /** CRI's stop: the image's stop signal, then SIGKILL after `timeout` seconds (0: at once). */
  stopContainer(id: string, timeout: number, opts?: CallOptions): Promise<void> {
    // CRI's own timeout plus a margin: the call blocks until the container has exited.
    return this.unaryVoid(
      'StopContainer',
      { container_id: id, timeout },
      { timeoutMs: (timeout + 30) * 1000, ...opts },
    );
  }

  startContainer(id: string, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('StartContainer', { container_id: id }, opts);
  }

  stopPodSandbox(id: string, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('StopPodSandbox', { pod_sandbox_id: id }, opts);
  }

  removeContainer(id: string, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('RemoveContainer', { container_id: id }, opts);
  }
}

/** runtime.v1.ImageService: the images kubelet sees. */
export class CriImages extends ServiceBase {
  constructor(conn: Connection) {
    super(conn, 'cri', 'runtime.v1.ImageService');
  }

  listImages(opts?: CallOptions): Promise<ListImagesResponse__Output> {
    return this.unary('ListImages', { filter: {} }, opts);
  }
}

export interface Cri {
  runtime: CriRuntime;
  images: CriImages;
}

const byClient = new WeakMap<Client, Cri>();

/** The CRI services on the same channel as `client` (created on first use). */
export function criOf(client: Client): Cri {
  let cri = byClient.get(client);
  if (!cri) {
    const conn = client.connection;
    cri = { runtime: new CriRuntime(conn), images: new CriImages(conn) };
    byClient.set(client, cri);
  }
  return cri;
}
