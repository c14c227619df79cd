/** `top`: the container's processes (src/container/top.ts) in docker/cli's table. */
import { tabwrite } from '../../formatter/tabwriter.js';
import type { TopResult } from '../../container/top.js';

export { topContainer } from '../../container/top.js';

/** docker/cli's top table: tabwriter(minwidth 20, tabwidth 1, padding 3). */
export function renderTop(result: TopResult): string {
  const lines = [result.Titles.join('\t'), ...result.Processes.map((p) => p.join('\t'))];
  return tabwrite(`${lines.join('\n')}\n`, { minwidth: 20, tabwidth: 1, padding: 3, padchar: ' ' });
}
