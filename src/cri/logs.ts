/**
 * CRI's container log format, as containerd's CRI plugin writes it at the path in ContainerStatus:
 * one record per line, `<RFC 3339 nano time> <stdout|stderr> <F|P> <text>`, where P marks a
 * partial record (a line CRI split at max_container_log_line_size) continued by the next record
 * of the same stream; F ends the line.
 */
import { Tail } from '../tail.js';
import type { Client } from '../containerd/client.js';
import { criContainerState, criView } from './state.js';

export interface CriLogEntry {
  /** The time of the line's first record, in ms, and as written (for -t). */
  timeMs: number;
  time: string;
  stream: 'stdout' | 'stderr';
  /** The whole line, partial records joined, with its newline. */
  text: string;
}

export interface CriLogOptions {
  follow?: boolean;
  /** Number of lines from the end, or undefined/'all' for every line. */
  tail?: string;
  /** Bounds in ms since the epoch. */
  since?: number;
  until?: number;
  timestamps?: boolean;
  /** For follow: resolves true once the container has exited (polled). */
  exited?: () => Promise<boolean>;
  write?: (stream: 'stdout' | 'stderr', text: string) => void;
}

/** RFC 3339 with any fraction and offset → ms, and Docker's fixed 9-digit UTC form for -t. */
export function criTime(raw: string): { ms: number; docker: string } | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(raw);
  if (!m) return undefined;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(whole)) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  const iso = new Date(whole).toISOString().slice(0, 19);
  return { ms: whole + Number(frac.slice(0, 3)), docker: `${iso}.${frac}Z` };
}

/** Parses records into lines, keeping unfinished partial lines per stream across calls. */
export class CriLogParser {
  private readonly pending = new Map<string, { first: CriLogEntry; parts: string[] }>();

  push(record: string): CriLogEntry | undefined {
    const a = record.indexOf(' ');
    const b = record.indexOf(' ', a + 1);
    const c = record.indexOf(' ', b + 1);
    if (a < 0 || b < 0) return undefined;
    const t = criTime(record.slice(0, a));
    const stream = record.slice(a + 1, b);
    if (!t || (stream !== 'stdout' && stream !== 'stderr')) return undefined;
    // "F" with an empty line may have no trailing space at all.
    const tag = c < 0 ? record.slice(b + 1) : record.slice(b + 1, c);
    const text = c < 0 ? '' : record.slice(c + 1);
    const open = this.pending.get(stream);
    const first = open?.first ?? { timeMs: t.ms, time: t.docker, stream, text: '' };
    const parts = open?.parts ?? [];
    parts.push(text);
    if (tag.startsWith('P')) {
      this.pending.set(stream, { first, parts });
      return undefined;
    }
    this.pending.delete(stream);
    return { ...first, text: `${parts.join('')}\n` };
  }
}

const defaultWrite = (stream: 'stdout' | 'stderr', text: string): void => {
  (stream === 'stderr' ? process.stderr : process.stdout).write(text);
};

/** `logs` for a CRI container: prints its CRI log file, Docker-style, and follows it if asked. */
export async function showCriLog(path: string, o: CriLogOptions): Promise<void> {
  const write = o.write ?? defaultWrite;
  const parser = new CriLogParser();
  const tail = new Tail(path);
  const keep = (e: CriLogEntry): boolean =>
    (o.since === undefined || e.timeMs >= o.since) &&
    (o.until === undefined || e.timeMs <= o.until);
  const emit = (e: CriLogEntry): void =>
    write(e.stream, o.timestamps ? `${e.time} ${e.text}` : e.text);
  const parse = (lines: string[]): CriLogEntry[] => {
    const out: CriLogEntry[] = [];
    for (const l of lines) {
      const e = parser.push(l);
      if (e && keep(e)) out.push(e);
    }
    return out;
  };

  let entries = parse(tail.lines());
  if (o.tail !== undefined && o.tail !== 'all') {
    const n = Number(o.tail);
    if (Number.isInteger(n) && n >= 0) entries = n === 0 ? [] : entries.slice(-n);
  }
  for (const e of entries) emit(e);
  if (!o.follow || (o.until !== undefined && o.until <= Date.now())) return;

  for (;;) {
    const exited = o.exited ? await o.exited() : true;
    // Read after the exit check: what the container wrote before exiting is in the file by then.
    for (const e of parse(tail.lines())) emit(e);
    if (exited) return;
    if (o.until !== undefined && Date.now() > o.until) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * `logs` of a CRI container, from the file at the path CRI reports, following until CRI says it
 * exited. False when CRI does not know the container (the caller's own log then applies).
 */
export async function showCriContainerLog(
  client: Client,
  id: string,
  o: Omit<CriLogOptions, 'exited'>,
): Promise<boolean> {
  const view = await criView(client, id, 'container');
  if (!view) return false;
  await showCriLog(view.logPath, {
    ...o,
    exited: async () => {
      const s = await criContainerState(client, id);
      return s === undefined || s === 'CONTAINER_EXITED' || s === 'CONTAINER_UNKNOWN';
    },
  });
  return true;
}
