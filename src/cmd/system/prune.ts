/**
 * `system prune`: the question docker/cli asks before running the container, network, volume
 * and image prunes in its order, and the report it prints after them.
 */
import { BerthError } from '../../errors.js';

export interface SystemPruneFlags {
  all: boolean;
  volumes: boolean;
  filters: readonly string[];
}

/** docker/cli's confirmation text (without the final question, which the shared prompt adds). */
export function systemPruneWarning(o: SystemPruneFlags): string {
  const items = ['all stopped containers', 'all networks not used by at least one container'];
  if (o.volumes) items.push('all anonymous volumes not used by at least one container');
  items.push(
    o.all ? 'all images without at least one container associated to them' : 'all dangling images',
  );
  items.push(o.all ? 'all build cache' : 'unused build cache');
  let text = `WARNING! This will remove:\n${items.map((i) => `  - ${i}\n`).join('')}`;
  const filters = o.filters.filter((f) => f !== '');
  if (filters.length > 0) {
    text += `\n  Items to be pruned will be filtered with:\n${[...filters]
      .sort()
      .map((f) => `  - ${f}\n`)
      .join('')}`;
  }
  return text;
}

/** docker/cli refuses `until` with --volumes: volumes have no creation time the daemon filters on. */
export function checkSystemPrune(o: SystemPruneFlags): void {
  if (o.volumes && o.filters.some((f) => f.trim().toLowerCase().startsWith('until='))) {
    throw new BerthError('ERROR: The "until" filter is not supported with "--volumes"');
  }
}

/** One prune's part of the report: its heading and items, then the blank line docker/cli prints. */
export function pruneSection(heading: string, items: readonly string[]): string {
  return items.length > 0 ? `${heading}\n${items.map((i) => `${i}\n`).join('')}\n` : '';
}
