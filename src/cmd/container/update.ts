/**
 * `update`: new resource limits and restart policy for running and stopped containers. The
 * stored spec and the HostConfig label change (inspect, and the next start, read them); a live
 * task gets Tasks.Update first, so a limit runc refuses (memory below usage) changes nothing.
 */
import type { Settings } from '../../config/index.js';
import type { Client } from '../../containerd/client.js';
import { RESOURCES_TYPE_URL, SPEC_TYPE_URL } from '../../containerd/helpers.js';
import { DaemonError } from '../../errors.js';
import { publishEvent } from '../../events/index.js';
import { parseRestartPolicy, type RestartPolicy } from '../../opts/container-parsers.js';
import { LABEL, RESTART_LABEL } from '../../labels.js';
import {
  withCpus,
  withCpuShares,
  withCpusetCpus,
  withMemory,
  withPidsLimit,
  type SpecContext,
} from '../../oci/opts.js';
import { specFromJSON, specToJSON, type Spec } from '../../oci/spec.js';
import { loggerUri } from '../../container/logger.js';
import { monitorRestarts } from '../../container/restart.js';
import type { Container } from '../../container/resolve.js';
import { getTask } from '../../container/state.js';

export interface UpdateOptions {
  /** Parsed values; undefined = flag not given. */
  cpus?: number;
  cpuShares?: number;
  cpusetCpus?: string;
  memory?: number;
  memorySwap?: number;
  pidsLimit?: number;
  restart?: string;
}

/** True when at least one setting is to change (docker/cli refuses an update with none). */
export function hasUpdates(o: UpdateOptions): boolean {
  return Object.values(o).some((v) => v !== undefined);
}

