import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  CPU_PERIOD,
  INIT_PATH,
  STOP_SIGNAL_ANNOTATION,
  buildSpec,
  compose,
  replaceOrAppendEnv,
  resolveCommand,
  withAnnotations,
  withApparmorProfile,
  withCapAdd,
  withCapDrop,
  withCapabilityChanges,
  withCpuShares,
  withCpus,
  withCpusetCpus,
  withCpusetMems,
  withCwd,
  withEnv,
  withHostNamespace,
  withHostname,
  withHostnameFile,
  withHostsFile,
  withImageConfig,
  withInit,
  withMemory,
  withMemorySwap,
  withMounts,
  withNamespacePath,
  withNoNewPrivileges,
  withPidsLimit,
  withPrivileged,
  withProcessArgs,
  withReadonlyRootfs,
  withResolvConf,
  withSeccompProfile,
  withSeccompUnconfined,
  withShmSize,
  withStopSignal,
  withSysctl,
  withTTY,
  withUlimits,
  withUnconfinedSystemPaths,
  withUser,
  withoutRunMount,
  type SpecContext,
  type SpecOpt,
} from '../../../src/oci/opts.js';
import { DEFAULT_PATH_ENV, RLIM_INFINITY, type Mount, type Spec } from '../../../src/oci/spec.js';

const ctx: SpecContext = { namespace: 'default', id: 'c1' };

async function build(...opts: SpecOpt[]): Promise<Spec> {
  return buildSpec(ctx, opts);
}

function mountAt(spec: Spec, destination: string): Mount | undefined {
  return spec.mounts?.find((m) => m.destination === destination);
}

