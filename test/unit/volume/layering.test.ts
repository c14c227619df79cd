/**
 * The volume store is plain files: importing it (or the volume commands' logic) must not load
 * containerd's client, gRPC or protobuf, which the bundle would otherwise pull in at start-up.
 */
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** esbuild's import graph from `entry`, as the real bundle sees it (type-only imports dropped). */
async function importGraph(entry: string): Promise<Metafile> {
  const { metafile } = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: 'unused',
    logLevel: 'silent',
  });
  return metafile;
}

/**
 * What loading `entry` loads at once: its closure over static imports (a dynamic import() loads
 * only when it runs). Repository files relative to the root, packages by name.
 */
async function loadedWith(entry: string): Promise<Set<string>> {
  const metafile = await importGraph(entry);
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const i of metafile.inputs[path]?.imports ?? []) {
      if (i.kind === 'import-statement') pending.push(i.path);
    }
  }
  return seen;
}

function heavy(modules: Set<string>): string[] {
  return [...modules].filter(
    (m) =>
      m.startsWith('src/containerd/') ||
      m.startsWith('@grpc/') ||
      m === 'protobufjs' ||
      m.startsWith('protobufjs/'),
  );
}

describe('volume layering', function () {
  this.timeout(20000);

  it('the walk sees what a containerd user loads (so an empty answer below means something)', async () => {
    const loaded = await loadedWith('src/container/volumes.ts');
    assert.ok(loaded.has('src/containerd/leases.ts'));
    assert.ok(heavy(loaded).includes('protobufjs/light.js'));
  });

  for (const entry of [
    'src/volume/index.ts',
    'src/volume/filters.ts',
    ...['create', 'inspect', 'list', 'prune', 'remove'].map((v) => `src/cmd/volume/${v}.ts`),
  ]) {
    it(`${entry} loads no containerd, gRPC or protobuf module`, async () => {
      assert.deepEqual(heavy(await loadedWith(entry)), []);
    });
  }

  it('no module under src/volume imports containerd code, even lazily', async () => {
    const metafile = await importGraph('src/volume/index.ts');
    const offenders = Object.entries(metafile.inputs)
      .filter(([path]) => path.startsWith('src/volume/'))
      .flatMap(([path, input]) =>
        input.imports
          .filter((i) => i.path.startsWith('src/containerd/'))
          .map((i) => `${path} -> ${i.path}`),
      );
    assert.deepEqual(offenders, []);
  });
});
