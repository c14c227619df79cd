/**
 * `create` (and the first half of `run`): typed options → OCI spec + containerd container record.
 * Prepare and Containers.Create run under one lease (an unreferenced active snapshot would be
 * collected by the next GC). Everything created is registered on a cleanup stack and undone if
 * a later step fails.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { Client } from '../containerd/client.js';
import type { Settings } from '../config/index.js';
import { AlreadyExistsError, ContainerdError, NotFoundError } from '../containerd/errors.js';
import { securitySpecOpts, type SecurityOptions } from '../oci/security.js';
import type { SecurityOpt } from '../opts/container-parsers.js';
import { SPEC_TYPE_URL, timestampToDate } from '../containerd/helpers.js';
import { newLeaseId, GC_EXPIRE_LABEL } from '../containerd/leases.js';
import { rfc3339 } from '../containerd/helpers.js';
import { BerthError, DaemonError, UsageError } from '../errors.js';
import type { PortMapping, RestartPolicy } from '../opts/container-parsers.js';
import { LABEL } from '../labels.js';
import type { MountRequest } from '../oci/mounts.js';
import {
  buildSpec,
  resolveCommand,
  withCapabilityChanges,
  withCpus,
  withCpuShares,
  withCpusetCpus,
  withCwd,
  withEnv,
  withHostname,
  withImageConfig,
  withInit,
  withMemory,
  withMemorySwap,
  withMounts,
  withoutRunMount,
  withPidsLimit,
  withPrivileged,
  withReadonlyRootfs,
  withShmSize,
  withStopSignal,
  withTTY,
  withUlimits,
  withUser,
  type SpecOpt,
  type WithMountsOptions,
} from '../oci/opts.js';
import { specToJSON, type Spec } from '../oci/spec.js';
import { InvalidReferenceError } from '../registry/reference.js';
import { CleanupStack } from './cleanup.js';
import { CREATE_PID_LABEL, encodeContainerLabels, stateDirOf } from './labels.js';
import { mergeHealthConfig } from '../health/config.js';
import type { ContainerCreateOptions } from './options.js';
import { ensureRunImage, familiarRef, type RunImage } from './image.js';
import { imageSnapshotRootfs } from './volumes.js';
import { loggerUri } from './logger.js';
import { randomName, validateName } from './names.js';
import { findContainer, NoSuchContainerError, type Container } from './resolve.js';
import {
  NETNS_LABEL,
  setupContainerNetwork,
  teardownContainerNetwork,
  type SetupResult,
} from '../network/index.js';
import {
  anonymousImageVolumeRequests,
  createVolumeResolver,
  parseVolumesFrom,
  removeAnonymousVolumes,
  toDockerMount,
  volumesFromMounts,
} from '../volume/index.js';
import { cleanPath } from '../oci/mounts.js';
import { truncateId } from '../formatter/text.js';

export const RUNTIME = 'io.containerd.runc.v2';

/** How a create runs (not what it creates). */
export interface CreateContext {
  /** Ctrl-C during creation: a pull stops, and what was made so far is undone. */
  signal?: AbortSignal;
  /** `run`: the task starts right after, so the network is attached now (see setupContainerNetwork). */
  startNow?: boolean;
}

export interface CreatedContainer {
  id: string;
  name: string;
  spec: Spec;
  labels: Record<string, string>;
  image: RunImage;
  stateDir: string;
  logPath: string;
  restart: RestartPolicy;
  /** Cgroup path, for the logger's exit detection. */
  cgroup: string;
  /** binary:// URI of berth's logger for this container. */
  logUri: string;
  /** Rootfs mounts for Tasks.Create. */
  mounts: RootfsMount[];
  /**
   * Settles once the creation lease is gone. It is released in the background so the task can be
   * created meanwhile; callers await this before they exit.
   */
  settled: Promise<void>;
}

export interface RootfsMount {
  type: string;
  source: string;
  target?: string;
  options: string[];
}

/** run/create's daemon-side failures: `berth: ` + the daemon's prefix + `…` + trailer, 125. */
function createError(message: string, cause?: unknown, exitCode = 125): DaemonError {
  return new DaemonError(message, { exitCode, help: true, cause });
}

/** The parsed `--security-opt` values as the spec options need them (the last of a kind wins). */
function securityOptionsOf(opts: readonly SecurityOpt[], privileged: boolean): SecurityOptions {
  const labels: string[] = [];
  const out: SecurityOptions = {
    privileged,
    labels,
    noNewPrivileges: false,
    systemPathsUnconfined: false,
  };
  for (const s of opts) {
    if (s.kind === 'seccomp') out.seccomp = s.profile;
    else if (s.kind === 'apparmor') out.apparmor = s.profile;
    else if (s.kind === 'label') labels.push(s.value);
    else if (s.kind === 'no-new-privileges') out.noNewPrivileges = s.value;
    else out.systemPathsUnconfined = true;
  }
  return out;
}

