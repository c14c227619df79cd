// Remakes dist/berth.blob for the package directory it is now in and the node that runs it:
// bin/berth runs this once when the stamp names another directory (a moved checkout, a global
// install by npm) or another node binary. Needs only the installed package.
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { makeBlob, SNAPSHOT_BUNDLE } from './snapshot-blob.mjs';

const root = realpathSync(process.argv[2]);
const bundle = join(root, 'dist', SNAPSHOT_BUNDLE);
try {
  accessSync(join(root, 'dist'), constants.W_OK);
} catch {
  // Not ours to change (a global install run by another user): bin/berth runs the plain entry.
  process.exit(1);
}
if (!existsSync(bundle)) process.exit(1);
process.stderr.write(
  `berth: making the start-up snapshot for ${root} (once, after a move or a node upgrade)\n`,
);
makeBlob({ root, bundle });
