import type protobuf from 'protobufjs/light.js';
import type { CallOptions, Connection } from './connection.js';
import { codecFor, loadRoot } from './descriptors.js';
import { timestampToDate, typeNameOf } from './helpers.js';
import type { ServerStream } from './rpc.js';
import { ServiceBase } from './service.js';
import type { Any__Output } from './generated/google/protobuf/Any.js';
import type { Envelope__Output } from './generated/containerd/services/events/v1/Envelope.js';
import type { SubscribeRequest } from './generated/containerd/services/events/v1/SubscribeRequest.js';
import type { PublishRequest } from './generated/containerd/services/events/v1/PublishRequest.js';
import type { ContainerCreate__Output } from './generated/containerd/events/ContainerCreate.js';
import type { ContainerDelete__Output } from './generated/containerd/events/ContainerDelete.js';
import type { ContainerUpdate__Output } from './generated/containerd/events/ContainerUpdate.js';
import type { ContentDelete__Output } from './generated/containerd/events/ContentDelete.js';
import type { NamespaceCreate__Output } from './generated/containerd/events/NamespaceCreate.js';
import type { NamespaceDelete__Output } from './generated/containerd/events/NamespaceDelete.js';
import type { NamespaceUpdate__Output } from './generated/containerd/events/NamespaceUpdate.js';
import type { SnapshotCommit__Output } from './generated/containerd/events/SnapshotCommit.js';
import type { SnapshotPrepare__Output } from './generated/containerd/events/SnapshotPrepare.js';
import type { SnapshotRemove__Output } from './generated/containerd/events/SnapshotRemove.js';
import type { TaskCheckpointed__Output } from './generated/containerd/events/TaskCheckpointed.js';
import type { TaskCreate__Output } from './generated/containerd/events/TaskCreate.js';
import type { TaskDelete__Output } from './generated/containerd/events/TaskDelete.js';
import type { TaskExecAdded__Output } from './generated/containerd/events/TaskExecAdded.js';
import type { TaskExecStarted__Output } from './generated/containerd/events/TaskExecStarted.js';
import type { TaskExit__Output } from './generated/containerd/events/TaskExit.js';
import type { TaskOOM__Output } from './generated/containerd/events/TaskOOM.js';
import type { TaskPaused__Output } from './generated/containerd/events/TaskPaused.js';
import type { TaskResumed__Output } from './generated/containerd/events/TaskResumed.js';
import type { TaskStart__Output } from './generated/containerd/events/TaskStart.js';
import type { ImageCreate__Output } from './generated/containerd/services/images/v1/ImageCreate.js';
import type { ImageDelete__Output } from './generated/containerd/services/images/v1/ImageDelete.js';
import type { ImageUpdate__Output } from './generated/containerd/services/images/v1/ImageUpdate.js';

/** Payload type for each event message name (the Any type_url without any prefix). */
export interface EventPayloads {
  'containerd.events.TaskCreate': TaskCreate__Output;
  'containerd.events.TaskStart': TaskStart__Output;
  'containerd.events.TaskDelete': TaskDelete__Output;
  'containerd.events.TaskExit': TaskExit__Output;
  'containerd.events.TaskOOM': TaskOOM__Output;
  'containerd.events.TaskExecAdded': TaskExecAdded__Output;
  'containerd.events.TaskExecStarted': TaskExecStarted__Output;
  'containerd.events.TaskPaused': TaskPaused__Output;
  'containerd.events.TaskResumed': TaskResumed__Output;
  'containerd.events.TaskCheckpointed': TaskCheckpointed__Output;
  'containerd.events.ContainerCreate': ContainerCreate__Output;
  'containerd.events.ContainerUpdate': ContainerUpdate__Output;
  'containerd.events.ContainerDelete': ContainerDelete__Output;
  'containerd.events.NamespaceCreate': NamespaceCreate__Output;
  'containerd.events.NamespaceUpdate': NamespaceUpdate__Output;
  'containerd.events.NamespaceDelete': NamespaceDelete__Output;
  'containerd.events.SnapshotPrepare': SnapshotPrepare__Output;
  'containerd.events.SnapshotCommit': SnapshotCommit__Output;
  'containerd.events.SnapshotRemove': SnapshotRemove__Output;
  'containerd.events.ContentDelete': ContentDelete__Output;
  // Image events live in the images service package upstream.
  'containerd.services.images.v1.ImageCreate': ImageCreate__Output;
  'containerd.services.images.v1.ImageUpdate': ImageUpdate__Output;
  'containerd.services.images.v1.ImageDelete': ImageDelete__Output;
}

