import type { CallOptions, Connection } from './connection.js';
import { ServiceBase } from './service.js';
import type { CreateNamespaceRequest } from './generated/containerd/services/namespaces/v1/CreateNamespaceRequest.js';
import type { CreateNamespaceResponse__Output } from './generated/containerd/services/namespaces/v1/CreateNamespaceResponse.js';
import type { DeleteNamespaceRequest } from './generated/containerd/services/namespaces/v1/DeleteNamespaceRequest.js';
import type { GetNamespaceRequest } from './generated/containerd/services/namespaces/v1/GetNamespaceRequest.js';
import type { GetNamespaceResponse__Output } from './generated/containerd/services/namespaces/v1/GetNamespaceResponse.js';
import type { ListNamespacesRequest } from './generated/containerd/services/namespaces/v1/ListNamespacesRequest.js';
import type { ListNamespacesResponse__Output } from './generated/containerd/services/namespaces/v1/ListNamespacesResponse.js';
import type { UpdateNamespaceRequest } from './generated/containerd/services/namespaces/v1/UpdateNamespaceRequest.js';
import type { UpdateNamespaceResponse__Output } from './generated/containerd/services/namespaces/v1/UpdateNamespaceResponse.js';

/** containerd.services.namespaces.v1.Namespaces. Delete fails (FAILED_PRECONDITION) while a namespace is in use. */
export class NamespacesService extends ServiceBase {
  constructor(conn: Connection) {
    super(conn, 'namespaces', 'containerd.services.namespaces.v1.Namespaces');
  }

  get(request: GetNamespaceRequest, opts?: CallOptions): Promise<GetNamespaceResponse__Output> {
    return this.unary('Get', request, opts);
  }

  list(
    request: ListNamespacesRequest = {},
    opts?: CallOptions,
  ): Promise<ListNamespacesResponse__Output> {
    return this.unary('List', request, opts);
  }

  create(
    request: CreateNamespaceRequest,
    opts?: CallOptions,
  ): Promise<CreateNamespaceResponse__Output> {
    return this.unary('Create', request, opts);
  }

  update(
    request: UpdateNamespaceRequest,
    opts?: CallOptions,
  ): Promise<UpdateNamespaceResponse__Output> {
    return this.unary('Update', request, opts);
  }

  delete(request: DeleteNamespaceRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Delete', request, opts);
  }
}
