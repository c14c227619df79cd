/**
 * `create` (and the first half of `run`): Docker flags → OCI spec + containerd container record.
 * Prepare and Containers.Create run under one lease (an unreferenced active snapshot would be
 * collected by the next GC). Everything created is registered on a cleanup stack and undone if
 * a later step fails.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '../containerd/client.js';
import type { Settings } from '../config/index.js';
import { AlreadyExistsError, ContainerdError, NotFoundError } from '../containerd/errors.js';
import { SPEC_TYPE_URL, timestampToDate } from '../containerd/helpers.js';
import { newLeaseId, GC_EXPIRE_LABEL } from '../containerd/leases.js';
import { rfc3339 } from '../containerd/helpers.js';
import { BerthError } from '../errors.js';
import {
  parseAddHost,
  parseCpus,
  parseEnvFile,
  parseLabelFile,
  parseMemory,
  parseMemorySwap,
  parseMount,
  parseRestartPolicy,
  parseSecurityOpt,
  parseSignal,
  parseStopTimeout,
  parseTmpfs,
  parseUlimit,
  parseVolume,
  parsePublish,
  type PortMapping,
  type RestartPolicy,
} from '../opts/container-parsers.js';
import { LABEL, RESTART_LABEL, encodeEmptyLabels } from '../labels.js';
import type { MountRequest } from '../oci/mounts.js';
import {
  buildSpec,
  resolveCommand,
  STOP_SIGNAL_ANNOTATION,
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
  withNoNewPrivileges,
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
} from '../oci/opts.js';
import { specToJSON, type Spec } from '../oci/spec.js';
import { InvalidReferenceError } from '../registry/reference.js';
import { CleanupStack } from './cleanup.js';
import { CREATE_PID_LABEL, stateDirOf } from './labels.js';
import { ensureRunImage, familiarRef, type RunImage } from './image.js';
import { imageSnapshotRootfs } from './volumes.js';
import { loggerUri } from './logger.js';
import { randomName, validateName } from './names.js';
import { findContainer, NoSuchContainerError } from './resolve.js';
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

export const RUNTIME = 'io.containerd.runc.v2';

/** Flag values of run/create, already split into lists; parsing into typed values happens here. */
export interface ContainerOptions {
  image: string;
  args: string[];
  /** Ctrl-C during creation: a pull stops, and what was made so far is undone. */
  signal?: AbortSignal;
  /** `run`: the task starts right after, so the network is attached now (see setupContainerNetwork). */
  startNow?: boolean;
  detach?: boolean;
  interactive?: boolean;
  tty?: boolean;
  rm?: boolean;
  name?: string;
  pull?: string;
  platform?: string;
  env: string[];
  envFile: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string;
  hostname?: string;
  label: string[];
  labelFile: string[];
  volume: string[];
  mount: string[];
  tmpfs: string[];
  readOnly?: boolean;
  privileged?: boolean;
  capAdd: string[];
  capDrop: string[];
  securityOpt: string[];
  cpus?: string;
  cpuShares?: number;
  cpusetCpus?: string;
  memory?: string;
  memorySwap?: string;
  pidsLimit?: number;
  ulimit: string[];
  shmSize?: string;
  init?: boolean;
  stopSignal?: string;
  stopTimeout?: string;
  restart?: string;
  cidfile?: string;
  addHost: string[];
  /** --network/--net: bridge (default), host, none, container:<x> or user networks. */
  network: string[];
  publish: string[];
  publishAll?: boolean;
  dns: string[];
  dnsSearch: string[];
  dnsOption: string[];
  ip?: string;
  macAddress?: string;
  volumesFrom: string[];
  /** Invoked as `run` (error trailer and pull message) or `create`. */
  command: 'run' | 'create';
  /** Called when the image has to be pulled (Docker prints `Unable to find image`). */
  pullImage?: (ref: string) => Promise<void>;
}

/** A 125 error printed like Docker's daemon errors: `berth: Error response from daemon: …` + trailer. */
export class DaemonError extends BerthError {
  constructor(message: string, command: string, exitCode = 125, cause?: unknown) {
    super(
      `berth: Error response from daemon: ${message}\n\nRun 'berth ${command} --help' for more information`,
      {
        exitCode,
        cause,
      },
    );
  }
}

