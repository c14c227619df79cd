// Builds dist/berth.blob, a V8 start-up snapshot of the whole CLI, for bin/berth.
//
// Why: a berth command spent ~130 ms of its ~180 ms start-up loading and compiling JavaScript
// (oclif, grpc-js, protobufjs, berth itself) before doing anything. Node can start from a heap
// saved by `node --build-snapshot`, where all of that is already done.
//
// How: src/snapshot.ts plus every module under src/ is bundled into one CommonJS file (a snapshot
// can hold only one script, and it may require() only Node's built-ins), which is then run under
// --build-snapshot. Three things a snapshot cannot hold are worked around here:
//  - node:http, https, http2 and tls own native handles that V8 cannot serialize. The bundle gets
//    them through lazy stand-ins that require the real module on first use, at run time; their
//    plain data (http2.constants, http.STATUS_CODES, …) is copied in at build time, because
//    grpc-js and undici read it while loading.
//  - import() does not work in a snapshot; oclif's module loader (the command table and the help
//    class) is pointed at the modules already in the bundle.
//  - import.meta.url has no value in CommonJS; the bundle reads the package location instead.
// bin/berth uses the blob only when it was made for this package directory and this node binary
// (dist/berth.blob.stamp); otherwise it remakes it from the bundle kept as dist/berth-snapshot.cjs
// (scripts/restamp.mjs), or runs bin/run.js, the plain ESM entry. The agent's workers
// (src/agent.ts, docs/startup.md) are node started from this blob.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makeBlob, SNAPSHOT_BUNDLE } from './snapshot-blob.mjs';

const LAZY_BUILTINS = ['http', 'https', 'http2', 'tls'];
// The package directory, as the bundle sees it while the blob is made: where it was built, or
// where scripts/restamp.mjs remakes the blob after the package moved.
const snapshotRoot = (root) => `(process.env.BERTH_SNAPSHOT_ROOT || ${JSON.stringify(root)})`;
// BERTH_SNAPSHOT_PLAIN=1: an unminified bundle whose `// path` comments let a CPU profile of a
// command name the module of every function (with BERTH_KEEP_SNAPSHOT_BUNDLE=1 to keep it).
const PLAIN = process.env.BERTH_SNAPSHOT_PLAIN === '1';
// Packages left out of the bundle and required from node_modules on first use: those that hold
// such built-ins in their own module scope (undici keeps http's classes), and those only a rare
// command needs (yaml for compose, the Dockerfile and .dockerignore parsers for build: snapshot
// every command would deserialize).
const LAZY_PACKAGES = ['undici', 'yaml', 'dockerfile-ast', '@balena/dockerignore'];

/** Keys and plain-data values of the modules that must stay out of the heap. */
function builtinShapes(root, ids) {
  const script = `
    const out = {};
    for (const id of ${JSON.stringify(ids)}) {
      const m = require(id);
      const data = {};
      for (const k of Object.keys(m)) {
        // tls's ~150 root certificates (~230 kB) would sit in every command's heap; read lazily.
        if (k === 'rootCertificates') continue;
        const v = m[k];
        if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) data[k] = v;
        else if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype || Array.isArray(v)) {
          try { data[k] = JSON.parse(JSON.stringify(v)); } catch {}
        }
      }
      out[id] = { keys: Object.keys(m), data };
    }
    process.stdout.write(JSON.stringify(out));`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: root }),
  );
}

/** JSON with every non-ASCII character escaped (the bundle must stay one byte per character). */
function asciiJson(v) {
  return JSON.stringify(v).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Banner for a CommonJS bundle that is to be run under --build-snapshot: it replaces the bundle's
 * require() so that `builtins` and `packages` (left out of the bundle, resolved from root's
 * node_modules) come back as stand-ins that require the real module on first use, at run time,
 * and serve its plain data (constants, tables) from a copy taken now. Also used by the benchmark
 * floor's snapshot (bench/floor).
 * @param {string} root the package directory
 * @param {{ builtins?: string[], packages?: string[] }} [o]
 */
export function lazyRequireBanner(root, { builtins = LAZY_BUILTINS, packages = [] } = {}) {
  const shapes = builtinShapes(root, [...builtins, ...packages]);
  return `
const __berthShapes = ${asciiJson(shapes)};
const __berthRequire = require;
const __berthPackages = ${JSON.stringify(packages)};
const __berthPackageJson = ${snapshotRoot(root)} + '/package.json';
const __berthLazy = new Map();
require = function (id) {
  const name = id.startsWith('node:') ? id.slice(5) : id;
  const shape = __berthShapes[name];
  if (!shape) return __berthRequire(id);
  if (!__berthLazy.has(name)) {
    let real;
    const load = () =>
      (real ??= __berthPackages.includes(name)
        ? __berthRequire('node:module').createRequire(__berthPackageJson)(name)
        : __berthRequire(name));
    __berthLazy.set(name, new Proxy({}, {
      get: (_, k) => (!real && Object.hasOwn(shape.data, k) ? shape.data[k] : load()[k]),
      has: (_, k) => shape.keys.includes(k),
      ownKeys: () => shape.keys,
      getOwnPropertyDescriptor: (_, k) =>
        shape.keys.includes(k) ? { configurable: true, enumerable: true, get: () => load()[k] } : undefined,
      set: (_, k, v) => { load()[k] = v; return true; },
    }));
  }
  return __berthLazy.get(name);
};`;
}

function sourceModules(dir, root) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceModules(p, root));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(relative(root, p));
  }
  return out;
}

