/**
 * Changes to CRI's containers: the ones CRI can make (stop, remove, start of a created container)
 * go through CRI so its bookkeeping stays true; the rest are refused in one line that names the
 * pod and the flag, because a change behind CRI's back leaves kubelet unable to manage the pod.
 */
import type { Client } from '../containerd/client.js';
import { NotFoundError } from '../containerd/errors.js';
import { DaemonError } from '../errors.js';
import { CRI_LABEL } from '../labels.js';
import { criOf } from './client.js';
import { isNoCri } from './images.js';
import { criContainerState, criKind } from './state.js';

export const KUBE_FORCE_FLAG = '--kube-force';

/** `k8s://<namespace>/<pod>` of a CRI container or sandbox record. */
export function podNameOf(labels: Record<string, string>): string {
  return `k8s://${labels[CRI_LABEL.podNamespace] ?? ''}/${labels[CRI_LABEL.podName] ?? ''}`;
}

/** A refused change to a CRI object: the daemon's kind of conflict (exit 1). */
export class CriRefusedError extends DaemonError {
  constructor(message: string) {
    super(message, { kind: 'conflict' });
  }
}

/**
 * The refusal line. Without `why`, the change is allowed with the flag; with it, the flag does not
 * help and `why` says what to do instead.
 */
export function criRefusal(
  ref: string,
  labels: Record<string, string>,
  verb: string,
  why?: string,
): CriRefusedError {
  const what = criKind(labels) === 'sandbox' ? 'the sandbox of' : 'in';
  const head = `container ${ref} is ${what} pod ${podNameOf(labels)}, managed by Kubernetes (CRI): refusing to ${verb} it`;
  return new CriRefusedError(
    why ? `${head}; ${why}` : `${head} (pass ${KUBE_FORCE_FLAG} to do it anyway)`,
  );
}

/** CRI's StopContainer (stop signal, then SIGKILL after `timeoutSec`), or StopPodSandbox. */
export async function criStop(
  client: Client,
  id: string,
  labels: Record<string, string>,
  timeoutSec: number,
): Promise<void> {
  const cri = criOf(client);
  if (criKind(labels) === 'sandbox') {
    await cri.runtime.stopPodSandbox(id);
    return;
  }
  await cri.runtime.stopContainer(id, Math.max(0, timeoutSec));
}

/** CRI's RemoveContainer (it stops a running container first); a sandbox is never removed here. */
export async function criRemove(
  client: Client,
  ref: string,
  id: string,
  labels: Record<string, string>,
): Promise<void> {
  if (criKind(labels) === 'sandbox') {
    throw criRefusal(
      ref,
      labels,
      'remove',
      'removing a sandbox removes the pod: delete the pod through kubelet (kubectl delete pod)',
    );
  }
  try {
    await criOf(client).runtime.removeContainer(id);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}

/** CRI's StartContainer, which only starts a container that never ran (CONTAINER_CREATED). */
export async function criStart(
  client: Client,
  ref: string,
  id: string,
  labels: Record<string, string>,
): Promise<void> {
  const cri = criOf(client);
  const { status } = await cri.runtime.containerStatus(id);
  if (criKind(labels) === 'sandbox' || status?.state !== 'CONTAINER_CREATED') {
    throw criRefusal(
      ref,
      labels,
      'start',
      'CRI starts a container only once; kubelet runs a new attempt of it instead',
    );
  }
  await cri.runtime.startContainer(id);
}

export type ForcedChange =
  | { op: 'stop'; timeoutSec: number }
  | { op: 'kill'; signal: number }
  | { op: 'remove'; force: boolean }
  | { op: 'start' };

/**
 * A change the user forced (`--kube-force`) on one of CRI's objects, made through CRI so that
 * its bookkeeping stays true. False when CRI does not know the object (containerd labels that
 * only look like CRI's) or the change is not CRI's to make (a kill with another signal than
 * SIGKILL: the process exits and CRI records it as it would any exit); the caller then does it.
 */
export async function criForced(
  client: Client,
  container: { id: string; labels: Record<string, string> },
  ref: string,
  change: ForcedChange,
): Promise<boolean> {
  const kind = criKind(container.labels);
  if (!kind) return false;
  if (change.op === 'kill' && change.signal !== 9) return false;
  const state = kind === 'container' ? await criContainerState(client, container.id) : 'sandbox';
  if (state === undefined) return false;
  try {
    switch (change.op) {
      case 'stop':
        await criStop(client, container.id, container.labels, change.timeoutSec);
        return true;
      case 'kill':
        await criStop(client, container.id, container.labels, 0);
        return true;
      case 'start':
        await criStart(client, ref, container.id, container.labels);
        return true;
      case 'remove':
        if (state === 'CONTAINER_RUNNING' && !change.force) {
          throw new CriRefusedError(
            `You cannot remove a running container ${container.id}. ` +
              'Stop the container before attempting removal or force remove',
          );
        }
        await criRemove(client, ref, container.id, container.labels);
        return true;
    }
  } catch (err) {
    if (isNoCri(err)) return false;
    throw err;
  }
}
