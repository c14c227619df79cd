/**
 * The pieces `run`/`create` need to turn volume mount requests into host directories, and to
 * record them on the container the way `docker inspect` shows them.
 */
import { DaemonError } from '../errors.js';
import {
  cleanPath,
  type BindMountRequest,
  type MountRequest,
  type VolumeMountRequest,
} from '../oci/mounts.js';
import { copyFromRootfs, lowerdirMounts, withMountedRootfs } from './copy.js';
import { containerMounts, type DockerMount } from './refs.js';
import { claimVolume, releaseClaims } from './claims.js';
import { createVolume, type VolumeSettings } from './store.js';

/**
 * Where the image's files are, for copying them into a new volume:
 * - a directory holding the image's root filesystem (e.g. an already mounted rootfs);
 * - `{ lowerdirs }`: overlay lower directories, top layer first;
 * - `{ copyInto }`: a copier that reaches the image some other way (the image's containerd
 *   snapshot: imageSnapshotRootfs in src/container/volumes.ts); it gets the clean container
 *   path and the volume's directory and says whether it copied anything.
 */
export type ImageRootfs =
  | string
  | { lowerdirs: readonly string[] }
  | { copyInto: (containerPath: string, hostDir: string) => Promise<boolean> };

export interface ResolveVolumeOptions {
  settings: VolumeSettings;
  /** The named volume; created on first use. Omit for a new anonymous volume. */
  name?: string;
  /** The container being created: the named volume is claimed for it (see ./claims.ts). */
  claimFor?: string;
  /** The mount's destination in the container. */
  containerPath: string;
  /** The image to copy from into a still-empty volume; omit to never copy. */
  imageRootfs?: ImageRootfs;
  /** `--mount …,volume-nocopy`: never copy. */
  noCopy?: boolean;
  /** Labels for a volume created here (`--mount …,volume-label=k=v`). */
  labels?: Record<string, string>;
}

export interface ResolvedVolume {
  name: string;
  /** The host directory to bind at containerPath. */
  hostPath: string;
  anonymous: boolean;
  /** The volume did not exist before this call. */
  created: boolean;
  /** Image content was copied into it. */
  copied: boolean;
}

/**
 * A volume mount's host directory: creates the named volume on first use (or a new anonymous one)
 * and, like dockerd, copies the image's content at `containerPath` into it while it is empty.
 */
export async function resolveVolumeForMount(opts: ResolveVolumeOptions): Promise<ResolvedVolume> {
  const vol =
    opts.name && opts.claimFor
      ? await claimVolume(opts.settings, opts.name, opts.claimFor, opts.labels ?? {})
      : await createVolume(opts.settings, opts.name, opts.labels ?? {});
  let copied = false;
  if (opts.imageRootfs !== undefined && !opts.noCopy) {
    copied = await copyImageContent(
      opts.imageRootfs,
      cleanPath(opts.containerPath),
      vol.mountpoint,
    );
  }
  return {
    name: vol.name,
    hostPath: vol.mountpoint,
    anonymous: vol.anonymous,
    created: vol.created,
    copied,
  };
}

async function copyImageContent(
  image: ImageRootfs,
  containerPath: string,
  hostDir: string,
): Promise<boolean> {
  if (typeof image === 'string') return copyFromRootfs(image, containerPath, hostDir);
  if ('lowerdirs' in image) {
    return withMountedRootfs(lowerdirMounts(image.lowerdirs), (root) =>
      copyFromRootfs(root, containerPath, hostDir),
    );
  }
  return image.copyInto(containerPath, hostDir);
}

/**
 * Collects what a container's volume mounts resolved to. Pass `resolver.resolve` as
 * withMounts' `resolveVolume`; afterwards `anonymousVolumes` is the LABEL.anonymousVolumes list
 * and `volumes` the resolved volumes by destination (for toDockerMount).
 */
export interface VolumeResolver {
  resolve(req: VolumeMountRequest): Promise<string>;
  /** Drops the claims on named volumes: the container record exists now, or never will. */
  releaseClaims(): void;
  readonly anonymousVolumes: string[];
  readonly volumes: Map<string, ResolvedVolume>;
}

