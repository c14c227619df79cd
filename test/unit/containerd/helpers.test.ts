import assert from 'node:assert/strict';
import {
  dateToTimestamp,
  packAny,
  rfc3339,
  SPEC_TYPE_URL,
  specProcessArgs,
  timestampToDate,
  typeNameOf,
  unpackJsonAny,
} from '../../../src/containerd/helpers.js';
import { grpcTarget, socketPathOf } from '../../../src/containerd/connection.js';
import { GC_EXPIRE_LABEL, newLeaseId } from '../../../src/containerd/leases.js';
import { loadRoot } from '../../../src/containerd/descriptors.js';

describe('containerd helpers', () => {
  it('packAny / unpackJsonAny round-trip JSON payloads', () => {
    const spec = { ociVersion: '1.0.2', process: { args: ['echo', 'hi'] } };
    const any = packAny(SPEC_TYPE_URL, spec);
    assert.equal(any.type_url, 'types.containerd.io/opencontainers/runtime-spec/1/Spec');
    assert.ok(Buffer.isBuffer(any.value));
    assert.deepEqual(JSON.parse(any.value.toString()), spec);
    assert.deepEqual(unpackJsonAny(any), spec);
  });

  it('specProcessArgs reads process.args as a full parse would', () => {
    const specs: unknown[] = [
      // Go's field order: args after user.
      { process: { terminal: false, user: { uid: 0 }, args: ['sh', '-c', 'echo "]" \\ [x]'] } },
      // env before args, holding the sequences the scan looks for, escaped.
      { process: { env: ['A="args":[1]', 'B=\\"process":{'], args: ['a b', 'é\u2028', ''] } },
      // hooks first, with their own args.
      { hooks: { prestart: [{ path: '/h', args: ['hook'] }] }, process: { args: ['real'] } },
      // a process without args: the hook's args must not be taken.
      { process: { cwd: '/' }, hooks: { prestart: [{ path: '/h', args: ['hook'] }] } },
      { process: { args: [] } },
      // longer than the first window, with multi-byte characters across its edge
      { process: { args: ['sh', 'é'.repeat(3000), 'x'.repeat(5000)] } },
      { ociVersion: '1.0.2' },
    ];
    for (const spec of specs) {
      const expected = (spec as { process?: { args?: string[] } }).process?.args;
      assert.deepEqual(specProcessArgs(packAny(SPEC_TYPE_URL, spec)), expected);
    }
    // Indented JSON (not what containerd clients write) still works, by the full parse.
    const pretty = { value: Buffer.from(JSON.stringify({ process: { args: ['x'] } }, null, 2)) };
    assert.deepEqual(specProcessArgs(pretty), ['x']);
  });

  it('int64 fields decode to the exact decimal string, small or not', () => {
    const ts = loadRoot('containers').lookupType('google.protobuf.Timestamp');
    for (const seconds of ['0', '-5', '1795405662', '9007199254740993', '-9223372036854775808']) {
      const bytes = ts.encode(ts.fromObject({ seconds, nanos: 1 })).finish();
      const back = ts.toObject(ts.decode(bytes), { longs: String }) as { seconds: string };
      assert.equal(back.seconds, seconds);
    }
  });

  it('timestamps convert both ways with int64 seconds as strings', () => {
    const d = new Date('2024-05-06T07:08:09.123Z');
    const ts = dateToTimestamp(d);
    assert.deepEqual(ts, { seconds: String(Math.floor(d.getTime() / 1000)), nanos: 123_000_000 });
    assert.equal(timestampToDate(ts)?.toISOString(), d.toISOString());
    assert.equal(
      timestampToDate({ seconds: '1795405662', nanos: 999_999_999 })?.getTime(),
      1795405662999,
    );
  });

  it('pre-1970 dates keep nanos non-negative', () => {
    const ts = dateToTimestamp(new Date(-1500));
    assert.deepEqual(ts, { seconds: '-2', nanos: 500_000_000 });
    assert.equal(timestampToDate(ts)?.getTime(), -1500);
  });

  it('absent and Go zero-time timestamps are undefined', () => {
    assert.equal(timestampToDate(null), undefined);
    assert.equal(timestampToDate(undefined), undefined);
    assert.equal(timestampToDate({ seconds: '-62135596800', nanos: 0 }), undefined);
  });

  it('rfc3339 drops milliseconds', () => {
    assert.equal(rfc3339(new Date('2024-05-06T07:08:09.123Z')), '2024-05-06T07:08:09Z');
  });

  it('typeNameOf strips any type URL prefix', () => {
    assert.equal(typeNameOf('containerd.events.TaskExit'), 'containerd.events.TaskExit');
    assert.equal(
      typeNameOf('type.googleapis.com/containerd.events.TaskExit'),
      'containerd.events.TaskExit',
    );
  });

  it('addresses accept a unix:// prefix', () => {
    assert.equal(
      socketPathOf('unix:///run/containerd/containerd.sock'),
      '/run/containerd/containerd.sock',
    );
    assert.equal(
      socketPathOf('/run/containerd/containerd.sock'),
      '/run/containerd/containerd.sock',
    );
    assert.equal(grpcTarget('/run/c.sock'), 'unix:///run/c.sock');
    assert.equal(grpcTarget('unix:///run/c.sock'), 'unix:///run/c.sock');
    assert.equal(grpcTarget('rel/c.sock'), 'unix:rel/c.sock');
  });

  it('lease ids are unique and prefixed', () => {
    const a = newLeaseId();
    assert.match(a, /^berth-[0-9a-z]+-[0-9a-f]{8}$/);
    assert.notEqual(a, newLeaseId());
    assert.equal(GC_EXPIRE_LABEL, 'containerd.io/gc.expire');
  });
});
