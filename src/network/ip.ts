/** IPv4 helpers (berth's networks are IPv4 only). */
import { isIPv4 } from 'node:net';

export interface Cidr {
  /** The address as written. */
  ip: string;
  prefix: number;
  /** Network address as an unsigned 32-bit integer. */
  network: number;
  broadcast: number;
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => ((acc << 8) >>> 0) + Number(o), 0) >>> 0;
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export function parseCidr(s: string): Cidr | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(s);
  if (!m || !isIPv4(m[1]!)) return undefined;
  const prefix = Number(m[2]);
  if (prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (ipToInt(m[1]!) & mask) >>> 0;
  const broadcast = (network | (~mask >>> 0)) >>> 0;
  return { ip: m[1]!, prefix, network, broadcast };
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.network)}/${c.prefix}`;
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return ip >>> 0 >= c.network && ip >>> 0 <= c.broadcast;
}

/**
 * The destinations of the host's IPv4 routes in `/proc/net/route` text (the main table), without
 * the default route. Addresses and masks there are the kernel's 32-bit words printed in hex in
 * host (little-endian) byte order.
 */
export function parseProcRoutes(text: string): Cidr[] {
  const out: Cidr[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !/^[0-9A-Fa-f]{8}$/.test(f[1]!) || !/^[0-9A-Fa-f]{8}$/.test(f[7]!))
      continue;
    const word = (hex: string): number => Buffer.from(hex, 'hex').readUInt32LE(0);
    const mask = word(f[7]!);
    if (mask === 0) continue;
    // A contiguous mask's prefix is its count of one bits.
    const prefix = mask.toString(2).replace(/0/g, '').length;
    const c = parseCidr(`${intToIp(word(f[1]!))}/${prefix}`);
    if (c) out.push(c);
  }
  return out;
}
