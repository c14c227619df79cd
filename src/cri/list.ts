/**
 * Listings over a namespace that CRI shares: the states containerd cannot tell (CRI deletes an
 * exited container's task and keeps its exit code), and what a Docker-style listing leaves out
 * (sandboxes unless asked, earlier attempts of a retried container unless all are asked for).
 */
import type { Client } from '../containerd/client.js';
import { NotFoundError } from '../containerd/errors.js';
import { criOf, type CriContainer } from './client.js';
import { isNoCri } from './images.js';
import { criKind, stateOfContainer, type CriState } from './state.js';

export interface CriListing {
  /** CRI's state of each CRI container that has no live task (exited ones, mostly). */
  states: Map<string, CriState>;
  /** Earlier attempts of containers kubelet has retried (same pod, same container name). */
  olderAttempts: Set<string>;
}

interface Record_ {
  id: string;
  labels: Record<string, string>;
}

/** Earlier attempts among CRI's containers: all but the highest attempt per pod and name. */
export function olderAttemptsOf(containers: readonly CriContainer[]): Set<string> {
  const latest = new Map<string, CriContainer>();
  for (const c of containers) {
    const key = `${c.pod_sandbox_id}/${c.metadata?.name ?? c.id}`;
    const seen = latest.get(key);
    if (!seen || (c.metadata?.attempt ?? 0) > (seen.metadata?.attempt ?? 0)) latest.set(key, c);
  }
  const keep = new Set([...latest.values()].map((c) => c.id));
  return new Set(containers.filter((c) => !keep.has(c.id)).map((c) => c.id));
}

/**
 * What CRI adds to a listing of `containers`; undefined when none of them is CRI's or the socket
 * has no CRI. `live` says which containers have a task that is not stopped (their state is the
 * task's, the same as CRI's).
 */
export async function criListing(
  client: Client,
  containers: readonly Record_[],
  live: (id: string) => boolean,
): Promise<CriListing | undefined> {
  if (!containers.some((c) => criKind(c.labels) !== undefined)) return undefined;
  const cri = criOf(client);
  let listed: CriContainer[];
  try {
    listed = (await cri.runtime.listContainers()).containers;
  } catch (err) {
    if (isNoCri(err)) return undefined;
    throw err;
  }
  const states = new Map<string, CriState>();
  const ask = containers.filter((c) => criKind(c.labels) === 'container' && !live(c.id));
  await Promise.all(
    ask.map(async (c) => {
      try {
        const { status } = await cri.runtime.containerStatus(c.id);
        if (status) states.set(c.id, stateOfContainer(status, 0));
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }),
  );
  return { states, olderAttempts: olderAttemptsOf(listed) };
}

/** True for a record the default listing hides: a sandbox (unless asked for). */
export function isSandbox(labels: Record<string, string> | undefined): boolean {
  return criKind(labels) === 'sandbox';
}
