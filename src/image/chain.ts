/** Chain IDs: how containerd names the committed snapshot of a layer stack (OCI image spec, config.md). */
import { createHash } from 'node:crypto';

/** chain[0] = diff[0]; chain[i] = sha256(chain[i-1] + " " + diff[i]). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diff of diffIds) {
    const prev = out[out.length - 1];
    out.push(
      prev === undefined
        ? diff
        : `sha256:${createHash('sha256').update(`${prev} ${diff}`).digest('hex')}`,
    );
  }
  return out;
}

/** The chain ID of the whole stack ('' for an image without layers). */
export function chainId(diffIds: readonly string[]): string {
  return chainIds(diffIds).at(-1) ?? '';
}
