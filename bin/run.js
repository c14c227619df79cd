#!/usr/bin/env node
// Entry point: Docker's argv rules (bin/argv.js), then oclif.
import { loadManifest, rewriteArgv } from './argv.js';

const rewritten = rewriteArgv(process.argv.slice(2), loadManifest());
if (rewritten.error) {
  process.stderr.write(`${rewritten.error}\n\nRun 'berth --help' for more information\n`);
  process.exit(125);
}
const { run, flush, handle } = await import('../dist/index.js');
try {
  await run(rewritten.argv, import.meta.url);
  await flush();
} catch (err) {
  await handle(err);
}
