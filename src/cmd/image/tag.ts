/** `berth tag SOURCE TARGET`: a new image record pointing at the source's target. */
import { publishEvent } from '../../events/index.js';
import type { Client } from '../../containerd/client.js';
import { BerthError, DaemonError } from '../../errors.js';
import { resolveLocalImage } from '../../image/local.js';
import { putImageRecord } from '../../image/record.js';
import { parseDockerRef } from '../../registry/reference.js';

export async function tagImage(
  client: Client,
  namespace: string,
  source: string,
  target: string,
): Promise<void> {
  // Both names are checked before anything is looked up, as the docker CLI does.
  const dst = parseDockerRef(target);
  if (dst.digest !== undefined) {
    throw new DaemonError('refusing to create a tag with a digest reference');
  }
  let img;
  try {
    img = await resolveLocalImage(client, source);
  } catch (err) {
    if (err instanceof BerthError) throw new DaemonError(`${err.message}`, { cause: err });
    throw err;
  }
  await putImageRecord(client, { namespace }, dst.full, img.target, img.labels);
  await publishEvent(client, 'image', 'tag', img.configDigest, { name: dst.familiar });
}
