// berth in containerd's k8s.io namespace, judged on real kubelet-shaped pods made through CRI
// (scripts/test-env/cri.sh) and on what CRI itself reports afterwards.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
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

    it('leaves the pod removable by CRI', async () => {
      await assertCriCanRemove(pod);
    });
  });
});

export { join, mkdirSync, writeFileSync, sleep, k8sAsync };
