/**
 * Persistent network namespaces: a new netns bind-mounted at `/run/berth/netns/<ns>-<id>`
 * (what `ip netns add` does), created before the task so CNI can run first and the container
 * joins it by path. Nothing of berth needs to run later: containerd's restart monitor and
 * `-d --rm` reuse or leave the same path.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const NETNS_DIR = '/run/berth/netns';

export function netnsPath(namespace: string, containerId: string): string {
  return join(NETNS_DIR, `${namespace}-${containerId}`);
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${cmd} ${args.join(' ')}: ${err.trim() || `exit ${code}`}`)),
    );
  });
}

/** True if `path` is a mount point (the netns bind mount is in place). */
export function isMounted(path: string): boolean {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[4] === path);
  } catch {
    return false;
  }
}

/**
 * Creates the netns at `path` with loopback up: one `unshare --net=<path> ip link set lo up`
 * (util-linux bind-mounts /proc/<pid>/ns/net on the file, then runs `ip` inside). ~4 ms.
 */
export async function createNetns(path: string): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true });
  closeSync(openSync(path, 'a'));
  try {
    await run('unshare', [`--net=${path}`, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (e) {
    await removeNetns(path);
    throw e;
  }
}

/** Unmounts and removes the netns file; fine if either is already gone. */
export async function removeNetns(path: string): Promise<void> {
  // A restart policy's next run can attach at the same path before the bind mount of the run
  // before was gone, stacking a second nsfs mount on the first: unmount until none is left.
  for (let i = 0; i < 8 && isMounted(path); i++) {
    try {
      await run('umount', [path]);
    } catch {
      await run('umount', ['-l', path]).catch(() => undefined);
    }
  }
  rmSync(path, { force: true });
}