export type EventType = keyof EventPayloads;

interface EventCommon {
  /** e.g. "/tasks/exit". */
  topic: string;
  namespace: string;
  timestamp: Date | undefined;
}

/** An envelope whose payload was decoded; narrow on `type`. */
export type DecodedEvent = {
  [K in EventType]: EventCommon & { type: K; event: EventPayloads[K] };
}[EventType];

/** An envelope with a payload type berth has no schema for (kept raw). */
export interface UnknownEvent extends EventCommon {
  type: 'unknown';
  typeUrl: string;
  raw: Any__Output | null;
}

const KNOWN = new Set<string>([
  'containerd.events.TaskCreate',
  'containerd.events.TaskStart',
  'containerd.events.TaskDelete',
  'containerd.events.TaskExit',
  'containerd.events.TaskOOM',
  'containerd.events.TaskExecAdded',
  'containerd.events.TaskExecStarted',
  'containerd.events.TaskPaused',
  'containerd.events.TaskResumed',
  'containerd.events.TaskCheckpointed',
  'containerd.events.ContainerCreate',
  'containerd.events.ContainerUpdate',
  'containerd.events.ContainerDelete',
  'containerd.events.NamespaceCreate',
  'containerd.events.NamespaceUpdate',
  'containerd.events.NamespaceDelete',
  'containerd.events.SnapshotPrepare',
  'containerd.events.SnapshotCommit',
  'containerd.events.SnapshotRemove',
  'containerd.events.ContentDelete',
  'containerd.services.images.v1.ImageCreate',
  'containerd.services.images.v1.ImageUpdate',
  'containerd.services.images.v1.ImageDelete',
] satisfies EventType[]);

function isKnown(name: string): name is EventType {
  return KNOWN.has(name);
}

const decoders = new Map<string, (b: Buffer) => unknown>();

function decoderFor(root: protobuf.Root, name: EventType): (b: Buffer) => unknown {
  let d = decoders.get(name);
  if (!d) {
    d = codecFor<unknown, unknown>(root.lookupType(name)).deserialize;
    decoders.set(name, d);
  }
  return d;
}

/**
 * Decodes an Envelope's Any payload. The type_url on the wire is the bare
 * message name ("containerd.events.TaskExit"); a "type.googleapis.com/"
 * style prefix is accepted too.
 */
export function decodeEnvelope(envelope: Envelope__Output): DecodedEvent | UnknownEvent {
  const common: EventCommon = {
    topic: envelope.topic,
    namespace: envelope.namespace,
    timestamp: timestampToDate(envelope.timestamp),
  };
  const typeUrl = envelope.event?.type_url ?? '';
  const name = typeNameOf(typeUrl);
  if (!envelope.event || !isKnown(name))
    return { ...common, type: 'unknown', typeUrl, raw: envelope.event };
  const event = decoderFor(loadRoot('events'), name)(envelope.event.value);
  // The set membership check above is what ties `name` to the payload type.
  return { ...common, type: name, event } as DecodedEvent;
}

/** containerd.services.events.v1.Events. */
export class EventsService extends ServiceBase {
  constructor(conn: Connection) {
    super(conn, 'events', 'containerd.services.events.v1.Events');
  }

  /**
   * Starts the subscription immediately. There is no acknowledgement, so an
   * event raised right after this call can be missed; use Tasks.Wait for exit
   * codes. Filters like `topic=="/tasks/exit",event.container_id=="<id>"`.
   * The subscription keeps the process alive until cancelled.
   */
  subscribe(request: SubscribeRequest = {}, opts?: CallOptions): ServerStream<Envelope__Output> {
    return this.serverStream('Subscribe', request, opts);
  }

  /**
   * Dispatches an event to every subscriber of the call's namespace; containerd stamps it
   * and forwards the Any untouched, so its type need not be one containerd knows.
   */
  publish(request: PublishRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Publish', request, opts);
  }

  /** Decoded variant of subscribe(). */
  async *subscribeDecoded(
    request: SubscribeRequest = {},
    opts?: CallOptions,
  ): AsyncGenerator<DecodedEvent | UnknownEvent, void, undefined> {
    for await (const envelope of this.subscribe(request, opts)) yield decodeEnvelope(envelope);
  }

  decode(envelope: Envelope__Output): DecodedEvent | UnknownEvent {
    return decodeEnvelope(envelope);
  }
}
