// Makes dist/berth.blob from the snapshot bundle and stamps it; shared by the build
// (scripts/build-snapshot.mjs) and by scripts/restamp.mjs, which runs where only the installed
// package is (no esbuild, no sources), so this module needs nothing but node.
import { execFileSync } from 'node:child_process';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// V8 flags the blob is built and run with (a blob loads only under the flags it was made with, so
// bin/berth reads them from the stamp). A young generation of at most 1 MB per semi-space: a
// larger one is committed memory that a short command never gives back (listing 1000 containers
// grew it to 28 MB, most of the peak RSS), and since ps drops each container's spec as it reads
// the reply, the few scavenges it costs are not measurable in ps -a's time.
export const V8_FLAGS = ['--max-semi-space-size=1'];
export const SNAPSHOT_BUNDLE = 'berth-snapshot.cjs';

/** @param {{ root: string, bundle: string }} o the package directory and the bundle to run */
export function makeBlob({ root, bundle }) {
  const outDir = join(root, 'dist');
  const blob = join(outDir, 'berth.blob');
  const tmp = `${blob}.${process.pid}`;
  try {
    execFileSync(
      process.execPath,
      [...V8_FLAGS, '--snapshot-blob', tmp, '--build-snapshot', bundle],
      {
        cwd: root,
        stdio: ['ignore', 'inherit', 'pipe'],
        encoding: 'utf8',
        env: { ...process.env, BERTH_SNAPSHOT_ROOT: root },
      },
    );
    renameSync(tmp, blob);
  } catch (err) {
    // Node warns about every built-in it has not verified in snapshots; only a failure is news.
    if (err.stderr) process.stderr.write(err.stderr);
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
  // bin/berth compares the stamp's first line with its package directory and the stamp's mtime
  // with the node binary's (a blob only loads in the node build that made it), and passes the
  // second line's V8 flags to node.
  const stamp = join(outDir, 'berth.blob.stamp');
  writeFileSync(stamp, `${root}\n${V8_FLAGS.join(' ')}\n`);
  // touch -r copies the mtime to the nanosecond; a JS Date would round it to milliseconds and
  // bin/berth's -nt/-ot comparison would then never match.
  execFileSync('touch', ['-r', process.execPath, stamp]);
}
