/**
 * Docker's events vocabulary on containerd's event exchange. containerd has no events for what
 * berth does outside it (network connect, volume create, kill signals, exec commands, image
 * pull/tag/save…), so berth publishes those itself on one topic through Events.Publish: every
 * berth process subscribed to the namespace, not only the one that acted, sees them.
 */
import type { Client } from '../containerd/client.js';

/** The topic berth publishes on (containerd wants "/"-separated identifiers). */
export const BERTH_EVENT_TOPIC = '/berth/events';
/** The Any type of berth's payloads: Docker's event as JSON (containerd forwards it untouched). */
export const BERTH_EVENT_TYPE = 'berth.events.v1.Message';

export type EventKind = 'container' | 'image' | 'network' | 'volume';

export interface EventActor {
  ID: string;
  Attributes: Record<string, string>;
}

/** What berth publishes; the subscriber adds the time, and a container's name, image and labels. */
export interface PublishedEvent {
  Type: EventKind;
  Action: string;
  Actor: EventActor;
}

/**
 * Publishes one event; never fails the command that acted (an events stream is best-effort in
 * Docker too), and gives up after a short deadline so a slow daemon costs at most that.
 */
export async function publishEvent(
  client: Client,
  type: EventKind,
  action: string,
  id: string,
  attributes: Record<string, string> = {},
): Promise<void> {
  const event: PublishedEvent = {
    Type: type,
    Action: action,
    Actor: { ID: id, Attributes: attributes },
  };
  try {
    await client.events.publish(
      {
        topic: BERTH_EVENT_TOPIC,
        event: { type_url: BERTH_EVENT_TYPE, value: Buffer.from(JSON.stringify(event)) },
      },
      { timeoutMs: 2000 },
    );
  } catch {
    // An event nobody may be listening to is not worth failing `network connect` for.
  }
}

/** The payload of a berth event, or undefined for anything else on the topic. */
export function decodePublished(value: Uint8Array): PublishedEvent | undefined {
  try {
    const v = JSON.parse(Buffer.from(value).toString('utf8')) as Partial<PublishedEvent>;
    if (typeof v.Type !== 'string' || typeof v.Action !== 'string' || !v.Actor) return undefined;
    const attrs: Record<string, string> = {};
    for (const [k, a] of Object.entries(v.Actor.Attributes ?? {})) attrs[k] = String(a);
    return {
      Type: v.Type,
      Action: v.Action,
      Actor: { ID: String(v.Actor.ID ?? ''), Attributes: attrs },
    };
  } catch {
    return undefined;
  }
}

/** Docker's exec event actions carry the command line: `exec_create: sh -c date`. */
export function execAction(kind: 'exec_create' | 'exec_start', args: readonly string[]): string {
  return `${kind}: ${args[0] ?? ''} ${args.slice(1).join(' ')}`;
}