/**
 * esbuild's CommonJS wrapper keeps each module's factory function after it has run, and with it
 * the factory's bytecode: code that never runs again, deserialized by every command (~0.3 MB of
 * the snapshot). The patched wrapper drops the factory once it has returned.
 * BERTH_SNAPSHOT_PLAIN=1 (an unminified bundle, for profiles that name modules) leaves it alone.
 */
function releaseModuleFactories(src) {
  const cjs =
    /var ([\w$]+)=\(([\w$]+),([\w$]+)\)=>\(\)=>\{try\{return \3\|\|\2\(\(\3=\{exports:\{\}\}\)\.exports,\3\),\3\.exports\}/;
  const m = cjs.exec(src);
  if (!m) {
    if (PLAIN) return src;
    throw new Error("esbuild's __commonJS helper has changed; update releaseModuleFactories");
  }
  const [all, name, fn, mod] = m;
  // A function, not a string: minified names may hold `$`, which a replacement string interprets.
  return src.replace(
    all,
    () =>
      `var ${name}=(${fn},${mod})=>()=>{try{return ${mod}||(${fn}((${mod}={exports:{}}).exports,${mod}),${fn}=0),${mod}.exports}`,
  );
}

/** @param {{ root: string }} o the package directory; dist/ must be complete. */
export async function buildSnapshot({ root }) {
  const outDir = join(root, 'dist');
  // Every module is evaluated while the snapshot is built, so later commands find them compiled;
  // the entry points of other processes (the logger) stay out.
  const modules = sourceModules(join(root, 'src'), root).filter(
    (f) => !['src/snapshot.ts', 'src/logger-entry.ts'].includes(f) && !f.includes('/generated/'),
  );
  const entry = [...modules, 'src/snapshot.ts'].map((f) => `import './${f}';`).join('\n');
  const bundle = join(outDir, `.snapshot-${process.pid}.cjs`);

  const banner = `
const __berthRequire0 = require;
globalThis.__berthImportMetaUrl = __berthRequire0('node:url').pathToFileURL(${snapshotRoot(root)} + '/dist/index.js').href;
globalThis.__berthImport = async (url) => {
  const m = globalThis.__berthSnapshotModules?.[url];
  if (!m) throw new Error('not in the berth snapshot: ' + url);
  return m;
};
${lazyRequireBanner(root, { packages: LAZY_PACKAGES })}`;

  await build({
    absWorkingDir: root,
    stdin: { contents: entry, resolveDir: root, sourcefile: 'snapshot-entry.ts', loader: 'ts' },
    outfile: bundle,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: !PLAIN,
    keepNames: true,
    legalComments: 'none',
    external: ['typescript', 'ts-node', 'tsx', ...LAZY_PACKAGES],
    define: { 'import.meta.url': 'globalThis.__berthImportMetaUrl' },
    banner: { js: banner },
    logLevel: 'error',
    plugins: [
      {
        name: 'oclif-module-loader',
        setup(b) {
          b.onLoad({ filter: /@oclif[\\/]core[\\/]lib[\\/]module-loader\.js$/ }, async (args) => {
            const { readFile } = await import('node:fs/promises');
            const src = await readFile(args.path, 'utf8');
            const patched = src.replace(
              /await import\(\(0, node_url_1\.pathToFileURL\)\(filePath\)\.href\)/g,
              'await globalThis.__berthImport(filePath)',
            );
            if (patched === src) throw new Error('oclif module-loader: import() call not found');
            return { contents: patched, loader: 'js' };
          });
          // oclif keeps the text of every JSON file it reads (the 230 kB command manifest among
          // them) in a private cache; src/snapshot.ts empties it once the root plugin is loaded,
          // so the text does not ride along in the snapshot.
          b.onLoad({ filter: /@oclif[\\/]core[\\/]lib[\\/]util[\\/]fs\.js$/ }, async (args) => {
            const { readFile } = await import('node:fs/promises');
            const src = await readFile(args.path, 'utf8');
            const decl = 'const cache = new ProdOnlyCache();';
            if (!src.includes(decl)) throw new Error('oclif util/fs: file cache not found');
            const patched = src.replace(decl, `${decl} globalThis.__berthOclifFileCache = cache;`);
            return { contents: patched, loader: 'js' };
          });
        },
      },
    ],
  });

  // V8 keeps the bundle's source in the heap (functions compile from it on first call), as one
  // byte per character unless a single character is above U+00FF: then all 2 MB of it doubles,
  // and every command pays for deserializing that. esbuild escapes strings, not regex literals.
  const src = releaseModuleFactories(readFileSync(bundle, 'utf8'));
  writeFileSync(bundle, src);
  // (A plain bundle keeps comments, which may hold such characters: it is for profiling only.)
  const wide = PLAIN ? null : /[^\x00-\xff]/.exec(src);
  if (wide) {
    rmSync(bundle, { force: true });
    throw new Error(
      `snapshot bundle holds U+${wide[0].codePointAt(0).toString(16).toUpperCase().padStart(4, '0')} ` +
        `near: ${JSON.stringify(src.slice(Math.max(0, wide.index - 60), wide.index + 20))}; ` +
        'write it as a \\u escape in the source',
    );
  }

  try {
    makeBlob({ root, bundle });
  } finally {
    // The bundle stays beside the blob: scripts/restamp.mjs remakes the blob from it.
    renameSync(bundle, join(outDir, SNAPSHOT_BUNDLE));
  }
}
