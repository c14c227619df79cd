// Issue 16 (security and leaks): seccomp as Docker applies it, --security-opt refused rather than
// dropped, and nothing left behind by interrupted or failing commands.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { berth, ctrList, env, hasTestEnv, uniqueName } from '../support/berth.js';

const IMG = (): string => `${env.registry}/lab/busybox:latest`;

function run(args: string[], cmd: string[]) {
  return berth(['run', '--rm', '--network', 'none', ...args, IMG(), ...cmd]);
}

describe('security: seccomp and --security-opt', function () {
  this.timeout(120000);
  let work: string;
  const names: string[] = [];

  before(function () {
    if (!hasTestEnv()) this.skip();
    work = mkdtempSync(path.join(tmpdir(), 'berth-sec-'));
  });

  after(() => {
    if (names.length) berth(['rm', '-f', ...names]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("a default container runs under Docker's seccomp filter (Seccomp: 2)", () => {
    const r = run([], ['grep', '^Seccomp:', '/proc/self/status']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Seccomp:\t2\n');
  });

  it('seccomp=unconfined and --privileged run without a filter', () => {
    for (const args of [['--security-opt', 'seccomp=unconfined'], ['--privileged']]) {
      const r = run(args, ['grep', '^Seccomp:', '/proc/self/status']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Seccomp:\t0\n', args.join(' '));
    }
  });

  it('a uid-1000 process cannot unshare a user namespace (EPERM), as in Docker', () => {
    const r = run(['-u', '1000'], ['unshare', '-U', '-r', 'id']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /unshare\(0x10000000\): Operation not permitted/);
    // The same command is allowed without the filter, so the filter is what stops it.
    const free = run(
      ['-u', '1000', '--security-opt', 'seccomp=unconfined'],
      ['unshare', '-U', '-r', 'id', '-u'],
    );
    assert.equal(free.code, 0, free.stderr);
    assert.equal(free.stdout, '0\n');
  });

  it('a custom profile denying mkdir denies it, and inspect shows it in HostConfig.SecurityOpt', () => {
    const file = path.join(work, 'nomkdir.json');
    writeFileSync(
      file,
      JSON.stringify(
        {
          defaultAction: 'SCMP_ACT_ALLOW',
          syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }],
        },
        null,
        2,
      ),
    );
    const r = run(['--security-opt', `seccomp=${file}`], ['mkdir', '/x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /can't create directory '\/x': Operation not permitted/);

    const name = uniqueName('sec-inspect');
    names.push(name);
    const c = berth([
      'create',
      '--network',
      'none',
      '--name',
      name,
      '--security-opt',
      `seccomp=${file}`,
      '--security-opt',
      'no-new-privileges',
      IMG(),
    ]);
    assert.equal(c.code, 0, c.stderr);
    const i = berth(['inspect', '-f', '{{json .HostConfig.SecurityOpt}}', name]);
    assert.equal(i.code, 0, i.stderr);
    assert.deepEqual(JSON.parse(i.stdout), [
      'seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}',
      'no-new-privileges',
    ]);
    const plain = uniqueName('sec-plain');
    names.push(plain);
    assert.equal(berth(['create', '--network', 'none', '--name', plain, IMG()]).code, 0);
    assert.equal(
      berth(['inspect', '-f', '{{json .HostConfig.SecurityOpt}}', plain]).stdout,
      'null\n',
    );
  });

  it("a missing or malformed profile is 125 with docker/cli's words, and nothing is created", () => {
    const before = ctrList(['containers', 'ls']).length;
    const missing = run(['--security-opt', 'seccomp=/nonexistent/profile.json'], ['true']);
    assert.equal(missing.code, 125);
    assert.equal(
      missing.stderr.split('\n')[0],
      'berth: opening seccomp profile (/nonexistent/profile.json) failed: open /nonexistent/profile.json: no such file or directory',
    );
    const bad = path.join(work, 'bad.json');
    writeFileSync(bad, '{bad');
    const malformed = run(['--security-opt', `seccomp=${bad}`], ['true']);
    assert.equal(malformed.code, 125);
    assert.match(
      malformed.stderr,
      /^berth: compacting json for seccomp profile \(.*bad\.json\) failed: /,
    );
    const wrongAction = path.join(work, 'action.json');
    writeFileSync(wrongAction, '{"defaultAction":"SCMP_ACT_NOPE"}');
    const invalid = run(['--security-opt', `seccomp=${wrongAction}`], ['true']);
    assert.equal(invalid.code, 125);
    assert.match(invalid.stderr, /unknown action "SCMP_ACT_NOPE"/);
    assert.equal(ctrList(['containers', 'ls']).length, before);
  });

  it('apparmor= and label= are refused with one line where the host cannot apply them', function () {
    const r = run(['--security-opt', 'label=type:svirt_t'], ['true']);
    assert.equal(r.code, 125);
    assert.match(
      r.stderr.split('\n')[0]!,
      /^berth: Error response from daemon: label=type:svirt_t: SELinux/,
    );
    assert.equal(run(['--security-opt', 'label=disable'], ['true']).code, 0);
    assert.equal(run(['--security-opt', 'apparmor=unconfined'], ['true']).code, 0);
    const a = run(['--security-opt', 'apparmor=no-such-profile'], ['true']);
    assert.equal(a.code, 125);
    assert.match(
      a.stderr.split('\n')[0]!,
      /apparmor=no-such-profile: (AppArmor is not enabled|no AppArmor profile)/,
    );
  });
});
