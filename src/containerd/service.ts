/** Shared plumbing for the one-module-per-service wrappers. */
import type { CallOptions, Connection } from './connection.js';
import { loadService, type ServiceDef, type ServiceName } from './descriptors.js';
import { Lockstep, serverStream, type ServerStream, unary } from './rpc.js';

export abstract class ServiceBase {
  /** Parsed in the constructor, i.e. on first access of `client.<service>`, never earlier. */
  protected readonly def: ServiceDef;

  constructor(
    protected readonly conn: Connection,
    service: ServiceName,
    fullName: string,
  ) {
    this.def = loadService(service, fullName);
  }

  protected unary<I, O>(method: string, request: I, opts?: CallOptions): Promise<O> {
    return unary(this.conn, this.def.method<I, O>(method), request, opts);
  }

  /** For RPCs returning google.protobuf.Empty: callers get void, not `{}`. */
  protected async unaryVoid<I>(method: string, request: I, opts?: CallOptions): Promise<void> {
    await unary(this.conn, this.def.method<I, object>(method), request, opts);
  }

  protected serverStream<I, O>(method: string, request: I, opts?: CallOptions): ServerStream<O> {
    return serverStream(this.conn, this.def.method<I, O>(method), request, opts);
  }

  protected lockstep<I, O>(method: string, opts?: CallOptions): Lockstep<I, O> {
    return new Lockstep(this.conn, this.def.method<I, O>(method), opts);
  }
}

/** Drains a server stream into an array. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}
