/**
 * The one place where the builder reaches into the container code: FIFOs and task stdio, the
 * spec, the network. RUN steps run through these shared functions (never a copy of `run`); when
 * the container library lands, only the imports and calls in this file change.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import type { Client } from '../containerd/client.js';
import type { Settings } from '../config/index.js';
import { NotFoundError } from '../containerd/errors.js';
import { SPEC_TYPE_URL } from '../containerd/helpers.js';
import {
  buildSpec,
  withCwd,
  withEnv,
  withHostname,
  withoutRunMount,
  withUser,
} from '../oci/opts.js';
import type { Spec } from '../oci/spec.js';
import { specToJSON } from '../oci/spec.js';
import { parseAddHost } from '../opts/container-parsers.js';
import { setupContainerNetwork, teardownContainerNetwork } from '../network/setup.js';
import { ended, fifoPaths, makeFifoDir, mkfifos, openFifoReader } from '../container/io.js';
import { RUNTIME } from '../container/create.js';
import { truncateId } from '../formatter/text.js';

export const BUILD_CONTAINER_LABEL = 'berth/build';

export interface SnapshotMount {
  type: string;
  source: string;
  target?: string;
  options: string[];
}

export interface StepProcessOptions {
  snapshotter: string;
  /** The active snapshot the step runs in (prepared by the builder, under its lease). */
  snapshotKey: string;
  mounts: SnapshotMount[];
  lease: string;
  args: string[];
  env: string[];
  user: string;
  cwd: string;
  network: string;
  addHost: string[];
  onStdout: (d: Buffer) => void;
  onStderr: (d: Buffer) => void;
  /** Ctrl-C: the task is killed and everything it made goes. */
  signal?: AbortSignal;
  /** Told the container id before the task starts (` ---> Running in …`). */
  onContainer?: (id: string) => void;
}

function optionValue(mounts: readonly SnapshotMount[], key: string): string | undefined {
  for (const m of mounts) {
    for (const opt of m.options) if (opt.startsWith(`${key}=`)) return opt.slice(key.length + 1);
  }
  return undefined;
}

/** The snapshot's directories, top-most first (overlayfs upper + lowers, or a bind's source). */
export function snapshotDirs(mounts: readonly SnapshotMount[]): string[] {
  const upper = optionValue(mounts, 'upperdir');
  const lower = optionValue(mounts, 'lowerdir');
  if (upper || lower) return [...(upper ? [upper] : []), ...(lower ? lower.split(':') : [])];
  const bind = mounts.find((m) => m.type === 'bind');
  return bind ? [bind.source] : [];
}

class Interrupted extends Error {}

/**
 * Runs one RUN step: a container on the step's snapshot, a task with stdout/stderr streamed to
 * the callbacks, then the task, container, network and FIFOs removed whatever happened. Returns
 * the exit code.
 */
export async function runStepProcess(
  client: Client,
  settings: Settings,
  o: StepProcessOptions,
): Promise<number> {
  const id = randomBytes(32).toString('hex');
  const stateDir = join(settings.dataRoot, 'build', settings.namespace, id);
  const undo: (() => Promise<unknown> | unknown)[] = [];
  const run = async (): Promise<void> => {
    while (undo.length) await Promise.resolve(undo.pop()!()).catch(() => undefined);
  };
  const sockets: Socket[] = [];
  try {
    if (o.signal?.aborted) throw new Interrupted();
    mkdirSync(stateDir, { recursive: true, mode: 0o711 });
    undo.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const dirs = snapshotDirs(o.mounts);
    const upper = optionValue(o.mounts, 'upperdir');
    // Docker creates a missing working directory; it becomes part of the step's layer.
    if (upper && o.cwd !== '/' && !dirs.some((d) => existsSync(join(d, o.cwd)))) {
      mkdirSync(join(upper, o.cwd), { recursive: true, mode: 0o755 });
    }
    const hostname = truncateId(id);
    const net = await setupContainerNetwork({
      settings,
      namespace: settings.namespace,
      containerId: id,
      networks: o.network === 'default' || o.network === '' ? [] : [o.network],
      // The step's task starts right away: hold its netns and address now, released below.
      attach: true,
      hostname,
      extraHosts: o.addHost.map(parseAddHost),
      dns: settings.dns,
      dnsSearch: settings.dnsSearch,
      dnsOptions: settings.dnsOpts,
      stateDir,
    });
    undo.push(() =>
      teardownContainerNetwork({ settings, namespace: settings.namespace, containerId: id }),
    );
    const spec: Spec = await buildSpec({ namespace: settings.namespace, id, rootfs: dirs }, [
      (s) => {
        s.process!.args = o.args;
        s.process!.env = [];
      },
      withEnv(o.env, () => undefined),
      withCwd(o.cwd),
      withUser(o.user || '0'),
      withHostname(hostname),
      withoutRunMount(),
      ...net.specOpts,
    ]);
    await client.containers.create(
      {
        container: {
          id,
          image: '',
          runtime: { name: RUNTIME },
          spec: { type_url: SPEC_TYPE_URL, value: Buffer.from(specToJSON(spec)) },
          snapshotter: o.snapshotter,
          snapshot_key: o.snapshotKey,
          labels: { [BUILD_CONTAINER_LABEL]: 'true' },
        },
      },
      { lease: o.lease },
    );
    undo.push(() => client.containers.delete({ id }));
    o.onContainer?.(id);

    const fifoDir = makeFifoDir();
    undo.push(() => rmSync(fifoDir, { recursive: true, force: true }));
    const fifos = fifoPaths(fifoDir, 'init', { stdin: false, tty: false });
    await mkfifos([fifos.stdout, fifos.stderr!]);
    const out = openFifoReader(fifos.stdout);
    const err = openFifoReader(fifos.stderr!);
    sockets.push(out, err);
    out.on('data', o.onStdout);
    err.on('data', o.onStderr);
    const outputDone = Promise.all([ended(out), ended(err)]);
    await client.tasks.create(
      {
        container_id: id,
        rootfs: o.mounts,
        stdin: '',
        stdout: fifos.stdout,
        stderr: fifos.stderr!,
        terminal: false,
      },
      { timeoutMs: 60_000 },
    );
    undo.push(async () => {
      await client.tasks.kill({ container_id: id, signal: 9, all: true }).catch(() => undefined);
      await client.tasks.wait({ container_id: id }, { timeoutMs: 10_000 }).catch(() => undefined);
      await client.tasks.delete({ container_id: id }).catch((e: unknown) => {
        if (!(e instanceof NotFoundError)) throw e;
      });
    });
    const waited = client.tasks.wait({ container_id: id });
    const onAbort = (): void => {
      void client.tasks.kill({ container_id: id, signal: 9, all: true }).catch(() => undefined);
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    undo.push(() => o.signal?.removeEventListener('abort', onAbort));
    if (o.signal?.aborted) throw new Interrupted();
    await client.tasks.start({ container_id: id });
    const [status] = await Promise.all([waited, outputDone]);
    if (o.signal?.aborted) throw new Interrupted();
    return status.exit_status;
  } finally {
    sockets.forEach((s) => s.destroy());
    await run();
  }
}

export function isInterrupted(err: unknown): boolean {
  return err instanceof Interrupted;
}