/** Label filter for the name index (the truth about names lives in containerd labels). */
function nameFilter(name: string): string {
  return `labels."${LABEL.name}"==${JSON.stringify(name)}`;
}

export async function containersNamed(client: Client, name: string) {
  return (await client.containers.list({ filters: [nameFilter(name)] })).containers;
}

export function conflictMessage(name: string, id: string): string {
  return `Conflict. The container name "/${name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`;
}

/** The image to create from (pulled per `pull`), its command checked as Docker's daemon does. */
async function loadImage(
  client: Client,
  settings: Settings,
  o: ContainerCreateOptions,
  signal: AbortSignal | undefined,
): Promise<RunImage> {
  let image: RunImage;
  try {
    image = await ensureRunImage(client, settings, o.image, o.pull, o.platform, signal);
  } catch (err) {
    // docker/cli parses the reference itself, before asking the daemon anything.
    if (err instanceof InvalidReferenceError) throw new UsageError(err.message, { help: true });
    if (err instanceof BerthError) throw createError(err.message, err);
    throw err;
  }
  try {
    resolveCommand(image.config, { entrypoint: o.entrypoint, args: o.args });
  } catch (err) {
    throw createError((err as Error).message);
  }
  return image;
}

/** The name asked for if free (a fast pre-check; see claimName), else a random free one. */
async function pickName(client: Client, name: string | undefined): Promise<string> {
  if (name !== undefined) {
    const existing = await containersNamed(client, name);
    if (existing.length > 0) throw createError(conflictMessage(name, existing[0]!.id));
    return name;
  }
  for (let retry = 0; ; retry++) {
    const candidate = randomName(retry);
    if ((await containersNamed(client, candidate)).length === 0 || retry > 5) return candidate;
  }
}

/** The authoritative name check after Create: earliest created wins (tie: smaller id). */
async function claimName(client: Client, name: string, id: string): Promise<void> {
  const same = await containersNamed(client, name);
  if (same.length <= 1) return;
  const winner = [...same].sort((a, b) => {
    const ta = timestampToDate(a.created_at)?.getTime() ?? 0;
    const tb = timestampToDate(b.created_at)?.getTime() ?? 0;
    const na = Number(a.created_at?.nanos ?? 0);
    const nb = Number(b.created_at?.nanos ?? 0);
    return ta - tb || na - nb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  })[0]!;
  if (winner.id !== id) throw createError(conflictMessage(name, winner.id));
}

/** A `container:<name|prefix>` reference resolved to the container's id, as every one is. */
async function resolveReference(client: Client, ref: string): Promise<Container> {
  return findContainer(client, ref).catch((err: unknown) => {
    throw createError(err instanceof NoSuchContainerError ? err.reason : (err as Error).message);
  });
}

/**
 * The spec options for the typed values, in the order they apply (later ones win): pure, so
 * the option-to-spec mapping is unit-tested without containerd.
 */
export function specOptsFor(
  o: ContainerCreateOptions,
  image: Pick<RunImage, 'config'>,
  extra: {
    hostname: string;
    networkOpts: readonly SpecOpt[];
    mounts: readonly MountRequest[];
    resolveVolume?: WithMountsOptions['resolveVolume'];
    stopSignal?: string;
  },
): SpecOpt[] {
  const opts: SpecOpt[] = [
    withImageConfig(image.config, { entrypoint: o.entrypoint, args: o.args }),
  ];
  if (o.init) opts.push(withInit());
  if (o.env.length) opts.push(withEnv(o.env));
  if (o.workdir) opts.push(withCwd(o.workdir));
  if (o.user !== undefined) opts.push(withUser(o.user));
  opts.push(withHostname(extra.hostname));
  if (o.tty) opts.push(withTTY());
  opts.push(withoutRunMount(), withCgroupMount());
  if (o.readOnly) opts.push(withReadonlyRootfs());
  opts.push(...extra.networkOpts);
  if (extra.mounts.length) {
    opts.push(withMounts(extra.mounts, { resolveVolume: extra.resolveVolume }));
  }
  if (o.shmSize !== undefined) opts.push(withShmSize(o.shmSize));
  if (o.privileged) opts.push(withPrivileged());
  if (o.capAdd.length || o.capDrop.length) opts.push(withCapabilityChanges(o.capAdd, o.capDrop));
  try {
    opts.push(...securitySpecOpts(securityOptionsOf(o.securityOpts, o.privileged)));
  } catch (err) {
    throw createError((err as Error).message, err);
  }
  // As Docker: `--cpus 0` is no limit at all (NanoCPUs 0), not a value out of range.
  if (o.cpus !== undefined && o.cpus !== 0) opts.push(withCpus(o.cpus));
  if (o.cpuShares !== undefined) opts.push(withCpuShares(o.cpuShares));
  if (o.cpusetCpus !== undefined) opts.push(withCpusetCpus(o.cpusetCpus));
  if (o.memory !== undefined) opts.push(withMemory(o.memory));
  if (o.memorySwap !== undefined) opts.push(withMemorySwap(o.memorySwap));
  if (o.pidsLimit !== undefined) opts.push(withPidsLimit(o.pidsLimit));
  if (o.ulimits.length) opts.push(withUlimits(o.ulimits));
  if (extra.stopSignal) opts.push(withStopSignal(extra.stopSignal));
  return opts;
}

