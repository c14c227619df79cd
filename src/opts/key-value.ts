/** Docker-style `k=v` flag values (labels, driver options) into a map; a bare key gets ''. */
export function parseKeyValues(list: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const i = item.indexOf('=');
    if (i < 0) out[item] = '';
    else out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}
