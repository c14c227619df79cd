// Build: proto descriptors, one esbuild bundle (code-split so heavy modules load only when a
// command needs them), then the oclif manifest that bin/run.js and help read instead of loading
// every command. The bundle is built beside dist/ and swapped in with renames, so a berth that is
// running while someone rebuilds never sees a half-written dist/.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProto } from './build-proto.mjs';
import { buildSnapshot } from './build-snapshot.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The agent's thin client and the worker's fd-passing addon (docs/startup.md), with the system C
 * compiler (Debian's gcc). Without one bin/berth starts node directly, as before the agent.
 */
function buildNative(outDir) {
  const cc = process.env.CC || 'cc';
  const flags = ['-O2', '-Wall', '-Wextra', '-Werror'];
  try {
    execFileSync(
      cc,
      [...flags, '-o', join(outDir, 'berth-client'), join(root, 'native/client.c')],
      {
        stdio: 'inherit',
      },
    );
    execFileSync(
      cc,
      [
        ...flags,
        '-shared',
        '-fPIC',
        '-o',
        join(outDir, 'fdpass.node'),
        join(root, 'native/fdpass.c'),
      ],
      { stdio: 'inherit' },
    );
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
    console.warn(
      `build: no C compiler (${cc}): berth runs without its agent (see docs/startup.md)`,
    );
  }
}
const staging = join(root, `.dist-${process.pid}`);
rmSync(staging, { recursive: true, force: true });

try {
  // Types in src/containerd/generated are committed; `npm run proto` regenerates them.
  const written = buildProto({ outDir: join(staging, 'proto'), types: false });
  console.log(`build-proto: wrote ${written.length} descriptors`);

  await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(
      [
        ['index', 'src/index.ts'],
        ['help', 'src/help.ts'],
        ['argv', 'src/argv.ts'],
        ['logger', 'src/logger-entry.ts'],
      ].filter(([, file]) => existsSync(join(root, file))),
    ),
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    keepNames: true,
    sourcemap: false,
    legalComments: 'none',
    // oclif reaches for these only to run uncompiled TypeScript in development; never at run time.
    external: ['typescript', 'ts-node', 'tsx'],
    chunkNames: 'chunks/[name]-[hash]',
    // CommonJS dependencies call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __berthCreateRequire } from 'node:module'; const require = __berthCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });

  buildNative(staging);
  // Loaded from disk by compose commands only (see src/compose/parse.ts).
  copyFileSync(
    join(root, 'src/compose/schema/validate.cjs'),
    join(staging, 'compose-validate.cjs'),
  );

  const dist = join(root, 'dist');
  const old = join(root, `.dist-old-${process.pid}`);
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(staging, dist);
  rmSync(old, { recursive: true, force: true });
} finally {
  rmSync(staging, { recursive: true, force: true });
}

execFileSync(process.execPath, [join(root, 'node_modules/oclif/bin/run.js'), 'manifest'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, OCLIF_SKIP_UPDATE_CHECK: '1' },
});

// Last: the snapshot holds the manifest and dist/proto as they are now.
if (process.env.BERTH_NO_SNAPSHOT !== '1') {
  await buildSnapshot({ root });
  checkBudget();
}

/**
 * What the fast path loads (docs/startup.md), each with a ceiling: every command execs the client;
 * every worker (and every command without the agent) deserializes the blob, whose cost grows
 * with its size (≈ 7 ms per MB), and the bundle is what a moved package remakes it from.
 */
function checkBudget() {
  const budget = {
    'berth-client': 64 * 1024,
    'fdpass.node': 64 * 1024,
    'berth.blob': 10.5 * 1024 * 1024,
    'berth-snapshot.cjs': 1.6 * 1024 * 1024,
  };
  const over = [];
  for (const [file, max] of Object.entries(budget)) {
    const path = join(root, 'dist', file);
    if (!existsSync(path)) continue;
    const size = statSync(path).size;
    if (size > max)
      over.push(`dist/${file} is ${size} bytes, over its budget of ${Math.round(max)}`);
  }
  if (over.length) {
    console.error(
      `build: start-up size budget exceeded (scripts/build.mjs checkBudget):\n  ${over.join('\n  ')}`,
    );
    process.exit(1);
  }
}
