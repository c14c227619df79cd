/**
 * `berth rmi`: Docker's ImageDelete rules over containerd image records. A name removes that
 * record ("Untagged: …"); when no record of the image is left the image is deleted
 * ("Deleted: sha256:…", then its layers) and containerd's GC reclaims content and snapshots. An
 * ID removes every name if they are all in one repository. Images used by containers are refused
 * without -f, and never deleted under a running one.
 */
import type { Client } from '../containerd/client.js';
import { NotFoundError } from '../containerd/errors.js';
import { asDaemonText, BerthError } from '../errors.js';
import { chainIds } from './chain.js';
import { distributionSourceKey } from './content.js';
import { publishEvent } from '../events/index.js';
import {
  listLocalImages,
  NoSuchImageError,
  recordReference,
  resolveLocalImage,
  type LocalImage,
} from './local.js';
import { parseDockerRef, type ImageReference } from '../registry/reference.js';
import { criImageFacts } from '../cri/images.js';
import { truncateId } from '../formatter/text.js';

export interface RemoveOptions {
  force: boolean;
  /** Called with each `Untagged: …` / `Deleted: …` line as it happens. */
  onLine: (line: string) => void;
}

interface ContainerUse {
  id: string;
  running: boolean;
}

/** The state rmi decides on: every record, and which containers use which image. */
export interface ImageState {
  images: LocalImage[];
  /** Image ID -> containers whose image record resolves to it (and CRI's users by image ID). */
  users: Map<string, ContainerUse[]>;
  /** Image ID -> why the node needs it (CRI's sandbox image, pinned): kept without force, never pruned. */
  kept: Map<string, string>;
}

export async function loadImageState(client: Client): Promise<ImageState> {
  const [images, { containers }, { tasks }] = await Promise.all([
    listLocalImages(client),
    client.containers.list({ filters: [] }),
    client.tasks.list({ filter: '' }),
  ]);
  const running = new Set(
    tasks
      .filter((t) => t.status === 'RUNNING' || t.status === 'PAUSED' || t.status === 'PAUSING')
      .map((t) => t.id),
  );
  const idByName = new Map(images.map((i) => [i.name, i.configDigest]));
  const users = new Map<string, ContainerUse[]>();
  const add = (id: string, use: ContainerUse): void => {
    const list = users.get(id) ?? [];
    const known = list.find((u) => u.id === use.id);
    if (known) known.running ||= use.running;
    else users.set(id, [...list, use]);
  };
  for (const c of containers) {
    const id = idByName.get(c.image);
    if (id) add(id, { id: c.id, running: running.has(c.id) });
  }
  // CRI reports what its containers and sandboxes run by image ID, whatever names are left.
  const cri = await criImageFacts(client, images, containers);
  for (const [id, list] of cri?.users ?? []) for (const u of list) add(id, u);
  return { images, users, kept: cri?.kept ?? new Map() };
}

function familiarOf(name: string): string {
  return recordReference(name)?.familiar ?? name;
}

const refOf = recordReference;

const ID_PREFIX_RE = /^(?:sha256:)?[a-f0-9]{1,64}$/;

/** True when `arg` named the image by ID rather than by a reference (Docker's isImageIDPrefix). */
function isIdArg(arg: string, img: LocalImage): boolean {
  if (!ID_PREFIX_RE.test(arg)) return false;
  const hex = arg.replace(/^sha256:/, '');
  if (!img.configDigest.startsWith(`sha256:${hex}`)) return false;
  // A name that happens to be hex and names a record is a reference, as in Docker.
  try {
    return parseDockerRef(arg).full !== img.name;
  } catch {
    return true;
  }
}

