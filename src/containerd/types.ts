/**
 * Short names for the message shapes commands use most. Output types (what
 * calls return) carry every field, with int64 as string, enums as string
 * names and absent sub-messages as null. Input types are the permissive
 * request shapes.
 */
export type { Any__Output as Any } from './generated/google/protobuf/Any.js';
export type { Timestamp__Output as Timestamp } from './generated/google/protobuf/Timestamp.js';
export type {
  Mount as MountInput,
  Mount__Output as Mount,
} from './generated/containerd/types/Mount.js';
export type {
  Descriptor as DescriptorInput,
  Descriptor__Output as Descriptor,
} from './generated/containerd/types/Descriptor.js';
export type { Platform__Output as Platform } from './generated/containerd/types/Platform.js';
export type { Metric__Output as Metric } from './generated/containerd/types/Metric.js';
export type { Process__Output as Process } from './generated/containerd/v1/types/Process.js';
export type { Status__Output as ProcessStatus } from './generated/containerd/v1/types/Status.js';
export type { ProcessInfo__Output as ProcessInfo } from './generated/containerd/v1/types/ProcessInfo.js';
export type {
  Container as ContainerInput,
  Container__Output as Container,
} from './generated/containerd/services/containers/v1/Container.js';
export type {
  Image as ImageInput,
  Image__Output as Image,
} from './generated/containerd/services/images/v1/Image.js';
export type { Namespace__Output as Namespace } from './generated/containerd/services/namespaces/v1/Namespace.js';
export type { Info__Output as ContentInfo } from './generated/containerd/services/content/v1/Info.js';
export type { Status__Output as IngestStatus } from './generated/containerd/services/content/v1/Status.js';
export type { WriteAction } from './generated/containerd/services/content/v1/WriteAction.js';
export type { Info__Output as SnapshotInfo } from './generated/containerd/services/snapshots/v1/Info.js';
export type { Kind__Output as SnapshotKind } from './generated/containerd/services/snapshots/v1/Kind.js';
export type { Lease__Output as Lease } from './generated/containerd/services/leases/v1/Lease.js';
export type { Plugin__Output as Plugin } from './generated/containerd/services/introspection/v1/Plugin.js';
export type { Envelope__Output as Envelope } from './generated/containerd/services/events/v1/Envelope.js';
