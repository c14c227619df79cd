/**
 * `commit -c` / `import -c`: Dockerfile instructions applied to an image config, as dockerd's
 * `--change` does (only the config-only instructions it allows).
 */
import { DaemonError } from '../errors.js';
import type { ImageRuntimeConfig } from '../registry/media-types.js';
import { parseDockerfile } from './dockerfile.js';
import { applyMetadata } from './metadata.js';
import { processWord } from './shell.js';

const ALLOWED = new Set([
  'CMD',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'LABEL',
  'ONBUILD',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

export function applyChanges(
  rc0: ImageRuntimeConfig,
  changes: readonly string[],
): ImageRuntimeConfig {
  let rc = { ...rc0 };
  for (const change of changes) {
    const keyword = change.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
    if (!ALLOWED.has(keyword)) {
      throw new DaemonError(`${keyword || change} is not a valid change command`);
    }
    let parsed;
    try {
      parsed = parseDockerfile(`FROM scratch\n${change}\n`, '--change');
    } catch (err) {
      throw new DaemonError((err as Error).message);
    }
    for (const ins of parsed.stages[0]!.instructions) {
      const env = new Map<string, string>();
      for (const e of rc.Env ?? []) {
        const eq = e.indexOf('=');
        env.set(eq < 0 ? e : e.slice(0, eq), eq < 0 ? '' : e.slice(eq + 1));
      }
      rc = applyMetadata(ins, rc, {
        expand: (w) => processWord(w, env),
        escape: '\\',
        file: '--change',
        shell: rc.Shell ?? ['/bin/sh', '-c'],
        cmdSet: true,
      }).rc;
    }
  }
  return rc;
}
