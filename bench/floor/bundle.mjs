// Bundles snapshot.mjs and everything it imports into one CommonJS file for
// `node --build-snapshot` (a snapshot is made from a single script, which may require() only
// Node's built-ins), the way scripts/build-snapshot.mjs bundles berth: the same lazy stand-ins
// for node:http, https, http2 and tls, whose native handles a snapshot cannot hold.
// Usage: bundle.mjs OUT.cjs
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { lazyRequireBanner } from '../../scripts/build-snapshot.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const [outfile] = process.argv.slice(2);
if (!outfile) {
  process.stderr.write('usage: bundle.mjs OUT.cjs\n');
  process.exit(2);
}
await build({
  absWorkingDir: root,
  entryPoints: [join(here, 'snapshot.mjs')],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // The source stays in the snapshot's heap and is deserialized on every start: keep it short.
  minify: true,
  legalComments: 'none',
  // CommonJS has no import.meta; floor.mjs finds dist/proto from its own location.
  define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(here, 'floor.mjs')).href) },
  banner: { js: lazyRequireBanner(root) },
  logLevel: 'error',
});
