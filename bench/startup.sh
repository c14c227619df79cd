#!/usr/bin/env bash
# Start-up cost: `berth version` against `node -e 0` and `ctr version`, side by side in one run.
# Needs: hyperfine (Debian), a built berth (npm run build), a containerd answering at
# $CONTAINERD_ADDRESS (default: the berth dev one, started if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null
ADDR=${CONTAINERD_ADDRESS:-}
if [ -z "$ADDR" ]; then
  eval "$(scripts/dev-env.sh)"
  ADDR=$BERTH_TEST_ADDRESS
fi
RUNS=${RUNS:-30}
OUT=$(mktemp)
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$OUT" \
  -n 'node -e 0' 'node -e 0' \
  -n 'berth version' "bin/berth --address $ADDR version" \
  -n 'berth version (no snapshot)' "node bin/run.js --address $ADDR version" \
  -n 'ctr version' "ctr --address $ADDR version" >/dev/null
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results;
const base = r.find((x) => x.command === "node -e 0").median;
console.log("| command | median (ms) | mean ± σ (ms) | × node -e 0 |");
console.log("|---|---|---|---|");
for (const x of r) {
  console.log(`| ${x.command} | ${(x.median * 1000).toFixed(1)} | ${(x.mean * 1000).toFixed(1)} ± ${(x.stddev * 1000).toFixed(1)} | ${(x.median / base).toFixed(2)} |`);
}' "$OUT"
rm -f "$OUT"