describe('oci/opts', () => {
  describe('compose/buildSpec', () => {
    it('applies options in order, awaiting async ones', async () => {
      const order: string[] = [];
      const spec = await buildSpec(ctx, [
        async (s) => {
          await new Promise((r) => setTimeout(r, 5));
          order.push('a');
          s.hostname = 'a';
        },
        compose(
          (s) => {
            order.push('b');
            s.hostname += 'b';
          },
          (_s, c) => {
            order.push(c.id);
          },
        ),
      ]);
      assert.deepEqual(order, ['a', 'b', 'c1']);
      assert.equal(spec.hostname, 'ab');
      assert.equal(spec.linux?.cgroupsPath, '/default/c1');
    });

    it('propagates errors', async () => {
      await assert.rejects(
        buildSpec(ctx, [
          () => {
            throw new Error('boom');
          },
        ]),
        { message: 'boom' },
      );
    });
  });

  describe('replaceOrAppendEnv', () => {
    it('replaces by key, appends new keys, removes bare keys', () => {
      assert.deepEqual(replaceOrAppendEnv(['A=1', 'B=2', 'C=3'], ['B=x', 'D=4', 'C', 'A=y=z']), [
        'A=y=z',
        'B=x',
        'D=4',
      ]);
    });
    it('lets a later entry re-add a removed key', () => {
      assert.deepEqual(replaceOrAppendEnv(['A=1'], ['A', 'A=2']), ['A=2']);
    });
  });

  describe('resolveCommand (Docker rules)', () => {
    const img = { Entrypoint: ['/ep'], Cmd: ['cmd', 'arg'] };
    it('uses entrypoint + cmd from the image', () => {
      assert.deepEqual(resolveCommand(img), ['/ep', 'cmd', 'arg']);
    });
    it('replaces cmd with user args', () => {
      assert.deepEqual(resolveCommand(img, { args: ['x'] }), ['/ep', 'x']);
    });
    it('--entrypoint drops the image cmd', () => {
      assert.deepEqual(resolveCommand(img, { entrypoint: '/bin/sh' }), ['/bin/sh']);
      assert.deepEqual(resolveCommand(img, { entrypoint: '/bin/sh', args: ['-c', 'x'] }), [
        '/bin/sh',
        '-c',
        'x',
      ]);
    });
    it("--entrypoint '' drops both and runs the args", () => {
      assert.deepEqual(resolveCommand(img, { entrypoint: '', args: ['echo', 'hi'] }), [
        'echo',
        'hi',
      ]);
      assert.throws(() => resolveCommand(img, { entrypoint: '' }), {
        message: 'No command specified',
      });
    });
    it('handles null fields from Docker image configs', () => {
      assert.deepEqual(resolveCommand({ Entrypoint: null, Cmd: ['sh'] }), ['sh']);
      assert.throws(() => resolveCommand({ Entrypoint: null, Cmd: null }), {
        message: 'No command specified',
      });
    });
  });

  describe('withImageConfig', () => {
    let root: string;
    before(() => {
      root = mkdtempSync(path.join(os.tmpdir(), 'berth-img-'));
      mkdirSync(path.join(root, 'etc'));
      writeFileSync(
        path.join(root, 'etc/passwd'),
        'root:x:0:0::/root:/bin/sh\nweb:x:33:33::/:/bin/sh\n',
      );
      writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nwheel:x:10:root\nlog:x:4:web\n');
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    it('sets env, args, cwd and resolves the user', async () => {
      const spec = await buildSpec({ ...ctx, rootfs: root }, [
        withImageConfig({
          Env: ['PATH=/img/bin', 'FOO=bar'],
          Entrypoint: ['/entry'],
          Cmd: ['serve'],
          WorkingDir: '/app',
          User: 'web',
        }),
      ]);
      assert.deepEqual(spec.process?.env, ['PATH=/img/bin', 'FOO=bar']);
      assert.deepEqual(spec.process?.args, ['/entry', 'serve']);
      assert.equal(spec.process?.cwd, '/app');
      assert.deepEqual(spec.process?.user, { uid: 33, gid: 33, additionalGids: [33, 4] });
    });

    it('keeps the default PATH, cwd / and root with supplementary groups', async () => {
      const spec = await buildSpec({ ...ctx, rootfs: root }, [
        withImageConfig({ Env: ['A=1'], Cmd: ['sh'] }),
      ]);
      assert.deepEqual(spec.process?.env, [DEFAULT_PATH_ENV, 'A=1']);
      assert.equal(spec.process?.cwd, '/');
      assert.deepEqual(spec.process?.user, { uid: 0, gid: 0, additionalGids: [0, 10] });
    });

    it('passes command overrides through', async () => {
      const spec = await build(
        withImageConfig({ Entrypoint: ['/e'], Cmd: ['c'] }, { entrypoint: '', args: ['ls'] }),
      );
      assert.deepEqual(spec.process?.args, ['ls']);
    });
  });

  describe('process options', () => {
    it('withProcessArgs replaces args', async () => {
      const spec = await build(withProcessArgs('a'), withProcessArgs('echo', 'hi'));
      assert.deepEqual(spec.process?.args, ['echo', 'hi']);
    });

    it('withEnv sets, copies host values, and later wins', async () => {
      const lookup = (k: string) => ({ HOSTVAR: 'fromhost' })[k];
      const spec = await build(withEnv(['A=1', 'HOSTVAR', 'A=2', 'E='], lookup));
      assert.deepEqual(spec.process?.env, [DEFAULT_PATH_ENV, 'A=2', 'HOSTVAR=fromhost', 'E=']);
    });

    it('withEnv: an unset host variable removes it, as dockerd does', async () => {
      const spec = await build(
        withEnv(['FOO=img']),
        withEnv(['FOO'], () => undefined),
      );
      assert.deepEqual(spec.process?.env, [DEFAULT_PATH_ENV]);
    });

    it("withEnv rejects an empty name with Docker's message", () => {
      assert.throws(() => withEnv(['=x']), { message: 'invalid environment variable: =x' });
    });

    it('withCwd requires an absolute path', async () => {
      assert.equal((await build(withCwd('/w'))).process?.cwd, '/w');
      assert.throws(() => withCwd('rel'), {
        message: "the working directory 'rel' is invalid, it needs to be an absolute path",
      });
    });

    it('withUser resolves numeric users without a rootfs', async () => {
      const spec = await build(withUser('1000:1000', ['50']));
      assert.deepEqual(spec.process?.user, { uid: 1000, gid: 1000, additionalGids: [1000, 50] });
      await assert.rejects(build(withUser('nobody')), {
        message: 'unable to find user nobody: no matching entries in passwd file',
      });
    });

    it('withHostname sets hostname and HOSTNAME unless set', async () => {
      const a = await build(withHostname('box'));
      assert.equal(a.hostname, 'box');
      assert.deepEqual(a.process?.env, [DEFAULT_PATH_ENV, 'HOSTNAME=box']);
      const b = await build(withEnv(['HOSTNAME=mine']), withHostname('box'));
      assert.deepEqual(b.process?.env, [DEFAULT_PATH_ENV, 'HOSTNAME=mine']);
    });

    it('withTTY sets terminal and TERM=xterm unless set', async () => {
      const a = await build(withTTY());
      assert.equal(a.process?.terminal, true);
      assert.deepEqual(a.process?.env, [DEFAULT_PATH_ENV, 'TERM=xterm']);
      const b = await build(withEnv(['TERM=vt100']), withTTY());
      assert.deepEqual(b.process?.env, [DEFAULT_PATH_ENV, 'TERM=vt100']);
      const c = await build(withTTY(), withEnv(['TERM=vt100']));
      assert.deepEqual(c.process?.env, [DEFAULT_PATH_ENV, 'TERM=vt100']);
    });

    it('withInit mounts tini and prefixes args', async () => {
      const spec = await build(withProcessArgs('sleep', '1'), withInit('/bin/sh'));
      assert.deepEqual(spec.process?.args, [INIT_PATH, '--', 'sleep', '1']);
      assert.deepEqual(mountAt(spec, '/sbin/tini'), {
        destination: '/sbin/tini',
        type: 'bind',
        source: '/bin/sh',
        options: ['bind', 'ro'],
      });
      await assert.rejects(build(withInit('/nonexistent/tini')), {
        message: 'init binary "tini" not found',
      });
    });

    it('withInit finds the host tini', async function () {
      if (!existsSync('/usr/bin/tini-static') && !existsSync('/usr/bin/tini')) this.skip();
      const spec = await build(withProcessArgs('true'), withInit());
      assert.match(mountAt(spec, '/sbin/tini')?.source ?? '', /^\/usr\/bin\/tini(-static)?$/);
    });
  });

  describe('mounts', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'berth-mnt-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("adds binds with Docker's default options", async () => {
      const spec = await build(
        withMounts([
          { type: 'bind', source: dir, target: '/data', readonly: false, createHostPath: false },
          {
            type: 'bind',
            source: dir,
            target: '/ro',
            readonly: true,
            propagation: 'rslave',
            createHostPath: false,
          },
          {
            type: 'bind',
            source: dir,
            target: '/nr',
            readonly: false,
            nonRecursive: true,
            createHostPath: false,
          },
        ]),
      );
      assert.deepEqual(mountAt(spec, '/data'), {
        destination: '/data',
        type: 'bind',
        source: dir,
        options: ['rbind', 'rprivate'],
      });
      assert.deepEqual(mountAt(spec, '/ro')?.options, ['rbind', 'ro', 'rslave']);
      assert.deepEqual(mountAt(spec, '/nr')?.options, ['bind', 'rprivate']);
    });

    it('creates a missing -v host dir but rejects a missing --mount source', async () => {
      const missing = path.join(dir, 'a/b');
      await build(
        withMounts([
          { type: 'bind', source: missing, target: '/x', readonly: false, createHostPath: true },
        ]),
      );
      assert.ok(existsSync(missing));
      const gone = path.join(dir, 'gone');
      await assert.rejects(
        build(
          withMounts([
            { type: 'bind', source: gone, target: '/x', readonly: false, createHostPath: false },
          ]),
        ),
        {
          message: `invalid mount config for type "bind": bind source path does not exist: ${gone}`,
        },
      );
    });

    it('maps volumes through the resolver', async () => {
      const seen: Array<string | undefined> = [];
      const spec = await build(
        withMounts(
          [
            { type: 'volume', name: 'data', target: '/v', readonly: true },
            { type: 'volume', target: '/anon', readonly: false },
          ],
          {
            resolveVolume: (req) => {
              seen.push(req.name);
              return `/vols/${req.name ?? 'anon'}`;
            },
          },
        ),
      );
      assert.deepEqual(seen, ['data', undefined]);
      assert.deepEqual(mountAt(spec, '/v'), {
        destination: '/v',
        type: 'bind',
        source: '/vols/data',
        options: ['rbind', 'ro'],
      });
      await assert.rejects(
        build(withMounts([{ type: 'volume', target: '/v', readonly: false }])),
        /no volume resolver/,
      );
    });

    it('replaces default mounts, drops /dev children for a user /dev, sorts by depth', async () => {
      const spec = await build(
        withMounts([
          { type: 'tmpfs', target: '/run/sub', readonly: false, options: [] },
          { type: 'tmpfs', target: '/run', readonly: false, options: ['size=1m', 'exec'] },
          { type: 'bind', source: dir, target: '/dev', readonly: false, createHostPath: false },
        ]),
      );
      const dests = spec.mounts?.map((m) => m.destination);
      assert.deepEqual(dests, ['/proc', '/sys', '/run', '/dev', '/run/sub']);
      assert.deepEqual(mountAt(spec, '/run'), {
        destination: '/run',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', 'rprivate', 'size=1m', 'exec'],
      });
    });

    it('rejects duplicate mount points', async () => {
      await assert.rejects(
        build(
          withMounts([
            { type: 'tmpfs', target: '/x', readonly: false, options: [] },
            { type: 'tmpfs', target: '/x/', readonly: false, options: [] },
          ]),
        ),
        { message: 'Duplicate mount point: /x' },
      );
    });

    it('withReadonlyRootfs makes the rootfs and non-exempt default mounts read-only', async () => {
      const spec = await build(
        withReadonlyRootfs(),
        withMounts([{ type: 'tmpfs', target: '/tmp', readonly: false, options: [] }]),
      );
      assert.deepEqual(spec.root, { path: 'rootfs', readonly: true });
      assert.deepEqual(mountAt(spec, '/run')?.options, [
        'nosuid',
        'strictatime',
        'mode=755',
        'size=65536k',
        'ro',
      ]);
      assert.deepEqual(mountAt(spec, '/sys')?.options, ['nosuid', 'noexec', 'nodev', 'ro']);
      assert.ok(!mountAt(spec, '/dev/shm')?.options?.includes('ro'));
      assert.ok(!mountAt(spec, '/proc')?.options?.includes('ro'));
      assert.ok(!mountAt(spec, '/tmp')?.options?.includes('ro'));
    });

    it('withReadonlyRootfs leaves binds added earlier as requested', async () => {
      const spec = await build(
        withMounts([
          { type: 'bind', source: dir, target: '/b', readonly: false, createHostPath: false },
        ]),
        withReadonlyRootfs(),
      );
      assert.deepEqual(mountAt(spec, '/b')?.options, ['rbind', 'rprivate']);
    });

    it('withoutRunMount drops /run', async () => {
      const spec = await build(withoutRunMount());
      assert.equal(mountAt(spec, '/run'), undefined);
      assert.equal(spec.mounts?.length, 6);
    });

    it('withShmSize sets the /dev/shm size in bytes', async () => {
      const spec = await build(withShmSize(128 * 1024 * 1024));
      assert.deepEqual(mountAt(spec, '/dev/shm')?.options, [
        'nosuid',
        'noexec',
        'nodev',
        'mode=1777',
        'size=134217728',
      ]);
      assert.throws(() => withShmSize(-1), { message: 'SHM size can not be less than 0' });
    });

    it("withShmSize(0) is dockerd's 64 MB default, not an error", async () => {
      const spec = await build(withShmSize(0));
      assert.ok(mountAt(spec, '/dev/shm')?.options?.includes('size=67108864'));
    });

    it('network files are rbind,rprivate and follow --read-only', async () => {
      const spec = await build(
        withHostsFile('/state/hosts'),
        withReadonlyRootfs(),
        withResolvConf('/state/resolv.conf'),
        withHostnameFile('/state/hostname'),
        withHostsFile('/state/hosts2'),
      );
      assert.deepEqual(mountAt(spec, '/etc/resolv.conf'), {
        destination: '/etc/resolv.conf',
        type: 'bind',
        source: '/state/resolv.conf',
        options: ['rbind', 'ro', 'rprivate'],
      });
      assert.deepEqual(mountAt(spec, '/etc/hostname')?.options, ['rbind', 'ro', 'rprivate']);
      // The second hosts file replaces the first (which --read-only, as a bind, left alone).
      assert.equal(spec.mounts?.filter((m) => m.destination === '/etc/hosts').length, 1);
      assert.equal(mountAt(spec, '/etc/hosts')?.source, '/state/hosts2');
      const rw = await build(withHostsFile('/h'));
      assert.deepEqual(mountAt(rw, '/etc/hosts')?.options, ['rbind', 'rprivate']);
    });
  });

  describe('security', () => {
    it('withPrivileged opens everything up', async () => {
      const dev = { path: '/dev/kvm', type: 'c' as const, major: 10, minor: 232, fileMode: 0o660 };
      const spec = await build(
        withApparmorProfile('docker-default'),
        withPrivileged({
          devices: [dev],
          lastCap: 40,
        }),
      );
      assert.equal(spec.process?.capabilities?.bounding?.length, 41);
      assert.deepEqual(spec.process?.capabilities?.effective, spec.process?.capabilities?.bounding);
      assert.equal(spec.process?.apparmorProfile, undefined);
      assert.equal(spec.linux?.maskedPaths, undefined);
      assert.equal(spec.linux?.readonlyPaths, undefined);
      assert.deepEqual(spec.linux?.resources?.devices, [{ allow: true, access: 'rwm' }]);
      assert.deepEqual(spec.linux?.devices, [dev]);
      assert.deepEqual(mountAt(spec, '/sys')?.options, ['nosuid', 'noexec', 'nodev']);
    });

    it('withPrivileged scans host devices by default', async () => {
      const spec = await build(withPrivileged());
      const nul = spec.linux?.devices?.find((d) => d.path === '/dev/null');
      assert.deepEqual(nul && { type: nul.type, major: nul.major, minor: nul.minor }, {
        type: 'c',
        major: 1,
        minor: 3,
      });
      assert.ok(!spec.linux?.devices?.some((d) => d.path.startsWith('/dev/pts/')));
    });

    it('withCapAdd/withCapDrop accept both spellings and ALL', async () => {
      const a = await build(withCapAdd(['NET_ADMIN', 'cap_sys_time']));
      assert.deepEqual(a.process?.capabilities?.bounding?.slice(-2), [
        'CAP_NET_ADMIN',
        'CAP_SYS_TIME',
      ]);
      assert.equal(a.process?.capabilities?.permitted?.length, 16);
      const d = await build(withCapDrop(['ALL']), withCapAdd(['CHOWN']));
      assert.deepEqual(d.process?.capabilities, {
        bounding: ['CAP_CHOWN'],
        effective: ['CAP_CHOWN'],
        permitted: ['CAP_CHOWN'],
      });
      const c = await build(withCapabilityChanges(['ALL'], ['NET_RAW'], 40));
      assert.equal(c.process?.capabilities?.bounding?.length, 40);
      await assert.rejects(build(withCapAdd(['BOGUS'])), {
        message: 'unknown capability: "CAP_BOGUS"',
      });
    });

    it('withNoNewPrivileges toggles the flag (false is omitted)', async () => {
      assert.equal((await build(withNoNewPrivileges(false))).process?.noNewPrivileges, undefined);
      const on = await build(withNoNewPrivileges(false), withNoNewPrivileges());
      assert.equal(on.process?.noNewPrivileges, true);
    });

    it('apparmor, seccomp and system paths', async () => {
      const profile = { defaultAction: 'SCMP_ACT_ALLOW' };
      const spec = await build(withApparmorProfile('p'), withSeccompProfile(profile));
      assert.equal(spec.process?.apparmorProfile, 'p');
      assert.deepEqual(spec.linux?.seccomp, profile);
      const un = await build(
        withSeccompProfile(profile),
        withSeccompUnconfined(),
        withApparmorProfile('p'),
        withApparmorProfile(''),
        withUnconfinedSystemPaths(),
      );
      assert.equal(un.linux?.seccomp, undefined);
      assert.equal(un.process?.apparmorProfile, undefined);
      assert.equal(un.linux?.maskedPaths, undefined);
      assert.equal(un.linux?.readonlyPaths, undefined);
    });

    it('namespaces: join by path, or share the host', async () => {
      const spec = await build(
        withNamespacePath('network', '/proc/42/ns/net'),
        withHostNamespace('pid'),
        withNamespacePath('user', '/proc/1/ns/user'),
      );
      assert.deepEqual(spec.linux?.namespaces, [
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'mount' },
        { type: 'network', path: '/proc/42/ns/net' },
        { type: 'user', path: '/proc/1/ns/user' },
      ]);
    });

    it('annotations, stop signal and sysctls merge', async () => {
      const spec = await build(
        withAnnotations({ a: '1', b: '2' }),
        withStopSignal('SIGQUIT'),
        withAnnotations({ b: '3' }),
        withSysctl({ 'net.ipv4.ip_forward': '1' }),
        withSysctl({ 'kernel.shmmax': '100' }),
      );
      assert.deepEqual(spec.annotations, { a: '1', b: '3', [STOP_SIGNAL_ANNOTATION]: 'SIGQUIT' });
      assert.equal(STOP_SIGNAL_ANNOTATION, 'io.containerd.image.config.stop-signal');
      assert.deepEqual(spec.linux?.sysctl, {
        'net.ipv4.ip_forward': '1',
        'kernel.shmmax': '100',
      });
    });
  });

  describe('resources', () => {
    it('withCpus: quota = cpus * 100000 over a 100000 period', async () => {
      const spec = await build(withCpus(1.5, 2));
      assert.deepEqual(spec.linux?.resources?.cpu, { quota: 150000, period: CPU_PERIOD });
      assert.equal((await build(withCpus(0.01, 2))).linux?.resources?.cpu?.quota, 1000);
      assert.equal((await build(withCpus(0.333333333, 2))).linux?.resources?.cpu?.quota, 33333);
    });

    it("withCpus range-checks with dockerd's message", () => {
      const msg = 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available';
      assert.throws(() => withCpus(3, 2), { message: msg });
      assert.throws(() => withCpus(-1, 2), { message: msg });
      assert.throws(() => withCpus(0.001, 2), { message: msg });
    });

    it('cpu shares and cpusets share the cpu object', async () => {
      const spec = await build(
        withCpus(1, 4),
        withCpuShares(512),
        withCpusetCpus('0-1,3'),
        withCpusetMems('0'),
      );
      assert.deepEqual(spec.linux?.resources?.cpu, {
        quota: 100000,
        period: 100000,
        shares: 512,
        cpus: '0-1,3',
        mems: '0',
      });
      assert.throws(() => withCpusetCpus('1-0'), { message: 'Invalid value 1-0 for cpuset cpus' });
      assert.throws(() => withCpusetCpus('a'), { message: 'Invalid value a for cpuset cpus' });
      assert.throws(() => withCpusetMems('0,'), { message: 'Invalid value 0, for cpuset mems' });
    });

    it('withMemory: limit, and swap defaults to twice the limit when supported', async () => {
      const mb = 1024 * 1024;
      assert.deepEqual((await build(withMemory(64 * mb, true))).linux?.resources?.memory, {
        limit: 64 * mb,
        swap: 128 * mb,
      });
      assert.deepEqual((await build(withMemory(64 * mb, false))).linux?.resources?.memory, {
        limit: 64 * mb,
      });
      assert.equal((await build(withMemory(0, true))).linux?.resources?.memory, undefined);
      assert.throws(() => withMemory(1024), { message: 'Minimum memory limit allowed is 6MB' });
    });

    it('withMemorySwap: explicit, unlimited and validated', async () => {
      const mb = 1024 * 1024;
      const spec = await build(withMemory(64 * mb, true), withMemorySwap(100 * mb, true));
      assert.deepEqual(spec.linux?.resources?.memory, { limit: 64 * mb, swap: 100 * mb });
      const unl = await build(withMemory(64 * mb, true), withMemorySwap(-1, true));
      assert.equal(unl.linux?.resources?.memory?.swap, -1);
      const nosw = await build(withMemory(64 * mb, true), withMemorySwap(-1, false));
      assert.deepEqual(nosw.linux?.resources?.memory, { limit: 64 * mb });
      await assert.rejects(build(withMemorySwap(100 * mb, true)), {
        message: 'You should always set the Memory limit when using Memoryswap limit, see usage',
      });
      await assert.rejects(build(withMemory(64 * mb, true), withMemorySwap(10 * mb, true)), {
        message: 'Minimum memoryswap limit should be larger than memory limit, see usage',
      });
    });

    it('withPidsLimit maps zero/negative to unlimited', async () => {
      assert.deepEqual((await build(withPidsLimit(100))).linux?.resources?.pids, { limit: 100 });
      assert.deepEqual((await build(withPidsLimit(0))).linux?.resources?.pids, { limit: -1 });
      assert.deepEqual((await build(withPidsLimit(-1))).linux?.resources?.pids, { limit: -1 });
    });

    it('withUlimits replaces same-type rlimits and maps -1 to RLIM_INFINITY', async () => {
      const spec = await build(
        withUlimits([
          { name: 'nofile', soft: 1024, hard: 2048 },
          { name: 'core', soft: -1, hard: -1 },
        ]),
      );
      assert.deepEqual(spec.process?.rlimits, [
        { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 },
        { type: 'RLIMIT_CORE', soft: RLIM_INFINITY, hard: RLIM_INFINITY },
      ]);
    });
  });
});
