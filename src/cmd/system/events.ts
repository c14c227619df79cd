/**
 * `events` (`system events`): containerd's event stream translated into Docker's vocabulary and
 * printed as docker/cli prints it, merged with the events berth publishes itself (see
 * src/events). containerd keeps no history, so `--since` replays only what still exists: the
 * creation of containers and volumes that are still there; everything else is live.
 */
import type { Client } from '../../containerd/client.js';
import type { Container } from '../../containerd/types.js';
import { decodeEnvelope } from '../../containerd/events.js';
import { timestampToDate } from '../../containerd/helpers.js';
import type { Envelope__Output } from '../../containerd/generated/containerd/services/events/v1/Envelope.js';
import { BERTH_EVENT_TOPIC, decodePublished, type EventKind } from '../../events/index.js';
import { containerName } from '../../labels.js';
import { displayImage, userLabels } from '../../container/labels.js';
import { goTypeName } from '../../formatter/gofmt.js';
import { parseFilterFlags, parseTimestamp, type Filters } from '../../filters.js';
import { BerthError } from '../../errors.js';
import { parseDockerRef } from '../../registry/reference.js';

/** The filter keys Docker's daemon takes for events. */
export const EVENT_FILTER_KEYS = [
  'config',
  'container',
  'daemon',
  'event',
  'image',
  'label',
  'network',
  'node',
  'plugin',
  'scope',
  'secret',
  'service',
  'type',
  'volume',
] as const;

/** moby's events.Message: the Go field names templates read, Docker's JSON when marshalled. */
export class Message {
  readonly [goTypeName] = '*events.Message';
  Status: string;
  ID: string;
  From: string;
  Type: EventKind;
  Action: string;
  Actor: { ID: string; Attributes: Map<string, string> };
  Scope = 'local';
  Time: bigint;
  TimeNano: bigint;

  constructor(
    type: EventKind,
    action: string,
    id: string,
    attributes: Record<string, string>,
    timeNano: bigint,
  ) {
    this.Type = type;
    this.Action = action;
    const keys = Object.keys(attributes).sort();
    this.Actor = { ID: id, Attributes: new Map(keys.map((k) => [k, attributes[k] ?? ''])) };
    this.TimeNano = timeNano;
    this.Time = timeNano / 1_000_000_000n;
    // The daemon fills the deprecated JSONMessage fields for container and image events only.
    const legacy = type === 'container' || type === 'image';
    this.Status = legacy ? action : '';
    this.ID = legacy ? id : '';
    this.From = type === 'container' ? (attributes['image'] ?? '') : '';
  }