export function createVolumeResolver(opts: {
  settings: ResolveVolumeOptions['settings'];
  imageRootfs?: ImageRootfs;
  /** The container being created, which claims the named volumes it resolves. */
  containerId?: string;
}): VolumeResolver {
  const anonymousVolumes: string[] = [];
  const volumes = new Map<string, ResolvedVolume>();
  const claimed: string[] = [];
  return {
    anonymousVolumes,
    volumes,
    releaseClaims() {
      if (opts.containerId) releaseClaims(opts.settings, claimed, opts.containerId);
    },
    async resolve(req) {
      if (req.name && opts.containerId) claimed.push(req.name);
      const r = await resolveVolumeForMount({
        settings: opts.settings,
        name: req.name,
        claimFor: opts.containerId,
        containerPath: req.target,
        imageRootfs: opts.imageRootfs,
        noCopy: req.noCopy,
        labels: req.labels,
      });
      if (r.anonymous && req.name === undefined) anonymousVolumes.push(r.name);
      volumes.set(cleanPath(req.target), r);
      let host = r.hostPath;
      if (req.subpath) host = `${host}/${cleanPath(req.subpath).replace(/^\/+/, '')}`;
      return host;
    },
  };
}

/**
 * The `docker inspect` `.Mounts[]` entry for a request, for the LABEL.mounts array. Volumes need
 * what they resolved to (from createVolumeResolver's `volumes`); `mode` is the mode text the user
 * typed with `-v` (Docker shows e.g. `z` or `ro`), empty for `--mount`.
 */
export function toDockerMount(
  req: MountRequest,
  resolved?: Pick<ResolvedVolume, 'name' | 'hostPath'>,
  mode = '',
): DockerMount {
  switch (req.type) {
    case 'volume':
      if (!resolved) throw new Error(`volume mount at ${req.target} was not resolved`);
      return {
        Type: 'volume',
        Name: resolved.name,
        Source: resolved.hostPath,
        Destination: cleanPath(req.target),
        Driver: 'local',
        Mode: mode,
        RW: !req.readonly,
        Propagation: '',
      };
    case 'bind':
      return {
        Type: 'bind',
        Source: req.source,
        Destination: cleanPath(req.target),
        Mode: mode,
        RW: !req.readonly,
        Propagation: req.propagation ?? 'rprivate',
      };
    case 'tmpfs':
      return {
        Type: 'tmpfs',
        Source: '',
        Destination: cleanPath(req.target),
        Mode: mode,
        RW: !req.readonly,
        Propagation: '',
      };
  }
}

/** The image config's VOLUME entries (`config.Volumes` keys) as clean container paths, sorted. */
export function imageVolumes(
  imageConfig: { Volumes?: Record<string, object> | null } | null | undefined,
): string[] {
  return [...new Set(Object.keys(imageConfig?.Volumes ?? {}).map(cleanPath))].sort();
}

/**
 * Image VOLUMEs that still need an anonymous volume: those the user did not mount something on
 * already (dockerd skips a VOLUME whose destination has a user mount).
 */
export function anonymousImageVolumeRequests(
  imageConfig: { Volumes?: Record<string, object> | null } | null | undefined,
  userMounts: readonly MountRequest[],
): VolumeMountRequest[] {
  const taken = new Set(userMounts.map((m) => cleanPath(m.target)));
  return imageVolumes(imageConfig)
    .filter((p) => !taken.has(p))
    .map((target) => ({ type: 'volume', target, readonly: false }));
}

/** `--volumes-from CONTAINER[:ro|:rw]` split into the container and the mode. */
export function parseVolumesFrom(spec: string): { container: string; mode?: 'ro' | 'rw' } {
  const i = spec.lastIndexOf(':');
  if (i < 0) return { container: spec };
  const mode = spec.slice(i + 1);
  if (mode !== 'ro' && mode !== 'rw') {
    throw new DaemonError(`invalid mode: ${mode}`, { exitCode: 125 });
  }
  return { container: spec.slice(0, i), mode };
}

/**
 * `--volumes-from`: mount requests repeating another container's volume and bind mounts (tmpfs
 * are not shared, as in Docker). `mode` `ro`/`rw` overrides each mount's own; without it they keep
 * theirs. The volumes are shared, never re-populated from this container's image (noCopy).
 */
export function volumesFromMounts(
  containerLabels: Record<string, string> | undefined,
  mode?: 'ro' | 'rw',
): MountRequest[] {
  const out: MountRequest[] = [];
  for (const m of containerMounts(containerLabels)) {
    const readonly = mode === 'ro' ? true : mode === 'rw' ? false : m.RW === false;
    if (m.Type === 'volume' && m.Name) {
      out.push({ type: 'volume', name: m.Name, target: m.Destination, readonly, noCopy: true });
    } else if (m.Type === 'bind' && m.Source) {
      const req: BindMountRequest = {
        type: 'bind',
        source: m.Source,
        target: m.Destination,
        readonly,
        createHostPath: false,
      };
      if (m.Propagation) req.propagation = m.Propagation as BindMountRequest['propagation'];
      out.push(req);
    }
  }
  return out;
}
