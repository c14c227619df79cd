/**
 * The client against an in-process grpc-js server speaking containerd's
 * service paths on a unix socket: metadata, codecs, deadlines, cancellation,
 * streams, the Content.Write lockstep, lazy descriptor loading and events.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type Metadata,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { buildProto } from '../../../scripts/build-proto.mjs';
import { Client } from '../../../src/containerd/client.js';
import {
  codecFor,
  loadedServices,
  loadRoot,
  setDescriptorDir,
  type ServiceName,
} from '../../../src/containerd/descriptors.js';
import {
  CancelledError,
  ConnectError,
  DeadlineExceededError,
  NotFoundError,
} from '../../../src/containerd/errors.js';
import { decodeEnvelope } from '../../../src/containerd/events.js';
import { withLease } from '../../../src/containerd/leases.js';

type Handler = UntypedServiceImplementation[string];

/** grpc-js server definition for one containerd service, using the same JSON descriptors as the client. */
function definition(service: ServiceName, fullName: string): ServiceDefinition {
  const root = loadRoot(service);
  const svc = root.lookupService(fullName);
  const def: Record<string, ServiceDefinition[string]> = {};
  for (const m of svc.methodsArray) {
    m.resolve();
    const req = codecFor<object, object>(m.resolvedRequestType as protobuf.Type);
    const res = codecFor<object, object>(m.resolvedResponseType as protobuf.Type);
    def[m.name] = {
      path: `/${fullName}/${m.name}`,
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
      requestSerialize: req.serialize,
      requestDeserialize: req.deserialize,
      responseSerialize: res.serialize,
      responseDeserialize: res.deserialize,
    };
  }
  return def as ServiceDefinition;
}

const seen: { method: string; md: Metadata }[] = [];
let readCancelled = false;

