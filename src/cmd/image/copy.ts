/** `image copy`: images from this namespace into another one, sharing content by digest. */
import type { Client } from '../../containerd/client.js';
import { validateNamespace } from '../../config/index.js';
import { BerthError } from '../../errors.js';
import { copyImage } from '../../image/copy.js';
import { recordReference, resolveLocalImage } from '../../image/local.js';

export interface ImageCopyOptions {
  to: string;
  snapshotter: string;
  onLine: (line: string) => void;
  onError: (message: string) => void;
}

/** Copies each image; every failure printed, false if any. */
export async function copyImages(
  client: Client,
  refs: readonly string[],
  o: ImageCopyOptions,
): Promise<boolean> {
  validateNamespace(o.to);
  let ok = true;
  for (const ref of refs) {
    try {
      const img = await resolveLocalImage(client, ref);
      await copyImage(client, img, {
        from: client.namespace,
        to: o.to,
        snapshotter: o.snapshotter,
      });
      const name = recordReference(img.name)?.familiar ?? img.name;
      o.onLine(`Copied ${name} (${img.configDigest}) to namespace ${o.to}`);
    } catch (err) {
      if (!(err instanceof BerthError)) throw err;
      ok = false;
      o.onError(`Error: ${err.message}`);
    }
  }
  return ok;
}
