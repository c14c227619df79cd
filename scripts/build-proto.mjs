#!/usr/bin/env node
// Turns berth's proto/ files into what the CLI loads at run time.
//
//   node scripts/build-proto.mjs            descriptors + TS types
//   node scripts/build-proto.mjs --no-types descriptors only (what a release build needs)
//
// Outputs:
//   dist/proto/<service>.json   one self-contained protobufjs JSON descriptor per
//                               containerd service (plus the types it references).
//                               Per-service files keep `berth version` from parsing
//                               the tasks/content/... schemas it never uses.
//   src/containerd/generated/   proto-loader-gen-types output, committed, so the
//                               service modules get typed requests/responses.
//
// The CLI never parses .proto text: parsing is ~2x the cost of JSON, and the
// descriptors are fixed at build time anyway.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT_DIR = path.resolve(here, '..');
export const PROTO_DIR = path.join(ROOT_DIR, 'proto');
const API = 'github.com/containerd/containerd/api';
const CGROUPS = 'github.com/containerd/cgroups';
const CRI = 'k8s.io/cri-api/pkg/apis/runtime/v1';

/** Service name (used as file and accessor name) -> proto files it needs. */
export const SERVICES = {
  version: [`${API}/services/version/v1/version.proto`],
  namespaces: [`${API}/services/namespaces/v1/namespace.proto`],
  introspection: [`${API}/services/introspection/v1/introspection.proto`],
  images: [`${API}/services/images/v1/images.proto`],
  content: [`${API}/services/content/v1/content.proto`],
  snapshots: [`${API}/services/snapshots/v1/snapshots.proto`],
  containers: [`${API}/services/containers/v1/containers.proto`],
  tasks: [`${API}/services/tasks/v1/tasks.proto`],
  leases: [`${API}/services/leases/v1/leases.proto`],
  diff: [`${API}/services/diff/v1/diff.proto`],
  // The events descriptor also carries every event payload so envelopes can be
  // decoded without loading the service descriptors they relate to.
  events: [
    `${API}/services/events/v1/events.proto`,
    `${API}/events/task.proto`,
    `${API}/events/container.proto`,
    `${API}/events/image.proto`,
    `${API}/events/namespace.proto`,
    `${API}/events/snapshot.proto`,
    `${API}/events/content.proto`,
  ],
  // Not a service: the cgroup v1/v2 metrics that Tasks.Metrics returns packed in an Any.
  cgroups: [`${CGROUPS}/stats/v1/metrics.proto`, `${CGROUPS}/v2/stats/metrics.proto`],
  // kubelet's runtime API (runtime.v1 RuntimeService and ImageService), which containerd's CRI
  // plugin serves on the same socket; vendored from kubernetes/cri-api with its licence.
  cri: [`${CRI}/api.proto`],
};

/** Every .proto under proto/, relative to it. */
export function allProtoFiles(protoDir = PROTO_DIR) {
  const out = [];
  const walk = (dir) => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith('.proto')) out.push(path.relative(protoDir, p));
    }
  };
  walk(protoDir);
  return out.sort();
}

/** Parses proto files (relative to protoDir) into a protobufjs Root, keeping snake_case names. */
export function loadRoot(files, protoDir = PROTO_DIR) {
  const root = new protobuf.Root();
  // Imports are full Go-style paths, so proto/ is the single include root.
  // Well-known google/protobuf files are bundled with protobufjs.
  root.resolvePath = (_origin, target) => {
    if (target.startsWith('google/protobuf/')) return target;
    if (path.isAbsolute(target)) return target;
    const file = path.join(protoDir, target);
    // A reference tree of containerd's API (the conformance test's) has no cgroups package:
    // berth's own cgroups files stand in for it there.
    // Nor has it kubelet's CRI definition, which is vendored as it is.
    const ownOnly = target.startsWith(`${CGROUPS}/`) || target.startsWith('k8s.io/');
    if (protoDir !== PROTO_DIR && ownOnly && !existsSync(file)) {
      return path.join(PROTO_DIR, target);
    }
    return file;
  };
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  return root;
}

/** Keys whose values are maps from user-chosen names (which may be "options"!) to definitions. */
const NAME_MAPS = new Set(['nested', 'fields', 'methods', 'values', 'oneofs']);
const DROP = new Set(['options', 'parsedOptions', 'comment', 'comments', 'valuesOptions']);

/**
 * Removes descriptor options and comments (they only matter to code
 * generators) while keeping entries such as the `options` *field* of
 * containerd.types.Mount, which lives under a name map.
 */
function strip(node, inNameMap = false) {
  if (Array.isArray(node)) return node.map((v) => strip(v));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (!inNameMap && DROP.has(k)) continue;
    out[k] = strip(v, !inNameMap && NAME_MAPS.has(k));
  }
  return out;
}

/** The JSON descriptor for one service (an object ready for Root.fromJSON). */
export function serviceDescriptor(service, protoDir = PROTO_DIR) {
  const files = SERVICES[service];
  if (!files) throw new Error(`unknown service ${service}`);
  return strip(loadRoot(files, protoDir).toJSON({ keepComments: false }));
}

/**
 * Writes dist/proto/<service>.json for every service and, unless types is
 * false, regenerates src/containerd/generated/.
 */
export function buildProto({
  outDir = path.join(ROOT_DIR, 'dist', 'proto'),
  types = true,
  protoDir = PROTO_DIR,
} = {}) {
  mkdirSync(outDir, { recursive: true });
  const written = [];
  for (const service of Object.keys(SERVICES)) {
    const file = path.join(outDir, `${service}.json`);
    writeFileSync(file, JSON.stringify(serviceDescriptor(service, protoDir)));
    written.push(file);
  }
  if (types) generateTypes(protoDir);
  return written;
}

export function generateTypes(
  protoDir = PROTO_DIR,
  outDir = path.join(ROOT_DIR, 'src', 'containerd', 'generated'),
) {
  rmSync(outDir, { recursive: true, force: true });
  // Relative paths keep machine-specific directories out of the committed
  // "Original file:" headers.
  const relProto = path.relative(ROOT_DIR, protoDir) || '.';
  const bin = path.join(
    ROOT_DIR,
    'node_modules',
    '@grpc',
    'proto-loader',
    'build',
    'bin',
    'proto-loader-gen-types.js',
  );
  execFileSync(
    process.execPath,
    [
      bin,
      '--keepCase',
      '--longs=String',
      '--enums=String',
      '--defaults',
      '--oneofs',
      '--grpcLib=@grpc/grpc-js',
      '--importFileExtension=.js',
      '-I',
      relProto,
      '-O',
      path.relative(ROOT_DIR, outDir),
      ...allProtoFiles(protoDir),
    ],
    { cwd: ROOT_DIR, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  // The top-level files are per-.proto "ProtoGrpcType" maps for proto-loader's
  // loadPackageDefinition, which berth does not use. They are also named after
  // the .proto basename, so events/task.proto and types/task/task.proto (and
  // two content.proto / namespace.proto) overwrite each other. Drop them; the
  // per-message and per-service files under containerd/ and google/ are what
  // the client imports.
  for (const ent of readdirSync(outDir, { withFileTypes: true })) {
    if (ent.isFile()) rmSync(path.join(outDir, ent.name));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = buildProto({ types: !process.argv.includes('--no-types') });
  process.stdout.write(`build-proto: wrote ${files.length} descriptors\n`);
}
