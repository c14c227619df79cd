/**
 * Pure conversions between berth's JS values and containerd's wire shapes.
 * No gRPC imports, so anything may use these cheaply.
 */
import type { Any__Output } from './generated/google/protobuf/Any.js';
import type { Timestamp, Timestamp__Output } from './generated/google/protobuf/Timestamp.js';

/** type_url containerd uses for the OCI runtime spec in Container.spec. */
export const SPEC_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Spec';
/** type_url for an exec's OCI Process in Tasks.Exec. */
export const PROCESS_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Process';
/** type_url for LinuxResources in Tasks.Update. */
export const RESOURCES_TYPE_URL =
  'types.containerd.io/opencontainers/runtime-spec/1/LinuxResources';

/** An Any whose payload is JSON, which is how containerd carries OCI specs. */
export interface JsonAny {
  type_url: string;
  value: Buffer;
}

export function packAny(typeUrl: string, value: unknown): JsonAny {
  return { type_url: typeUrl, value: Buffer.from(JSON.stringify(value)) };
}

/** Parses a JSON Any (e.g. Container.spec); throws if the payload is not JSON. */
export function unpackJsonAny<T = unknown>(any: Pick<Any__Output, 'value'>): T {
  return JSON.parse(anyText(any)) as T;
}

function anyBytes(any: Pick<Any__Output, 'value'>): Buffer {
  const v: Uint8Array = any.value;
  // A view, not a copy: lists hand over thousands of specs.
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function anyText(any: Pick<Any__Output, 'value'>): string {
  return anyBytes(any).toString('utf8');
}

// A JSON array of strings, anchored where it starts.
const STRING_ARRAY = /\[\s*(?:"(?:[^"\\]|\\.)*"\s*(?:,\s*"(?:[^"\\]|\\.)*"\s*)*)?\]/y;

/**
 * `process.args` of a runtime spec held in a JSON Any, without parsing the rest: `ps` needs only
 * the command of every container, and parsing whole specs was the largest cost of listing many.
 * A raw `"args":[` cannot occur inside a JSON string (its quote would end the string), and the
 * process object holds no other `args` key, so the first one after `"process":{` is it, unless
 * process has none; anything unexpected falls back to a full parse.
 */
export function specProcessArgs(any: Pick<Any__Output, 'value'>): string[] | undefined {
  // Searched as bytes (the keys are ASCII), so only the args array itself is decoded.
  const bytes = anyBytes(any);
  const process = bytes.indexOf('"process":{');
  const args = process < 0 ? -1 : bytes.indexOf('"args":[', process);
  // Hooks between them would mean process has no args and these are a hook's.
  if (args >= 0 && !bytes.subarray(process, args).includes('"hooks":{')) {
    const start = args + 7;
    // Decoded up to the first `]` that can close the array (one inside an argument only
    // extends it): a wider window would put kilobytes of each spec on the heap per container.
    for (let close = bytes.indexOf(0x5d, start), tries = 0; close >= 0 && tries < 64; tries++) {
      STRING_ARRAY.lastIndex = 0;
      const text = bytes.toString('utf8', start, close + 1);
      const m = STRING_ARRAY.exec(text);
      if (m && m[0].length === text.length) return JSON.parse(text) as string[];
      close = bytes.indexOf(0x5d, close + 1);
    }
  }
  return (JSON.parse(bytes.toString('utf8')) as { process?: { args?: string[] } }).process?.args;
}

/** Go's zero time.Time (0001-01-01T00:00:00Z) in Unix seconds, which containerd sends for "never". */
const GO_ZERO_SECONDS = -62135596800;

/**
 * Timestamp -> Date (millisecond precision). Returns undefined for an absent
 * timestamp and for Go's zero time, which containerd uses for "not set"
 * (e.g. exited_at of a running task).
 */
export function timestampToDate(
  ts: Timestamp__Output | Timestamp | null | undefined,
): Date | undefined {
  if (!ts) return undefined;
  const seconds = Number(ts.seconds ?? 0);
  const nanos = ts.nanos ?? 0;
  if (seconds <= GO_ZERO_SECONDS) return undefined;
  return new Date(seconds * 1000 + Math.floor(nanos / 1e6));
}

/** Date -> Timestamp with int64 seconds as a string, as the generated types expect. */
export function dateToTimestamp(date: Date): Timestamp__Output {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1e6 };
}

/**
 * RFC 3339 without fractional seconds, the format containerd's label
 * validators (e.g. containerd.io/gc.expire) parse.
 */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Message name from an Any type_url: "type.googleapis.com/x.Y" and "x.Y" both give "x.Y". */
export function typeNameOf(typeUrl: string): string {
  const slash = typeUrl.lastIndexOf('/');
  return slash >= 0 ? typeUrl.slice(slash + 1) : typeUrl;
}
