import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import type { LinuxDevice } from './spec.js';

// containerd's HostDevices skips these: they are per-container mounts or not real devices.
const SKIP_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

/**
 * Character and block devices under the host's /dev, as containerd's `oci.HostDevices` lists them
 * for `--privileged`. Unreadable entries are skipped rather than failing the whole run.
 */
export async function hostDevices(root = '/dev'): Promise<LinuxDevice[]> {
  const out: LinuxDevice[] = [];
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(root, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) out.push(...(await hostDevices(p)));
      continue;
    }
    if (e.name === 'console' || !(e.isCharacterDevice() || e.isBlockDevice())) continue;
    try {
      const st = await stat(p, { bigint: true });
      out.push({
        path: p,
        type: e.isCharacterDevice() ? 'c' : 'b',
        major: devMajor(st.rdev),
        minor: devMinor(st.rdev),
        fileMode: Number(st.mode & 0o777n),
        uid: Number(st.uid),
        gid: Number(st.gid),
      });
    } catch {
      // The device vanished or is unreadable; privileged containers can live without it.
    }
  }
  return out;
}

/** glibc's `major()` for a 64-bit dev_t (bigint so the high bits survive). */
export function devMajor(rdev: bigint): number {
  return Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn & 0xfffff000n));
}

/** glibc's `minor()` for a 64-bit dev_t. */
export function devMinor(rdev: bigint): number {
  return Number((rdev & 0xffn) | ((rdev >> 12n) & 0xffffff00n));
}
