/** Image records: create one, or move an existing one to a new target. */
import type { Client } from '../containerd/client.js';
import type { CallOptions } from '../containerd/connection.js';
import { AlreadyExistsError, NotFoundError } from '../containerd/errors.js';
import { CRI_LABEL } from '../labels.js';
import type { Descriptor } from '../registry/media-types.js';
import { getImageRecord, toCtrDescriptor } from './local.js';

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
  const all = { ...labels };
  // kubelet only treats images carrying this label as its own (and will not re-pull them).
  if (settings.namespace === 'k8s.io') all[CRI_LABEL.imageManaged] = 'managed';
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
