// Entry of the V8 start-up snapshot (dist/berth.blob). The build runs this file once under
// `node --build-snapshot`: every berth module is loaded and compiled then, and the heap is saved.
// `bin/berth` starts node from that heap, so a command pays neither module loading nor
// compilation; only main() below runs per invocation. See scripts/build-snapshot.mjs.
import v8 from 'node:v8';
import { Plugin } from '@oclif/core';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as index from './index.js';
import * as help from './help.js';
import { loadManifest, rejection, rewriteArgv } from './argv.js';
import { serveAgent } from './agent.js';
import { preloadCodecs } from './containerd/descriptors.js';
import { exitOnClosedPipe } from './process.js';

declare global {
  // Set by the build (the package root the snapshot was made in) and read by bundled code in
  // place of import.meta.url, which a CommonJS snapshot has no value for.
  var __berthImportMetaUrl: string;
  // oclif loads the command table and the help class with import(), which a snapshot cannot do;
  // the build points its module loader here instead.
  var __berthSnapshotModules: Record<string, unknown> | undefined;
  // oclif's cache of JSON file texts (the build exposes it; see scripts/build-snapshot.mjs).
  var __berthOclifFileCache: Map<string, string> | undefined;
}

const buildRoot = join(dirname(fileURLToPath(globalThis.__berthImportMetaUrl)), '..');
// The manifest is data, read once at build time; argv rewriting needs it before oclif loads.
const manifest = loadManifest(buildRoot);
preloadCodecs();

// oclif's root plugin (package.json, the manifest's ~60 commands mapped and sorted, ~10 ms per
// command) is loaded now too, with the command table in place of the import() oclif would do.
// Config.load still runs per command, so what it reads from the environment (HOME, XDG dirs,
// the shell) is current; it is handed the plugin instead of loading it (oclif's `plugins`
// option). node --build-snapshot runs the event loop dry before it saves the heap.
let rootPlugin: Plugin | undefined;
const plugin = new Plugin({ isRoot: true, root: buildRoot });
plugin
  .load()
  .then(() => {
    (plugin as unknown as { commandCache: unknown }).commandCache = index.COMMANDS;
    rootPlugin = plugin;
    globalThis.__berthOclifFileCache?.clear();
  })
  .catch(() => undefined);

/** Runs one berth command (its arguments, Docker's rules applied) in this process. */
async function runCommand(args: string[]): Promise<void> {
  exitOnClosedPipe();
  globalThis.__berthSnapshotModules = {
    [join(buildRoot, 'dist', 'index.js')]: index,
    [join(buildRoot, 'dist', 'help.js')]: help,
  };
  const rewritten = rewriteArgv(args, manifest);
  const refused = rejection(rewritten);
  if (refused || !rewritten.argv) {
    process.stderr.write(refused?.text ?? '');
    process.exit(refused?.code ?? 125);
  }
  try {
    await index.run(
      rewritten.argv,
      rootPlugin
        ? { root: buildRoot, plugins: new Map([[rootPlugin.name, rootPlugin]]) }
        : pathToFileURL(join(buildRoot, 'bin', 'run.js')).href,
    );
    await index.flush();
  } catch (err) {
    await index.handle(err as Error);
  }
}

v8.startupSnapshot.setDeserializeMainFunction(() => {
  globalThis.__berthStart = 'snapshot';
  const socket = process.env.BERTH_AGENT_SOCKET;
  if (socket) {
    serveAgent({
      root: buildRoot,
      socket,
      run: (args) => {
        globalThis.__berthStart = 'agent';
        return runCommand(args);
      },
    });
    return;
  }
  // A snapshot's argv has no script path; oclif expects one at argv[1].
  process.argv.splice(1, 0, join(buildRoot, 'bin', 'berth'));
  void runCommand(process.argv.slice(2));
});
