import { readFileSync } from 'node:fs';

/**
 * Every Linux capability, indexed by its number (linux/capability.h up to 5.9's
 * CAP_CHECKPOINT_RESTORE, the last one runc 1.1 knows).
 */
export const KNOWN_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

let cachedLastCap: number | undefined;

/** The host kernel's highest capability number; falls back to the full table if unreadable. */
export function hostLastCap(): number {
  if (cachedLastCap === undefined) {
    let last = KNOWN_CAPABILITIES.length - 1;
    try {
      const n = Number.parseInt(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim(), 10);
      if (Number.isInteger(n) && n >= 0) last = n;
    } catch {
      // Not Linux or /proc not mounted: assume the kernel knows everything we know.
    }
    cachedLastCap = last;
  }
  return cachedLastCap;
}

let cachedCurrent: string[] | undefined;

/**
 * The known capabilities in this process's effective set (containerd's `cap.Current()`), read
 * from /proc/self/status. Falls back to everything up to the kernel's last cap.
 */
export function currentCapabilities(): string[] {
  if (cachedCurrent === undefined) {
    let caps: string[] | undefined;
    try {
      const status = readFileSync('/proc/self/status', 'utf8');
      const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
      if (hex !== undefined) caps = capabilitiesFromMask(BigInt('0x' + hex));
    } catch {
      // No procfs: fall through to the kernel-wide list.
    }
    cachedCurrent = caps ?? allCapabilities(hostLastCap());
  }
  return [...cachedCurrent];
}

/** Known capability names for the bits set in a /proc status capability mask. */
export function capabilitiesFromMask(mask: bigint): string[] {
  return KNOWN_CAPABILITIES.filter((_c, i) => ((mask >> BigInt(i)) & 1n) === 1n);
}

/**
 * The capabilities a privileged container (or `--cap-add ALL`) gets. Without an argument these
 * are the capabilities berth itself holds, like containerd's `WithAllCurrentCapabilities`: runc
 * cannot grant a capability its caller lacks (nested or restricted hosts), and on a normal root
 * host this equals Docker's all-caps-the-kernel-knows list. With `lastCap`, every known
 * capability up to that number.
 */
export function allCapabilities(lastCap?: number): string[] {
  if (lastCap === undefined) return currentCapabilities();
  return KNOWN_CAPABILITIES.slice(0, Math.min(lastCap, KNOWN_CAPABILITIES.length - 1) + 1);
}

/**
 * Docker's `NormalizeLegacyCapabilities` for one value: upper-cases, adds the `CAP_` prefix and
 * rejects unknown names. `ALL` is passed through.
 */
export function normalizeCapability(value: string): string {
  let c = value.toUpperCase();
  if (c === 'ALL') return c;
  if (!c.startsWith('CAP_')) c = 'CAP_' + c;
  if (!KNOWN_CAPABILITIES.includes(c)) {
    throw new Error(`unknown capability: ${JSON.stringify(c)}`);
  }
  return c;
}

/**
 * Docker's `TweakCapabilities` (non-privileged case): adds and drops are applied together, not in
 * flag order. `--cap-add ALL` wins over everything except explicit drops; `--cap-drop ALL` keeps
 * only what is added.
 */
export function tweakCapabilities(
  basics: readonly string[],
  adds: readonly string[],
  drops: readonly string[],
  lastCap?: number,
): string[] {
  if (adds.length === 0 && drops.length === 0) return [...basics];
  const capDrop = drops.map(normalizeCapability);
  const capAdd = adds.map(normalizeCapability);
  if (capAdd.includes('ALL')) {
    return allCapabilities(lastCap).filter((c) => !capDrop.includes(c));
  }
  if (capDrop.includes('ALL')) return dedupe(capAdd);
  return dedupe([...basics.filter((c) => !capDrop.includes(c)), ...capAdd]);
}

function dedupe(list: readonly string[]): string[] {
  return [...new Set(list)];
}
