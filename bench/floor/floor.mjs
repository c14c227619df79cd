// The floor for `berth run --rm --network none IMG true`: the least a Node program using grpc-js
// can do to run a container through containerd the way `ctr run --rm` does. Everything that can
// be known in advance (chain ID, OCI spec) comes in precomputed, so what is timed is only:
//   [Leases.Create] → Snapshots.Prepare → Containers.Create → Tasks.Create (+ Leases.Delete)
//   → Tasks.Wait ∥ Tasks.Start → Tasks.Delete → Containers.Delete ∥ Snapshots.Remove
// No oclif, no berth code: only berth's JSON protobuf descriptors (dist/proto, written by
// `npm run build`).
//
// The code is split where a V8 start-up snapshot splits it, so that one program runs both ways:
//  - this module's imports and prepare(): what does not depend on the run (grpc-js and
//    protobufjs loaded, descriptors parsed, method codecs looked up);
//  - run(): the run itself (its arguments, the connection, the calls).
// run-floor.mjs calls both in one plain process; snapshot.mjs calls prepare() while
// `node --build-snapshot` builds the blob and run() in each process started from it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs/light.js';

const USAGE = 'SOCKET NAMESPACE SNAPSHOTTER CHAIN_ID SPEC_JSON_FILE';

/**
 * The gRPC paths and protobufjs request/response types of the methods a run calls.
 * @param {{ protoDir?: string, leases?: boolean }} [o] where the descriptors are; whether the
 *   Leases service is needed (a run without a lease need not parse its descriptor)
 */
export function prepare({
  protoDir = fileURLToPath(new URL('../../dist/proto/', import.meta.url)),
  leases = true,
} = {}) {
  /** Method name → path and types, from one service descriptor. */
  const service = (file, fullName, names) => {
    const root = protobuf.Root.fromJSON(JSON.parse(readFileSync(`${protoDir}/${file}`, 'utf8')));
    const svc = root.lookupService(fullName);
    const out = {};
    for (const n of names) {
      const m = svc.methods[n].resolve();
      out[n] = {
        path: `/${fullName}/${n}`,
        req: m.resolvedRequestType,
        res: m.resolvedResponseType,
      };
    }
    return out;
  };
  return {
    snapshots: service('snapshots.json', 'containerd.services.snapshots.v1.Snapshots', [
      'Prepare',
      'Remove',
    ]),
    containers: service('containers.json', 'containerd.services.containers.v1.Containers', [
      'Create',
      'Delete',
    ]),
    tasks: service('tasks.json', 'containerd.services.tasks.v1.Tasks', [
      'Create',
      'Start',
      'Wait',
      'Delete',
    ]),
    leases: leases
      ? service('leases.json', 'containerd.services.leases.v1.Leases', ['Create', 'Delete'])
      : undefined,
  };
}

/**
 * Generates the encoders and decoders of every message type a call can send or receive, which
 * protobufjs otherwise does on a type's first use. Only worth it in a snapshot, where it happens
 * once at build time; a plain run would do it for types (nested fields) it never meets.
 */
export function compileCodecs(services) {
  const done = new Set();
  const visit = (type) => {
    if (done.has(type)) return;
    done.add(type);
    type.setup();
    for (const f of type.fieldsArray) {
      if (f.resolve().resolvedType instanceof protobuf.Type) visit(f.resolvedType);
    }
  };
  for (const s of Object.values(services)) {
    for (const m of Object.values(s ?? {})) {
      visit(m.req);
      visit(m.res);
    }
  }
}

/**
 * performance.now() marks (ms since Node's time origin, about when the process started), kept
 * only with FLOOR_MARKS=1 and written to stderr as one `floor-marks name=ms …` line by print().
 */
export function marks() {
  const list = process.env.FLOOR_MARKS === '1' ? [] : undefined;
  return {
    mark: (name) => list?.push([name, performance.now()]),
    print() {
      if (!list) return;
      const line = [['node-bootstrap', performance.nodeTiming.bootstrapComplete], ...list].map(
        ([n, ms]) => `${n}=${ms.toFixed(1)}`,
      );
      process.stderr.write(`floor-marks ${line.join(' ')}\n`);
    },
  };
}

/**
 * One container run: args are SOCKET NAMESPACE SNAPSHOTTER CHAIN_ID SPEC_JSON_FILE.
 * Env: FLOOR_LEASE=0, no lease; the snapshot carries a gc.root label instead, so it is still safe
 * from the garbage collector before the container references it.
 * @returns the container's exit status (125 if containerd failed, 2 on bad usage)
 */
export async function run(services, args, mark = () => undefined) {
  const [socket, namespace, snapshotter, chainId, specFile] = args;
  if (!specFile) {
    process.stderr.write(`usage: floor ${USAGE}\n`);
    return 2;
  }
  const { snapshots, containers, tasks, leases } = services;
  const useLease = process.env.FLOOR_LEASE !== '0';
  if (useLease && !leases) throw new Error('floor: prepared without the Leases service');
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
  // What exists and must go again; the lease goes as soon as the container record holds the
  // snapshot.
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
    process.stderr.write(`floor: ${err.details ?? err.message}\n`);
  } finally {
    const quiet = (p) => p.catch(() => undefined);
    // The task first: deleting it unmounts the rootfs. Then the rest at once (ctr even removes
    // the snapshot before the container record).
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
  return status;
}
