import type { CallOptions, Connection } from './connection.js';
import type { Lockstep, ServerStream } from './rpc.js';
import { collect, ServiceBase } from './service.js';
import type { AbortRequest } from './generated/containerd/services/content/v1/AbortRequest.js';
import type { DeleteContentRequest } from './generated/containerd/services/content/v1/DeleteContentRequest.js';
import type { Info__Output } from './generated/containerd/services/content/v1/Info.js';
import type { InfoRequest } from './generated/containerd/services/content/v1/InfoRequest.js';
import type { InfoResponse__Output } from './generated/containerd/services/content/v1/InfoResponse.js';
import type { ListContentRequest } from './generated/containerd/services/content/v1/ListContentRequest.js';
import type { ListContentResponse__Output } from './generated/containerd/services/content/v1/ListContentResponse.js';
import type { ListStatusesRequest } from './generated/containerd/services/content/v1/ListStatusesRequest.js';
import type { ListStatusesResponse__Output } from './generated/containerd/services/content/v1/ListStatusesResponse.js';
import type { ReadContentRequest } from './generated/containerd/services/content/v1/ReadContentRequest.js';
import type { ReadContentResponse__Output } from './generated/containerd/services/content/v1/ReadContentResponse.js';
import type { StatusRequest } from './generated/containerd/services/content/v1/StatusRequest.js';
import type { StatusResponse__Output } from './generated/containerd/services/content/v1/StatusResponse.js';
import type { UpdateRequest } from './generated/containerd/services/content/v1/UpdateRequest.js';
import type { UpdateResponse__Output } from './generated/containerd/services/content/v1/UpdateResponse.js';
import type { WriteContentRequest } from './generated/containerd/services/content/v1/WriteContentRequest.js';
import type { WriteContentResponse__Output } from './generated/containerd/services/content/v1/WriteContentResponse.js';

/**
 * A Content.Write stream driven request-by-request:
 *   await w.send({action: 'STAT', ref, total, expected})   // first message must carry ref
 *   await w.send({action: 'WRITE', ref, offset, data}) ...
 *   await w.send({action: 'COMMIT', ref, offset: total, total, expected, labels})
 *   await w.close()
 * COMMIT must repeat the final offset (0 means "truncate"). STAT with
 * `expected` rejects with AlreadyExistsError when the blob is present.
 */
export type ContentWriter = Lockstep<WriteContentRequest, WriteContentResponse__Output>;

/** containerd.services.content.v1.Content: blobs by digest and in-progress ingests by ref. */
export class ContentService extends ServiceBase {
  constructor(conn: Connection) {
    super(conn, 'content', 'containerd.services.content.v1.Content');
  }

  info(request: InfoRequest, opts?: CallOptions): Promise<InfoResponse__Output> {
    return this.unary('Info', request, opts);
  }

  /** Only labels are mutable (update_mask paths like "labels.<key>"). */
  update(request: UpdateRequest, opts?: CallOptions): Promise<UpdateResponse__Output> {
    return this.unary('Update', request, opts);
  }

  /** The raw List stream (batches of Info). */
  listStream(
    request: ListContentRequest = {},
    opts?: CallOptions,
  ): ServerStream<ListContentResponse__Output> {
    return this.serverStream('List', request, opts);
  }

  /** All blobs matching the filters, batches flattened. */
  async list(request: ListContentRequest = {}, opts?: CallOptions): Promise<Info__Output[]> {
    return (await collect(this.listStream(request, opts))).flatMap((r) => r.info);
  }

  delete(request: DeleteContentRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Delete', request, opts);
  }

  /** Chunks of the blob. For ranged reads track the position yourself: the response offset is not absolute. */
  read(request: ReadContentRequest, opts?: CallOptions): ServerStream<ReadContentResponse__Output> {
    return this.serverStream('Read', request, opts);
  }

  /** Whole blob (or range) in memory; meant for manifests and configs, not layers. */
  async readBlob(request: ReadContentRequest, opts?: CallOptions): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.read(request, opts)) chunks.push(chunk.data);
    return Buffer.concat(chunks);
  }

  status(request: StatusRequest, opts?: CallOptions): Promise<StatusResponse__Output> {
    return this.unary('Status', request, opts);
  }

  listStatuses(
    request: ListStatusesRequest = {},
    opts?: CallOptions,
  ): Promise<ListStatusesResponse__Output> {
    return this.unary('ListStatuses', request, opts);
  }

  /** Opens a Write stream (send the lease in opts so the ingest is protected). */
  write(opts?: CallOptions): ContentWriter {
    return this.lockstep('Write', opts);
  }

  /** Drops an ingest, e.g. after a digest mismatch left it behind. */
  abort(request: AbortRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Abort', request, opts);
  }
}
