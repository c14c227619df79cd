import type { CallOptions, Connection } from './connection.js';
import { ServiceBase } from './service.js';
import type { CreateImageRequest } from './generated/containerd/services/images/v1/CreateImageRequest.js';
import type { CreateImageResponse__Output } from './generated/containerd/services/images/v1/CreateImageResponse.js';
import type { DeleteImageRequest } from './generated/containerd/services/images/v1/DeleteImageRequest.js';
import type { GetImageRequest } from './generated/containerd/services/images/v1/GetImageRequest.js';
import type { GetImageResponse__Output } from './generated/containerd/services/images/v1/GetImageResponse.js';
import type { ListImagesRequest } from './generated/containerd/services/images/v1/ListImagesRequest.js';
import type { ListImagesResponse__Output } from './generated/containerd/services/images/v1/ListImagesResponse.js';
import type { UpdateImageRequest } from './generated/containerd/services/images/v1/UpdateImageRequest.js';
import type { UpdateImageResponse__Output } from './generated/containerd/services/images/v1/UpdateImageResponse.js';

/** containerd.services.images.v1.Images: name -> root descriptor records. */
export class ImagesService extends ServiceBase {
  constructor(conn: Connection) {
    super(conn, 'images', 'containerd.services.images.v1.Images');
  }

  get(request: GetImageRequest, opts?: CallOptions): Promise<GetImageResponse__Output> {
    return this.unary('Get', request, opts);
  }

  list(request: ListImagesRequest = {}, opts?: CallOptions): Promise<ListImagesResponse__Output> {
    return this.unary('List', request, opts);
  }

  /** ALREADY_EXISTS on re-pull: use update() with update_mask {paths: ['target']}. */
  create(request: CreateImageRequest, opts?: CallOptions): Promise<CreateImageResponse__Output> {
    return this.unary('Create', request, opts);
  }

  update(request: UpdateImageRequest, opts?: CallOptions): Promise<UpdateImageResponse__Output> {
    return this.unary('Update', request, opts);
  }

  delete(request: DeleteImageRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Delete', request, opts);
  }
}
