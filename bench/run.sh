#!/usr/bin/env bash
# `berth run --rm IMG true` against `ctr run --rm IMG <id> true` (and docker if an engine answers),
# side by side in one hyperfine run. Uses the environment of the integration tests
# (BERTH_TEST_ADDRESS, BERTH_TEST_REGISTRY, …; see scripts/dev-env.sh).
# Usage: bench/run.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
: "${BERTH_TEST_ADDRESS:?run through scripts/dev-env.sh or scripts/test.sh}"
NS=${BERTH_BENCH_NAMESPACE:-bench-$$}
IMG=${BERTH_BENCH_IMAGE:-$BERTH_TEST_REGISTRY/lab/busybox:latest}
TOML=$(mktemp /tmp/berth-bench.XXXXXX.toml)
cat >"$TOML" <<TOML
address = "$BERTH_TEST_ADDRESS"
namespace = "$NS"
data_root = "${BERTH_TEST_DATA_ROOT:-/tmp/berth-bench-data}"
TOML
export BERTH_TOML=$TOML
CTR="ctr --address $BERTH_TEST_ADDRESS --namespace $NS"
$CTR images pull --plain-http "$IMG" >/dev/null
cmds=(
  -n berth "node $PWD/bin/run.js run --rm $IMG true"
  -n ctr "$CTR run --rm $IMG bench-{i}-\$(date +%s%N) true"
)
if docker version >/dev/null 2>&1; then
  docker pull -q "$IMG" >/dev/null 2>&1 && cmds+=(-n docker "docker run --rm --network none $IMG true")
fi
# hyperfine -N has no shell for $(date); ctr needs a unique id, so the ctr command runs in sh.
hyperfine --warmup 2 --runs "$RUNS" --shell=bash --export-markdown /tmp/berth-bench.md \
  -n berth "node $PWD/bin/run.js run --rm $IMG true" \
  -n ctr "$CTR run --rm $IMG bench-\$RANDOM\$RANDOM true" \
  ${cmds[6]+"${cmds[@]:4}"}
cat /tmp/berth-bench.md
node -e '
const t = require("fs").readFileSync("/tmp/berth-bench.md","utf8").split("\n").filter(l=>/^\| `?(berth|ctr)/.test(l) || /^\| (berth|ctr)/.test(l));
const m = {}; for (const l of t) { const c = l.split("|").map(s=>s.trim()); m[c[1].replace(/`/g,"")] = parseFloat(c[2]); }
if (m.berth && m.ctr) console.log(`ratio berth/ctr = ${(m.berth/m.ctr).toFixed(2)}x`);'
$CTR namespaces rm "$NS" >/dev/null 2>&1 || true
rm -f "$TOML"
