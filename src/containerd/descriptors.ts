/**
 * Loads the per-service JSON descriptors produced by scripts/build-proto.mjs
 * and turns them into (de)serializers for grpc-js.
 *
 * Why protobufjs/light + our own codecs instead of @grpc/proto-loader's
 * fromJSON: measured on the dev VM (2 vCPU, median of 15-21 interleaved cold
 * runs of one Version call): `node -e 0` 57 ms; light 128 ms unbundled /
 * 113 ms esbuild-bundled; proto-loader fromJSON 144 / 124 ms. proto-loader
 * also builds descriptor protos for every type, which the CLI never needs.
 * Per-service JSON instead of one file: parsing version.json takes ~1.7 ms,
 * the all-services JSON ~13-16 ms.
 * The conversion options below are what proto-loader would use with
 * keepCase/longs:String/enums:String/defaults, so the generated `__Output`
 * types describe what we return.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs/light.js';
import { DIRECT_OUTPUT } from './direct.js';

export type ServiceName =
  | 'version'
  | 'namespaces'
  | 'introspection'
  | 'images'
  | 'content'
  | 'snapshots'
  | 'containers'
  | 'tasks'
  | 'leases'
  | 'diff'
  | 'events'
  /** Not a service: cgroup metrics payloads that Tasks.Metrics wraps in an Any. */
  | 'cgroups'
  /** kubelet's runtime API (runtime.v1), served by containerd's CRI plugin on the same socket. */
  | 'cri';

/** Same shape proto-loader's `--longs=String --enums=String --defaults` output types promise. */
export const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
};

// protobufjs decodes every int64 into a Long object, and toObject (longs: String) then turns it
// into decimal with Long's own division loop: ~20 ms of a 1000-container `ps`, in a process too
// short-lived for that code to leave the interpreter. A value that fits a double exactly is read
// as a number instead, which toObject stringifies natively; the output is the same string.
type LongBitsProto = { toLong(unsigned?: boolean): unknown; toNumber(unsigned?: boolean): number };
const longBits = (protobuf.util as unknown as { LongBits: { prototype: LongBitsProto } }).LongBits
  .prototype;
const toLong = longBits.toLong;
longBits.toLong = function (this: LongBitsProto, unsigned?: boolean): unknown {
  const n = this.toNumber(unsigned);
  return Number.isSafeInteger(n) ? n : toLong.call(this, unsigned);
};

export interface Codec<I, O> {
  serialize(value: I): Buffer;
  deserialize(bytes: Buffer): O;
}

export interface MethodDef<I, O> extends Codec<I, O> {
  /** `/package.Service/Method`, the HTTP/2 path grpc-js needs. */
  path: string;
  requestStream: boolean;
  responseStream: boolean;
}

