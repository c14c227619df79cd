import type { CallOptions, Connection } from './connection.js';
import type { ServerStream } from './rpc.js';
import { collect, ServiceBase } from './service.js';
import type { CleanupRequest } from './generated/containerd/services/snapshots/v1/CleanupRequest.js';
import type { CommitSnapshotRequest } from './generated/containerd/services/snapshots/v1/CommitSnapshotRequest.js';
import type { Info__Output } from './generated/containerd/services/snapshots/v1/Info.js';
import type { ListSnapshotsRequest } from './generated/containerd/services/snapshots/v1/ListSnapshotsRequest.js';
import type { ListSnapshotsResponse__Output } from './generated/containerd/services/snapshots/v1/ListSnapshotsResponse.js';
import type { MountsRequest } from './generated/containerd/services/snapshots/v1/MountsRequest.js';
import type { MountsResponse__Output } from './generated/containerd/services/snapshots/v1/MountsResponse.js';
import type { PrepareSnapshotRequest } from './generated/containerd/services/snapshots/v1/PrepareSnapshotRequest.js';
import type { PrepareSnapshotResponse__Output } from './generated/containerd/services/snapshots/v1/PrepareSnapshotResponse.js';
import type { RemoveSnapshotRequest } from './generated/containerd/services/snapshots/v1/RemoveSnapshotRequest.js';
import type { StatSnapshotRequest } from './generated/containerd/services/snapshots/v1/StatSnapshotRequest.js';
import type { StatSnapshotResponse__Output } from './generated/containerd/services/snapshots/v1/StatSnapshotResponse.js';
import type { UpdateSnapshotRequest } from './generated/containerd/services/snapshots/v1/UpdateSnapshotRequest.js';
import type { UpdateSnapshotResponse__Output } from './generated/containerd/services/snapshots/v1/UpdateSnapshotResponse.js';
import type { UsageRequest } from './generated/containerd/services/snapshots/v1/UsageRequest.js';
import type { UsageResponse__Output } from './generated/containerd/services/snapshots/v1/UsageResponse.js';
import type { ViewSnapshotRequest } from './generated/containerd/services/snapshots/v1/ViewSnapshotRequest.js';
import type { ViewSnapshotResponse__Output } from './generated/containerd/services/snapshots/v1/ViewSnapshotResponse.js';

/**
 * containerd.services.snapshots.v1.Snapshots. Prepare under a lease: an
 * unreferenced active snapshot can be collected by the next GC. remove() is
 * not refused while a running container uses the snapshot.
 */
export class SnapshotsService extends ServiceBase {
  constructor(conn: Connection) {
    super(conn, 'snapshots', 'containerd.services.snapshots.v1.Snapshots');
  }

  prepare(
    request: PrepareSnapshotRequest,
    opts?: CallOptions,
  ): Promise<PrepareSnapshotResponse__Output> {
    return this.unary('Prepare', request, opts);
  }

  view(request: ViewSnapshotRequest, opts?: CallOptions): Promise<ViewSnapshotResponse__Output> {
    return this.unary('View', request, opts);
  }

  mounts(request: MountsRequest, opts?: CallOptions): Promise<MountsResponse__Output> {
    return this.unary('Mounts', request, opts);
  }

  commit(request: CommitSnapshotRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Commit', request, opts);
  }

  remove(request: RemoveSnapshotRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Remove', request, opts);
  }

  stat(request: StatSnapshotRequest, opts?: CallOptions): Promise<StatSnapshotResponse__Output> {
    return this.unary('Stat', request, opts);
  }

  update(
    request: UpdateSnapshotRequest,
    opts?: CallOptions,
  ): Promise<UpdateSnapshotResponse__Output> {
    return this.unary('Update', request, opts);
  }

  /** The raw List stream (batches of Info). */
  listStream(
    request: ListSnapshotsRequest,
    opts?: CallOptions,
  ): ServerStream<ListSnapshotsResponse__Output> {
    return this.serverStream('List', request, opts);
  }

  /** All snapshots of one snapshotter matching the filters. */
  async list(request: ListSnapshotsRequest, opts?: CallOptions): Promise<Info__Output[]> {
    return (await collect(this.listStream(request, opts))).flatMap((r) => r.info);
  }

  usage(request: UsageRequest, opts?: CallOptions): Promise<UsageResponse__Output> {
    return this.unary('Usage', request, opts);
  }

  cleanup(request: CleanupRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Cleanup', request, opts);
  }
}
