/** `namespace rm`. */
import type { Client } from '../../containerd/client.js';
import { BerthError } from '../../errors.js';
import { FailedPreconditionError, NotFoundError } from '../../containerd/errors.js';

export async function runRemove(client: Client, name: string): Promise<void> {
  try {
    await client.namespaces.delete({ name });
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new BerthError(`namespace "${name}" does not exist`, { cause: err });
    if (err instanceof FailedPreconditionError) {
      // containerd's own reason names what is left (images, blobs, snapshots, containers).
      throw new BerthError(`cannot remove namespace "${name}": ${err.details}`, { cause: err });
    }
    throw err;
  }
}