  /** encoding/json of the struct: omitempty legacy fields, then Type, Action, Actor, scope, times. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.Status) out['status'] = this.Status;
    if (this.ID) out['id'] = this.ID;
    if (this.From) out['from'] = this.From;
    out['Type'] = this.Type;
    out['Action'] = this.Action;
    out['Actor'] = { ID: this.Actor.ID, Attributes: this.Actor.Attributes };
    out['scope'] = this.Scope;
    if (this.Time) out['time'] = this.Time;
    if (this.TimeNano) out['timeNano'] = this.TimeNano;
    return out;
  }
}

const pad = (v: number, n = 2): string => String(v).padStart(n, '0');

/** Go's time.Unix(0, ns).Format(RFC3339NanoFixed) in the local zone. */
export function formatEventTime(timeNano: bigint): string {
  const ms = Number(timeNano / 1_000_000n);
  const d = new Date(ms);
  const offMin = -d.getTimezoneOffset();
  const zone =
    offMin === 0
      ? 'Z'
      : `${offMin < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offMin) / 60))}:${pad(Math.abs(offMin) % 60)}`;
  const nanos = String(timeNano % 1_000_000_000n).padStart(9, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${nanos}${zone}`
  );
}

/** docker/cli's prettyPrintEvent. */
export function prettyEvent(m: Message): string {
  let line = `${formatEventTime(m.TimeNano)} ${m.Type} ${m.Action} ${m.Actor.ID}`;
  if (m.Actor.Attributes.size > 0) {
    line += ` (${[...m.Actor.Attributes].map(([k, v]) => `${k}=${v}`).join(', ')})`;
  }
  return `${line}\n`;
}

// --- filters (moby daemon/events/filter.go) -------------------------------------------------------

function exactMatch(f: Filters, key: string, value: string): boolean {
  const want = f.get(key);
  return !want || want.length === 0 || want.includes(value);
}

function fuzzyMatch(f: Filters, key: string, value: string): boolean {
  const want = f.get(key);
  if (!want || want.length === 0) return true;
  return want.some((w) => value === w || value.startsWith(w));
}

function stripTag(ref: string): string {
  try {
    return parseDockerRef(ref).familiarName;
  } catch {
    return ref;
  }
}

/** True when the event passes every filter, as the daemon's Filter.Include decides. */
export function includeEvent(f: Filters, m: Message): boolean {
  const attrs = m.Actor.Attributes;
  const action = m.Action;
  const event = (f.get('event') ?? []).some((e) =>
    ['health_status', 'exec_create', 'exec_start'].includes(e),
  )
    ? fuzzyMatch(f, 'event', action)
    : exactMatch(f, 'event', action);
  const byName = (kind: EventKind): boolean =>
    (m.Type === kind && fuzzyMatch(f, kind, m.Actor.ID)) ||
    (m.Type === kind && fuzzyMatch(f, kind, attrs.get('name') ?? '')) ||
    !f.get(kind)?.length;
  const imageName = attrs.get(m.Type === 'image' ? 'name' : 'image') ?? '';
  const image =
    exactMatch(f, 'image', m.Actor.ID) ||
    exactMatch(f, 'image', imageName) ||
    exactMatch(f, 'image', stripTag(m.Actor.ID)) ||
    exactMatch(f, 'image', stripTag(imageName));
  const labels = (f.get('label') ?? []).every((spec) => {
    const i = spec.indexOf('=');
    if (i < 0) return attrs.has(spec);
    return attrs.get(spec.slice(0, i)) === spec.slice(i + 1);
  });
  // Docker's daemon, plugin, node, service, secret and config events never happen here.
  const foreign = ['daemon', 'plugin', 'node', 'service', 'secret', 'config'].some(
    (k) => (f.get(k)?.length ?? 0) > 0,
  );
  return (
    event &&
    exactMatch(f, 'type', m.Type) &&
    exactMatch(f, 'scope', m.Scope) &&
    !foreign &&
    byName('container') &&
    byName('volume') &&
    byName('network') &&
    image &&
    labels
  );
}

// --- translation ------------------------------------------------------------------------------------

interface ContainerInfo {
  attributes: Record<string, string>;
}

/** What Docker attaches to a container's events: its own labels, the image as typed, the name. */
export function containerAttributes(
  c: Pick<Container, 'image' | 'labels'>,
): Record<string, string> {
  const out = userLabels(c.labels);
  out['image'] = displayImage(c);
  const name = containerName(c.labels);
  if (name) out['name'] = name;
  return out;
}

const nowNano = (): bigint => BigInt(Date.now()) * 1_000_000n;

function envelopeNano(e: Envelope__Output): bigint {
  const ts = e.timestamp;
  if (!ts) return nowNano();
  return BigInt(ts.seconds ?? 0) * 1_000_000_000n + BigInt(ts.nanos ?? 0);
}

/**
 * Turns containerd envelopes and berth's own events into Docker messages, keeping what it knows
 * of each container: a destroyed container's name and labels are gone from containerd by the
 * time its delete event arrives.
 */
export class Translator {
  private readonly containers = new Map<string, ContainerInfo>();
  /** Exec IDs berth announced with their command line (containerd's events carry none). */
  private readonly berthExecs = new Set<string>();

  constructor(private readonly client: Client) {}

  remember(c: Container): void {
    this.containers.set(c.id, { attributes: containerAttributes(c) });
  }

  private async info(id: string): Promise<ContainerInfo> {
    const known = this.containers.get(id);
    if (known) return known;
    try {
      const { container } = await this.client.containers.get({ id });
      if (container) {
        this.remember(container);
        return this.containers.get(id)!;
      }
    } catch {
      // Gone already: its events still print, with what containerd said.
    }
    return { attributes: {} };
  }

  private async containerEvent(
    action: string,
    id: string,
    extra: Record<string, string>,
    nano: bigint,
  ): Promise<Message> {
    const info = await this.info(id);
    return new Message('container', action, id, { ...info.attributes, ...extra }, nano);
  }

  async translate(e: Envelope__Output): Promise<Message | undefined> {
    const nano = envelopeNano(e);
    if (e.topic === BERTH_EVENT_TOPIC) {
      const p = e.event ? decodePublished(e.event.value) : undefined;
      if (!p) return undefined;
      if (p.Type !== 'container') {
        return new Message(p.Type, p.Action, p.Actor.ID, p.Actor.Attributes, nano);
      }
      const execId = p.Actor.Attributes['execID'];
      if (execId) this.berthExecs.add(execId);
      return this.containerEvent(p.Action, p.Actor.ID, p.Actor.Attributes, nano);
    }
    const d = decodeEnvelope(e);
    switch (d.type) {
      case 'containerd.events.ContainerCreate': {
        this.containers.delete(d.event.id);
        return this.containerEvent('create', d.event.id, {}, nano);
      }
      case 'containerd.events.ContainerUpdate': {
        // Labels change (rename, restart bookkeeping); Docker reports `update` only for `update`.
        this.containers.delete(d.event.id);
        await this.info(d.event.id);
        return undefined;
      }
      case 'containerd.events.ContainerDelete': {
        const m = await this.containerEvent('destroy', d.event.id, {}, nano);
        this.containers.delete(d.event.id);
        return m;
      }
      case 'containerd.events.TaskStart':
        return this.containerEvent('start', d.event.container_id, {}, nano);
      case 'containerd.events.TaskExit': {
        const code = String(d.event.exit_status ?? 0);
        if (d.event.id && d.event.id !== d.event.container_id) {
          this.berthExecs.delete(d.event.id);
          return this.containerEvent(
            'exec_die',
            d.event.container_id,
            { execID: d.event.id, exitCode: code },
            nano,
          );
        }
        return this.containerEvent('die', d.event.container_id, { exitCode: code }, nano);
      }
      case 'containerd.events.TaskExecAdded':
      case 'containerd.events.TaskExecStarted': {
        // berth's exec announced these with the command line; others (ctr, kubectl) did not.
        if (this.berthExecs.has(d.event.exec_id)) return undefined;
        const action = d.type === 'containerd.events.TaskExecAdded' ? 'exec_create' : 'exec_start';
        return this.containerEvent(action, d.event.container_id, { execID: d.event.exec_id }, nano);
      }
      case 'containerd.events.TaskPaused':
        return this.containerEvent('pause', d.event.container_id, {}, nano);
      case 'containerd.events.TaskResumed':
        return this.containerEvent('unpause', d.event.container_id, {}, nano);
      case 'containerd.events.TaskOOM':
        return this.containerEvent('oom', d.event.container_id, {}, nano);
      default:
        return undefined;
    }
  }
}

// --- the command ----------------------------------------------------------------------------------

export interface EventsOptions {
  since?: string;
  until?: string;
  filters: readonly string[];
  /** Prints one message (the command renders the user's --format). */
  print: (m: Message) => void;
  signal: AbortSignal;
  /** Volumes that exist, for the `--since` replay. */
  volumes?: () => Promise<{ name: string; createdAt: Date; driver: string }[]>;
}

function timeFlag(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const t = parseTimestamp(value, now);
  if (t === undefined) {
    throw new BerthError(`failed to parse value as time or duration: "${value}"`);
  }
  return t;
}

const msToNano = (ms: number): bigint => BigInt(Math.round(ms * 1000)) * 1000n;

function createdNano(c: Container): bigint {
  const d = timestampToDate(c.created_at);
  return d ? msToNano(d.getTime()) : 0n;
}

/**
 * Streams events until Ctrl-C (`signal`) or `--until`. With `--since`, what still exists and
 * was made after it is printed first, oldest first: containerd has no event history.
 */
export async function runEvents(client: Client, opts: EventsOptions): Promise<void> {
  const now = Date.now();
  const since = timeFlag(opts.since, now);
  const until = timeFlag(opts.until, now);
  const filters = parseFilterFlags(opts.filters, { keys: EVENT_FILTER_KEYS, flag: '--filter' });
  const ns = client.namespace;
  const translator = new Translator(client);
  const emit = (m: Message | undefined): void => {
    if (m && includeEvent(filters, m)) opts.print(m);
  };

  // Subscribe before listing, so nothing created in between is missed by both.
  const live = until === undefined || until > now;
  const stream = live
    ? client.events.subscribe(
        { filters: [`namespace==${JSON.stringify(ns)}`] },
        { signal: opts.signal },
      )
    : undefined;

  const { containers } = await client.containers.list({ filters: [] });
  for (const c of containers) translator.remember(c);

  if (since !== undefined) {
    const sinceNano = msToNano(since);
    const untilNano = until === undefined ? msToNano(now) : msToNano(until);
    const replay: Message[] = [];
    for (const c of containers) {
      const t = createdNano(c);
      if (t >= sinceNano && t <= untilNano) {
        replay.push(new Message('container', 'create', c.id, containerAttributes(c), t));
      }
    }
    for (const v of (await opts.volumes?.()) ?? []) {
      const t = msToNano(v.createdAt.getTime());
      if (t >= sinceNano && t <= untilNano) {
        replay.push(new Message('volume', 'create', v.name, { driver: v.driver }, t));
      }
    }
    replay.sort((a, b) => (a.TimeNano < b.TimeNano ? -1 : a.TimeNano > b.TimeNano ? 1 : 0));
    for (const m of replay) emit(m);
  }
  if (!stream) return;

  let timer: NodeJS.Timeout | undefined;
  const stop = new AbortController();
  if (until !== undefined) {
    timer = setTimeout(() => stop.abort(), Math.max(0, until - Date.now()));
  }
  const onAbort = (): void => stream.cancel();
  stop.signal.addEventListener('abort', onAbort, { once: true });
  opts.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const envelope of stream) {
      const m = await translator.translate(envelope);
      if (until !== undefined && m && m.TimeNano > msToNano(until)) break;
      emit(m);
    }
  } catch (err) {
    // Cancelling the stream (Ctrl-C, --until) is the normal end.
    if (!stop.signal.aborted && !opts.signal.aborted) throw err;
  } finally {
    if (timer) clearTimeout(timer);
    stop.signal.removeEventListener('abort', onAbort);
    opts.signal.removeEventListener('abort', onAbort);
    stream.cancel();
  }
}
