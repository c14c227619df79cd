/**
 * The images a node needs, as CRI sees them: which image IDs its containers and sandboxes run
 * (CRI reports image IDs, so an image stays "in use" whatever names it has left), and which must
 * never go without force (the sandbox image CRI starts every pod from, and pinned images).
 */
import type { Client } from '../containerd/client.js';
import { ContainerdError, GrpcCode } from '../containerd/errors.js';
import { CRI_LABEL } from '../labels.js';
import { parseDockerRef } from '../registry/reference.js';
import { criOf } from './client.js';

export const PINNED_LABEL = 'io.cri-containerd.pinned';

export interface ImageUser {
  id: string;
  running: boolean;
}

export interface CriImageFacts {
  /** Image ID (`sha256:<config>`) -> the CRI containers and sandboxes that use it. */
  users: Map<string, ImageUser[]>;
  /** Image ID -> why it is kept (`the sandbox image`, `pinned`). */
  kept: Map<string, string>;
}

/** An image as far as these checks need it: one record of it. */
export interface ImageRecordLike {
  name: string;
  configDigest: string;
  labels: Record<string, string>;
}

/** True when the socket has no CRI (a containerd with the plugin disabled). */
export function isNoCri(err: unknown): boolean {
  return (
    err instanceof ContainerdError &&
    (err.code === GrpcCode.UNIMPLEMENTED || err.code === GrpcCode.UNAVAILABLE)
  );
}

/** CRI's configured sandbox image (from Status with verbose info), or undefined. */
export async function sandboxImage(client: Client): Promise<string | undefined> {
  const res = await criOf(client).runtime.status(true);
  try {
    const config = JSON.parse(res.info['config'] ?? '{}') as { sandboxImage?: string };
    return config.sandboxImage || undefined;
  } catch {
    return undefined;
  }
}

function fullName(ref: string): string | undefined {
  try {
    return parseDockerRef(ref).full;
  } catch {
    return undefined;
  }
}

/**
 * What CRI knows of image use in this namespace, or undefined when the socket has no CRI or the
 * namespace is not CRI's (then berth's own rules apply alone).
 */
export async function criImageFacts(
  client: Client,
  images: readonly ImageRecordLike[],
  containers: readonly { id: string; image: string; labels: Record<string, string> }[],
): Promise<CriImageFacts | undefined> {
  if (client.namespace !== 'k8s.io') return undefined;
  const cri = criOf(client);
  let listed;
  let sandbox: string | undefined;
  try {
    [listed, sandbox] = await Promise.all([cri.runtime.listContainers(), sandboxImage(client)]);
  } catch (err) {
    if (isNoCri(err)) return undefined;
    throw err;
  }
  const idByName = new Map(images.map((i) => [i.name, i.configDigest]));
  const users = new Map<string, ImageUser[]>();
  const add = (imageId: string | undefined, user: ImageUser): void => {
    if (!imageId) return;
    const list = users.get(imageId) ?? [];
    if (!list.some((u) => u.id === user.id)) list.push(user);
    users.set(imageId, list);
  };
  for (const c of listed.containers) {
    // CRI's image_ref is the image ID; older records may carry a name instead.
    const ref = c.image_ref.startsWith('sha256:') ? c.image_ref : idByName.get(c.image_ref);
    add(ref, { id: c.id, running: c.state === 'CONTAINER_RUNNING' });
  }
  const sandboxes = containers.filter((c) => c.labels[CRI_LABEL.kind] === 'sandbox');
  if (sandboxes.length > 0) {
    const { items } = await cri.runtime.listPodSandbox();
    const ready = new Set(items.filter((p) => p.state === 'SANDBOX_READY').map((p) => p.id));
    for (const s of sandboxes) add(idByName.get(s.image), { id: s.id, running: ready.has(s.id) });
  }
  const kept = new Map<string, string>();
  const sandboxName = sandbox ? fullName(sandbox) : undefined;
  const sandboxId = sandboxName ? idByName.get(sandboxName) : undefined;
  if (sandboxId) kept.set(sandboxId, `it is CRI's sandbox image (${sandbox})`);
  for (const i of images) {
    if (i.labels[PINNED_LABEL] === 'pinned' && !kept.has(i.configDigest)) {
      kept.set(i.configDigest, `it is pinned (${PINNED_LABEL})`);
    }
  }
  return { users, kept };
}
