#!/usr/bin/env bash
# `berth compose up -d` of a 5-service project (image present, no dependencies between services)
# against the same 5 containers made by 5 sequential `berth run -d`, and `compose down` against
# 5 sequential `berth rm -f`; side by side in one hyperfine run per pair. Every container uses
# `--network none` (`network_mode: none`) so that only container work is compared.
# Target: up -d ≤ 0.6× the sequential runs (independent services are created in parallel).
# Uses the environment of the integration tests (see scripts/dev-env.sh).
# Usage: bench/compose.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10}
# shellcheck source=bench/lib/namespace.sh
. bench/lib/namespace.sh compose
B="$PWD/bin/berth"
mkdir -p "$DIR/proj"
{
  echo "name: benchproj"
  echo "services:"
  for i in 1 2 3 4 5; do
    printf '  s%s:\n    image: %s\n    command: ["sleep", "1000"]\n    network_mode: none\n' "$i" "$IMG"
  done
} >"$DIR/proj/compose.yaml"
UP="cd $DIR/proj && $B compose up -d"
DOWN="cd $DIR/proj && $B compose down -t 0"
RUN5="for i in 1 2 3 4 5; do $B run -d --network none --name r\$i $IMG sleep 1000 >/dev/null; done"
RM5="for i in 1 2 3 4 5; do $B rm -f r\$i >/dev/null; done"
hyperfine --warmup 1 --runs "$RUNS" --shell=bash --export-json "$DIR/up.json" \
  -n 'compose up -d (5 services)' --prepare "$DOWN >/dev/null 2>&1" "$UP 2>/dev/null" \
  -n '5 × berth run -d' --prepare "$RM5 2>/dev/null || true" "$RUN5" >/dev/null
hyperfine --warmup 1 --runs "$RUNS" --shell=bash --export-json "$DIR/down.json" \
  -n 'compose down (5 services)' --prepare "$RM5 >/dev/null 2>&1 || true; $UP >/dev/null 2>&1" "$DOWN 2>/dev/null" \
  -n '5 × berth rm -f' --prepare "$RM5 >/dev/null 2>&1 || true; $RUN5" "$RM5" >/dev/null
eval "$DOWN" >/dev/null 2>&1 || true
eval "$RM5" >/dev/null 2>&1 || true
node -e '
const fs = require("fs");
const [up, down] = process.argv.slice(1).map((f) => JSON.parse(fs.readFileSync(f, "utf8")).results);
console.log("| command | median (ms) | × sequential |");
console.log("|---|---|---|");
for (const pair of [up, down]) {
  const seq = pair[1].median;
  for (const x of pair) console.log(`| ${x.command} | ${(x.median * 1000).toFixed(0)} | ${(x.median / seq).toFixed(2)} |`);
}
const ratio = up[0].median / up[1].median;
console.log(`\nup -d / sequential runs: ${ratio.toFixed(2)} (target ≤ 0.6: ${ratio <= 0.6 ? "met" : "missed"})`);' "$DIR/up.json" "$DIR/down.json"
