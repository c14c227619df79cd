#!/usr/bin/env bash
# `berth run --rm IMG true` against `ctr run --rm IMG <id> true` (and docker if an engine answers),
# side by side in one hyperfine run. ctr gives its container a loopback-only netns, so the
# like-for-like berth row is `--network none`; the bridge row shows what CNI networking adds.
# Uses the environment of the integration tests (see scripts/dev-env.sh).
# Usage: bench/run.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
# shellcheck source=bench/lib/namespace.sh
. bench/lib/namespace.sh bench
extra=()
if docker version >/dev/null 2>&1; then
  docker pull -q "$IMG" >/dev/null 2>&1 && extra+=(-n 'docker --network none' "docker run --rm --network none $IMG true")
fi
hyperfine --warmup 2 --runs "$RUNS" --shell=bash --export-markdown "$DIR/out.md" --export-json "$DIR/out.json" \
  -n 'berth --network none' "$PWD/bin/berth run --rm --network none $IMG true" \
  -n 'berth (bridge)' "$PWD/bin/berth run --rm $IMG true" \
  -n ctr "$CTR run --rm $IMG bench-\$RANDOM\$RANDOM true" \
  "${extra[@]}" >/dev/null
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results;
const ctr = r.find((x) => x.command === "ctr").median;
console.log("| command | median (ms) | × ctr |");
console.log("|---|---|---|");
for (const x of r) console.log(`| ${x.command} | ${(x.median * 1000).toFixed(0)} | ${(x.median / ctr).toFixed(2)} |`);
const none = r.find((x) => x.command === "berth --network none").median;
const bridge = r.find((x) => x.command === "berth (bridge)").median;
console.log(`\nbridge networking adds ${((bridge - none) * 1000).toFixed(0)} ms to berth run`);' "$DIR/out.json"
