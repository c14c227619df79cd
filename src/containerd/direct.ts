/**
 * Hand-written conversions from decoded protobufjs messages to the `__Output` shapes, for the
 * replies that carry many records. protobufjs's generated toObject visits every field of every
 * nested message with its option checks, and copies every map: for a 1000-container
 * Containers.List that is ~10-15 ms of a short-lived process's interpreter time, against ~1 ms
 * here. The result is the same object toObject would build (test/unit/containerd/direct.test.ts
 * compares the two for every field, so a field added to the proto fails the test until it is
 * converted here too).
 */
import type { Any__Output } from './generated/google/protobuf/Any.js';
import type { Timestamp__Output } from './generated/google/protobuf/Timestamp.js';
import type { Container__Output } from './generated/containerd/services/containers/v1/Container.js';

/** A decoded message: present fields are own properties, absent ones read the prototype default. */
type Decoded = Record<string, unknown>;

function bytes(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.length);
  // protobufjs's default for an absent bytes field is a shared empty array; toObject gives a Buffer.
  return Buffer.alloc(0);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function any(m: unknown): Any__Output | null {
  if (!m) return null;
  const a = m as Decoded;
  return { type_url: str(a['type_url']), value: bytes(a['value']) };
}

function timestamp(m: unknown): Timestamp__Output | null {
  if (!m) return null;
  const t = m as Decoded;
  // int64 seconds: a number, or a Long above 2^53 (see descriptors.ts); both print in decimal.
  const s = t['seconds'];
  return {
    seconds: s === undefined || s === null ? '0' : String(s),
    nanos: Number(t['nanos'] ?? 0),
  };
}

/** A map field: the decoder always builds a fresh object (the message constructor sets {}). */
function stringMap(v: unknown): Record<string, string> {
  return (v as Record<string, string> | undefined) ?? {};
}

function anyMap(v: unknown): Record<string, Any__Output> {
  const out: Record<string, Any__Output> = {};
  if (!v) return out;
  for (const [k, m] of Object.entries(v as Record<string, unknown>)) {
    const a = any(m);
    if (a) out[k] = a;
  }
  return out;
}

export function containerOutput(m: unknown): Container__Output {
  const c = m as Decoded;
  const runtime = c['runtime'] as Decoded | null | undefined;
  return {
    id: str(c['id']),
    labels: stringMap(c['labels']),
    image: str(c['image']),
    runtime: runtime ? { name: str(runtime['name']), options: any(runtime['options']) } : null,
    spec: any(c['spec']),
    snapshotter: str(c['snapshotter']),
    snapshot_key: str(c['snapshot_key']),
    created_at: timestamp(c['created_at']),
    updated_at: timestamp(c['updated_at']),
    extensions: anyMap(c['extensions']),
  };
}

function containerReply(m: unknown): { container: Container__Output | null } {
  const c = (m as Decoded)['container'];
  return { container: c ? containerOutput(c) : null };
}

/** Direct conversions by protobuf type name (without the leading dot). */
export const DIRECT_OUTPUT = new Map<string, (m: unknown) => unknown>([
  [
    'containerd.services.containers.v1.ListContainersResponse',
    (m) => ({ containers: ((m as Decoded)['containers'] as unknown[]).map(containerOutput) }),
  ],
  ['containerd.services.containers.v1.ListContainerMessage', containerReply],
  ['containerd.services.containers.v1.GetContainerResponse', containerReply],
]);
