// `berth build` through the binary against the suite's containerd (classic builder semantics, no
// BuildKit), and commit / export / import / diff round trips. Everything a build makes is checked
// with ctr: no container, task, active snapshot, lease (but the cache's) or ingest may remain.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { berth, berthAsync, ctr, ctrList, env, hasTestEnv } from '../support/berth.js';

const BASE = 'lab/busybox';

function nothingLeft(namespace = env.namespace, keep: string[] = []): void {
  const containers = ctrList(['containers', 'ls'], namespace);
  assert.deepEqual(
    containers.filter((c) => !keep.includes(c)),
    [],
    'no container left',
  );
  assert.deepEqual(
    ctrList(['tasks', 'ls'], namespace).filter((t) => !keep.includes(t)),
    [],
    'no task left',
  );
  const active = ctr(['snapshots', 'ls'], namespace)
    .stdout.split('\n')
    .filter((l) => /\sActive\s*$/.test(l) && !keep.some((k) => l.startsWith(k)));
  assert.deepEqual(active, [], 'no active snapshot left');
  assert.deepEqual(
    ctrList(['leases', 'ls'], namespace).filter((l) => l !== 'berth-build-cache'),
    [],
    'no lease left but the build cache',
  );
  assert.deepEqual(ctrList(['content', 'active'], namespace), [], 'no ingest left');
}

const DOCKERFILE = `ARG BASE=${BASE}
FROM $BASE AS builder
ARG VER=1
ENV APP=/app V=$VER
WORKDIR $APP/src
COPY a.txt ./
COPY sub /app/sub/
RUN echo built-$VER > out.txt && ls
FROM builder AS unused
RUN echo unused > /u
FROM $BASE AS final
LABEL org.example=yes
COPY --from=builder --chown=1:2 /app/src/out.txt /out.txt
ADD files.tar /data/
COPY *.txt /glob/
EXPOSE 80/tcp
USER 1000
CMD ["sh", "-c", "cat /out.txt"]
`;

