/**
 * Pull progress the way `docker pull` shows it: on a terminal, one line per layer redrawn in
 * place (`56e400c22bf0: Downloading [=====>     ]  1.2MB/3.4MB`); elsewhere, one plain line per
 * status change, skipping the progress-only statuses, as Docker's jsonmessage does.
 */
import { humanSize } from '../formatter/units.js';

export type LayerStatus =
  | 'Already exists'
  | 'Pulling fs layer'
  | 'Waiting'
  | 'Downloading'
  | 'Verifying Checksum'
  | 'Download complete'
  | 'Extracting'
  | 'Pull complete';

export interface Progress {
  current: number;
  total: number;
}

/** Receives pull events; the renderers below print them. */
export interface PullReporter {
  /** A line not tied to a layer (`latest: Pulling from lab/busybox`, `Digest: …`). */
  line(text: string): void;
  /** A layer's status changed (or, for Downloading/Extracting, its progress moved). */
  layer(id: string, status: LayerStatus, progress?: Progress): void;
  /** Flushes anything pending; called once at the end, also on failure. */
  end(): void;
}

/** Statuses Docker only shows as a progress bar, never as a plain line. */
const PROGRESS_ONLY = new Set<LayerStatus>(['Downloading', 'Extracting']);

/** Docker's short layer ID: 12 hex digits of the blob digest. */
export function layerId(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

export const silentReporter: PullReporter = { line() {}, layer() {}, end() {} };

/** Non-terminal output: `<id>: <status>` once per change. */
export class PlainReporter implements PullReporter {
  private readonly last = new Map<string, LayerStatus>();

  constructor(private readonly out: NodeJS.WritableStream) {}

  line(text: string): void {
    this.out.write(`${text}\n`);
  }

  layer(id: string, status: LayerStatus, _progress?: Progress): void {
    if (PROGRESS_ONLY.has(status)) return;
    if (this.last.get(id) === status) return;
    this.last.set(id, status);
    this.out.write(`${id}: ${status}\n`);
  }

  end(): void {}
}

/**
 * jsonmessage.JSONProgress.String(): a 50-wide bar when the terminal is wider than 110 columns,
 * then `%8v/%v` of human sizes.
 */
export function formatProgress(p: Progress, columns: number): string {
  if (p.total <= 0) return p.current > 0 ? humanSize(p.current).padStart(8) : '';
  let pct = Math.floor(Math.floor((p.current / p.total) * 100) / 2);
  if (pct > 50) pct = 50;
  const bar = columns > 110 ? `[${'='.repeat(pct)}>${' '.repeat(50 - pct)}] ` : '';
  return `${bar}${humanSize(p.current).padStart(8)}/${humanSize(p.total)}`;
}

/** Terminal output: each layer keeps its line, rewritten in place with ANSI cursor movement. */
export class TtyReporter implements PullReporter {
  private readonly ids: string[] = [];
  private readonly text = new Map<string, string>();
  private readonly lastDraw = new Map<string, number>();

  constructor(
    private readonly out: NodeJS.WritableStream & { columns?: number },
    private readonly minIntervalMs = 100,
  ) {}

  line(text: string): void {
    this.out.write(`${text}\n`);
    // Lines printed after layer lines detach them: later layers start a new block.
    this.ids.length = 0;
    this.text.clear();
  }

  layer(id: string, status: LayerStatus, progress?: Progress): void {
    const body =
      progress && PROGRESS_ONLY.has(status)
        ? `${status} ${formatProgress(progress, this.out.columns ?? 80)}`
        : status;
    const line = `${id}: ${body}`;
    if (this.text.get(id) === line) return;
    const now = Date.now();
    if (
      PROGRESS_ONLY.has(status) &&
      this.text.has(id) &&
      now - (this.lastDraw.get(id) ?? 0) < this.minIntervalMs
    ) {
      // Redrawing on every chunk would cost more than the download; keep to ~10 frames a second.
      if (progress && progress.current < progress.total) return;
    }
    this.lastDraw.set(id, now);
    this.text.set(id, line);
    const index = this.ids.indexOf(id);
    if (index === -1) {
      this.ids.push(id);
      this.out.write(`${line}\n`);
      return;
    }
    const up = this.ids.length - index;
    // Up to the layer's line, clear it, write, and back down (Docker's jsonmessage does the same).
    this.out.write(`\x1b[${up}A\x1b[2K\r${line}\x1b[${up}B\r`);
  }

  end(): void {}
}

/** The reporter for an output stream: quiet, terminal or plain. */
export function reporterFor(
  out: NodeJS.WritableStream & { isTTY?: boolean },
  quiet: boolean,
): PullReporter {
  if (quiet) return silentReporter;
  return out.isTTY ? new TtyReporter(out) : new PlainReporter(out);
}
