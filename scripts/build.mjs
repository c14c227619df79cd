// Build: proto descriptors, one esbuild bundle (code-split so heavy modules load only when a
// command needs them), then the oclif manifest that bin/run.js and help read instead of loading
// every command.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });

if (existsSync(join(root, 'scripts/build-proto.mjs'))) {
  // Types in src/containerd/generated are committed; `npm run proto` regenerates them.
  execFileSync(process.execPath, [join(root, 'scripts/build-proto.mjs'), '--no-types'], { stdio: 'inherit' });
}

await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(
    [
      ['index', 'src/index.ts'],
      ['help', 'src/help.ts'],
      ['logger', 'src/logger-entry.ts'],
    ].filter(([, file]) => existsSync(join(root, file))),
  ),
  outdir: 'dist',
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

execFileSync(process.execPath, [join(root, 'node_modules/oclif/bin/run.js'), 'manifest'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