function toBuffer(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** Plain-object codec for one message type (keepCase field names, int64 as string). */
export function codecFor<I, O>(type: protobuf.Type): Codec<I, O> {
  const direct = DIRECT_OUTPUT.get(type.fullName.slice(1));
  return {
    serialize: (value: I) => toBuffer(type.encode(type.fromObject(value as object)).finish()),
    deserialize: direct
      ? (bytes: Buffer) => direct(type.decode(bytes)) as O
      : (bytes: Buffer) => type.toObject(type.decode(bytes), TO_OBJECT) as O,
  };
}

let descriptorDir: string | undefined;

/**
 * Where the JSON descriptors live. The main build may put them next to the
 * bundle (`dist/proto/`); from sources (tsx) they are in `<repo>/dist/proto/`.
 * BERTH_PROTO_DIR or setDescriptorDir() override both (tests, packaging).
 */
export function setDescriptorDir(dir: string | undefined): void {
  descriptorDir = dir;
  cache.clear();
}

function findDescriptorDir(): string {
  if (descriptorDir) return descriptorDir;
  const env = process.env['BERTH_PROTO_DIR'];
  const candidates = [
    ...(env ? [env] : []),
    fileURLToPath(new URL('./proto/', import.meta.url)), // bundled: dist/<bundle>.js
    fileURLToPath(new URL('../proto/', import.meta.url)), // bundled one level down
    fileURLToPath(new URL('../../dist/proto/', import.meta.url)), // src/containerd or dist-tsc/containerd
  ];
  for (const dir of candidates) {
    if (existsSync(`${dir}/version.json`)) return (descriptorDir = dir);
  }
  throw new Error(
    `containerd protocol descriptors not found (looked in ${candidates.join(', ')}); run: node scripts/build-proto.mjs`,
  );
}

const cache = new Map<ServiceName, protobuf.Root>();

/** The protobufjs Root for one service descriptor; parsed once per process. */
export function loadRoot(service: ServiceName): protobuf.Root {
  let root = cache.get(service);
  if (!root) {
    const json = JSON.parse(
      readFileSync(`${findDescriptorDir()}/${service}.json`, 'utf8'),
    ) as protobuf.INamespace;
    root = protobuf.Root.fromJSON(json);
    cache.set(service, root);
  }
  return root;
}

/**
 * The services whose codecs the start-up snapshot holds ready-made: those of the container life
 * cycle, images and pull. Metrics (cgroups), events, diff and introspection build theirs on first
 * use (~1-2 ms each): the commands that need them are rarer, and every codec in the snapshot is
 * heap that every command deserializes (all twelve were ~1.2 MB of a 10.8 MB snapshot).
 */
const SNAPSHOT_SERVICES: ServiceName[] = [
  'version',
  'namespaces',
  'images',
  'content',
  'snapshots',
  'containers',
  'tasks',
  'leases',
];

/**
 * Parses the hot descriptors and generates their message codecs now. Only the start-up snapshot
 * build calls it: protobufjs generates each type's encoder and decoder with new Function() on
 * first use, ~20 ms per `run`, which the snapshot then holds ready-made.
 */
export function preloadCodecs(): void {
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const child of ns.nestedArray) {
      if (child instanceof protobuf.Type) child.setup();
      if (child instanceof protobuf.Namespace || child instanceof protobuf.Type) visit(child);
    }
  };
  for (const service of SNAPSHOT_SERVICES) {
    const root = loadRoot(service);
    root.resolveAll();
    visit(root);
  }
}

/** Services whose descriptors this process has parsed (start-up cost checks, --debug). */
export function loadedServices(): ServiceName[] {
  return [...cache.keys()];
}

/** Installs an already-parsed descriptor (tests, or callers that embed descriptors). */
export function registerRoot(service: ServiceName, json: protobuf.INamespace): void {
  cache.set(service, protobuf.Root.fromJSON(json));
}

/** Method table of one gRPC service, with codecs built on first use of each method. */
export class ServiceDef {
  private readonly service: protobuf.Service;
  private readonly methods = new Map<string, MethodDef<unknown, unknown>>();

  constructor(
    readonly root: protobuf.Root,
    /** Fully-qualified service name, e.g. `containerd.services.tasks.v1.Tasks`. */
    readonly fullName: string,
  ) {
    this.service = root.lookupService(fullName);
  }

  /**
   * The caller supplies I/O types from src/containerd/generated; this is the
   * single place where the descriptor and the static types are trusted to agree
   * (the conformance test and the generator keep them in sync).
   */
  method<I, O>(name: string): MethodDef<I, O> {
    let def = this.methods.get(name);
    if (!def) {
      const m = this.service.methods[name];
      if (!m) throw new Error(`${this.fullName} has no method ${name}`);
      m.resolve();
      const req = codecFor<unknown, unknown>(m.resolvedRequestType as protobuf.Type);
      const res = codecFor<unknown, unknown>(m.resolvedResponseType as protobuf.Type);
      def = {
        path: `/${this.fullName}/${name}`,
        requestStream: m.requestStream === true,
        responseStream: m.responseStream === true,
        serialize: req.serialize,
        deserialize: res.deserialize,
      };
      this.methods.set(name, def);
    }
    return def as MethodDef<I, O>;
  }
}

export function loadService(service: ServiceName, fullName: string): ServiceDef {
  return new ServiceDef(loadRoot(service), fullName);
}
