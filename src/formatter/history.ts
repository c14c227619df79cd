/** `history` rows and headers, as docker/cli's formatter history context prints them. */
import { ellipsis, truncateId } from './text.js';
import { formatAge, humanSizeWithPrecision } from './units.js';

export const HISTORY_DEFAULT_FORMAT =
  'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
export const HISTORY_HEADERS: Readonly<Record<string, string>> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

export interface HistoryEntry {
  id: string;
  created?: Date;
  createdBy: string;
  size: number;
  comment: string;
}

export class HistoryRow {
  constructor(
    private readonly e: HistoryEntry,
    private readonly opts: { human: boolean; noTrunc: boolean },
  ) {}

  get ID(): string {
    if (this.e.id === '<missing>' || this.opts.noTrunc) return this.e.id;
    return truncateId(this.e.id);
  }

  get CreatedSince(): string {
    if (!this.e.created) return 'N/A';
    return this.opts.human ? formatAge(this.e.created) : this.CreatedAt;
  }

  get CreatedAt(): string {
    if (!this.e.created) return 'N/A';
    // Docker prints RFC 3339 here (time.Format(time.RFC3339)), in UTC for a UTC daemon.
    return this.e.created.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  get CreatedBy(): string {
    const s = this.e.createdBy.replaceAll('\t', ' ');
    return this.opts.noTrunc ? s : ellipsis(s, 45);
  }

  get Size(): string {
    return this.opts.human ? humanSizeWithPrecision(this.e.size, 3) : String(this.e.size);
  }

  get Comment(): string {
    return this.e.comment;
  }

  toJSON(): Record<string, string> {
    return {
      Comment: this.Comment,
      CreatedAt: this.CreatedAt,
      CreatedBy: this.CreatedBy,
      CreatedSince: this.CreatedSince,
      ID: this.ID,
      Size: this.Size,
    };
  }
}
