/**
 * Published ports: choosing host ports, refusing busy ones before the container starts, the
 * host-wide reservation registry, and Docker's NetworkSettings.Ports shape.
 */
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PORTS_LOCK, withHostLock } from './lock.js';

/** berth's -p mapping (the shape parsePublish returns). */
export interface PortMapping {
  hostIP: string;
  hostPort: number;
  hostPortEnd: number;
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
}

/** One resolved binding as stored in the `berth/ports` label (Docker's PortBinding + container port). */
export interface PortBinding {
  HostIp: string;
  HostPort: number;
  ContainerPort: number;
  Protocol: string;
}

export class PortInUseError extends Error {}

/** Tries to bind host ip:port; resolves true if it is free right now. */
export function portIsFree(ip: string, port: number, protocol: string): Promise<boolean> {
  const host = ip || '0.0.0.0';
  if (protocol === 'udp') {
    return new Promise((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => {
        s.close();
        resolve(false);
      });
      s.bind({ address: host, port, exclusive: true }, () => s.close(() => resolve(true)));
    });
  }
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A port the kernel hands out as free right now (bind to port 0). */
function ephemeralPort(ip: string, protocol: string): Promise<number> {
  const host = ip || '0.0.0.0';
  if (protocol === 'udp') {
    return new Promise((resolve, reject) => {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind({ address: host, port: 0 }, () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
    });
  }
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host, port: 0 }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a check-then-write step exclusively among berth processes. */
export type Exclusive = <T>(fn: () => T) => Promise<T>;

/**
 * Host-wide reservations, one file per binding under `<dataRoot>/network/ports`. DNAT rules don't
 * bind sockets, so a bind test alone would not see another container's published port; this
 * registry does. A binding conflicts with the same port on another address when either is
 * 0.0.0.0, which per-binding file names cannot express, so reserving (looking for a conflict,
 * then writing the file) runs under `exclusive`: two `run`s could otherwise both find nothing and
 * both write.
 */
export class PortRegistry {
  constructor(
    private readonly dir: string,
    /** Decides whether an owner still exists (stale reservations are taken over). */
    private readonly alive: (owner: string) => boolean,
    private readonly exclusive: Exclusive,
  ) {}

  private key(b: { HostIp: string; HostPort: number; Protocol: string }): string {
    return `${b.Protocol}_${b.HostPort}_${b.HostIp || '0.0.0.0'}`;
  }

  /** The owner of a conflicting reservation, if any. */
  conflict(ip: string, port: number, protocol: string): string | undefined {
    let entries: string[] = [];
    try {
      entries = readdirSync(this.dir);
    } catch {
      return undefined;
    }
    const wanted = ip || '0.0.0.0';
    for (const e of entries) {
      const [proto, p, rip] = e.split('_');
      if (proto !== protocol || Number(p) !== port) continue;
      if (!(rip === wanted || rip === '0.0.0.0' || wanted === '0.0.0.0')) continue;
      let owner = '';
      try {
        owner = readFileSync(join(this.dir, e), 'utf8');
      } catch {
        continue;
      }
      if (this.alive(owner)) return owner;
      rmSync(join(this.dir, e), { force: true });
    }
    return undefined;
  }

  /** Records `owner`'s binding, or throws PortInUseError if another owner has a conflicting one. */
  reserve(b: PortBinding, owner: string): Promise<void> {
    return this.exclusive(() => this.reserveNow(b, owner));
  }

  private reserveNow(b: PortBinding, owner: string): void {
    mkdirSync(this.dir, { recursive: true });
    const other = this.conflict(b.HostIp, b.HostPort, b.Protocol);
    if (other && other !== owner) throw new PortInUseError(portInUseMessage(b));
    try {
      writeFileSync(join(this.dir, this.key(b)), owner, { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        if (readFileSync(join(this.dir, this.key(b)), 'utf8') === owner) return;
        throw new PortInUseError(portInUseMessage(b));
      }
      throw e;
    }
  }

  release(b: PortBinding, owner: string): void {
    const f = join(this.dir, this.key(b));
    try {
      if (readFileSync(f, 'utf8') === owner) rmSync(f, { force: true });
    } catch {
      /* already gone */
    }
  }

  /** Removes every reservation of `owner` (teardown without labels). */
  releaseAll(owner: string): void {
    let entries: string[] = [];
    try {
      entries = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const e of entries) {
      const f = join(this.dir, e);
      try {
        if (readFileSync(f, 'utf8') === owner) rmSync(f, { force: true });
      } catch {
        /* raced */
      }
    }
  }
}

export function portInUseMessage(b: PortBinding): string {
  const ip = b.HostIp || '0.0.0.0';
  return `driver failed programming external connectivity: Bind for ${ip}:${b.HostPort} failed: port is already allocated`;
}

/**
 * Resolves -p mappings to concrete bindings, reserving each host port: a fixed port must be
 * bindable on the host and not published by another container; port 0 (or a host range for one
 * container port) picks a free one.
 */
export async function allocatePorts(
  mappings: readonly PortMapping[],
  registry: PortRegistry,
  owner: string,
): Promise<PortBinding[]> {
  const out: PortBinding[] = [];
  try {
    for (const m of mappings) {
      const protocol = m.protocol;
      if (protocol === 'sctp') throw new Error('sctp port publishing is not supported');
      const candidates: number[] = [];
      if (m.hostPort === 0) {
        // A few tries: the kernel's pick may be published by another container (DNAT only).
        for (let i = 0; i < 16; i++) candidates.push(await ephemeralPort(m.hostIP, protocol));
      } else {
        for (let p = m.hostPort; p <= Math.max(m.hostPort, m.hostPortEnd); p++) candidates.push(p);
      }
      let chosen: PortBinding | undefined;
      let lastErr: Error | undefined;
      for (const port of candidates) {
        const b: PortBinding = {
          HostIp: m.hostIP,
          HostPort: port,
          ContainerPort: m.containerPort,
          Protocol: protocol,
        };
        if (out.some((o) => o.HostPort === port && o.Protocol === protocol)) continue;
        try {
          await registry.reserve(b, owner);
        } catch (e) {
          // Taken: try the next candidate. Anything else (the lock, the disk) is not about
          // this port and would fail for every candidate alike.
          if (!(e instanceof PortInUseError)) throw e;
          lastErr = e;
          continue;
        }
        if (!(await portIsFree(m.hostIP, port, protocol))) {
          registry.release(b, owner);
          const ip = m.hostIP || '0.0.0.0';
          lastErr = new PortInUseError(
            `driver failed programming external connectivity: Error starting userland proxy: listen ${protocol} ${ip}:${port}: bind: address already in use`,
          );
          continue;
        }
        chosen = b;
        break;
      }
      if (!chosen)
        throw lastErr ?? new PortInUseError(`no free host port for ${m.containerPort}/${protocol}`);
      out.push(chosen);
    }
  } catch (e) {
    for (const b of out) registry.release(b, owner);
    throw e;
  }
  return out;
}

export function portRegistry(dataRoot: string): PortRegistry {
  const dir = join(dataRoot, 'network', 'ports');
  return new PortRegistry(
    dir,
    (owner) => existsSync(join(dataRoot, 'network', 'containers', owner)),
    (fn) => withHostLock(PORTS_LOCK, fn),
  );
}

/** Docker's NetworkSettings.Ports: `{"80/tcp": [{"HostIp":"0.0.0.0","HostPort":"8080"}]}`. */
export function dockerPorts(
  bindings: readonly PortBinding[],
): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const b of bindings) {
    (out[`${b.ContainerPort}/${b.Protocol}`] ??= []).push({
      HostIp: b.HostIp || '0.0.0.0',
      HostPort: String(b.HostPort),
    });
  }
  return out;
}
