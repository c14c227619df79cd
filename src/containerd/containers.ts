import type { CallOptions, Connection } from './connection.js';
import type { ServerStream } from './rpc.js';
import { ServiceBase } from './service.js';
import type { CreateContainerRequest } from './generated/containerd/services/containers/v1/CreateContainerRequest.js';
import type { CreateContainerResponse__Output } from './generated/containerd/services/containers/v1/CreateContainerResponse.js';
import type { DeleteContainerRequest } from './generated/containerd/services/containers/v1/DeleteContainerRequest.js';
import type { GetContainerRequest } from './generated/containerd/services/containers/v1/GetContainerRequest.js';
import type { GetContainerResponse__Output } from './generated/containerd/services/containers/v1/GetContainerResponse.js';
import type { ListContainerMessage__Output } from './generated/containerd/services/containers/v1/ListContainerMessage.js';
import type { ListContainersRequest } from './generated/containerd/services/containers/v1/ListContainersRequest.js';
import type { ListContainersResponse__Output } from './generated/containerd/services/containers/v1/ListContainersResponse.js';
import type { UpdateContainerRequest } from './generated/containerd/services/containers/v1/UpdateContainerRequest.js';
import type { UpdateContainerResponse__Output } from './generated/containerd/services/containers/v1/UpdateContainerResponse.js';

/**
 * containerd.services.containers.v1.Containers. Records only; note that
 * delete() succeeds even while the container's task exists, so callers must
 * delete the task first.
 */
export class ContainersService extends ServiceBase {
  constructor(conn: Connection) {
    super(conn, 'containers', 'containerd.services.containers.v1.Containers');
  }

  get(request: GetContainerRequest, opts?: CallOptions): Promise<GetContainerResponse__Output> {
    return this.unary('Get', request, opts);
  }

  list(
    request: ListContainersRequest = {},
    opts?: CallOptions,
  ): Promise<ListContainersResponse__Output> {
    return this.unary('List', request, opts);
  }

  /** One container per message; use when List could exceed the 16 MiB message cap. */
  listStream(
    request: ListContainersRequest = {},
    opts?: CallOptions,
  ): ServerStream<ListContainerMessage__Output> {
    return this.serverStream('ListStream', request, opts);
  }

  create(
    request: CreateContainerRequest,
    opts?: CallOptions,
  ): Promise<CreateContainerResponse__Output> {
    return this.unary('Create', request, opts);
  }

  update(
    request: UpdateContainerRequest,
    opts?: CallOptions,
  ): Promise<UpdateContainerResponse__Output> {
    return this.unary('Update', request, opts);
  }

  delete(request: DeleteContainerRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Delete', request, opts);
  }
}