/** A CLI-side validation error (`berth: invalid …` + trailer), exit 125. */
export class RunUsageError extends BerthError {
  constructor(message: string, command: string) {
    super(`berth: ${message}\n\nRun 'berth ${command} --help' for more information`, {
      exitCode: 125,
    });
  }
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

function readFileOrFail(path: string, command: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new RunUsageError(
      `open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`,
      command,
    );
  }
}

function flagError(command: string, value: string, flag: string, err: unknown): RunUsageError {
  return new RunUsageError(
    `invalid argument "${value}" for "${flag}" flag: ${err instanceof Error ? err.message : String(err)}`,
    command,
  );
}

function parseEach<T>(
  values: readonly string[],
  flag: string,
  command: string,
  fn: (v: string) => T,
): T[] {
  return values.map((v) => {
    try {
      return fn(v);
    } catch (err) {
      throw flagError(command, v, flag, err);
    }
  });
}

function parseOne<T>(
  value: string | undefined,
  flag: string,
  command: string,
  fn: (v: string) => T,
): T | undefined {
  if (value === undefined) return undefined;
  return parseEach([value], flag, command, fn)[0];
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

/** Validates flags and creates the container record (no task). */
export async function createContainer(
  client: Client,
  settings: Settings,
  o: ContainerOptions,
): Promise<CreatedContainer> {
  const cmd = o.command;
  // ---- flag validation (no side effects yet)
  if (o.name !== undefined) {
    const bad = validateName(o.name);
    if (bad) throw new DaemonError(bad, cmd);
  }
  const restart = parseOne(o.restart ?? '', 'restart', cmd, parseRestartPolicy) ?? {
    name: 'no',
    maximumRetryCount: 0,
  };
  if (o.rm && restart.name !== 'no') {
    throw new RunUsageError('Conflicting options: --restart and --rm', cmd);
  }
  const envFromFiles = o.envFile.flatMap((f) =>
    parseEnvFile(readFileOrFail(f, cmd), { filename: f }),
  );
  const labelList = [
    ...o.labelFile.flatMap((f) => parseLabelFile(readFileOrFail(f, cmd), { filename: f })),
    ...o.label,
  ];
  const userLabels: Record<string, string> = {};
  for (const l of labelList) {
    const eq = l.indexOf('=');
    userLabels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  const mounts: MountRequest[] = [
    ...parseEach(o.volume, 'volume', cmd, (v) => parseVolume(v)),
    ...parseEach(o.mount, 'mount', cmd, (v) => parseMount(v)),
    ...parseEach(o.tmpfs, 'tmpfs', cmd, parseTmpfs),
  ];
  const published = parseEach(o.publish, 'publish', cmd, parsePublish).flat();
  const ulimits = parseEach(o.ulimit, 'ulimit', cmd, parseUlimit);
  const secOpts = parseEach(o.securityOpt, 'security-opt', cmd, parseSecurityOpt);
  const cpus = parseOne(o.cpus, 'cpus', cmd, parseCpus);
  const memory = parseOne(o.memory, 'memory', cmd, parseMemory);
  const memorySwap = parseOne(o.memorySwap, 'memory-swap', cmd, parseMemorySwap);
  const shm = parseOne(o.shmSize, 'shm-size', cmd, parseMemory);
  const stopTimeout = parseOne(o.stopTimeout, 'stop-timeout', cmd, parseStopTimeout);
  if (o.stopSignal !== undefined) parseOne(o.stopSignal, 'stop-signal', cmd, parseSignal);
  const extraHosts = parseEach(o.addHost, 'add-host', cmd, parseAddHost);

  // ---- image (in parallel with the name pre-check and the lease)
  const loadImage = async (): Promise<RunImage> => {
    let image: RunImage;
    const pull = o.pull ?? 'missing';
    if (!['always', 'missing', 'never'].includes(pull)) {
      throw new RunUsageError(
        `invalid pull option: '${pull}': must be one of "always", "missing" or "never"`,
        cmd,
      );
    }
    try {
      image = await ensureRunImage(
        client,
        settings,
        o.image,
        pull as 'always' | 'missing' | 'never',
        o.platform,
        o.signal,
      );
    } catch (err) {
      // docker/cli parses the reference itself, before asking the daemon anything.
      if (err instanceof InvalidReferenceError) throw new RunUsageError(err.message, cmd);
      if (err instanceof BerthError) {
        throw new DaemonError(
          err.message.replace(/^Error response from daemon: /, ''),
          cmd,
          125,
          err,
        );
      }
      throw err;
    }
    try {
      resolveCommand(image.config, { entrypoint: o.entrypoint, args: o.args });
    } catch (err) {
      throw new DaemonError((err as Error).message, cmd);
    }
    return image;
  };

  const id = randomBytes(32).toString('hex');
  const stateDir = stateDirOf(settings, id);
  const logPath = join(stateDir, `${id}-json.log`);
  const cgroup = `/${settings.namespace}/${id}`;
  const hostname = o.hostname ?? id.slice(0, 12);

  // ---- name: fast pre-check (the authoritative check runs after Create)
  let name = o.name?.replace(/^\//, '');
  const cleanup = new CleanupStack();
  try {
    const leaseId = newLeaseId();
    const pickName = async (): Promise<string> => {
      if (name !== undefined) {
        const existing = await containersNamed(client, name);
        if (existing.length > 0) throw new DaemonError(conflictMessage(name, existing[0]!.id), cmd);
        return name;
      }
      for (let retry = 0; ; retry++) {
        const candidate = randomName(retry);
        if ((await containersNamed(client, candidate)).length === 0 || retry > 5) return candidate;
      }
    };
    const leaseMade = client.leases.create({
      id: leaseId,
      labels: {
        [GC_EXPIRE_LABEL]: rfc3339(new Date(Date.now() + 3_600_000)),
        // A berth killed mid-create leaves this lease; sweepOrphans removes it sooner than expiry.
        [CREATE_PID_LABEL]: String(process.pid),
      },
    });
    const settled = await Promise.allSettled([loadImage(), pickName(), leaseMade]);
    if (settled[2].status === 'fulfilled') {
      cleanup.push(() => client.leases.delete({ id: leaseId, sync: false }).catch(() => undefined));
    }
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    const interrupted = (): void => {
      if (o.signal?.aborted) throw new DaemonError('interrupted', cmd, 130);
    };
    interrupted();
    const image = (settled[0] as PromiseFulfilledResult<RunImage>).value;
    name = (settled[1] as PromiseFulfilledResult<string>).value;

    // ---- state dir: hosts, hostname, resolv.conf, log
    mkdirSync(stateDir, { recursive: true, mode: 0o711 });
    cleanup.push(() => rmSync(stateDir, { recursive: true, force: true }));
    // ---- network: netns, CNI, published ports and /etc/{hosts,hostname,resolv.conf}, set up
    // before the task so restarts and `-d` containers keep them without berth running.
    const ports = [
      ...published,
      ...(o.publishAll ? exposedPortMappings(image.config.ExposedPorts) : []),
    ];
    // `container:<name|prefix>` is resolved here, as every container reference is.
    const networks: string[] = [];
    for (const n of o.network) {
      if (!n.startsWith('container:')) networks.push(n);
      else {
        const found = await findContainer(client, n.slice('container:'.length)).catch(
          (err: unknown) => {
            throw new DaemonError(
              err instanceof NoSuchContainerError ? err.reason : (err as Error).message,
              cmd,
            );
          },
        );
        networks.push(`container:${found.id}`);
      }
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
        extraHosts,
        dns: [...settings.dns, ...o.dns],
        dnsSearch: [...settings.dnsSearch, ...o.dnsSearch],
        dnsOptions: [...settings.dnsOpts, ...o.dnsOption],
        ip: o.ip,
        mac: o.macAddress,
        stateDir,
        readonlyFiles: Boolean(o.readOnly),
        attach: Boolean(o.startNow),
        taskPid: async (target) => {
          const t = await client.tasks.get({ container_id: target }).catch(() => undefined);
          const st = t?.process?.status;
          return st === 'RUNNING' || st === 'PAUSED' ? t?.process?.pid : undefined;
        },
      });
    } catch (err) {
      if (err instanceof BerthError) throw new DaemonError(err.message, cmd, 125, err);
      throw new DaemonError((err as Error).message, cmd, 125, err);
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
      const found = await findContainer(client, other).catch((err: unknown) => {
        throw new DaemonError(
          err instanceof NoSuchContainerError ? err.reason : (err as Error).message,
          cmd,
        );
      });
      fromOthers.push(...volumesFromMounts(found.labels ?? {}, mode));
    }
    const userMounts = [...fromOthers, ...mounts];
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
      const prepare = () =>
        client.snapshots.prepare(
          { snapshotter, key: id, parent: image.chainId, labels: {} },
          { lease: leaseId },
        );
      let mountsResp;
      try {
        // Prepare first: the image is nearly always unpacked, and the parent's absence is the
        // one case that needs the unpack (not found), so no Stat round trip is spent on it.
        mountsResp = await prepare().catch(async (err: unknown) => {
          if (!(err instanceof NotFoundError)) throw err;
          await image.unpack();
          return prepare();
        });
      } catch (err) {
        if (err instanceof NotFoundError) {
          throw new DaemonError(
            `image ${familiarRef(image.name)} is not unpacked for ${snapshotter}: ${err.message}`,
            cmd,
          );
        }
        throw err;
      }
      cleanup.push(async () => {
        await client.snapshots.remove({ snapshotter, key: id }).catch(() => undefined);
      });
      const lowers = lowerDirs(mountsResp.mounts);
      const upper = upperDir(mountsResp.mounts);

      const opts: SpecOpt[] = [
        withImageConfig(image.config, { entrypoint: o.entrypoint, args: o.args }),
      ];
      if (o.init) opts.push(withInit());
      if (envFromFiles.length || o.env.length) opts.push(withEnv([...envFromFiles, ...o.env]));
      if (o.workdir) opts.push(withCwd(o.workdir));
      if (o.user !== undefined) opts.push(withUser(o.user));
      opts.push(withHostname(hostname));
      if (o.tty) opts.push(withTTY());
      opts.push(withoutRunMount(), withCgroupMount());
      if (o.readOnly) opts.push(withReadonlyRootfs());
      opts.push(...net.specOpts);
      if (allMounts.length) opts.push(withMounts(allMounts, { resolveVolume: volumes.resolve }));
      if (shm !== undefined) opts.push(withShmSize(shm));
      if (o.privileged) opts.push(withPrivileged());
      if (o.capAdd.length || o.capDrop.length)
        opts.push(withCapabilityChanges(o.capAdd, o.capDrop));
      let nnp = false;
      for (const s of secOpts) if (s.kind === 'no-new-privileges') nnp = s.value;
      opts.push(withNoNewPrivileges(nnp));
      if (cpus !== undefined) opts.push(withCpus(cpus));
      if (o.cpuShares !== undefined) opts.push(withCpuShares(o.cpuShares));
      if (o.cpusetCpus !== undefined) opts.push(withCpusetCpus(o.cpusetCpus));
      if (memory !== undefined) opts.push(withMemory(memory));
      if (memorySwap !== undefined) opts.push(withMemorySwap(memorySwap));
      if (o.pidsLimit !== undefined) opts.push(withPidsLimit(o.pidsLimit));
      if (ulimits.length) opts.push(withUlimits(ulimits));
      const stopSignal = o.stopSignal ?? image.config.StopSignal;
      if (stopSignal) opts.push(withStopSignal(stopSignal));
      let spec: Spec;
      try {
        spec = await buildSpec(
          { namespace: settings.namespace, id, rootfs: upper ? [upper, ...lowers] : lowers },
          opts,
        );
      } catch (err) {
        if (err instanceof BerthError) throw err;
        throw new DaemonError((err as Error).message, cmd);
      }
      // Docker creates a missing working directory; with overlayfs it goes into the upper dir.
      ensureWorkdir(spec.process?.cwd ?? '/', upper, lowers);

      const autoRemove = Boolean(o.rm);
      const logUri = loggerUri(settings, {
        logPath,
        stateDir,
        tty: Boolean(o.tty),
        cgroup,
        autoRemove,
        // Its exit releases the network and applies the restart policy.
        check: restart.name !== 'no' || Boolean(net.labels[NETNS_LABEL]),
      });
      const labels: Record<string, string> = {
        ...encodeEmptyLabels({ ...(image.config.Labels ?? {}), ...userLabels }),
        [LABEL.name]: name!,
        [LABEL.imageRef]: o.image,
        [LABEL.logPath]: logPath,
        [LABEL.stateDir]: stateDir,
        [LABEL.hostname]: hostname,
        ...net.labels,
        [LABEL.networkSettings]: JSON.stringify(net.networkSettings),
        [LABEL.mounts]: JSON.stringify(
          allMounts.map((q) => toDockerMount(q, volumes.volumes.get(cleanPath(q.target)))),
        ),
        [LABEL.anonymousVolumes]: JSON.stringify(volumes.anonymousVolumes),
        [LABEL.hostConfig]: JSON.stringify({
          AutoRemove: autoRemove,
          RestartPolicy: { Name: restart.name, MaximumRetryCount: restart.maximumRetryCount },
          Interactive: Boolean(o.interactive),
          Tty: Boolean(o.tty),
          ReadonlyRootfs: Boolean(o.readOnly),
          Privileged: Boolean(o.privileged),
        }),
      };
      if (autoRemove) labels[LABEL.autoRemove] = 'true';
      if (o.platform) labels[LABEL.platform] = o.platform;
      if (stopTimeout !== undefined) labels[LABEL.stopTimeout] = String(stopTimeout);
      if (stopSignal) labels[STOP_SIGNAL_ANNOTATION] = stopSignal;
      if (restart.name !== 'no') {
        labels[RESTART_LABEL.policy] =
          restart.name === 'on-failure' && restart.maximumRetryCount > 0
            ? `on-failure:${restart.maximumRetryCount}`
            : restart.name;
        labels[RESTART_LABEL.logUri] = logUri;
        labels[RESTART_LABEL.count] = '0';
      }

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
        if (err instanceof ContainerdError) throw new DaemonError(err.message, cmd, 125, err);
        throw err;
      }
      cleanup.push(async () => {
        await client.containers.delete({ id }).catch(() => undefined);
      });

      // ---- the authoritative name check: earliest created wins (tie: smaller id). Random names
      // were checked just before and are not worth another round trip.
      const same = o.name !== undefined ? await containersNamed(client, name!) : [];
      if (same.length > 1) {
        const winner = [...same].sort((a, b) => {
          const ta = timestampToDate(a.created_at)?.getTime() ?? 0;
          const tb = timestampToDate(b.created_at)?.getTime() ?? 0;
          const na = Number(a.created_at?.nanos ?? 0);
          const nb = Number(b.created_at?.nanos ?? 0);
          return ta - tb || na - nb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
        })[0]!;
        if (winner.id !== id) throw new DaemonError(conflictMessage(name!, winner.id), cmd);
      }

      if (o.cidfile) writeCidfile(o.cidfile, id, cmd);
      const created: CreatedContainer = {
        id,
        name: name!,
        spec,
        labels,
        image,
        stateDir,
        logPath,
        restart,
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
    if (err instanceof AlreadyExistsError) throw new DaemonError(err.message, cmd, 125, err);
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

function writeCidfile(path: string, id: string, cmd: string): void {
  if (existsSync(path)) {
    throw new RunUsageError(
      `Container ID file found, make sure the other container isn't running or delete ${path}`,
      cmd,
    );
  }
  try {
    writeFileSync(path, id, { flag: 'wx' });
  } catch (err) {
    throw new RunUsageError(
      `failed to create the container ID file: ${(err as Error).message}`,
      cmd,
    );
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
