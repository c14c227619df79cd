/** `images` rows and headers, as docker/cli's formatter image context prints them. */
import { goUnixTimeString } from './gofmt.js';
import { truncateId } from './text.js';
import { formatAge, humanSize, humanSizeWithPrecision } from './units.js';

/** What a row shows of one image (the verb's ImageSummary has these). */
export interface ImageFields {
  /** `sha256:<config hex>`. */
  id: string;
  created?: Date;
  size: number;
}

export const IMAGES_DEFAULT_FORMAT =
  'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
export const IMAGES_DIGEST_FORMAT =
  'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
export const IMAGES_HEADERS: Readonly<Record<string, string>> = {
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  ID: 'IMAGE ID',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  VirtualSize: 'VIRTUAL SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
  Containers: 'CONTAINERS',
};

/** One row of the table; the getters are the template fields Docker's image context offers. */
export class ImageRow {
  constructor(
    private readonly image: ImageFields,
    readonly Repository: string,
    readonly Tag: string,
    readonly Digest: string,
    private readonly trunc: boolean,
  ) {}

  get ID(): string {
    return truncateId(this.image.id, !this.trunc);
  }

  get CreatedSince(): string {
    return this.image.created ? formatAge(this.image.created) : 'N/A';
  }

  get CreatedAt(): string {
    return goUnixTimeString(this.image.created ?? new Date(NaN));
  }

  // docker/cli: three significant digits for Size (`2.01MB`), HumanSize's four for VirtualSize.
  get Size(): string {
    return humanSizeWithPrecision(this.image.size, 3);
  }

  get VirtualSize(): string {
    return humanSize(this.image.size);
  }

  get SharedSize(): string {
    return 'N/A';
  }

  get UniqueSize(): string {
    return 'N/A';
  }

  get Containers(): string {
    return 'N/A';
  }

  /** What `--format json` prints: Docker's image context fields. */
  toJSON(): Record<string, string> {
    return {
      Containers: this.Containers,
      CreatedAt: this.CreatedAt,
      CreatedSince: this.CreatedSince,
      Digest: this.Digest,
      ID: this.ID,
      Repository: this.Repository,
      SharedSize: this.SharedSize,
      Size: this.Size,
      Tag: this.Tag,
      UniqueSize: this.UniqueSize,
      VirtualSize: this.VirtualSize,
    };
  }
}
