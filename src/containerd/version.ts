import type { CallOptions, Connection } from './connection.js';
import { ServiceBase } from './service.js';
import type { Empty } from './generated/google/protobuf/Empty.js';
import type { VersionResponse__Output } from './generated/containerd/services/version/v1/VersionResponse.js';

/** containerd.services.version.v1.Version: the cheapest reachability probe. */
export class VersionService extends ServiceBase {
  constructor(conn: Connection) {
    super(conn, 'version', 'containerd.services.version.v1.Version');
  }

  version(request: Empty = {}, opts?: CallOptions): Promise<VersionResponse__Output> {
    return this.unary('Version', request, opts);
  }
}
