/**
 * Finding containers the way Docker does from a user's argument: full ID, name, unique ID prefix.
 * Names come from labels only (berth's, nerdctl's, or the CRI `k8s://ns/pod/ctr` form), so every
 * berth process and nerdctl agree on them.
 */
import type { Client } from '../containerd/client.js';
import type { Container__Output } from '../containerd/generated/containerd/services/containers/v1/Container.js';
import { BerthError, DaemonError, daemonText, errorText } from '../errors.js';
import { CRI_LABEL, LABEL, NERDCTL_LABEL, containerName, isCriManaged } from '../labels.js';
import { criRefusal } from '../cri/index.js';

export type Container = Container__Output;

/** `No such container: x` with the daemon's prefix (exit 1), as Docker 28 prints it. */
export class NoSuchContainerError extends DaemonError {
  /** What the user asked for. */
  readonly ref: string;

  constructor(ref: string) {
    super(`No such container: ${ref}`, { kind: 'not-found' });
    this.ref = ref;
  }

  /** The daemon's text (`No such container: x`), for errors that embed it. */
  get reason(): string {
    return this.message;
  }
}

/** More than one container ID starts with the given prefix. */
export class AmbiguousContainerError extends DaemonError {
  readonly ref: string;

  constructor(ref: string) {
    super(`multiple IDs found with provided prefix: ${ref}`);
    this.ref = ref;
  }

  get reason(): string {
    return this.message;
  }
}

