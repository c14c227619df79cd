/**
 * The layer rule of docs/LAYERS.md, checked on every import in src/ (static, type-only and
 * dynamic `import()` alike): imports run downward only, no file of src/cmd/ imports another
 * (verbs share code through src/container/ and the modules below it), and there is no circle.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/**
 * Higher imports lower, never the other way. Entry points and the oclif layer on top; under it,
 * side by side and never importing each other, the flag edge (oclif flags → typed options) and
 * the verbs; then the container library; everything else (containerd, image, registry, network,
 * volume, oci, opts, formatter, config and the small shared modules) at the bottom.
 */
const LAYERS: readonly { name: string; rank: number; paths: readonly string[] }[] = [
  {
    name: 'entry/commands',
    rank: 5,
    paths: ['commands/', 'index.ts', 'argv.ts', 'help.ts', 'base-command.ts', 'snapshot.ts'],
  },
  { name: 'flags', rank: 4, paths: ['flags/'] },
  { name: 'cmd', rank: 4, paths: ['cmd/'] },
  // Compose's project model and runtime: over the container library and the builder (build:
  // services), under the verbs.
  { name: 'compose', rank: 3.6, paths: ['compose/'] },
  // The builder runs RUN steps through the container library, and verbs use it.
  { name: 'build', rank: 3.5, paths: ['build/'] },
  { name: 'container', rank: 3, paths: ['container/'] },
];

function layerOf(file: string): { name: string; rank: number } {
  for (const l of LAYERS) {
    if (l.paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p))) return l;
  }
  return { name: 'library', rank: 1 };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** src-relative path → the src-relative paths it imports (relative specifiers only). */
export function importGraph(srcDir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(srcDir)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((i) => i.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => relative(srcDir, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
    graph.set(relative(srcDir, file), targets);
  }
  return graph;
}

/** Every import that breaks the layer rule, as `from -> to (why)`. */
export function layerViolations(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const a = layerOf(from);
    for (const to of targets) {
      const b = layerOf(to);
      if (b.rank > a.rank || (b.rank === a.rank && b.name !== a.name)) {
        out.push(`${from} -> ${to} (${a.name} imports ${b.name})`);
      } else if (a.name === 'cmd' && b.name === 'cmd' && from !== to) {
        out.push(`${from} -> ${to} (a verb imports another verb's file)`);
      }
    }
  }
  return out;
}

/** The import circles (strongly connected components of more than one file, or a self-import). */
export function importCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}

describe('architecture: imports of src/', function () {
  this.timeout(20000);
  const graph = importGraph(SRC);

  it('reads the real tree (the checks below would pass on an empty one)', () => {
    assert.ok(graph.size > 100);
    assert.ok(graph.get('container/run.ts')?.includes('container/task.ts'));
  });

  it('run only downward, and no verb imports another', () => {
    assert.deepEqual(layerViolations(graph), []);
  });

  it('form no circle', () => {
    assert.deepEqual(importCircles(graph), []);
  });

  it('the checks catch an upward import, a verb-to-verb import and a circle', () => {
    const bad = new Map<string, string[]>([
      ['flags/container-create.ts', ['cmd/container/create.ts']],
      ['cmd/container/create.ts', ['flags/container-create.ts']],
      ['cmd/container/start.ts', ['cmd/container/run.ts']],
      ['cmd/container/run.ts', ['container/task.ts']],
      ['container/task.ts', ['container/remove.ts']],
      ['container/remove.ts', ['container/task.ts']],
    ]);
    assert.deepEqual(layerViolations(bad), [
      'flags/container-create.ts -> cmd/container/create.ts (flags imports cmd)',
      'cmd/container/create.ts -> flags/container-create.ts (cmd imports flags)',
      "cmd/container/start.ts -> cmd/container/run.ts (a verb imports another verb's file)",
    ]);
    assert.deepEqual(importCircles(bad), [
      ['cmd/container/create.ts', 'flags/container-create.ts'],
      ['container/remove.ts', 'container/task.ts'],
    ]);
  });
});

/**
 * src-relative paths of the files whose text holds `needle`, outside `allowed`. The daemon's
 * prefix lives in errors.ts alone: errors carry the daemon's text and a kind (DaemonError), and
 * the base command prints the prefix through errorText, so a hand-written copy cannot drift.
 */
export function filesHolding(
  files: ReadonlyMap<string, string>,
  needle: string,
  allowed: readonly string[],
): string[] {
  return [...files]
    .filter(([file, text]) => !allowed.includes(file) && text.includes(needle))
    .map(([file]) => file);
}

describe('architecture: one error vocabulary', function () {
  const PREFIX = 'Error response from daemon';
  const files = new Map(sourceFiles(SRC).map((f) => [relative(SRC, f), readFileSync(f, 'utf8')]));

  it('writes the daemon prefix only in errors.ts', () => {
    assert.ok(files.get('errors.ts')?.includes(PREFIX), 'errors.ts defines the prefix');
    assert.deepEqual(filesHolding(files, PREFIX, ['errors.ts']), []);
  });

  it('the check catches a hand-written prefix', () => {
    const bad = new Map([
      ['errors.ts', `export const DAEMON_PREFIX = '${PREFIX}: ';`],
      ['cmd/container/cp.ts', `throw new BerthError(\`${PREFIX}: Error processing tar file\`);`],
    ]);
    assert.deepEqual(filesHolding(bad, PREFIX, ['errors.ts']), ['cmd/container/cp.ts']);
  });
});
