import type { CallOptions, Connection } from './connection.js';
import { ServiceBase } from './service.js';
import type { Empty } from './generated/google/protobuf/Empty.js';
import type { PluginsRequest } from './generated/containerd/services/introspection/v1/PluginsRequest.js';
import type { PluginsResponse__Output } from './generated/containerd/services/introspection/v1/PluginsResponse.js';
import type { ServerResponse__Output } from './generated/containerd/services/introspection/v1/ServerResponse.js';

/** containerd.services.introspection.v1.Introspection: loaded plugins and daemon identity. */
export class IntrospectionService extends ServiceBase {
  constructor(conn: Connection) {
    super(conn, 'introspection', 'containerd.services.introspection.v1.Introspection');
  }

  plugins(request: PluginsRequest = {}, opts?: CallOptions): Promise<PluginsResponse__Output> {
    return this.unary('Plugins', request, opts);
  }

  server(request: Empty = {}, opts?: CallOptions): Promise<ServerResponse__Output> {
    return this.unary('Server', request, opts);
  }
}