interface HostConfigLabel {
  Memory?: number;
  MemorySwap?: number;
  NanoCpus?: number;
  CpuShares?: number;
  CpusetCpus?: string;
  PidsLimit?: number | null;
  AutoRemove?: boolean;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
  [key: string]: unknown;
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

function specOf(c: Container): Spec {
  return c.spec ? specFromJSON(Buffer.from(c.spec.value).toString('utf8')) : ({} as Spec);
}

/** The restart monitor's labels for a new policy (containerd's restart plugin reads them). */
function restartLabels(
  settings: Pick<Settings, 'address' | 'dataRoot' | 'cniPath' | 'namespace'>,
  c: Container,
  spec: Spec,
  policy: RestartPolicy,
  running: boolean,
): { set: Record<string, string>; drop: string[] } {
  const labels = c.labels ?? {};
  if (policy.name === 'no') {
    return { set: {}, drop: [RESTART_LABEL.policy, RESTART_LABEL.logUri, RESTART_LABEL.status] };
  }
  const value =
    policy.name === 'on-failure' && policy.maximumRetryCount > 0
      ? `on-failure:${policy.maximumRetryCount}`
      : policy.name;
  // containerd's monitor restarts only containers without a berth network namespace; the others
  // (and every exit's network release and restart count) are the logger's exit check's.
  const monitored = monitorRestarts({ ...labels, [RESTART_LABEL.policy]: policy.name });
  let uri = labels[RESTART_LABEL.logUri];
  const params = {
    check: true,
    // Replaced by `check` (URIs written by earlier berths).
    onfailure: false,
    ports: false,
  };
  if (uri) {
    const u = new URL(uri);
    for (const [k, on] of Object.entries(params)) {
      if (on) u.searchParams.set(k, '1');
      else u.searchParams.delete(k);
    }
    uri = u.toString();
  } else {
    uri = loggerUri(settings, {
      logPath: labels[LABEL.logPath] ?? '',
      stateDir: labels[LABEL.stateDir] ?? '',
      tty: spec.process?.terminal ?? false,
      cgroup: spec.linux?.cgroupsPath ?? `/${settings.namespace}/${c.id}`,
      autoRemove: false,
      check: params.check,
    });
  }
  const set: Record<string, string> = {
    [RESTART_LABEL.policy]: value,
    [RESTART_LABEL.logUri]: uri,
  };
  if (labels[RESTART_LABEL.count] === undefined) set[RESTART_LABEL.count] = '0';
  // A running container under always/unless-stopped is one the monitor must keep running.
  if (monitored && running) set[RESTART_LABEL.status] = 'running';
  return { set, drop: monitored ? [] : [RESTART_LABEL.status] };
}

/**
 * Updates one container. Errors are Docker's daemon's, as DaemonErrors.
 */
export async function updateContainer(
  client: Client,
  settings: Pick<Settings, 'address' | 'dataRoot' | 'cniPath' | 'namespace'>,
  c: Container,
  o: UpdateOptions,
): Promise<void> {
  const cannot = (msg: string): DaemonError =>
    new DaemonError(`Cannot update container ${c.id}: ${msg}`);
  const labels = c.labels ?? {};
  const spec = specOf(c);
  const hc = parseJson<HostConfigLabel>(labels[LABEL.hostConfig], {});
  const policy = o.restart !== undefined ? parseRestartPolicy(o.restart) : undefined;
  if (policy && policy.name !== 'no' && (hc.AutoRemove || labels[LABEL.autoRemove] === 'true')) {
    throw cannot(
      'Restart policy cannot be updated because AutoRemove is enabled for the container',
    );
  }

  const res = (spec.linux ??= {}).resources ?? {};
  spec.linux.resources = res;
  const currentSwap = hc.MemorySwap ?? res.memory?.swap ?? 0;
  if (o.memory !== undefined && o.memory !== 0) {
    // moby: a memory limit above the swap limit already set needs --memory-swap with it.
    if (currentSwap > 0 && o.memory > currentSwap && o.memorySwap === undefined) {
      throw cannot(
        'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
      );
    }
  }
  const ctx: SpecContext = { namespace: settings.namespace, id: c.id };
  try {
    if (o.cpus !== undefined) await withCpus(o.cpus)(spec, ctx);
    if (o.cpuShares !== undefined) await withCpuShares(o.cpuShares)(spec, ctx);
    if (o.cpusetCpus !== undefined) await withCpusetCpus(o.cpusetCpus)(spec, ctx);
    // withMemory's default swap (twice the limit) is for create; update keeps the swap set.
    if (o.memory !== undefined) {
      const swap = res.memory?.swap;
      await withMemory(o.memory, false)(spec, ctx);
      if (swap !== undefined && res.memory) res.memory.swap = swap;
    }
    if (o.pidsLimit !== undefined) await withPidsLimit(o.pidsLimit)(spec, ctx);
  } catch (err) {
    throw cannot((err as Error).message);
  }
  if (o.memorySwap !== undefined) {
    const limit = res.memory?.limit ?? 0;
    if (o.memorySwap > 0 && limit > 0 && o.memorySwap < limit) {
      throw cannot('Minimum memoryswap limit should be larger than memory limit, see usage');
    }
    if (o.memorySwap !== 0) res.memory = { ...(res.memory ?? {}), swap: o.memorySwap };
  }

  const task = await getTask(client, c.id);
  const status = task ? String(task.status) : '';
  const live = status === 'RUNNING' || status === 'PAUSED' || status === 'PAUSING';
  if (
    live &&
    (o.cpus ?? o.cpuShares ?? o.cpusetCpus ?? o.memory ?? o.memorySwap ?? o.pidsLimit) !== undefined
  ) {
    try {
      await client.tasks.update({
        container_id: c.id,
        resources: { type_url: RESOURCES_TYPE_URL, value: Buffer.from(JSON.stringify(res)) },
      });
    } catch (err) {
      throw cannot((err as Error).message);
    }
  }

  if (o.memory !== undefined) hc.Memory = o.memory;
  if (o.memorySwap !== undefined) hc.MemorySwap = o.memorySwap;
  else if (o.memory !== undefined && res.memory?.swap !== undefined)
    hc.MemorySwap = res.memory.swap;
  if (o.cpus !== undefined) hc.NanoCpus = Math.round(o.cpus * 1e9);
  if (o.cpuShares !== undefined) hc.CpuShares = o.cpuShares;
  if (o.cpusetCpus !== undefined) hc.CpusetCpus = o.cpusetCpus;
  if (o.pidsLimit !== undefined) hc.PidsLimit = o.pidsLimit > 0 ? o.pidsLimit : null;
  const newLabels: Record<string, string> = { ...labels };
  const paths = ['spec', `labels.${LABEL.hostConfig}`];
  if (policy) {
    hc.RestartPolicy = { Name: policy.name, MaximumRetryCount: policy.maximumRetryCount };
    const r = restartLabels(settings, c, spec, policy, live);
    Object.assign(newLabels, r.set);
    for (const k of r.drop) delete newLabels[k];
    paths.push(...[...Object.keys(r.set), ...r.drop].map((k) => `labels.${k}`));
  }
  newLabels[LABEL.hostConfig] = JSON.stringify(hc);
  await client.containers.update({
    container: {
      id: c.id,
      labels: newLabels,
      spec: { type_url: c.spec?.type_url ?? SPEC_TYPE_URL, value: Buffer.from(specToJSON(spec)) },
    },
    update_mask: { paths: [...new Set(paths)] },
  });
  await publishEvent(client, 'container', 'update', c.id);
}