/**
 * Creates the container record (no task) from typed options: image, name and lease in parallel,
 * then state dir, network, volumes, snapshot, spec, labels and Containers.Create under the
 * lease. Everything made is on a cleanup stack, undone if a later step fails.
 */
export async function createContainer(
  client: Client,
  settings: Settings,
  o: ContainerCreateOptions,
  ctx: CreateContext = {},
): Promise<CreatedContainer> {
  if (o.name !== undefined) {
    const bad = validateName(o.name);
    if (bad) throw createError(bad);
  }
  const id = randomBytes(32).toString('hex');
  const stateDir = stateDirOf(settings, id);
  const logPath = join(stateDir, `${id}-json.log`);
  const cgroup = `/${settings.namespace}/${id}`;
  // Docker: a container on the host's network has the host's name unless -h says otherwise.
  const hostname = o.hostname ?? (o.networks.includes('host') ? osHostname() : truncateId(id));
  const cleanup = new CleanupStack();
  try {
    const leaseId = newLeaseId();
    const leaseMade = client.leases.create({
      id: leaseId,
      labels: {
        [GC_EXPIRE_LABEL]: rfc3339(new Date(Date.now() + 3_600_000)),
        // A berth killed mid-create leaves this lease; sweepOrphans removes it sooner than expiry.
        [CREATE_PID_LABEL]: String(process.pid),
      },
    });
    const settled = await Promise.allSettled([
      loadImage(client, settings, o, ctx.signal),
      pickName(client, o.name?.replace(/^\//, '')),
      leaseMade,
    ]);
    if (settled[2].status === 'fulfilled') {
      cleanup.push(() => client.leases.delete({ id: leaseId, sync: false }).catch(() => undefined));
    }
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    const interrupted = (): void => {
      if (ctx.signal?.aborted) throw createError('interrupted', undefined, 130);
    };
    interrupted();
    const image = (settled[0] as PromiseFulfilledResult<RunImage>).value;
    const name = (settled[1] as PromiseFulfilledResult<string>).value;

    // ---- state dir: hosts, hostname, resolv.conf, log
    mkdirSync(stateDir, { recursive: true, mode: 0o711 });
    cleanup.push(() => rmSync(stateDir, { recursive: true, force: true }));
    // ---- network: netns, CNI, published ports and /etc/{hosts,hostname,resolv.conf}, set up
    // before the task so restarts and `-d` containers keep them without berth running.
    const ports = [
      ...o.ports,
      ...(o.publishAll ? exposedPortMappings(image.config.ExposedPorts) : []),
    ];
    const networks: string[] = [];
    for (const n of o.networks) {
      if (!n.startsWith('container:')) networks.push(n);
      else networks.push(`container:${(await resolveReference(client, n.slice(10))).id}`);
    }
    let net: SetupResult;
    try {
      net = await setupContainerNetwork({
        settings,
        namespace: settings.namespace,
        containerId: id,
        networks,
        ports,
        hostname,
        name,
        aliases: o.networkAliases,
        ...(o.aliasesByNetwork ? { networkAliases: o.aliasesByNetwork } : {}),
        extraHosts: o.extraHosts,
        dns: [...settings.dns, ...o.dns],
        dnsSearch: [...settings.dnsSearch, ...o.dnsSearch],
        dnsOptions: [...settings.dnsOpts, ...o.dnsOptions],
        ip: o.ip,
        mac: o.macAddress,
        stateDir,
        readonlyFiles: o.readOnly,
        attach: Boolean(ctx.startNow),
        taskPid: async (target) => {
          const t = await client.tasks.get({ container_id: target }).catch(() => undefined);
          const st = t?.process?.status;
          return st === 'RUNNING' || st === 'PAUSED' ? t?.process?.pid : undefined;
        },
      });
    } catch (err) {
      throw createError((err as Error).message, err);
    }
    cleanup.push(() =>
      teardownContainerNetwork({ settings, namespace: settings.namespace, containerId: id }),
    );
    interrupted();

    // ---- volumes: named ones are created on first use and filled from the image; the image's
    // VOLUMEs become anonymous volumes, as in Docker.
    const fromOthers: MountRequest[] = [];
    for (const ref of o.volumesFrom) {
      const { container: other, mode } = parseVolumesFrom(ref);
      const found = await resolveReference(client, other);
      fromOthers.push(...volumesFromMounts(found.labels ?? {}, mode));
    }
    const userMounts = [...fromOthers, ...o.mounts];
    const allMounts = [...userMounts, ...anonymousImageVolumeRequests(image.config, userMounts)];
    const volumes = createVolumeResolver({
      settings,
      imageRootfs: imageSnapshotRootfs(client, settings, image.chainId),
      containerId: id,
    });
    // After the record exists (or the creation failed) the claims have done their job.
    cleanup.push(() => volumes.releaseClaims());
    cleanup.push(() =>
      removeAnonymousVolumes(settings, volumes.anonymousVolumes).then(() => undefined),
    );

    // ---- snapshot + spec + container under the lease
    // Set once the container exists: the lease then goes while the caller starts the task.
    let released: Promise<void> | undefined;
    try {
      const snapshotter = settings.snapshotter;
      const mountsResp = await prepareSnapshot(client, snapshotter, id, image, leaseId);
      cleanup.push(async () => {
        await client.snapshots.remove({ snapshotter, key: id }).catch(() => undefined);
      });
      const lowers = lowerDirs(mountsResp.mounts);
      const upper = upperDir(mountsResp.mounts);

      const stopSignal = o.stopSignal ?? image.config.StopSignal;
      const opts = specOptsFor(o, image, {
        hostname,
        networkOpts: net.specOpts,
        mounts: allMounts,
        resolveVolume: volumes.resolve,
        stopSignal,
      });
      let spec: Spec;
      try {
        spec = await buildSpec(
          { namespace: settings.namespace, id, rootfs: upper ? [upper, ...lowers] : lowers },
          opts,
        );
      } catch (err) {
        if (err instanceof BerthError) throw err;
        throw createError((err as Error).message);
      }
      // Docker creates a missing working directory; with overlayfs it goes into the upper dir.
      ensureWorkdir(spec.process?.cwd ?? '/', upper, lowers);

      // The flags' (or compose's) health check over the image's HEALTHCHECK, run by the logger.
      const health = mergeHealthConfig(o.healthcheck, image.config.Healthcheck);
      const logUri = loggerUri(settings, {
        health,
        logPath,
        stateDir,
        tty: o.tty,
        cgroup,
        autoRemove: o.autoRemove,
        // Its exit releases the network and applies the restart policy.
        check: o.restart.name !== 'no' || Boolean(net.labels[NETNS_LABEL]),
      });
      const labels = encodeContainerLabels(o, {
        imageLabels: image.config.Labels ?? {},
        name,
        logPath,
        stateDir,
        hostname,
        networkLabels: net.labels,
        networkSettings: net.networkSettings,
        mounts: allMounts.map((q) => toDockerMount(q, volumes.volumes.get(cleanPath(q.target)))),
        anonymousVolumes: volumes.anonymousVolumes,
        stopSignal,
        logUri,
        health,
      });

      interrupted();
      try {
        await client.containers.create(
          {
            container: {
              id,
              image: image.name,
              runtime: { name: RUNTIME },
              spec: { type_url: SPEC_TYPE_URL, value: Buffer.from(specToJSON(spec)) },
              snapshotter,
              snapshot_key: id,
              labels,
            },
          },
          { lease: leaseId },
        );
      } catch (err) {
        if (err instanceof ContainerdError) throw createError(err.message, err);
        throw err;
      }
      cleanup.push(async () => {
        await client.containers.delete({ id }).catch(() => undefined);
      });
      // Random names were checked just before and are not worth another round trip.
      if (o.name !== undefined) await claimName(client, name, id);

      if (o.cidfile) writeCidfile(o.cidfile, id);
      const created: CreatedContainer = {
        id,
        name,
        spec,
        labels,
        image,
        stateDir,
        logPath,
        restart: o.restart,
        cgroup,
        logUri,
        mounts: mountsResp.mounts.map((m) => ({
          type: m.type,
          source: m.source,
          target: m.target,
          options: m.options,
        })),
        settled: Promise.resolve(),
      };
      cleanup.clear();
      volumes.releaseClaims();
      // The container record now references the snapshot; the lease has done its job.
      created.settled = released = client.leases
        .delete({ id: leaseId, sync: false })
        .then(() => undefined)
        .catch(() => undefined);
      return created;
    } finally {
      if (!released) {
        await client.leases.delete({ id: leaseId, sync: false }).catch(() => undefined);
      }
    }
  } catch (err) {
    await cleanup.run();
    if (err instanceof AlreadyExistsError) throw createError(err.message, err);
    throw err;
  }
}

/**
 * The container's rootfs snapshot, prepared on the image's chain under the lease. Prepare comes
 * first: the image is nearly always unpacked, and the parent's absence is the one case that
 * needs the unpack (not found), so no Stat round trip is spent on it.
 */
async function prepareSnapshot(
  client: Client,
  snapshotter: string,
  id: string,
  image: RunImage,
  leaseId: string,
) {
  const prepare = () =>
    client.snapshots.prepare(
      { snapshotter, key: id, parent: image.chainId, labels: {} },
      { lease: leaseId },
    );
  try {
    return await prepare().catch(async (err: unknown) => {
      if (!(err instanceof NotFoundError)) throw err;
      await image.unpack();
      return prepare();
    });
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw createError(
        `image ${familiarRef(image.name)} is not unpacked for ${snapshotter}: ${err.message}`,
      );
    }
    throw err;
  }
}

/** Docker mounts the container's cgroup (read-only unless privileged) at /sys/fs/cgroup. */
function withCgroupMount(): SpecOpt {
  return (spec) => {
    const mounts = (spec.mounts ?? []).filter((m) => m.destination !== '/sys/fs/cgroup');
    mounts.push({
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['ro', 'nosuid', 'noexec', 'nodev'],
    });
    spec.mounts = mounts;
  };
}

function writeCidfile(path: string, id: string): void {
  if (existsSync(path)) {
    throw new UsageError(
      `Container ID file found, make sure the other container isn't running or delete ${path}`,
      { help: true },
    );
  }
  try {
    writeFileSync(path, id, { flag: 'wx' });
  } catch (err) {
    throw new UsageError(`failed to create the container ID file: ${(err as Error).message}`, {
      help: true,
    });
  }
}

interface MountLike {
  type: string;
  options: string[];
}

function optionValue(mounts: readonly MountLike[], key: string): string | undefined {
  for (const m of mounts) {
    for (const opt of m.options) if (opt.startsWith(`${key}=`)) return opt.slice(key.length + 1);
  }
  return undefined;
}

function lowerDirs(mounts: readonly MountLike[]): string[] {
  const lower = optionValue(mounts, 'lowerdir');
  if (lower) return lower.split(':');
  // A single-layer image with no upper (bind of the committed dir), or the native snapshotter.
  const bind = mounts.find((m) => m.type === 'bind') as
    (MountLike & { source?: string }) | undefined;
  return bind?.source ? [bind.source] : [];
}

function upperDir(mounts: readonly MountLike[]): string | undefined {
  const upper = optionValue(mounts, 'upperdir');
  if (upper) return upper;
  const bind = mounts.find((m) => m.type === 'bind') as
    (MountLike & { source?: string }) | undefined;
  return bind?.source;
}

function ensureWorkdir(cwd: string, upper: string | undefined, lowers: readonly string[]): void {
  if (!upper || cwd === '/' || !cwd.startsWith('/')) return;
  if ([upper, ...lowers].some((dir) => existsSync(join(dir, cwd)))) return;
  try {
    mkdirSync(join(upper, cwd), { recursive: true, mode: 0o755 });
  } catch {
    // runc reports a missing cwd itself.
  }
}

/** `-P`: every port the image EXPOSEs, published on a random host port. */
function exposedPortMappings(exposed: Record<string, unknown> | null | undefined): PortMapping[] {
  return Object.keys(exposed ?? {}).map((key) => {
    const [port, proto] = key.split('/');
    const containerPort = Number(port);
    return {
      hostIP: '',
      hostPort: 0,
      hostPortEnd: 0,
      containerPort,
      protocol: (proto === 'udp' ? 'udp' : 'tcp') as PortMapping['protocol'],
    };
  });
}
