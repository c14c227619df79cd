// berth in containerd's k8s.io namespace, judged on real kubelet-shaped pods made through CRI
// (scripts/test-env/cri.sh) and on what CRI itself reports afterwards.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  berth,
  berthAsync,
  env,
  uniqueName,
  type Result,
  type RunOptions,
} from '../support/berth.js';
import { CriClient, criCtr, criEnv, hasCriEnv, type Pod } from '../support/cri.js';

/** berth against the CRI fixture's k8s.io namespace. */
function k8s(args: string[], opts?: RunOptions): Result {
  return berth(['--address', criEnv.address, '-n', 'k8s.io', ...args], opts);
}

function k8sAsync(args: string[]) {
  return berthAsync(['--address', criEnv.address, '-n', 'k8s.io', ...args]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('k8s.io through CRI (real pods made through the CRI API)', function () {
  this.timeout(180_000);
  let cri: CriClient;
  let busybox: string;
  let busyboxId: string;

  before(async function () {
    if (!hasCriEnv()) this.skip();
    cri = new CriClient();
    busybox = `${env.registry}/lab/busybox:latest`;
    busyboxId = await cri.pullImage(busybox);
  });

  after(async () => {
    if (!cri) return;
    await cri.cleanup();
    cri.close();
  });

  /** Every pod and container the test made can still be described and removed by CRI. */
  async function assertCriCanRemove(pod: Pod): Promise<void> {
    for (const c of await cri.listContainers(pod.id)) {
      await cri.containerStatus(c.id);
    }
    await cri.podStatus(pod.id);
    await cri.removePod(pod.id);
    assert.deepEqual(await cri.listContainers(pod.id), []);
  }

  describe('containers read through CRI', () => {
    let web: Pod;
    let net: Pod;
    let app: string;
    let job: string;
    let srv: string;
    let dataDir: string;
    const long = 'x'.repeat(2500);

    before(async () => {
      dataDir = join(env.dir, uniqueName('cri-data'));
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'file.txt'), 'from the host\n');
      web = await cri.runPod({ name: uniqueName('web') });
      app = await cri.createContainer(web, {
        name: 'app',
        image: busybox,
        command: ['sh', '-c', 'echo started; exec sleep 1000'],
        mounts: [{ container_path: '/data', host_path: dataDir, readonly: true }],
      });
      job = await cri.createContainer(web, {
        name: 'job',
        image: busybox,
        // The long line is longer than the fixture's max_container_log_line_size: CRI splits it.
        command: ['sh', '-c', `echo out; sleep 0.2; echo err >&2; sleep 0.2; echo ${long}; exit 3`],
      });
      net = await cri.runPod({ name: uniqueName('net'), hostNetwork: false });
      srv = await cri.createContainer(net, {
        name: 'srv',
        image: busybox,
        command: ['sleep', '1000'],
      });
      await cri.waitState(job, 'CONTAINER_EXITED');
    });

    const mine = () => `label=org.berth.test.cri-run=${cri.runId}`;

    it("ps shows an exited CRI container as Exited with CRI's code, and hides sandboxes", () => {
      const r = k8s([
        'ps',
        '-a',
        '--no-trunc',
        '-f',
        mine(),
        '--format',
        '{{.ID}} {{.Names}} {{.Status}}',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const rows = r.stdout.trim().split('\n').sort();
      assert.equal(rows.length, 3, r.stdout);
      assert.ok(
        rows.some((l) =>
          new RegExp(`^${job} k8s://default/${web.name}/job Exited \\(3\\) .* ago$`).test(l),
        ),
        r.stdout,
      );
      assert.ok(
        rows.some((l) => l.startsWith(`${app} k8s://default/${web.name}/app Up `)),
        r.stdout,
      );
      assert.ok(
        !rows.some((l) => l.startsWith(web.id) || l.startsWith(net.id)),
        'a sandbox is listed',
      );
      const exited = k8s(['ps', '-a', '-q', '--no-trunc', '-f', mine(), '-f', 'status=exited']);
      assert.equal(exited.stdout, `${job}\n`);
      const q = k8s(['ps', '-q', '--no-trunc', '-f', mine()]).stdout.trim().split('\n').sort();
      assert.deepEqual(q, [app, srv].sort());
    });

    it('sandboxes are shown when asked: --filter label=io.cri-containerd.kind=sandbox or --kube-sandboxes', () => {
      const f = k8s([
        'ps',
        '-a',
        '-q',
        '--no-trunc',
        '-f',
        mine(),
        '-f',
        'label=io.cri-containerd.kind=sandbox',
      ]);
      assert.deepEqual(f.stdout.trim().split('\n').sort(), [web.id, net.id].sort());
      const all = k8s(['ps', '-q', '--no-trunc', '--kube-sandboxes', '-f', mine()]);
      assert.deepEqual(all.stdout.trim().split('\n').sort(), [web.id, net.id, app, srv].sort());
    });

    it('inspect takes state, exit code, times, log path, mounts, network mode and hostname from CRI', async () => {
      const s = await cri.containerStatus(job);
      const r = k8s(['inspect', job]);
      assert.equal(r.code, 0, r.stderr);
      const [c] = JSON.parse(r.stdout) as {
        State: { Status: string; ExitCode: number; StartedAt: string; FinishedAt: string };
        LogPath: string;
        HostConfig: { NetworkMode: string; LogConfig: { Type: string } };
        Config: { Hostname: string };
      }[];
      assert.equal(c?.State.Status, 'exited');
      assert.equal(c?.State.ExitCode, 3);
      assert.equal(c?.LogPath, s.log_path);
      assert.equal(c?.HostConfig.NetworkMode, 'host');
      assert.equal(c?.HostConfig.LogConfig.Type, 'cri');
      assert.equal(Date.parse(c?.State.FinishedAt ?? ''), Math.floor(Number(s.finished_at) / 1e6));
      assert.equal(Date.parse(c?.State.StartedAt ?? ''), Math.floor(Number(s.started_at) / 1e6));
      assert.equal(c?.Config.Hostname, hostname());
      const a = JSON.parse(k8s(['inspect', app]).stdout)[0] as {
        State: { Status: string; Running: boolean };
        Mounts: { Type: string; Source: string; Destination: string; RW: boolean }[];
      };
      assert.equal(a.State.Status, 'running');
      assert.deepEqual(
        a.Mounts.filter((m) => m.Destination === '/data').map((m) => [m.Type, m.Source, m.RW]),
        [['bind', dataDir, false]],
      );
      const n = JSON.parse(k8s(['inspect', srv]).stdout)[0] as {
        HostConfig: { NetworkMode: string };
        Config: { Hostname: string };
      };
      assert.equal(n.HostConfig.NetworkMode, `container:${net.id}`);
      assert.equal(n.Config.Hostname, net.name);
    });

    it('wait prints the exit code CRI keeps', () => {
      const r = k8s(['wait', job, `k8s://default/${web.name}/job`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '3\n3\n');
    });

    it('logs reads the CRI log file: streams apart, partial lines joined, --tail, -t, --since/--until', () => {
      const r = k8s(['logs', `k8s://default/${web.name}/job`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `out\n${long}\n`);
      assert.equal(r.stderr, 'err\n');
      const t = k8s(['logs', '--tail', '2', job]);
      assert.equal(t.stdout, `${long}\n`);
      assert.equal(t.stderr, 'err\n');
      const ts = k8s(['logs', '-t', '--tail', '1', job]);
      assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z x{2500}\n$/);
      assert.equal(k8s(['logs', '--since', '2099-01-01T00:00:00Z', job]).stdout, '');
      assert.equal(k8s(['logs', '--until', '2000-01-01T00:00:00Z', job]).stdout, '');
      const f = k8s(['logs', '-f', job]);
      assert.equal(f.stdout, `out\n${long}\n`);
    });

    it('stats leaves sandboxes out and shows no host counters for a host-network pod', async () => {
      const r = k8s(['stats', '--no-stream', '--no-trunc', '--format', '{{.ID}} {{.NetIO}}']);
      assert.equal(r.code, 0, r.stderr);
      const ids = r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]);
      assert.ok(!ids.includes(web.id) && !ids.includes(net.id), r.stdout);
      assert.ok(ids.includes(app) && ids.includes(srv), r.stdout);
      const row = r.stdout.split('\n').find((l) => l.startsWith(app));
      assert.equal(row, `${app} 0B / 0B`);
      assert.equal((await cri.containerStatus(app)).state, 'CONTAINER_RUNNING');
    });

    it('logs -f follows a running CRI container until it exits', async () => {
      const follow = k8sAsync(['logs', '-f', app]);
      for (let i = 0; i < 100 && !follow.stdout.includes('started'); i++) await sleep(100);
      assert.equal(follow.stdout, 'started\n');
      assert.equal(follow.child.exitCode, null, 'logs -f returned while the container runs');
      await cri.rt('StopContainer', { container_id: app, timeout: 0 });
      const r = await follow.done;
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await cri.containerStatus(app)).state, 'CONTAINER_EXITED');
    });

    it('leaves the pods removable by CRI', async () => {
      await assertCriCanRemove(web);
      await assertCriCanRemove(net);
    });
  });

  describe('changes go through CRI or are refused', () => {
    let pod: Pod;
    let app: string;
    let job: string;
    let other: string;
    const appName = () => `k8s://default/${pod.name}/app`;

    before(async () => {
      pod = await cri.runPod({ name: uniqueName('mut') });
      app = await cri.createContainer(pod, {
        name: 'app',
        image: busybox,
        command: ['sleep', '1000'],
      });
      other = await cri.createContainer(pod, {
        name: 'other',
        image: busybox,
        command: ['sleep', '1000'],
      });
      job = await cri.createContainer(pod, {
        name: 'job',
        image: busybox,
        command: ['sh', '-c', 'exit 3'],
      });
      await cri.waitState(job, 'CONTAINER_EXITED');
    });

    const refusal = (r: Result, verb: string, flag: boolean) => {
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.split('\n').length, 2, `not one line: ${r.stderr}`);
      assert.match(
        r.stderr,
        new RegExp(
          `pod k8s://default/${pod.name}, managed by Kubernetes \\(CRI\\): refusing to ${verb} it`,
        ),
      );
      if (flag) assert.match(r.stderr, /--kube-force/);
    };

    it('start of an exited CRI container is refused, even with --kube-force', async () => {
      refusal(k8s(['start', job]), 'start', true);
      refusal(k8s(['start', '--kube-force', job]), 'start', false);
      const s = await cri.containerStatus(job);
      assert.equal(s.state, 'CONTAINER_EXITED');
      assert.equal(s.exit_code, 3);
    });

    it('restart, unpause, network connect/disconnect, cp into, rename, update and exec --privileged are refused', async () => {
      refusal(k8s(['restart', app]), 'restart', true);
      refusal(k8s(['unpause', app]), 'unpause', true);
      refusal(k8s(['network', 'connect', 'bridge', app]), 'connect', true);
      refusal(k8s(['network', 'disconnect', 'bridge', app]), 'disconnect', true);
      refusal(k8s(['cp', '/etc/hostname', `${appName()}:/tmp/x`]), 'copy into', true);
      refusal(k8s(['rename', app, 'renamed']), 'rename', true);
      refusal(k8s(['update', '--memory', '64m', app]), 'update', true);
      refusal(k8s(['exec', '--privileged', app, 'true']), 'exec a privileged process in', true);
      // Reading is fine: exec, and cp out of a k8s:// name.
      assert.equal(k8s(['exec', app, 'echo', 'hi']).stdout, 'hi\n');
      const out = join(env.dir, uniqueName('cp-out'));
      const cp = k8s(['cp', `${appName()}:/etc/passwd`, out]);
      assert.equal(cp.code, 0, cp.stderr);
      const s = await cri.containerStatus(app);
      assert.equal(s.state, 'CONTAINER_RUNNING');
    });

    it('stop --kube-force and kill --kube-force stop through CRI, which records the exit', async () => {
      const r = k8s(['stop', '--kube-force', '-t', '1', appName()]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${appName()}\n`);
      const s = await cri.containerStatus(app);
      assert.equal(s.state, 'CONTAINER_EXITED');
      assert.equal(s.exit_code, 137);
      const k = k8s(['kill', '--kube-force', other]);
      assert.equal(k.code, 0, k.stderr);
      const o = await cri.waitState(other, 'CONTAINER_EXITED');
      assert.equal(o.exit_code, 137);
      assert.match(
        k8s(['ps', '-a', '--format', '{{.Status}}', '-f', `id=${other}`]).stdout,
        /^Exited \(137\) /,
      );
    });

    it('rm --kube-force removes through CRI; the pod stays removable', async () => {
      const r = k8s(['rm', '-f', '--kube-force', job]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        (await cri.listContainers(pod.id)).map((c) => c.id).sort(),
        [app, other].sort(),
      );
      await assertCriCanRemove(pod);
    });
  });

  describe('pods (read-only, through CRI)', () => {
    let web: Pod;
    let net: Pod;
    let crash1: string;
    let twin0: string;
    let twin1: string;

    before(async () => {
      web = await cri.runPod({ name: uniqueName('web'), labels: { tier: 'front' } });
      await cri.createContainer(web, { name: 'app', image: busybox, command: ['sleep', '1000'] });
      // kubelet's retry of a crashed container: attempt 0 exited, attempt 1 running.
      const a0 = await cri.createContainer(web, {
        name: 'crash',
        image: busybox,
        command: ['false'],
      });
      await cri.waitState(a0, 'CONTAINER_EXITED');
      crash1 = await cri.createContainer(web, {
        name: 'crash',
        image: busybox,
        command: ['sleep', '1000'],
        attempt: 1,
      });
      // A retry kubelet started while the earlier attempt still ran: both running.
      twin0 = await cri.createContainer(web, {
        name: 'twin',
        image: busybox,
        command: ['sleep', '1000'],
      });
      twin1 = await cri.createContainer(web, {
        name: 'twin',
        image: busybox,
        command: ['sleep', '1000'],
        attempt: 1,
      });
      net = await cri.runPod({ name: uniqueName('net'), namespace: 'team', hostNetwork: false });
      await cri.rt('StopPodSandbox', { pod_sandbox_id: net.id });
    });

    it('pods lists them in a Docker-style table: ID, k8s:// name, state, containers, restarts', () => {
      const r = k8s(['pods', '--filter', `label=org.berth.test.cri-run=${cri.runId}`]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split('\n');
      assert.match(lines[0] ?? '', /^POD ID +NAME +STATE +CREATED +CONTAINERS +RESTARTS$/);
      const row = (p: Pod) => lines.find((l) => l.startsWith(p.id.slice(0, 12)));
      assert.match(
        row(web) ?? '',
        new RegExp(`^${web.id.slice(0, 12)} +k8s://default/${web.name} +Ready +.* ago +3 +2$`),
      );
      assert.match(
        row(net) ?? '',
        new RegExp(`^${net.id.slice(0, 12)} +k8s://team/${net.name} +NotReady +.* ago +0 +0$`),
      );
    });

    it('pod ls filters by namespace, label and state, with --format and -q', () => {
      const mine = `label=org.berth.test.cri-run=${cri.runId}`;
      const f = (args: string[]) => k8s(['pod', 'ls', '-f', mine, ...args]);
      assert.equal(
        f(['-f', 'namespace=team', '--format', '{{.Name}}']).stdout,
        `k8s://team/${net.name}\n`,
      );
      assert.equal(f(['-f', 'label=tier=front', '-q']).stdout, `${web.id}\n`);
      assert.equal(
        f(['-f', 'state=notready', '--format', '{{.Pod}} {{.State}}']).stdout,
        `${net.name} NotReady\n`,
      );
      const bad = f(['-f', 'state=sleeping']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /invalid filter 'state=sleeping'/);
    });

    it('pod inspect shows CRI status by k8s:// name, ID prefix or pod name', async () => {
      const r = k8s(['pod', 'inspect', `k8s://default/${web.name}`, net.id.slice(0, 10)]);
      assert.equal(r.code, 0, r.stderr);
      const [a, b] = JSON.parse(r.stdout) as {
        Id: string;
        State: string;
        Network: { Mode: string; IP: string };
        Containers: { Name: string; Attempt: number; State: string }[];
      }[];
      assert.equal(a?.Id, web.id);
      assert.equal(a?.Network.Mode, 'host');
      assert.deepEqual(
        a?.Containers.map((c) => `${c.Name}/${c.Attempt}/${c.State}`),
        [
          'app/0/CONTAINER_RUNNING',
          'crash/0/CONTAINER_EXITED',
          'crash/1/CONTAINER_RUNNING',
          'twin/0/CONTAINER_RUNNING',
          'twin/1/CONTAINER_RUNNING',
        ],
      );
      assert.equal(b?.Id, net.id);
      assert.equal(b?.State, 'NotReady');
      assert.equal(b?.Network.Mode, 'pod');
      assert.equal(k8s(['pod', 'inspect', '-f', '{{.Pod}}', web.name]).stdout, `${web.name}\n`);
      const missing = k8s(['pod', 'inspect', 'k8s://default/no-such-pod']);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, 'Error: No such pod: k8s://default/no-such-pod\n');
      assert.equal(missing.stdout, '[]\n');
    });

    it('ps shows a retried container once (its latest attempt) unless -a', () => {
      const mine = `label=org.berth.test.cri-run=${cri.runId}`;
      const name = `name=k8s://default/${web.name}/twin`;
      assert.equal(k8s(['ps', '-q', '--no-trunc', '-f', mine, '-f', name]).stdout, `${twin1}\n`);
      const all = k8s(['ps', '-a', '-q', '--no-trunc', '-f', mine, '-f', name]).stdout;
      assert.deepEqual(all.trim().split('\n').sort(), [twin0, twin1].sort());
      const crash = k8s([
        'ps',
        '-a',
        '-q',
        '--no-trunc',
        '-f',
        mine,
        '-f',
        `name=/${web.name}/crash`,
      ]);
      assert.equal(crash.stdout.trim().split('\n').length, 2);
      assert.equal(
        k8s(['ps', '-q', '--no-trunc', '-f', mine, '-f', `name=/${web.name}/crash`]).stdout,
        `${crash1}\n`,
      );
    });

    it('leaves the pods removable by CRI', async () => {
      await assertCriCanRemove(web);
      await assertCriCanRemove(net);
    });
  });

  describe('images the node needs', () => {
    let pod: Pod;
    let app: string;

    before(async () => {
      pod = await cri.runPod({ name: uniqueName('img') });
      app = await cri.createContainer(pod, {
        name: 'app',
        image: busybox,
        command: ['sleep', '1000'],
      });
    });

    it('rmi repo:tag of an image a running CRI container uses is refused, as Docker does', async () => {
      const r = k8s(['rmi', busybox]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        /^Error response from daemon: conflict: unable to remove repository reference ".*lab\/busybox:latest" \(must force\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}\n$/,
      );
      const s = await cri.imageStatus(busybox);
      assert.equal(s?.id, busyboxId);
      assert.equal((await cri.containerStatus(app)).state, 'CONTAINER_RUNNING');
    });

    it('rmi -f by ID is refused while a CRI container runs it, whatever names are left', async () => {
      const r = k8s(['rmi', '-f', busyboxId.slice(7, 19)]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /\(cannot be forced\) - image is being used by running container/);
      assert.equal((await cri.imageStatus(busyboxId))?.id, busyboxId);
    });

    it('the sandbox image is refused by rmi without -f and kept by image prune -a', async () => {
      const sandbox = criEnv.sandboxImage;
      const r = k8s(['rmi', sandbox]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /\(must force\) - it is CRI's sandbox image/);
      // The pause image carries the label org.berth.test=pause: the filter makes it prune's only candidate.
      await cri.removePod((await cri.runPod({ name: uniqueName('gone') })).id);
      const p = k8s(['image', 'prune', '-a', '-f', '--filter', 'label=org.berth.test=pause']);
      assert.equal(p.code, 0, p.stderr);
      assert.equal(p.stdout, 'Total reclaimed space: 0B\n');
      assert.ok(await cri.imageStatus(sandbox), 'the sandbox image is gone');
      // And pods still start offline from it.
      const again = await cri.runPod({ name: uniqueName('again') });
      await cri.removePod(again.id);
    });

    it('pull into k8s.io writes the records CRI would; rmi of its last tag removes them all', async () => {
      const ref = `${env.registry}/lab/multi:latest`;
      const r = k8s(['pull', '-q', ref]);
      assert.equal(r.code, 0, r.stderr);
      const names = criCtr(['images', 'ls', '-q']).stdout.split('\n');
      const digestName = names.find((n) => n.startsWith(`${env.registry}/lab/multi@sha256:`));
      assert.ok(digestName, `no repo@digest record in ${names.join(' ')}`);
      const status = await cri.imageStatus(digestName);
      assert.ok(status, 'CRI does not find the image by digest');
      assert.ok(names.includes(status.id), 'no sha256:<id> record');
      assert.deepEqual(status.repo_tags, [ref]);
      // A pod spec pinned by digest (imagePullPolicy: Never: no PullImage) starts from it.
      const p2 = await cri.runPod({ name: uniqueName('pinned') });
      const c = await cri.createContainer(p2, {
        name: 'm',
        image: digestName,
        command: ['cat', '/hello.txt'],
      });
      const done = await cri.waitState(c, 'CONTAINER_EXITED');
      assert.equal(done.exit_code, 0);
      await cri.removePod(p2.id);

      const rm = k8s(['rmi', ref]);
      assert.equal(rm.code, 0, rm.stderr);
      assert.equal(rm.stdout.split('\n')[0], `Untagged: ${ref}`);
      assert.match(
        rm.stdout,
        new RegExp(`Untagged: ${env.registry}/lab/multi@sha256:[0-9a-f]{64}\n`),
      );
      assert.match(rm.stdout, new RegExp(`Deleted: ${status.id}\n`));
      const left = criCtr(['images', 'ls', '-q']).stdout.split('\n');
      assert.deepEqual(
        left.filter((n) => n.includes('/lab/multi') || n === status.id),
        [],
      );
      assert.equal(await cri.imageStatus(status.id), null);
    });

    it('tag and load into k8s.io write CRI records: kubelet finds them by tag or digest', async () => {
      const repo = `berth.test/${uniqueName('tagged')}`;
      const t = k8s(['tag', busybox, `${repo}:v1`]);
      assert.equal(t.code, 0, t.stderr);
      const byTag = await cri.imageStatus(`${repo}:v1`);
      assert.equal(byTag?.id, busyboxId);
      const digestName = byTag?.repo_digests.find((d) => d.startsWith(`${repo}@sha256:`));
      assert.ok(digestName, `no digest record for ${repo}`);
      assert.equal((await cri.imageStatus(digestName))?.id, busyboxId);
      assert.equal(k8s(['rmi', `${repo}:v1`]).code, 0);
      assert.equal(await cri.imageStatus(digestName), null, 'the digest record outlived its tag');
      assert.equal((await cri.imageStatus(busybox))?.id, busyboxId);

      const l = k8s(['load', '-q', '-i', join(env.images, 'busybox-oci.tar')]);
      assert.equal(l.code, 0, l.stderr);
      const loaded = await cri.imageStatus('docker.io/lab/busybox:latest');
      assert.ok(loaded, 'CRI does not see the loaded image');
      assert.ok(loaded.repo_digests.some((d) => d.startsWith('docker.io/lab/busybox@sha256:')));
      assert.equal(k8s(['rmi', 'docker.io/lab/busybox:latest']).code, 0);
    });

    it('an image labelled io.cri-containerd.pinned is kept by rmi without -f and by prune', async () => {
      const ref = `${env.registry}/lab/nocmd:latest`;
      const id = await cri.pullImage(ref);
      assert.equal(criCtr(['images', 'label', ref, 'io.cri-containerd.pinned=pinned']).code, 0);
      const r = k8s(['rmi', ref]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /\(must force\) - it is pinned \(io\.cri-containerd\.pinned\)\n$/);
      const p = k8s(['image', 'prune', '-a', '-f', '--filter', 'label=org.berth.test=nocmd']);
      assert.equal(p.stdout, 'Total reclaimed space: 0B\n');
      assert.equal((await cri.imageStatus(ref))?.id, id);
      const f = k8s(['rmi', '-f', ref]);
      assert.equal(f.code, 0, f.stderr);
      assert.equal(await cri.imageStatus(id), null);
    });

    it('leaves the pod removable by CRI', async () => {
      await assertCriCanRemove(pod);
    });
  });

  describe('image copy between namespaces', () => {
    it('copies a pulled image into k8s.io with CRI records; a pod starts from it without pulling', async () => {
      const src = `${env.namespace}-copy`;
      const ref = `${env.registry}/lab/multi:latest`;
      // A name no registry serves: the copy cannot be a download in disguise.
      const local = `unreachable.invalid/${uniqueName('copy')}:v1`;
      const inSrc = (args: string[]) => berth(['--address', criEnv.address, '-n', src, ...args]);
      try {
        assert.equal(inSrc(['pull', '-q', ref]).code, 0);
        assert.equal(inSrc(['tag', ref, local]).code, 0);
        const srcId = inSrc(['image', 'inspect', '-f', '{{.Id}}', local]).stdout.trim();
        const r = inSrc(['image', 'copy', local, '--to', 'k8s.io']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, `Copied ${local} (${srcId}) to namespace k8s.io\n`);
        const status = await cri.imageStatus(local);
        assert.ok(status, 'CRI does not see the copied image');
        assert.equal(status.id, srcId);
        assert.ok(status.repo_tags.includes(local), status.repo_tags.join(' '));
        assert.equal(status.repo_digests.length, 1);
        // imagePullPolicy: Never: CreateContainer with the name, no PullImage.
        const pod = await cri.runPod({ name: uniqueName('copied') });
        const c = await cri.createContainer(pod, {
          name: 'm',
          image: local,
          command: ['cat', '/hello.txt'],
        });
        const done = await cri.waitState(c, 'CONTAINER_EXITED');
        assert.equal(done.exit_code, 0);
        const log = k8s(['logs', c]);
        assert.equal(log.stdout, 'hello from berth multi\n');
        await assertCriCanRemove(pod);
        // Copying again changes nothing; a missing image is a clear error.
        assert.equal(inSrc(['image', 'copy', local, '--to', 'k8s.io']).code, 0);
        const missing = inSrc(['image', 'copy', 'no-such-image:1', '--to', 'k8s.io']);
        assert.equal(missing.code, 1);
        assert.equal(missing.stderr, 'Error: No such image: no-such-image:1\n');
      } finally {
        k8s(['rmi', local]);
        inSrc(['rmi', local, ref]);
        berth(['--address', criEnv.address, 'namespace', 'rm', src]);
      }
      assert.equal(await cri.imageStatus(local), null);
    });
  });
});
