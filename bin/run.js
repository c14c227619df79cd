#!/usr/bin/env node
// Plain ESM entry, used when dist/berth.blob cannot be (see bin/berth): Docker's argv rules
// (src/argv.ts), then oclif.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifest, rejection, rewriteArgv } from '../dist/argv.js';

const rewritten = rewriteArgv(
  process.argv.slice(2),
  loadManifest(join(dirname(fileURLToPath(import.meta.url)), '..')),
);
const refused = rejection(rewritten);
if (refused) {
  process.stderr.write(refused.text);
  process.exit(refused.code);
}
const { run, flush, handle, exitOnClosedPipe } = await import('../dist/index.js');
exitOnClosedPipe();
try {
  await run(rewritten.argv, import.meta.url);
  await flush();
} catch (err) {
  await handle(err);
}