describe('containerd client (fake server)', function () {
  this.timeout(10_000);
  let dir: string;
  let server: Server;
  let socket: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'berth-client-'));
    buildProto({ outDir: path.join(dir, 'proto'), types: false });
    setDescriptorDir(path.join(dir, 'proto'));
    socket = path.join(dir, 'c.sock');
    server = new Server();
    const record = (method: string, h: Handler): Handler =>
      // grpc-js hands every handler a call object with .metadata first.
      ((call: { metadata: Metadata }, ...rest: unknown[]) => {
        seen.push({ method, md: call.metadata });
        return (h as (...a: unknown[]) => unknown)(call, ...rest);
      }) as Handler;

    server.addService(definition('version', 'containerd.services.version.v1.Version'), {
      Version: record('Version', (_call: unknown, cb: (e: null, r: object) => void) =>
        cb(null, { version: '1.6.20', revision: 'abc' }),
      ) as Handler,
    });
    server.addService(definition('namespaces', 'containerd.services.namespaces.v1.Namespaces'), {
      Get: record('Get', ((
        call: { request: { name: string } },
        cb: (e: object | null, r?: object) => void,
      ) => {
        if (call.request.name === 'slow') return; // never answers: deadline test
        cb({ code: GrpcStatus.NOT_FOUND, details: `namespace "${call.request.name}": not found` });
      }) as Handler),
      List: record('List', ((_c: unknown, cb: (e: null, r: object) => void) =>
        cb(null, { namespaces: [{ name: 'default' }] })) as Handler),
    });
    server.addService(definition('leases', 'containerd.services.leases.v1.Leases'), {
      Create: record('Create', ((
        call: { request: { id: string; labels: Record<string, string> } },
        cb: (e: null, r: object) => void,
      ) => cb(null, { lease: { id: call.request.id, labels: call.request.labels } })) as Handler),
      Delete: record('Delete', ((_c: unknown, cb: (e: null, r: object) => void) =>
        cb(null, {})) as Handler),
    });
    server.addService(definition('content', 'containerd.services.content.v1.Content'), {
      Read: record('Read', ((call: {
        write(m: object): boolean;
        end(): void;
        on(ev: string, f: () => void): void;
        cancelled: boolean;
      }) => {
        call.on('cancelled', () => (readCancelled = true));
        let i = 0;
        const tick = (): void => {
          if (call.cancelled) return;
          if (i === 100) return call.end();
          call.write({ offset: i * 3, data: Buffer.from([i, i, i]) });
          i++;
          setTimeout(tick, 2);
        };
        tick();
      }) as Handler),
      Write: record('Write', ((call: {
        on(ev: 'data', f: (m: { action: string; offset: string; data: Buffer }) => void): void;
        on(ev: 'end', f: () => void): void;
        write(m: object): boolean;
        end(): void;
      }) => {
        let offset = 0;
        call.on('data', (m) => {
          if (m.action === 'WRITE') offset += m.data.length;
          const res = {
            action: m.action,
            offset: String(offset),
            total: '6',
            digest: m.action === 'COMMIT' ? 'sha256:x' : '',
          };
          call.write(res);
          // containerd answers COMMIT twice; the client must not get confused.
          if (m.action === 'COMMIT') call.write(res);
        });
        call.on('end', () => call.end());
      }) as Handler),
    });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix://${socket}`, ServerCredentials.createInsecure(), (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  });

  after(() => {
    server?.forceShutdown();
    setDescriptorDir(undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads only the descriptor of the service it touches', async () => {
    setDescriptorDir(path.join(dir, 'proto')); // also clears the cache
    const client = new Client({ address: `unix://${socket}`, namespace: 'ns1' });
    try {
      assert.deepEqual(loadedServices(), []);
      const v = await client.version.version();
      assert.deepEqual(v, { version: '1.6.20', revision: 'abc' });
      assert.deepEqual(loadedServices(), ['version']);
    } finally {
      client.close();
    }
  });

  it('sends the namespace (default and per call) and the lease header', async () => {
    const client = new Client({ address: socket, namespace: 'ns1' });
    try {
      seen.length = 0;
      await client.namespaces.list();
      await client.namespaces.list({}, { namespace: 'other', lease: 'l1' });
      assert.deepEqual(seen[0]?.md.get('containerd-namespace'), ['ns1']);
      assert.deepEqual(seen[0]?.md.get('containerd-lease'), []);
      assert.deepEqual(seen[1]?.md.get('containerd-namespace'), ['other']);
      assert.deepEqual(seen[1]?.md.get('containerd-lease'), ['l1']);
    } finally {
      client.close();
    }
  });

  it('maps status codes and applies deadlines and abort signals', async () => {
    const client = new Client({ address: socket });
    try {
      await assert.rejects(client.namespaces.get({ name: 'x' }), (e: unknown) => {
        assert.ok(e instanceof NotFoundError);
        assert.equal(e.details, 'namespace "x": not found');
        return true;
      });
      await assert.rejects(
        client.namespaces.get({ name: 'slow' }, { timeoutMs: 100 }),
        DeadlineExceededError,
      );
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      await assert.rejects(
        client.namespaces.get({ name: 'slow' }, { signal: ac.signal }),
        CancelledError,
      );
    } finally {
      client.close();
    }
  });

  it('a missing socket fails fast with ConnectError', async () => {
    const client = new Client({ address: path.join(dir, 'nope.sock') });
    const t0 = Date.now();
    try {
      await assert.rejects(client.version.version(), (e: unknown) => {
        assert.ok(e instanceof ConnectError);
        assert.equal(e.reason, 'no such file');
        return true;
      });
      assert.ok(Date.now() - t0 < 1000);
    } finally {
      client.close();
    }
  });

  it('server streams iterate and cancel the call on break', async () => {
    const client = new Client({ address: socket });
    try {
      const all = await client.content.readBlob({ digest: 'sha256:x' });
      assert.equal(all.length, 300);
      readCancelled = false;
      let n = 0;
      for await (const chunk of client.content.read({ digest: 'sha256:x' })) {
        assert.ok(Buffer.isBuffer(chunk.data));
        if (++n === 3) break;
      }
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(readCancelled, 'server saw the cancellation');
    } finally {
      client.close();
    }
  });

  it('Content.Write runs in lockstep and tolerates the duplicate COMMIT reply', async () => {
    const client = new Client({ address: socket });
    try {
      const w = client.content.write({ lease: 'l1' });
      assert.equal((await w.send({ action: 'STAT', ref: 'r' })).action, 'STAT');
      assert.equal(
        (await w.send({ action: 'WRITE', ref: 'r', offset: 0, data: Buffer.from('abc') })).offset,
        '3',
      );
      assert.equal(
        (await w.send({ action: 'WRITE', ref: 'r', offset: 3, data: Buffer.from('def') })).offset,
        '6',
      );
      const c = await w.send({ action: 'COMMIT', ref: 'r', offset: 6, total: 6 });
      assert.equal(c.digest, 'sha256:x');
      await w.close();
    } finally {
      client.close();
    }
  });

  it('withLease creates a lease with gc.expire and always deletes it', async () => {
    const client = new Client({ address: socket });
    try {
      seen.length = 0;
      await assert.rejects(
        withLease(client, async (id) => {
          assert.match(id, /^berth-/);
          throw new Error('inner failure');
        }),
        /inner failure/,
      );
      assert.deepEqual(
        seen.map((s) => s.method),
        ['Create', 'Delete'],
      );
      const ok = await withLease(client, async (id) => id, { expireHours: 1 });
      assert.match(ok, /^berth-/);
    } finally {
      client.close();
    }
  });

  it('decodes event envelopes into typed payloads', () => {
    const root = loadRoot('events');
    const TaskExit = root.lookupType('containerd.events.TaskExit');
    const value = Buffer.from(
      TaskExit.encode(
        TaskExit.fromObject({
          container_id: 'c1',
          id: 'c1',
          pid: 42,
          exit_status: 137,
          exited_at: { seconds: 1700000000, nanos: 0 },
        }),
      ).finish(),
    );
    const ev = decodeEnvelope({
      timestamp: { seconds: '1700000000', nanos: 5_000_000 },
      namespace: 'default',
      topic: '/tasks/exit',
      event: { type_url: 'containerd.events.TaskExit', value },
    });
    assert.equal(ev.type, 'containerd.events.TaskExit');
    if (ev.type !== 'containerd.events.TaskExit') return;
    assert.equal(ev.event.exit_status, 137);
    assert.equal(ev.event.container_id, 'c1');
    assert.deepEqual(ev.event.exited_at, { seconds: '1700000000', nanos: 0 });
    assert.equal(ev.timestamp?.toISOString(), '2023-11-14T22:13:20.005Z');

    const unknown = decodeEnvelope({
      timestamp: null,
      namespace: 'default',
      topic: '/x',
      event: { type_url: 'containerd.events.Nope', value: Buffer.alloc(0) },
    });
    assert.equal(unknown.type, 'unknown');
  });
});
