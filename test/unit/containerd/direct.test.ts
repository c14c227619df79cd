import assert from 'node:assert/strict';
import protobuf from 'protobufjs/light.js';
import { DIRECT_OUTPUT } from '../../../src/containerd/direct.js';
import { loadRoot, TO_OBJECT } from '../../../src/containerd/descriptors.js';

// The direct conversions must build exactly what protobufjs's toObject builds, field for field:
// ps and everything else read these objects through the generated __Output types.
describe('direct reply conversions', () => {
  const root = loadRoot('containers');
  const type = (name: string): protobuf.Type =>
    root.lookupType(`containerd.services.containers.v1.${name}`);

  const any = (url: string, value: number[]) => ({ type_url: url, value: Buffer.from(value) });
  const full = {
    id: 'c1',
    labels: { 'berth/name': 'web', 'io.containerd.image.config.stop-signal': 'SIGTERM' },
    image: '127.0.0.1:5000/lab/busybox:latest',
    runtime: { name: 'io.containerd.runc.v2', options: any('runc.Options', [1, 2]) },
    spec: any('types.containerd.io/opencontainers/runtime-spec/1/Spec', [123, 125]),
    snapshotter: 'overlayfs',
    snapshot_key: 'c1',
    created_at: { seconds: 1700000000, nanos: 5 },
    updated_at: { seconds: '9007199254740993', nanos: 0 }, // above 2^53: decoded as a Long
    extensions: { ext: any('x', [9]), empty: any('', []) },
  };
  // Every field absent or empty in turn, so defaults are compared too.
  const variants: object[] = [
    full,
    {},
    { id: 'only' },
    { ...full, labels: {}, extensions: {} },
    { ...full, runtime: { name: 'r' } },
    { ...full, runtime: null, spec: null, created_at: null, updated_at: null },
    { ...full, spec: { type_url: 'u' } },
    { ...full, created_at: { seconds: -62135596800 }, updated_at: { nanos: 7 } },
  ];

  const roundTrip = (name: string, obj: object): { direct: unknown; generic: unknown } => {
    const t = type(name);
    const direct = DIRECT_OUTPUT.get(`containerd.services.containers.v1.${name}`);
    assert.ok(direct, `no direct conversion for ${name}`);
    const bytes = t.encode(t.fromObject(obj)).finish();
    return { direct: direct(t.decode(bytes)), generic: t.toObject(t.decode(bytes), TO_OBJECT) };
  };

  it('ListContainersResponse: same objects as toObject for every field, present or absent', () => {
    for (const containers of [[], variants]) {
      const { direct, generic } = roundTrip('ListContainersResponse', { containers });
      assert.deepStrictEqual(direct, generic);
    }
  });

  it('GetContainerResponse and ListContainerMessage: same as toObject, with and without a container', () => {
    for (const name of ['GetContainerResponse', 'ListContainerMessage']) {
      for (const container of [...variants, undefined]) {
        const { direct, generic } = roundTrip(name, container ? { container } : {});
        assert.deepStrictEqual(direct, generic, `${name} ${JSON.stringify(container)}`);
      }
    }
  });
});
