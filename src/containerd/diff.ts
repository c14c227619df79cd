import type { CallOptions, Connection } from './connection.js';
import { ServiceBase } from './service.js';
import type { ApplyRequest } from './generated/containerd/services/diff/v1/ApplyRequest.js';
import type { ApplyResponse__Output } from './generated/containerd/services/diff/v1/ApplyResponse.js';
import type { DiffRequest } from './generated/containerd/services/diff/v1/DiffRequest.js';
import type { DiffResponse__Output } from './generated/containerd/services/diff/v1/DiffResponse.js';

/** containerd.services.diff.v1.Diff: unpack layers onto mounts, or make layers from mounts. */
export class DiffService extends ServiceBase {
  constructor(conn: Connection) {
    super(conn, 'diff', 'containerd.services.diff.v1.Diff');
  }

  /** applied.digest is the layer's diff_id; compare it with the image config. */
  apply(request: ApplyRequest, opts?: CallOptions): Promise<ApplyResponse__Output> {
    return this.unary('Apply', request, opts);
  }

  diff(request: DiffRequest, opts?: CallOptions): Promise<DiffResponse__Output> {
    return this.unary('Diff', request, opts);
  }
}
