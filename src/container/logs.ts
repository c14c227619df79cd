/** `logs`: reads the container's Docker json-file log (written by berth or berth's logger). */
import type { Client } from '../containerd/client.js';
import { BerthError } from '../errors.js';
import { LABEL } from '../labels.js';
import { parseTimestamp } from '../filters.js';
import type { Container } from './resolve.js';
import { Tail } from '../tail.js';
import { criKind, showCriContainerLog } from '../cri/index.js';
import type { Settings } from '../config/index.js';
import { logPathFor } from './labels.js';

export interface LogsOptions {
  follow?: boolean;
  tail?: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
}

interface Entry {
  log: string;
  stream: string;
  time: string;
}

/** Docker's --since/--until: RFC 3339 (date or date-time), Unix seconds[.nanos], or a duration ago. */
export function parseTimeArg(value: string, flag = 'since', now = Date.now()): number {
  const t = parseTimestamp(value, now);
  if (t !== undefined) return t;
  throw new BerthError(
    `invalid value for "${flag}": failed to parse value as time or duration: "${value}"`,
    { exitCode: 1 },
  );
}

function timeMs(time: string): number {
  return Date.parse(time);
}

function emit(e: Entry, o: LogsOptions): void {
  const text = o.timestamps ? `${e.time} ${e.log}` : e.log;
  if (e.stream === 'stderr') process.stderr.write(text);
  else process.stdout.write(text);
}

class Reader {
  private readonly tail: Tail;
  constructor(path: string) {
    this.tail = new Tail(path);
  }

  /** New complete entries since the last call. */
  read(): Entry[] {
    const out: Entry[] = [];
    for (const l of this.tail.lines()) {
      try {
        out.push(JSON.parse(l) as Entry);
      } catch {
        /* a torn line from a crash: skip */
      }
    }
    return out;
  }
}

export async function showLogs(
  client: Client,
  container: Container,
  o: LogsOptions,
  settings?: Pick<Settings, 'dataRoot' | 'namespace'>,
): Promise<void> {
  const since = o.since ? parseTimeArg(o.since) : undefined;
  const until = o.until ? parseTimeArg(o.until, 'until') : undefined;
  // CRI writes its containers' logs itself, in its own format, where ContainerStatus says.
  if (criKind(container.labels) === 'container') {
    const cri = { follow: o.follow, tail: o.tail, since, until, timestamps: o.timestamps };
    if (await showCriContainerLog(client, container.id, cri)) return;
  }
  const path = settings ? logPathFor(settings, container) : container.labels[LABEL.logPath];
  if (!path) return;
  const reader = new Reader(path);
  let entries = reader.read();
  const keep = (e: Entry): boolean => {
    const t = timeMs(e.time);
    return (since === undefined || t >= since) && (until === undefined || t <= until);
  };
  entries = entries.filter(keep);
  if (o.tail !== undefined && o.tail !== 'all') {
    const n = Number(o.tail);
    if (Number.isInteger(n) && n >= 0) entries = n === 0 ? [] : entries.slice(-n);
  }
  for (const e of entries) emit(e, o);
  if (!o.follow || (until !== undefined && until <= Date.now())) return;

  // Follow until the task exits (or --until passes).
  let done = false;
  const waiter = client.tasks
    .wait({ container_id: container.id })
    .then(() => undefined)
    .catch(() => undefined)
    .finally(() => (done = true));
  void waiter;
  for (;;) {
    await new Promise((r) => setTimeout(r, done ? 50 : 200));
    for (const e of reader.read()) if (keep(e)) emit(e, o);
    if (done) {
      for (const e of reader.read()) if (keep(e)) emit(e, o);
      return;
    }
    if (until !== undefined && Date.now() > until) return;
  }
}
