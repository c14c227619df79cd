import assert from 'node:assert/strict';
import { BerthError, UsageError } from '../../../src/errors.js';
import {
  AlreadyExistsError,
  CancelledError,
  ConnectError,
  ContainerdError,
  DeadlineExceededError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
  connectReason,
  fromGrpcStatus,
  toBerthError,
} from '../../../src/containerd/errors.js';

describe('BerthError / UsageError', () => {
  it('defaults to exit 1 and keeps the cause', () => {
    const cause = new Error('inner');
    const e = new BerthError('boom', { cause });
    assert.equal(e.exitCode, 1);
    assert.equal(e.cause, cause);
    assert.equal(e.message, 'boom');
    assert.equal(e.name, 'BerthError');
    assert.ok(e instanceof Error);
  });

  it('UsageError exits 125', () => {
    const e = new UsageError('bad flag');
    assert.equal(e.exitCode, 125);
    assert.ok(e instanceof BerthError);
    assert.equal(e.name, 'UsageError');
  });
});

describe('gRPC status mapping', () => {
  const cases: [number, new (...a: never[]) => ContainerdError][] = [
    [1, CancelledError],
    [3, InvalidArgumentError],
    [4, DeadlineExceededError],
    [5, NotFoundError],
    [6, AlreadyExistsError],
    [9, FailedPreconditionError],
    [14, UnavailableError],
  ];
  for (const [code, Cls] of cases) {
    it(`code ${code} -> ${Cls.name}`, () => {
      const raw = Object.assign(new Error(`${code} X: detail`), { code, details: 'detail text' });
      const e = fromGrpcStatus(raw);
      assert.ok(e instanceof Cls);
      assert.ok(e instanceof ContainerdError);
      assert.ok(e instanceof BerthError);
      assert.equal(e.code, code);
      assert.equal(e.details, 'detail text');
      assert.equal(e.message, 'detail text');
      assert.equal(e.cause, raw);
      assert.equal(e.exitCode, 1);
      assert.equal(e.name, Cls.name);
    });
  }

  it('other codes -> plain ContainerdError (e.g. UNKNOWN for deleting a running task)', () => {
    const e = fromGrpcStatus({ code: 2, details: 'cannot delete a running process: unknown' });
    assert.equal(e.constructor, ContainerdError);
    assert.equal(e.code, 2);
  });

  it("UNKNOWN 'context deadline exceeded' (the deadline fired inside containerd) is a deadline", () => {
    const e = fromGrpcStatus({ code: 2, details: 'context deadline exceeded: unknown' });
    assert.ok(e instanceof DeadlineExceededError);
    assert.equal(e.code, 4);
  });

  it('classifies by code, not by text', () => {
    const e = fromGrpcStatus({ code: 9, details: 'something: not found' });
    assert.ok(e instanceof FailedPreconditionError);
    assert.ok(!(e instanceof NotFoundError));
  });

  it('passes BerthErrors through and wraps non-gRPC errors', () => {
    const b = new BerthError('x');
    assert.equal(toBerthError(b), b);
    const w = toBerthError(new TypeError('oops'));
    assert.ok(w instanceof ContainerdError);
    assert.equal(w.message, 'oops');
  });

  it('UNAVAILABLE from a connected server stays UnavailableError (locked ingest ref)', () => {
    const e = toBerthError(
      { code: 14, details: 'ref default/1/x locked for 98ms: unavailable' },
      { address: '/run/c.sock', neverConnected: false },
    );
    assert.ok(e instanceof UnavailableError);
  });
});

describe('ConnectError', () => {
  const address = '/run/containerd/containerd.sock';

  it('renders the one-line hint', () => {
    const e = toBerthError(
      {
        code: 14,
        details:
          'No connection established. Last error: Error: connect ENOENT /run/containerd/containerd.sock',
      },
      { address, neverConnected: true },
    );
    assert.ok(e instanceof ConnectError);
    assert.equal(e.exitCode, 1);
    assert.equal(
      e.message,
      'cannot connect to containerd at /run/containerd/containerd.sock: no such file ' +
        '(is containerd running? try: sudo systemctl start containerd, or berth system start)',
    );
    assert.ok(!e.message.includes('\n'));
    assert.ok(e.cause);
  });

  it('reads the errno from the status details', () => {
    const r = (details: string): string =>
      connectReason({ code: 14, details }, address, () => undefined);
    assert.equal(r('connect ECONNREFUSED /x'), 'connection refused');
    assert.equal(r('connect EACCES /x'), 'permission denied');
    assert.equal(r('connect ENOENT /x'), 'no such file');
  });

  it('falls back to stat() of the socket when the details say nothing', () => {
    const failing = (code: string) => (): never => {
      throw Object.assign(new Error(code), { code });
    };
    assert.equal(
      connectReason({ code: 14, details: '' }, address, failing('ENOENT')),
      'no such file',
    );
    assert.equal(
      connectReason({ code: 14, details: '' }, address, failing('EACCES')),
      'permission denied',
    );
    assert.equal(
      connectReason({ code: 14, details: '' }, address, () => ({})),
      'connection refused',
    );
  });

  it('a deadline before any connection is a connect timeout', () => {
    const e = toBerthError(
      { code: 4, details: 'Deadline exceeded' },
      { address, neverConnected: true },
    );
    assert.ok(e instanceof ConnectError);
    assert.equal(e.reason, 'timed out');
  });
});
