import assert from 'node:assert/strict';

import { defaultCapabilities } from '../../../src/oci/spec.js';
import {
  compactJSON,
  kernelAtLeast,
  parseSeccompProfile,
  resolveSeccomp,
} from '../../../src/oci/seccomp.js';
import { DEFAULT_SECCOMP_PROFILE } from '../../../src/oci/seccomp-default.js';
import { securitySpecOpts } from '../../../src/oci/security.js';
import { buildSpec, withCapAdd, withPrivileged } from '../../../src/oci/opts.js';

const amd64 = { arch: 'amd64', kernel: '6.1.0-18-amd64' };
const names = (s: ReturnType<typeof resolveSeccomp>) =>
  new Set(
    (s?.syscalls ?? [])
      .filter((c) => !c.args && c.action === 'SCMP_ACT_ALLOW')
      .flatMap((c) => c.names),
  );

describe('seccomp (dockerd setupSeccomp)', () => {
  it("resolves Docker's default profile for the default capability set", () => {
    const s = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, defaultCapabilities(), amd64)!;
    assert.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(s.defaultErrnoRet, 1);
    assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    const allowed = names(s);
    for (const n of ['read', 'mkdir', 'arch_prctl', 'ptrace']) assert.ok(allowed.has(n), n);
    // CAP_SYS_ADMIN-only calls stay denied; clone is allowed only without namespace flags.
    for (const n of ['unshare', 'mount', 'setns', 'clone', 'reboot', 's390_runtime_instr']) {
      assert.ok(!allowed.has(n), n);
    }
    const clone = s.syscalls!.find((c) => c.names.includes('clone'));
    assert.deepEqual(clone?.args, [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }]);
    const clone3 = s.syscalls!.find((c) => c.names.includes('clone3'));
    assert.deepEqual(clone3, { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  });

  it('capability-conditioned rules follow the bounding set', () => {
    const s = resolveSeccomp(
      DEFAULT_SECCOMP_PROFILE,
      [...defaultCapabilities(), 'CAP_SYS_ADMIN'],
      amd64,
    )!;
    const allowed = names(s);
    for (const n of ['unshare', 'mount', 'setns', 'clone', 'clone3']) assert.ok(allowed.has(n), n);
    assert.ok(
      !s.syscalls!.some((c) => c.names.includes('clone3') && c.action === 'SCMP_ACT_ERRNO'),
    );
  });

  it('minKernel and arch filters', () => {
    assert.equal(kernelAtLeast('4.7.10', '4.8'), false);
    assert.equal(kernelAtLeast('4.8.0-foo', '4.8'), true);
    assert.equal(kernelAtLeast('5.0', '4.8'), true);
    const old = names(
      resolveSeccomp(DEFAULT_SECCOMP_PROFILE, defaultCapabilities(), {
        arch: 'arm64',
        kernel: '4.4.0',
      }),
    );
    assert.ok(!old.has('ptrace'));
    assert.ok(old.has('set_tls'));
    assert.ok(!old.has('arch_prctl'));
  });

  it('checks profiles as runc would, with one-line messages', () => {
    assert.throws(
      () => parseSeccompProfile('{"defaultAction":"SCMP_ACT_NOPE"}'),
      /unknown action "SCMP_ACT_NOPE"/,
    );
    assert.throws(() => parseSeccompProfile('[]'), /^Error: Decoding seccomp profile failed/);
    assert.throws(
      () =>
        parseSeccompProfile(
          '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"BAD"}]}]}',
        ),
      /unknown operator "BAD"/,
    );
    assert.throws(
      () =>
        resolveSeccomp(
          parseSeccompProfile(
            '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":null}]}',
          ),
          [],
          amd64,
        ),
      /both 'architectures' and 'archMap'/,
    );
    assert.equal(resolveSeccomp(parseSeccompProfile('{}'), [], amd64), undefined);
  });

  it('compacts JSON as Go does (whitespace in strings kept)', () => {
    assert.equal(compactJSON('{ "a" : [1, 2],\n\t"b": "x y\\" z" }'), '{"a":[1,2],"b":"x y\\" z"}');
  });

  it('security options: default filter, none when privileged or unconfined, refusals', async () => {
    const host = { seccomp: true, apparmor: false, selinux: false };
    const base = {
      privileged: false,
      labels: [],
      noNewPrivileges: false,
      systemPathsUnconfined: false,
    };
    const spec = await buildSpec({ namespace: 'n', id: 'i' }, securitySpecOpts(base, host));
    assert.equal(spec.linux?.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(spec.process?.noNewPrivileges, undefined);
    const admin = await buildSpec({ namespace: 'n', id: 'i' }, [
      withCapAdd(['SYS_ADMIN']),
      ...securitySpecOpts(base, host),
    ]);
    assert.ok(admin.linux?.seccomp?.syscalls?.some((c) => c.names.includes('unshare')));
    const priv = await buildSpec({ namespace: 'n', id: 'i' }, [
      withPrivileged({ devices: [] }),
      ...securitySpecOpts({ ...base, privileged: true }, host),
    ]);
    assert.equal(priv.linux?.seccomp, undefined);
    const unconfined = await buildSpec(
      { namespace: 'n', id: 'i' },
      securitySpecOpts({ ...base, seccomp: 'unconfined' }, host),
    );
    assert.equal(unconfined.linux?.seccomp, undefined);
    assert.throws(
      () => securitySpecOpts({ ...base, apparmor: 'x' }, host),
      /AppArmor is not enabled/,
    );
    assert.throws(
      () => securitySpecOpts({ ...base, labels: ['type:t'] }, host),
      /SELinux is not enabled/,
    );
    assert.doesNotThrow(() =>
      securitySpecOpts({ ...base, labels: ['disable'], apparmor: 'unconfined' }, host),
    );
    assert.throws(
      () =>
        securitySpecOpts(
          { ...base, seccomp: '{"defaultAction":"SCMP_ACT_ALLOW"}' },
          { ...host, seccomp: false },
        ),
      /seccomp is not enabled in your kernel/,
    );
  });
});