describe('build (integration)', function () {
  this.timeout(180_000);
  let work: string;
  let ctx: string;
  const tag = (t: string) => `berth-build-test:${t}`;

  before(function () {
    if (!hasTestEnv()) this.skip();
    work = mkdtempSync(join(tmpdir(), 'berth-build-'));
    ctx = join(work, 'ctx');
    mkdirSync(join(ctx, 'sub'), { recursive: true });
    writeFileSync(join(ctx, 'a.txt'), 'hello\n');
    writeFileSync(join(ctx, 'sub', 's.txt'), 'sub\n');
    writeFileSync(join(ctx, 'secret.txt'), 'must not be copied\n');
    writeFileSync(join(ctx, '.dockerignore'), 'secret.txt\n');
    execFileSync('tar', ['-C', ctx, '-cf', join(ctx, 'files.tar'), 'a.txt', 'sub']);
    writeFileSync(join(ctx, 'Dockerfile'), DOCKERFILE);
    const r = berth(['load', '-i', join(env.images, 'busybox-oci.tar')]);
    assert.equal(r.code, 0, r.stderr);
  });

  after(() => {
    if (!hasTestEnv()) return;
    for (const c of ctrList(['containers', 'ls'])) berth(['rm', '-f', c]);
    for (const name of ctrList(['images', 'ls'])) ctr(['images', 'rm', name]);
    berth(['builder', 'prune', '-f']);
    rmSync(work, { recursive: true, force: true });
  });

  const run = (image: string, ...cmd: string[]) =>
    berth(['run', '--rm', '--network', 'none', '-u', '0', image, ...cmd]);

  let firstId = '';

  it('builds a multi-stage Dockerfile: --target, build args, .dockerignore, COPY --from --chown, ADD of a tar, WORKDIR expansion', () => {
    const r = berth(['build', '-t', tag('one'), '--target', 'final', ctx]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    // Docker's CLI: the size of the context tar it would send (checked against Docker 28.2).
    assert.ok(
      r.stdout.startsWith('Sending build context to Docker daemon  16.38kB\r\r\nStep 1/18 : '),
      JSON.stringify(r.stdout.slice(0, 80)),
    );
    const steps = r.stdout.split('\n').filter((l) => l.startsWith('Step '));
    assert.equal(steps[0], 'Step 1/18 : ARG BASE=lab/busybox');
    assert.equal(steps[1], 'Step 2/18 : FROM $BASE AS builder');
    assert.ok(r.stdout.includes(' ---> Running in '), r.stdout);
    assert.ok(r.stdout.includes('a.txt\nout.txt\n'), 'RUN output streamed');
    assert.match(r.stdout, /Removing intermediate container [0-9a-f]{12}\n/);
    const built = /Successfully built ([0-9a-f]{12})\n/.exec(r.stdout);
    assert.ok(built, r.stdout);
    assert.ok(r.stdout.endsWith(`Successfully tagged ${tag('one')}\n`));
    firstId = built[1]!;
    const files = run(
      tag('one'),
      'sh',
      '-c',
      'cat /out.txt /data/a.txt /data/sub/s.txt; ls /glob; stat -c "%u:%g" /out.txt',
    );
    assert.equal(files.code, 0, files.stderr);
    assert.equal(files.stdout, 'built-1\nhello\nsub\na.txt\n1:2\n');
    const inspect = berth([
      'image',
      'inspect',
      '--format',
      '{{.Config.User}} {{.Config.Cmd}} {{.Config.WorkingDir}} {{index .Config.Labels "org.example"}}',
      tag('one'),
    ]);
    assert.equal(inspect.stdout, '1000 [sh -c cat /out.txt]  yes\n');
    const hist = berth(['history', '--no-trunc', '--format', '{{.CreatedBy}}', tag('one')]);
    assert.ok(
      hist.stdout.includes('/bin/sh -c #(nop)  CMD ["sh" "-c" "cat /out.txt"]\n'),
      hist.stdout,
    );
    assert.ok(hist.stdout.includes('/bin/sh -c #(nop)  LABEL org.example=yes\n'), hist.stdout);
    nothingLeft();
  });

  it('reuses every step on a rebuild and gives the same ID', () => {
    const r = berth(['build', '-t', tag('one'), '--target', 'final', ctx]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.match(/ ---> Using cache\n/g)?.length, 14, r.stdout);
    assert.ok(r.stdout.includes(`Successfully built ${firstId}\n`), r.stdout);
    assert.ok(!r.stdout.includes('Running in'));
  });

  it('-q prints only the ID; --iidfile writes it', () => {
    const iid = join(work, 'iid');
    const r = berth(['build', '-q', '--iidfile', iid, '--target', 'final', ctx]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
    assert.ok(r.stdout.startsWith(`sha256:${firstId}`));
    assert.equal(readFileSync(iid, 'utf8'), r.stdout.trim());
  });

  it('a changed build arg or source file gives a new ID; --no-cache runs everything', () => {
    const argBuild = berth(['build', '-q', '--build-arg', 'VER=2', '--target', 'final', ctx]);
    assert.equal(argBuild.code, 0, argBuild.stderr);
    assert.ok(!argBuild.stdout.startsWith(`sha256:${firstId}`));
    const out = run(argBuild.stdout.trim(), 'cat', '/out.txt');
    assert.equal(out.stdout, 'built-2\n');
    writeFileSync(join(ctx, 'a.txt'), 'changed\n');
    try {
      const srcBuild = berth(['build', '-q', '--target', 'final', ctx]);
      assert.equal(srcBuild.code, 0, srcBuild.stderr);
      assert.ok(!srcBuild.stdout.startsWith(`sha256:${firstId}`));
      assert.notEqual(srcBuild.stdout, argBuild.stdout);
    } finally {
      writeFileSync(join(ctx, 'a.txt'), 'hello\n');
    }
    const fresh = berth(['build', '--no-cache', '--target', 'builder', ctx]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.ok(!fresh.stdout.includes('Using cache'));
    assert.ok(fresh.stdout.includes('Running in'));
  });

  it('-f - reads the Dockerfile from stdin', () => {
    const r = berth(['build', '-t', tag('stdin'), '-f', '-', ctx], {
      input: `FROM ${BASE}\nCOPY a.txt /a\nCMD ["cat", "/a"]\n`,
    });
    assert.equal(r.code, 0, r.stderr);
    // The CLI adds the Dockerfile to the context tar under a random name.
    assert.ok(r.stdout.startsWith('Sending build context to Docker daemon  15.92kB\r\r\n'));
    assert.equal(run(tag('stdin')).stdout, 'hello\n');
  });

  it('runs the ONBUILD triggers of a base image built earlier', () => {
    const dir = join(work, 'onbuild');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.txt'), 'from the context\n');
    writeFileSync(
      join(dir, 'Dockerfile.base'),
      `FROM ${BASE}\nONBUILD RUN echo trig > /trig\nONBUILD COPY a.txt /ona\n`,
    );
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${tag('onbase')}\nRUN cat /trig /ona\n`);
    const base = berth([
      'build',
      '-q',
      '-t',
      tag('onbase'),
      '-f',
      join(dir, 'Dockerfile.base'),
      dir,
    ]);
    assert.equal(base.code, 0, base.stderr);
    const onbuild = berth([
      'image',
      'inspect',
      '--format',
      '{{json .Config.OnBuild}}',
      tag('onbase'),
    ]);
    assert.equal(onbuild.stdout, '["RUN echo trig > /trig","COPY a.txt /ona"]\n');
    const r = berth(['build', '--network', 'none', '-t', tag('onchild'), dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(
      r.stdout,
      /Step 1\/2 : FROM berth-build-test:onbase\n# Executing 2 build triggers\n ---> Running in [0-9a-f]{12}\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\nStep 2\/2 : RUN cat \/trig \/ona\n ---> Running in [0-9a-f]{12}\ntrig\nfrom the context\n/,
    );
    // The triggers ran once: the child does not carry them on.
    const child = berth([
      'image',
      'inspect',
      '--format',
      '{{json .Config.OnBuild}}',
      tag('onchild'),
    ]);
    assert.equal(child.stdout, 'null\n');
    nothingLeft();
  });

  it('ADD extracts local .tar.gz, .tar.bz2 and .tar.xz archives', () => {
    const dir = join(work, 'archives');
    mkdirSync(join(dir, 'src', 'in'), { recursive: true });
    writeFileSync(join(dir, 'src', 'in', 'f'), 'packed\n');
    for (const [flag, ext] of [
      ['-z', 'tar.gz'],
      ['-j', 'tar.bz2'],
      ['-J', 'tar.xz'],
    ] as const) {
      execFileSync('tar', ['-C', join(dir, 'src'), flag, '-cf', join(dir, `a.${ext}`), 'in']);
    }
    writeFileSync(
      join(dir, 'Dockerfile'),
      `FROM ${BASE}\nADD a.tar.gz /gz/\nADD a.tar.bz2 /bz2/\nADD a.tar.xz /xz/\n`,
    );
    const r = berth(['build', '-q', '-t', tag('archives'), dir]);
    assert.equal(r.code, 0, r.stderr);
    const files = run(tag('archives'), 'sh', '-c', 'cat /gz/in/f /bz2/in/f /xz/in/f; ls /bz2 /xz');
    assert.equal(files.stdout, 'packed\npacked\npacked\n/bz2:\nin\n\n/xz:\nin\n');
    nothingLeft();
  });

  it('push sends gzip-compressed layers under the gzip media type, and the same digest again', async () => {
    const repo = `${env.registry}/berth-build-test-${process.pid}/built`;
    assert.equal(berth(['tag', tag('one'), `${repo}:1`]).code, 0);
    const p = berth(['push', `${repo}:1`]);
    assert.equal(p.code, 0, p.stderr);
    const digest = /1: digest: (sha256:[0-9a-f]{64}) size: \d+\n$/.exec(p.stdout)?.[1];
    assert.ok(digest, p.stdout);
    const base = `http://${env.registry}/v2/berth-build-test-${process.pid}/built`;
    const res = await fetch(`${base}/manifests/1`, {
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(`sha256:${createHash('sha256').update(body).digest('hex')}`, digest);
    const manifest = JSON.parse(body.toString()) as {
      config: { digest: string };
      layers: { mediaType: string; digest: string; size: number }[];
    };
    const config = (await (await fetch(`${base}/blobs/${manifest.config.digest}`)).json()) as {
      rootfs: { diff_ids: string[] };
    };
    assert.equal(manifest.layers.length, config.rootfs.diff_ids.length);
    for (const [i, l] of manifest.layers.entries()) {
      assert.equal(l.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
      const blob = Buffer.from(await (await fetch(`${base}/blobs/${l.digest}`)).arrayBuffer());
      assert.equal(blob.length, l.size);
      assert.equal(`sha256:${createHash('sha256').update(blob).digest('hex')}`, l.digest);
      const diffId = `sha256:${createHash('sha256').update(gunzipSync(blob)).digest('hex')}`;
      assert.equal(diffId, config.rootfs.diff_ids[i]);
    }
    const again = berth(['push', `${repo}:1`]);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(again.stdout.endsWith(`1: digest: ${digest} size: ${body.length}\n`), again.stdout);
    berth(['rmi', `${repo}:1`]);
  });

  it("a failing RUN shows its output, Docker's message and exit code, and leaves nothing", () => {
    const dir = join(work, 'fail');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${BASE}\nRUN echo out; echo err >&2; exit 3\n`);
    const r = berth(['build', dir]);
    assert.equal(r.code, 3);
    assert.ok(r.stdout.includes('out\n'), r.stdout);
    assert.ok(r.stdout.includes('err'), r.stdout);
    assert.equal(
      r.stderr,
      "The command '/bin/sh -c echo out; echo err >&2; exit 3' returned a non-zero code: 3\n",
    );
    nothingLeft();
  });

  it('Ctrl-C in the middle of a RUN leaves nothing behind', async () => {
    const dir = join(work, 'sigint');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${BASE}\nRUN echo started; sleep 60\n`);
    const p = berthAsync(['build', '--no-cache', dir]);
    const deadline = Date.now() + 60_000;
    while (!p.stdout.includes('started') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(p.stdout.includes('started'), p.stdout + p.stderr);
    p.child.kill('SIGINT');
    const r = await p.done;
    assert.equal(r.code, 130, r.stderr);
    nothingLeft();
  });

  it('names the file and line of an unknown instruction, before any step runs', () => {
    const dir = join(work, 'unknown');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${BASE}\nRUN true\nFOOBAR x\n`);
    const r = berth(['build', dir]);
    assert.equal(r.code, 1);
    // Docker's CLI sends the context before the daemon reads the Dockerfile.
    assert.equal(r.stdout, 'Sending build context to Docker daemon  2.048kB\r\r\n');
    assert.equal(r.stderr, 'Dockerfile:3: unknown instruction: FOOBAR\n');
  });

  it('refuses BuildKit-only syntax in one line before any step', () => {
    const dir = join(work, 'buildkit');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${BASE}\nRUN --mount=type=cache,target=/c true\n`);
    const r = berth(['build', dir]);
    assert.equal(r.code, 1);
    // Docker's CLI sends the context before the daemon reads the Dockerfile.
    assert.equal(r.stdout, 'Sending build context to Docker daemon  2.048kB\r\r\n');
    assert.match(
      r.stderr,
      /^Dockerfile:2: RUN --mount is BuildKit-only syntax, not supported .*\n$/,
    );
  });

  it('reports a missing Dockerfile as Docker does', () => {
    const dir = join(work, 'empty');
    mkdirSync(dir);
    const r = berth(['build', dir]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${join(dir, 'Dockerfile')}: no such file or directory\n`,
    );
  });

  it('refuses COPY ../x as outside the context', () => {
    const dir = join(work, 'outside');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${BASE}\nCOPY ../x /x\n`);
    const r = berth(['build', dir]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'COPY failed: forbidden path outside the build context: ../x ()\n');
    nothingLeft();
  });

  it('builder prune drops the cache that system df counts: the next build runs its steps again', () => {
    const cacheRow = () => {
      const df = berth(['system', 'df']);
      assert.equal(df.code, 0, df.stderr);
      return df.stdout
        .split('\n')
        .find((l) => l.startsWith('Build Cache'))!
        .split(/\s{2,}/);
    };
    const [, count, active, size] = cacheRow();
    assert.ok(Number(count) >= 18, `cached steps counted: ${count}`);
    assert.equal(active, '0');
    assert.notEqual(size, '0B');
    const p = berth(['builder', 'prune', '-f']);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /^Total reclaimed space: /);
    assert.notEqual(p.stdout, 'Total reclaimed space: 0B\n');
    assert.ok(!ctrList(['leases', 'ls']).includes('berth-build-cache'));
    assert.deepEqual(cacheRow(), ['Build Cache', '0', '0', '0B', '0B']);
    const r = berth(['build', '--target', 'builder', ctx]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('Using cache'), r.stdout);
  });

  it('builds into k8s.io with what the CRI plugin expects', function () {
    const ns = 'k8s.io';
    const name = `berth-build-test-${process.pid}:cri`;
    // The base image is loaded into the namespace first (nothing is pulled here).
    const l = berth(['-n', ns, 'load', '-i', join(env.images, 'busybox-oci.tar')]);
    assert.equal(l.code, 0, l.stderr);
    const b = berth(['-n', ns, 'build', '-q', '-t', name, '-f', '-', ctx], {
      input: `FROM ${BASE}\nCOPY a.txt /a\n`,
    });
    try {
      assert.equal(b.code, 0, b.stderr);
      const id = b.stdout.trim();
      const records = ctr(['images', 'ls'], ns).stdout;
      for (const rec of [`docker.io/library/${name}`, id]) {
        const line = records.split('\n').find((l) => l.startsWith(`${rec} `));
        assert.ok(line, `record ${rec} in ${records}`);
        assert.ok(line.includes('io.cri-containerd.image=managed'), line);
      }
      nothingLeft(ns);
    } finally {
      berth(['-n', ns, 'rmi', '-f', name]);
      const id = b.stdout.trim();
      if (id) ctr(['images', 'rm', id], ns);
      ctr(['images', 'rm', `docker.io/${BASE}:latest`], ns);
      berth(['-n', ns, 'builder', 'prune', '-f']);
    }
  });

  describe('commit, export, import, diff', () => {
    const cname = `berth-commit-${process.pid}`;
    let cid = '';

    before(() => {
      const r = berth([
        'run',
        '--name',
        cname,
        '--network',
        'none',
        BASE,
        'sh',
        '-c',
        'echo new > /newfile; rm /bin/vi; mkdir -p /d/e; echo f > /d/e/f',
      ]);
      assert.equal(r.code, 0, r.stderr);
      cid = berth(['inspect', '--format', '{{.Id}}', cname]).stdout.trim();
    });

    after(() => {
      berth(['rm', '-f', cname]);
    });

    it('diff lists A/C/D like Docker', () => {
      const r = berth(['diff', cname]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'C /bin\nD /bin/vi\nA /d\nA /d/e\nA /d/e/f\nA /newfile\n');
    });

    it("commit's layer holds the container's changes and none of runc's mount points, as Docker's", () => {
      const layerOf = (image: string): string[] => {
        const ids = berth(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', image]);
        const top = (JSON.parse(ids.stdout) as string[]).at(-1)!;
        const blob = execFileSync(
          'ctr',
          ['--address', env.address, '-n', env.namespace, 'content', 'get', top],
          { maxBuffer: 64 << 20 },
        );
        return execFileSync('tar', ['-t'], { input: blob, encoding: 'utf8' })
          .split('\n')
          .filter(Boolean)
          .map((n) => n.replace(/^\.\//, ''))
          .sort();
      };
      const c = berth(['commit', cname, 'berth-committed:layer']);
      assert.equal(c.code, 0, c.stderr);
      assert.deepEqual(layerOf('berth-committed:layer'), [
        'bin/',
        'bin/.wh.vi',
        'd/',
        'd/e/',
        'd/e/f',
        'newfile',
      ]);
      // A container that changed nothing commits an empty layer and has no diff.
      const idle = `${cname}-idle`;
      assert.equal(berth(['run', '--name', idle, '--network', 'none', BASE, 'true']).code, 0);
      try {
        assert.equal(berth(['diff', idle]).stdout, '');
        assert.equal(berth(['commit', idle, 'berth-committed:idle']).code, 0);
        assert.deepEqual(layerOf('berth-committed:idle'), []);
      } finally {
        berth(['rm', '-f', idle]);
        berth(['rmi', 'berth-committed:idle', 'berth-committed:layer']);
      }
    });

    it('commit makes an image with the changes, -c, -m and -a', () => {
      const r = berth([
        'commit',
        '-a',
        'me',
        '-m',
        'msg',
        '-c',
        'ENV X=1',
        '-c',
        'CMD ["cat", "/newfile"]',
        cname,
        'berth-committed:1',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
      assert.equal(run('berth-committed:1').stdout, 'new\n');
      const env1 = run('berth-committed:1', 'sh', '-c', 'echo $X; test -e /bin/vi || echo gone');
      assert.equal(env1.stdout, '1\ngone\n');
      const h = berth(['history', '--format', '{{.Comment}}', 'berth-committed:1']);
      assert.equal(h.stdout.split('\n')[0], 'msg');
      nothingLeft(env.namespace, [cid]);
    });

    it('export | import gives an image with the same files', () => {
      const tarPath = join(work, 'export.tar');
      const e = berth(['export', '-o', tarPath, cname]);
      assert.equal(e.code, 0, e.stderr);
      const names = execFileSync('tar', ['-tf', tarPath], { encoding: 'utf8' }).split('\n');
      assert.ok(names.includes('newfile') || names.includes('./newfile'), 'newfile exported');
      assert.ok(!names.some((n) => /(^|\/)bin\/vi$/.test(n)), 'deleted file not exported');
      const i = berth(['import', '-c', 'CMD ["cat", "/d/e/f"]', tarPath, 'berth-imported:1']);
      assert.equal(i.code, 0, i.stderr);
      assert.match(i.stdout, /^sha256:[0-9a-f]{64}\n$/);
      assert.equal(run('berth-imported:1').stdout, 'f\n');
      const same = (img: string) =>
        run(img, 'sh', '-c', 'cd / && find bin etc d newfile | sort | md5sum').stdout;
      assert.equal(same('berth-imported:1'), same('berth-committed:1'));
      const fromStdin = berth(['import', '-', 'berth-imported:2'], {
        input: readFileSync(tarPath),
      });
      assert.equal(fromStdin.code, 0, fromStdin.stderr);
      assert.equal(run('berth-imported:2', 'cat', '/newfile').stdout, 'new\n');
      nothingLeft(env.namespace, [cid]);
    });

    it("commit and import refuse a bad --change with the daemon's words, exit 1", () => {
      const bad = berth(['commit', '-c', 'FROM x', cname, 'berth-committed:bad']);
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, 'Error response from daemon: FROM is not a valid change command\n');
      const empty = berth(['commit', '-c', 'ENV', cname, 'berth-committed:bad']);
      assert.equal(empty.code, 1);
      assert.equal(
        empty.stderr,
        'Error response from daemon: --change:2: ENV requires at least one argument\n',
      );
      const imp = berth(['import', '-c', 'RUN true', '-', 'berth-imported:bad'], { input: '' });
      assert.equal(imp.code, 1);
      assert.equal(imp.stderr, 'Error response from daemon: RUN is not a valid change command\n');
      assert.equal(
        berth(['image', 'inspect', 'berth-committed:bad', 'berth-imported:bad']).code,
        1,
      );
    });

    it('import refuses a URL clearly', () => {
      const r = berth(['import', 'http://127.0.0.1:1/x.tar']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /URL .* not supported/);
    });
  });
});
