/**
 * Running work over services in `depends_on` order with as much in parallel as the graph allows:
 * each service starts as soon as every dependency it waits for is done, so independent services
 * are created and started together (Compose's graph traversal), and in reverse for stop/down.
 */

export interface Graph {
  /** Service name → the names it depends on (only those in the graph). */
  deps: Map<string, string[]>;
}

export function graphOf(services: Record<string, { depends_on?: Record<string, unknown> }>): Graph {
  const deps = new Map<string, string[]>();
  for (const [name, s] of Object.entries(services)) {
    deps.set(
      name,
      Object.keys(s.depends_on ?? {}).filter((d) => d in services),
    );
  }
  return { deps };
}

/** Names in start order (dependencies first), ties by name, for output that must be stable. */
export function startOrder(g: Graph): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const d of [...(g.deps.get(n) ?? [])].sort()) visit(d);
    out.push(n);
  };
  for (const n of [...g.deps.keys()].sort()) visit(n);
  return out;
}

/**
 * Calls `fn` for every service once the services it depends on have finished (`reverse`: once
 * the services depending on it have). The first failure stops new work and is rethrown after the
 * work already running has settled.
 */
export async function walk(
  g: Graph,
  fn: (name: string) => Promise<void>,
  reverse = false,
): Promise<void> {
  const waitsFor = new Map<string, string[]>();
  for (const n of g.deps.keys()) waitsFor.set(n, []);
  for (const [n, ds] of g.deps) {
    for (const d of ds) {
      if (reverse) waitsFor.get(d)!.push(n);
      else waitsFor.get(n)!.push(d);
    }
  }
  const done = new Map<string, Promise<void>>();
  let failed: unknown;
  const run = (n: string): Promise<void> => {
    let p = done.get(n);
    if (!p) {
      p = (async () => {
        await Promise.all(waitsFor.get(n)!.map(run));
        if (failed !== undefined) throw failed;
        try {
          await fn(n);
        } catch (err) {
          failed ??= err;
          throw err;
        }
      })();
      done.set(n, p);
    }
    return p;
  };
  const all = await Promise.allSettled([...g.deps.keys()].map(run));
  if (failed !== undefined) throw failed;
  const rejected = all.find((r) => r.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
}