const HEX_PREFIX = /^[0-9a-f]{1,64}$/;
/** containerd's identifier rule: what the ID of a container made by another client can be. */
const CONTAINERD_ID = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;
const CONTAINERD_ID_MAX = 76;
/** Docker's name rule (a leading `/` is accepted and ignored, as Docker does). */
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** A containerd filter value, quoted (Go strconv.Unquote accepts JSON's escapes for these). */
function q(value: string): string {
  return JSON.stringify(value);
}

/** Parses `k8s://ns/pod[/ctr]`; undefined when `ref` is not in that form. */
export function parseK8sName(
  ref: string,
): { namespace: string; pod: string; container?: string } | undefined {
  if (!ref.startsWith('k8s://')) return undefined;
  const parts = ref.slice('k8s://'.length).split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return undefined;
  return { namespace: parts[0], pod: parts[1], container: parts[2] };
}

function newestFirst(a: Container, b: Container): number {
  return (
    Number(b.created_at?.seconds ?? 0) - Number(a.created_at?.seconds ?? 0) ||
    (b.created_at?.nanos ?? 0) - (a.created_at?.nanos ?? 0)
  );
}

/**
 * The containerd container `ref` names: a full ID, a name (berth/name, nerdctl/name, or
 * `k8s://ns/pod/ctr` in the CRI namespace), or a unique ID prefix, in Docker's order of
 * precedence. Throws NoSuchContainerError or AmbiguousContainerError. One Containers.List call.
 */
export async function findContainer(client: Client, ref: string): Promise<Container> {
  const found = await findContainerOrUndefined(client, ref);
  if (!found) throw new NoSuchContainerError(ref);
  return found;
}

/** findContainer without the NotFound error (ambiguity still throws). */
export async function findContainerOrUndefined(
  client: Client,
  ref: string,
): Promise<Container | undefined> {
  const k8s = parseK8sName(ref);
  if (k8s) {
    const filter = [
      `labels.${q(CRI_LABEL.podNamespace)}==${q(k8s.namespace)}`,
      `labels.${q(CRI_LABEL.podName)}==${q(k8s.pod)}`,
      k8s.container
        ? `labels.${q(CRI_LABEL.containerName)}==${q(k8s.container)}`
        : `labels.${q(CRI_LABEL.kind)}=="sandbox"`,
    ].join(',');
    const { containers } = await client.containers.list({ filters: [filter] });
    // kubelet keeps earlier attempts of a restarted container under the same name: take the latest.
    return [...containers].sort(newestFirst)[0];
  }

  const name = ref.startsWith('/') ? ref.slice(1) : ref;
  const filters: string[] = [];
  if (NAME_RE.test(name)) {
    filters.push(
      `labels.${q(LABEL.name)}==${q(name)}`,
      `labels.${q(NERDCTL_LABEL.name)}==${q(name)}`,
    );
  }
  if (HEX_PREFIX.test(ref)) filters.push(`id~=${q(`^${ref}`)}`);
  // ctr and other clients may pick IDs that are not hex; a full one still names its container.
  else if (CONTAINERD_ID.test(ref) && ref.length <= CONTAINERD_ID_MAX)
    filters.push(`id==${q(ref)}`);
  if (filters.length === 0) return undefined;

  const { containers } = await client.containers.list({ filters });
  const exact = containers.find((c) => c.id === ref);
  if (exact) return exact;
  const named = containers.filter(
    (c) => (c.labels[LABEL.name] ?? c.labels[NERDCTL_LABEL.name]) === name,
  );
  if (named.length > 0) return named.sort(newestFirst)[0];
  const prefixed = containers.filter((c) => c.id.startsWith(ref));
  if (prefixed.length > 1) throw new AmbiguousContainerError(ref);
  return prefixed[0];
}

/**
 * Refuses to change a kubelet-managed container unless the user opted in (`--kube-force`).
 * Read-only commands never call this.
 */
export function assertMutable(
  container: Container,
  ref: string,
  verb: string,
  kubeForce: boolean | undefined,
): void {
  if (isCriManaged(container.labels) && !kubeForce) throw criRefusal(ref, container.labels, verb);
}

/**
 * Refuses a change to a kubelet-managed container that no flag makes safe; `why` says what to do
 * instead (one line, naming the pod).
 */
export function refuseCri(container: Container, ref: string, verb: string, why: string): void {
  if (isCriManaged(container.labels)) throw criRefusal(ref, container.labels, verb, why);
}

/** The name to show for a container (Docker shows the ID's head when there is none). */
export function displayName(container: Container): string {
  return containerName(container.labels);
}

export interface ForEachOptions {
  /**
   * Arguments that name no container are not failures (`rm -f`): their error is still printed,
   * in its argument's place, but the command exits 0 as docker/cli does.
   */
  ignoreMissing?: boolean;
  /** Print each argument on success (stop, rm, pause…). Default true. */
  echo?: boolean;
}

/**
 * Docker's multi-argument verbs: resolve and act on every argument concurrently, print each
 * succeeded argument in order, then fail (exit 1) with one line per failed argument.
 */
export async function forEachContainer(
  client: Client,
  refs: readonly string[],
  fn: (container: Container, ref: string) => Promise<void>,
  opts: ForEachOptions = {},
): Promise<void> {
  const results = await Promise.all(
    refs.map(async (ref): Promise<{ ok: boolean; error?: string; warning?: string }> => {
      try {
        await fn(await findContainer(client, ref), ref);
        return { ok: true };
      } catch (err) {
        if (opts.ignoreMissing && err instanceof NoSuchContainerError)
          return { ok: false, warning: errorText(err) };
        if (err instanceof BerthError) return { ok: false, error: daemonText(err) };
        throw err;
      }
    }),
  );
  const errors: string[] = [];
  let out = '';
  results.forEach((r, i) => {
    if (r.ok && opts.echo !== false) out += `${refs[i]}\n`;
    if (r.error) errors.push(r.error);
    if (r.warning) {
      // docker/cli prints these as it meets them, between the names of the removed ones.
      if (out) process.stdout.write(out);
      out = '';
      process.stderr.write(`${r.warning}\n`);
    }
  });
  if (out) process.stdout.write(out);
  if (errors.length > 0) throw new BerthError(errors.join('\n'), { exitCode: 1 });
}
