/**
 * Compose's log view: the json-file logs of several containers, each line prefixed with the
 * container's service name and number (`web-1  | `), coloured per container on a terminal, in the
 * order lines arrive, following files as they grow while the containers run.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { LABEL } from '../labels.js';
import type { ProjectContainer } from './runtime.js';

// Compose's rainbow: cyan, yellow, green, magenta, blue, then their bright forms.
const COLORS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

export interface LogViewOptions {
  follow: boolean;
  tail?: number;
  timestamps: boolean;
  color: boolean;
  prefix: boolean;
  write: (s: string) => void;
  /** For `up`: stop following once this returns true (all containers exited, or Ctrl-C). */
  stop?: () => boolean;
  /** Called once per container whose task is gone while following (`web-1 exited with code 0`). */
  onExit?: (pc: ProjectContainer) => Promise<number | undefined>;
}

interface Source {
  pc: ProjectContainer;
  path: string;
  offset: number;
  partial: string;
  prefix: string;
  done: boolean;
}

/** `web-1` for `demo-web-1`: Compose prints the service and number, not the project. */
export function shortName(
  pc: Pick<ProjectContainer, 'service' | 'number' | 'name' | 'oneoff'>,
): string {
  return pc.oneoff ? pc.name : `${pc.service}-${pc.number}`;
}

function parseLine(line: string, timestamps: boolean): string | undefined {
  try {
    const j = JSON.parse(line) as { log: string; time: string };
    const text = j.log.endsWith('\n') ? j.log.slice(0, -1) : j.log;
    return timestamps ? `${j.time} ${text}` : text;
  } catch {
    return undefined;
  }
}

export async function showLogs(containers: ProjectContainer[], o: LogViewOptions): Promise<void> {
  const width = Math.max(0, ...containers.map((pc) => shortName(pc).length));
  const sources: Source[] = containers.map((pc, i) => {
    const name = shortName(pc).padEnd(width + 2);
    const head = `${name}| `;
    return {
      pc,
      path: pc.c.labels?.[LABEL.logPath] ?? '',
      offset: 0,
      partial: '',
      prefix: !o.prefix ? '' : o.color ? `\x1b[${COLORS[i % COLORS.length]}m${head}\x1b[0m` : head,
      done: false,
    };
  });
  // The first read honours --tail: only the last N complete lines of what is there now.
  for (const s of sources) {
    const lines = readNew(s);
    const shown =
      o.tail !== undefined && o.tail >= 0 ? lines.slice(Math.max(0, lines.length - o.tail)) : lines;
    emit(s, shown, o);
  }
  if (!o.follow) return;
  for (;;) {
    for (const s of sources) {
      if (s.done) continue;
      emit(s, readNew(s), o);
    }
    if (o.stop?.()) return;
    if (o.onExit) {
      for (const s of sources) {
        if (s.done) continue;
        const code = await o.onExit(s.pc);
        if (code !== undefined) {
          emit(s, readNew(s), o);
          s.done = true;
        }
      }
      if (sources.every((s) => s.done)) return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function emit(s: Source, lines: string[], o: LogViewOptions): void {
  let out = '';
  for (const l of lines) {
    const text = parseLine(l, o.timestamps);
    if (text !== undefined) out += `${s.prefix}${text}\n`;
  }
  if (out) o.write(out);
}

function readNew(s: Source): string[] {
  if (!s.path) return [];
  let size: number;
  try {
    size = statSync(s.path).size;
  } catch {
    return [];
  }
  if (size <= s.offset) return [];
  const fd = openSync(s.path, 'r');
  try {
    const buf = Buffer.alloc(size - s.offset);
    const n = readSync(fd, buf, 0, buf.length, s.offset);
    s.offset += n;
    const text = s.partial + buf.subarray(0, n).toString('utf8');
    const parts = text.split('\n');
    s.partial = parts.pop() ?? '';
    return parts.filter(Boolean);
  } finally {
    closeSync(fd);
  }
}
