import { randomBytes } from 'node:crypto';
import type { CallOptions, Connection } from './connection.js';
import { NotFoundError } from './errors.js';
import { rfc3339 } from './helpers.js';
import { processStartTime } from '../process.js';
import { ServiceBase } from './service.js';
import type { AddResourceRequest } from './generated/containerd/services/leases/v1/AddResourceRequest.js';
import type { CreateRequest } from './generated/containerd/services/leases/v1/CreateRequest.js';
import type { CreateResponse__Output } from './generated/containerd/services/leases/v1/CreateResponse.js';
import type { DeleteRequest } from './generated/containerd/services/leases/v1/DeleteRequest.js';
import type { DeleteResourceRequest } from './generated/containerd/services/leases/v1/DeleteResourceRequest.js';
import type { ListRequest } from './generated/containerd/services/leases/v1/ListRequest.js';
import type { ListResourcesRequest } from './generated/containerd/services/leases/v1/ListResourcesRequest.js';
import type { ListResourcesResponse__Output } from './generated/containerd/services/leases/v1/ListResourcesResponse.js';
import type { ListResponse__Output } from './generated/containerd/services/leases/v1/ListResponse.js';

/** containerd.services.leases.v1.Leases. */
export class LeasesService extends ServiceBase {
  constructor(conn: Connection) {
    super(conn, 'leases', 'containerd.services.leases.v1.Leases');
  }

  /** The id is required in practice: containerd rejects an empty one. See newLeaseId(). */
  create(request: CreateRequest, opts?: CallOptions): Promise<CreateResponse__Output> {
    return this.unary('Create', request, opts);
  }

  /** sync: true runs the garbage collector before returning (slow; useful in tests). */
  delete(request: DeleteRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Delete', request, opts);
  }

  list(request: ListRequest = {}, opts?: CallOptions): Promise<ListResponse__Output> {
    return this.unary('List', request, opts);
  }

  addResource(request: AddResourceRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('AddResource', request, opts);
  }

  deleteResource(request: DeleteResourceRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('DeleteResource', request, opts);
  }

  listResources(
    request: ListResourcesRequest,
    opts?: CallOptions,
  ): Promise<ListResourcesResponse__Output> {
    return this.unary('ListResources', request, opts);
  }
}

/** Label after which containerd's GC drops a lease that its creator never deleted (crash, SIGKILL). */
export const GC_EXPIRE_LABEL = 'containerd.io/gc.expire';

/** Unique, sortable-ish lease id; the prefix makes berth's leases recognisable in `ctr leases ls`. */
export function newLeaseId(prefix = 'berth'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * Which berth process holds a lease (`<pid>/<start time>`), so that the next command can drop
 * the leases of one that was killed (SIGKILL leaves them for their whole 24 h otherwise).
 */
export const LEASE_OWNER_LABEL = 'berth/owner';

function ownerOf(pid: number): string | undefined {
  const start = processStartTime(pid);
  return start === undefined ? undefined : `${pid}/${start}`;
}

/** This process as a lease owner. */
export function leaseOwner(): string {
  return ownerOf(process.pid) ?? `${process.pid}/0`;
}

/**
 * Deletes the leases of berth processes that are gone, first removing the active `extract-*`
 * snapshots they held (an unpack cut short), so that nothing half-made outlives them.
 */
export async function sweepDeadLeases(
  client: { readonly leases: LeasesService; readonly snapshots: SnapshotRemover },
  opts: CallOptions = {},
): Promise<number> {
  const { leases } = await client.leases.list({ filters: [`labels."${LEASE_OWNER_LABEL}"`] }, opts);
  let swept = 0;
  for (const l of leases) {
    const owner = l.labels?.[LEASE_OWNER_LABEL] ?? '';
    const pid = Number(owner.split('/')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || ownerOf(pid) === owner) continue;
    const { resources } = await client.leases
      .listResources({ id: l.id }, opts)
      .catch(() => ({ resources: [] as { id: string; type: string }[] }));
    for (const r of resources) {
      if (!r.type.startsWith('snapshots/') || !r.id.startsWith('extract-')) continue;
      await client.snapshots
        .remove({ snapshotter: r.type.slice('snapshots/'.length), key: r.id }, opts)
        .catch(() => undefined);
    }
    await client.leases.delete({ id: l.id, sync: false }, opts).catch(() => undefined);
    swept++;
  }
  return swept;
}

interface SnapshotRemover {
  remove(request: { snapshotter: string; key: string }, opts?: CallOptions): Promise<unknown>;
}

export interface WithLeaseOptions {
  /** Safety net if berth dies before deleting the lease. Default 24 h. */
  expireHours?: number;
  labels?: Record<string, string>;
  /** Namespace override for the lease calls (the lease is namespaced). */
  namespace?: string;
  signal?: AbortSignal;
  /** Told about a failed lease delete (other than not-found); default: ignored, since gc.expire reclaims it. */
  onCleanupError?: (err: unknown, leaseId: string) => void;
}

/**
 * Runs fn under a fresh lease and deletes the lease afterwards, whatever fn
 * did. Pass the id to calls as CallOptions.lease; anything they create is
 * protected from GC until it is referenced by an image/container record or
 * the lease goes away. The delete is asynchronous (sync: false) so the
 * command does not wait for a GC pass.
 */
export async function withLease<T>(
  client: { readonly leases: LeasesService },
  fn: (leaseId: string) => Promise<T>,
  options: WithLeaseOptions = {},
): Promise<T> {
  const expireHours = options.expireHours ?? 24;
  const id = newLeaseId();
  const nsOpts: CallOptions =
    options.namespace !== undefined ? { namespace: options.namespace } : {};
  const callOpts: CallOptions =
    options.signal !== undefined ? { ...nsOpts, signal: options.signal } : nsOpts;
  await client.leases.create(
    {
      id,
      labels: {
        [LEASE_OWNER_LABEL]: leaseOwner(),
        ...options.labels,
        [GC_EXPIRE_LABEL]: rfc3339(new Date(Date.now() + expireHours * 3_600_000)),
      },
    },
    callOpts,
  );
  try {
    return await fn(id);
  } finally {
    // Not tied to the caller's signal: after Ctrl-C the lease should still go.
    try {
      await client.leases.delete({ id, sync: false }, nsOpts);
    } catch (err) {
      // Already gone is fine; anything else must not mask fn's own outcome.
      if (!(err instanceof NotFoundError)) options.onCleanupError?.(err, id);
    }
  }
}