async function deleteRecord(client: Client, name: string, last: boolean): Promise<void> {
  try {
    // The last record of an image: collect its content and snapshots now, as `docker rmi` frees space at once.
    await client.images.delete({ name, sync: last });
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}

/** Was this target pulled from `ref`'s repository (so Docker would hold a repo digest for it)? */
async function pulledFrom(client: Client, img: LocalImage, ref: ImageReference): Promise<boolean> {
  try {
    const { info } = await client.content.info({ digest: img.target.digest });
    return (
      info?.labels?.[distributionSourceKey(ref.domain)]?.split(',').includes(ref.path) ?? false
    );
  } catch {
    return false;
  }
}

/**
 * Docker's isSingleReference: one tag (plus, at most, digest references of the same repository),
 * so removing it would leave the image without a name.
 */
function isSingleReference(refs: readonly ImageReference[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  const tags = refs.filter((r) => r.digest === undefined);
  if (tags.length > 1) return false;
  const repos = new Set(refs.map((r) => r.name));
  return repos.size === 1;
}

/** Removes one image argument; throws Docker's conflict / not-found errors (without the daemon prefix). */
export async function removeImage(
  client: Client,
  state: ImageState,
  arg: string,
  opts: RemoveOptions,
): Promise<void> {
  const img = await resolveLocalImage(client, arg);
  const id = img.configDigest;
  const sameImage = (): LocalImage[] => state.images.filter((i) => i.configDigest === id);
  // The names a user sees: CRI's `sha256:<id>` record names no repository.
  const refsOf = (): { rec: LocalImage; ref: ImageReference }[] =>
    sameImage().flatMap((rec) => {
      const ref = refOf(rec.name);
      return ref ? [{ rec, ref }] : [];
    });
  const users = state.users.get(id) ?? [];
  const kept = state.kept.get(id);
  const byId = isIdArg(arg, img);
  let removedByName = false;

  if (!byId) {
    const ref = parseDockerRef(arg);
    const named = state.images.find((i) => i.name === img.name) ?? img;
    if (kept && !opts.force) {
      throw new BerthError(
        `conflict: unable to remove repository reference "${ref.familiar}" (must force) - ${kept}`,
      );
    }
    if (!opts.force && isSingleReference(refsOf().map((r) => r.ref)) && users.length > 0) {
      throw new BerthError(
        `conflict: unable to remove repository reference "${ref.familiar}" (must force) - container ${truncateId(users[0]?.id ?? '')} is using its referenced image ${truncateId(id)}`,
      );
    }
    const r = refOf(named.name);
    const others = refsOf().filter((x) => x.rec !== named);
    // A tag whose repository keeps no other tag takes that repository's digest records along.
    const digestRecords =
      r && r.digest === undefined && !others.some((x) => x.ref.name === r.name && !x.ref.digest)
        ? others.filter((x) => x.ref.name === r.name && x.ref.digest !== undefined)
        : [];
    const remaining = others.filter((x) => !digestRecords.includes(x));
    // Asked before the delete: a synchronous GC may take the target blob with it.
    const digestLine =
      r &&
      r.tag !== undefined &&
      digestRecords.length === 0 &&
      !remaining.some((x) => x.ref.name === r.name) &&
      (await pulledFrom(client, named, r))
        ? `Untagged: ${r.familiarName}@${named.target.digest}`
        : undefined;
    const last = sameImage().length === 1 + digestRecords.length;
    await deleteRecord(client, named.name, last && !users.some((u) => u.running));
    state.images = state.images.filter((i) => i !== named);
    opts.onLine(`Untagged: ${familiarOf(named.name)}`);
    await publishEvent(client, 'image', 'untag', id, { name: familiarOf(named.name) });
    if (digestLine) opts.onLine(digestLine);
    for (const d of digestRecords) {
      await deleteRecord(client, d.rec.name, false);
      state.images = state.images.filter((i) => i !== d.rec);
      opts.onLine(`Untagged: ${d.ref.familiar}`);
    }
    if (remaining.length > 0) return;
    removedByName = true;
  } else {
    if (kept && !opts.force) {
      throw new BerthError(
        `conflict: unable to delete ${truncateId(id)} (must be forced) - ${kept}`,
      );
    }
    const repos = new Set(refsOf().map((x) => x.ref.name));
    if (repos.size > 1 && !opts.force) {
      throw new BerthError(
        `conflict: unable to delete ${truncateId(id)} (must be forced) - image is referenced in multiple repositories`,
      );
    }
  }

  const run = users.find((u) => u.running);
  if (run) {
    if (removedByName) return;
    throw new BerthError(
      `conflict: unable to delete ${truncateId(id)} (cannot be forced) - image is being used by running container ${truncateId(run.id)}`,
    );
  }
  if (!opts.force && users.length > 0 && !removedByName) {
    throw new BerthError(
      `conflict: unable to delete ${truncateId(id)} (must be forced) - image is being used by stopped container ${truncateId(users[0]?.id ?? '')}`,
    );
  }

  const names = sameImage();
  for (const [i, rec] of names.entries()) {
    const r = refOf(rec.name);
    // A digest record of the repository (CRI's) prints its own line.
    const hasDigestRecord = names.some((n) => {
      const x = refOf(n.name);
      return x?.digest !== undefined && x.name === r?.name;
    });
    const pulled =
      r !== undefined &&
      r.tag !== undefined &&
      !hasDigestRecord &&
      (await pulledFrom(client, rec, r));
    await deleteRecord(client, rec.name, i === names.length - 1);
    state.images = state.images.filter((x) => x !== rec);
    if (!r) continue; // CRI's ID record: not a name Docker would list
    opts.onLine(`Untagged: ${familiarOf(rec.name)}`);
    await publishEvent(client, 'image', 'untag', id, { name: familiarOf(rec.name) });
    if (pulled) opts.onLine(`Untagged: ${r.familiarName}@${rec.target.digest}`);
  }
  opts.onLine(`Deleted: ${id}`);
  await publishEvent(client, 'image', 'delete', id, { name: id });
  // Layers no other image stands on are gone too; Docker lists them top-down.
  const keptChains = new Set(state.images.flatMap((i) => chainIds(i.diffIds)));
  for (const c of chainIds(img.diffIds).reverse()) {
    if (!keptChains.has(c)) opts.onLine(`Deleted: ${c}`);
  }
}

/**
 * `rmi` over several arguments: every error printed, exit 1 if any, except that with `-f` images
 * that do not exist are only reported (docker/cli: `-f` fails only on errors other than not-found).
 */
export async function removeImages(
  client: Client,
  args: readonly string[],
  opts: RemoveOptions & { onError: (message: string) => void },
): Promise<boolean> {
  let ok = true;
  const state = await loadImageState(client);
  for (const arg of args) {
    try {
      await removeImage(client, state, arg, opts);
    } catch (err) {
      if (!(err instanceof BerthError)) throw err;
      if (!(opts.force && err instanceof NoSuchImageError)) ok = false;
      opts.onError(asDaemonText(err));
    }
  }
  return ok;
}
