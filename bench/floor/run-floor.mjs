#!/usr/bin/env node
// The floor for `berth run --rm --network none IMG true`: the least a Node program using grpc-js
// can do to run a container through containerd the way `ctr run --rm` does. Everything that can
// be known in advance (chain ID, OCI spec) comes in precomputed, so what is timed is only:
//   [Leases.Create] → Snapshots.Prepare → Containers.Create → Tasks.Create (+ Leases.Delete)
//   → Tasks.Wait ∥ Tasks.Start → Tasks.Delete → Containers.Delete ∥ Snapshots.Remove
// No oclif, no bundle, no V8 snapshot, no berth code: only berth's JSON protobuf descriptors
// (dist/proto, written by `npm run build`).
//
// Usage: run-floor.mjs SOCKET NAMESPACE SNAPSHOTTER CHAIN_ID SPEC_JSON_FILE
// Env:   FLOOR_LEASE=0    no lease; the snapshot carries a gc.root label instead, so it is still
//                         safe from the garbage collector before the container references it
//        FLOOR_MARKS=1    performance.now() marks on stderr (ms since Node's time origin, which
//                         is about when the process started)
//        FLOOR_PROTO_DIR  where the descriptors are (default: <repo>/dist/proto)
// Exits with the container's exit status (125 if containerd failed).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs/light.js';

const marks = process.env.FLOOR_MARKS === '1' ? [] : undefined;
const mark = (name) => marks?.push([name, performance.now()]);
mark('imports');

const [socket, namespace, snapshotter, chainId, specFile] = process.argv.slice(2);
if (!specFile) {
  process.stderr.write('usage: run-floor.mjs SOCKET NAMESPACE SNAPSHOTTER CHAIN_ID SPEC_JSON\n');
  process.exit(2);
}
const useLease = process.env.FLOOR_LEASE !== '0';
const protoDir =
  process.env.FLOOR_PROTO_DIR ?? fileURLToPath(new URL('../../dist/proto/', import.meta.url));
// Unique enough for sequential benchmark runs, and cheaper than loading node:crypto.
const id = `floor-${process.pid}-${Date.now().toString(36)}`;

// The container's cgroup goes where ctr puts it (/<namespace>/<id>): the only per-run spec field.
const spec = JSON.parse(readFileSync(specFile, 'utf8'));
spec.linux.cgroupsPath = `/${namespace}/${id}`;
const specBytes = Buffer.from(JSON.stringify(spec));

// No channelz bookkeeping, no retry buffering: neither is of use to one short-lived run.
const client = new grpc.Client(`unix://${socket}`, grpc.credentials.createInsecure(), {
  'grpc.enable_channelz': 0,
  'grpc.enable_retries': 0,
});

/** Method name → gRPC path and protobufjs request/response types, from one service descriptor. */
function service(file, fullName, names) {
  const root = protobuf.Root.fromJSON(JSON.parse(readFileSync(`${protoDir}/${file}`, 'utf8')));
  const svc = root.lookupService(fullName);
  const out = {};
  for (const n of names) {
    const m = svc.methods[n].resolve();
    out[n] = { path: `/${fullName}/${n}`, req: m.resolvedRequestType, res: m.resolvedResponseType };
  }
  return out;
}
const snapshots = service('snapshots.json', 'containerd.services.snapshots.v1.Snapshots', [
  'Prepare',
  'Remove',
]);
const containers = service('containers.json', 'containerd.services.containers.v1.Containers', [
  'Create',
  'Delete',
]);
const tasks = service('tasks.json', 'containerd.services.tasks.v1.Tasks', [
  'Create',
  'Start',
  'Wait',
  'Delete',
]);
const leases = useLease
  ? service('leases.json', 'containerd.services.leases.v1.Leases', ['Create', 'Delete'])
  : undefined;
mark('descriptors');

/**
 * One unary call. Requests are plain objects encoded directly (no fromObject: every field is
 * already of the right JS type); responses stay protobufjs messages (no toObject).
 */
function call(method, request, lease) {
  const md = new grpc.Metadata();
  md.set('containerd-namespace', namespace);
  if (lease) md.set('containerd-lease', lease);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      method.path,
      (v) => Buffer.from(method.req.encode(v).finish()),
      (b) => method.res.decode(b),
      request,
      md,
      {},
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

let status = 125;
// What exists and must go again; the lease goes as soon as the container record holds the snapshot.
const made = { lease: false, snapshot: false, container: false, task: false };
let leaseDropped;
const dropLease = () => {
  made.lease = false;
  return (leaseDropped = call(leases.Delete, { id }));
};
try {
  let labels = {};
  if (useLease) {
    // Like containerd's Go client (and berth): a lease that expires on its own if we die mid-way.
    const expire = new Date(Date.now() + 3_600_000).toISOString();
    await call(leases.Create, { id, labels: { 'containerd.io/gc.expire': expire } });
    made.lease = true;
    mark('lease');
  } else {
    labels = { 'containerd.io/gc.root': new Date().toISOString() };
  }
  const lease = useLease ? id : undefined;
  const prepared = await call(
    snapshots.Prepare,
    { snapshotter, key: id, parent: chainId, labels },
    lease,
  );
  made.snapshot = true;
  mark('snapshot');
  await call(
    containers.Create,
    {
      container: {
        id,
        runtime: { name: 'io.containerd.runc.v2' },
        spec: {
          type_url: 'types.containerd.io/opencontainers/runtime-spec/1/Spec',
          value: specBytes,
        },
        snapshotter,
        snapshot_key: id,
      },
    },
    lease,
  );
  made.container = true;
  mark('container');
  await Promise.all([
    call(tasks.Create, { container_id: id, rootfs: prepared.mounts }).then(() => {
      made.task = true;
    }),
    made.lease && dropLease(),
  ]);
  mark('task');
  // Wait goes out first and Start right behind it, so the exit costs no extra round trip; a
  // task that exits before Wait is served still reports its status (it is not deleted yet).
  const waited = call(tasks.Wait, { container_id: id });
  await call(tasks.Start, { container_id: id });
  mark('started');
  status = (await waited).exit_status;
  mark('exited');
} catch (err) {
  process.stderr.write(`run-floor: ${err.details ?? err.message}\n`);
} finally {
  const quiet = (p) => p.catch(() => undefined);
  // The task first: deleting it unmounts the rootfs. Then the rest at once (ctr even removes the
  // snapshot before the container record).
  if (made.task) await quiet(call(tasks.Delete, { container_id: id }));
  mark('task-deleted');
  await Promise.all([
    made.container && quiet(call(containers.Delete, { id })),
    made.snapshot && quiet(call(snapshots.Remove, { snapshotter, key: id })),
    made.lease ? quiet(dropLease()) : leaseDropped && quiet(leaseDropped),
  ]);
  mark('removed');
  client.close();
}
if (marks) {
  const t = performance.nodeTiming;
  const line = [['node-bootstrap', t.bootstrapComplete], ...marks].map(
    ([n, ms]) => `${n}=${ms.toFixed(1)}`,
  );
  process.stderr.write(`floor-marks ${line.join(' ')}\n`);
}
process.exitCode = status;
