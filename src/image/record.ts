/** Image records: create one, or move an existing one to a new target. */
import type { Client } from '../containerd/client.js';
import type { CallOptions } from '../containerd/connection.js';
import { AlreadyExistsError, NotFoundError } from '../containerd/errors.js';
import { CRI_LABEL } from '../labels.js';
import type { Descriptor } from '../registry/media-types.js';
import { getImageRecord, recordReference, resolveTarget, toCtrDescriptor } from './local.js';

/** containerd's CRI namespace, where kubelet looks for images. */
export const CRI_NAMESPACE = 'k8s.io';

/**
 * Creates the record, or points an existing one at the new target (Images.Update with the
 * target mask). Returns true if the record is new or moved.
 */
export async function putImageRecord(
  client: Client,
  settings: { namespace: string },
  name: string,
  target: Descriptor,
  labels: Record<string, string>,
  call: CallOptions = {},
): Promise<boolean> {
  const moved = await putOneRecord(client, settings, name, target, labels, call);
  if (settings.namespace === CRI_NAMESPACE) await putCriAliases(client, name, target, call);
  return moved;
}

/**
 * The other records CRI keeps for an image it pulled: `repo@<digest>` (so a digest-pinned pod
 * spec finds it) and `sha256:<config hex>` (the image ID kubelet reports), both labelled managed.
 */
async function putCriAliases(
  client: Client,
  name: string,
  target: Descriptor,
  call: CallOptions,
): Promise<void> {
  const ref = recordReference(name);
  const resolved = await resolveTarget(client, target, call.signal ? { signal: call.signal } : {});
  const names = [
    ...(ref ? [`${ref.name}@${target.digest}`] : []),
    ...(resolved ? [resolved.configDigest] : []),
  ].filter((n) => n !== name);
  for (const n of names) {
    await putOneRecord(client, { namespace: CRI_NAMESPACE }, n, target, {}, call);
  }
}

async function putOneRecord(
  client: Client,
  settings: { namespace: string },
  name: string,
  target: Descriptor,
  labels: Record<string, string>,
  call: CallOptions,
): Promise<boolean> {
  const all = { ...labels };
  // kubelet only treats images carrying this label as its own (and will not re-pull them).
  if (settings.namespace === CRI_NAMESPACE) all[CRI_LABEL.imageManaged] = 'managed';
  const image = { name, labels: all, target: toCtrDescriptor(target) };
  try {
    await client.images.create({ image }, call);
    return true;
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
  const current = await getImageRecord(client, name, call);
  const same = current?.target?.digest === target.digest;
  const paths = [
    'target',
    ...Object.keys(all)
      .filter((k) => current?.labels?.[k] !== all[k])
      .map((k) => `labels.${k}`),
  ];
  if (same && paths.length === 1) return false;
  try {
    await client.images.update({ image, update_mask: { paths } }, call);
  } catch (err) {
    if (err instanceof NotFoundError) {
      // Deleted between our calls (a concurrent rmi): create it after all.
      await client.images.create({ image }, call);
      return true;
    }
    throw err;
  }
  return !same;
}
