#!/usr/bin/env bash
# How close can any Node.js + grpc-js program get to `ctr run --rm IMG <id> true`?
# bench/floor/run-floor.mjs is the floor: plain Node, grpc-js and protobufjs, with everything
# that can be computed in advance (chain ID, OCI spec) handed to it, doing only the containerd
# calls a run needs. It runs side by side with `node -e 0`, ctr and `berth run --rm --network
# none` in one hyperfine run; the table shows each median against ctr and against berth's
# budget of 1.6 × ctr. A second, untimed loop prints where the floor's time goes.
# Uses the environment of the integration tests (see scripts/dev-env.sh) and a built berth
# (npm run build: bin/berth and the descriptors in dist/proto).
# Usage: bench/floor.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
: "${BERTH_TEST_ADDRESS:?run through: eval \"\$(scripts/dev-env.sh)\"}"
[ -f dist/proto/tasks.json ] && [ -f dist/berth.blob ] || {
  echo "floor.sh: build berth first (npm run build)" >&2
  exit 1
}
NS=${BERTH_BENCH_NAMESPACE:-floor-$$}
IMG=${BERTH_BENCH_IMAGE:-$BERTH_TEST_REGISTRY/lab/busybox:latest}
SNAPSHOTTER=overlayfs
DIR=$(mktemp -d /tmp/berth-floor.XXXXXX)
CTR="ctr --address $BERTH_TEST_ADDRESS --namespace $NS"
# A namespace is only removable once empty: --sync waits for the image's content and snapshots
# to be collected, so the namespace does not outlive the benchmark (also after a failure).
cleanup() {
  $CTR images rm --sync "$IMG" >/dev/null 2>&1 || true
  $CTR namespaces rm "$NS" >/dev/null 2>&1 || echo "floor.sh: namespace $NS not empty, left in place" >&2
  rm -rf "$DIR"
}
trap cleanup EXIT
cat >"$DIR/berth.toml" <<TOML
address = "$BERTH_TEST_ADDRESS"
namespace = "$NS"
data_root = "$DIR/data"
bridge_ip = "198.18.0.0/24"
cni_netconfpath = "$DIR/net.d"
TOML
export BERTH_TOML=$DIR/berth.toml
$CTR images pull --plain-http "$IMG" >/dev/null

# The floor's inputs, made once and outside the timing: the exact spec ctr gives its container
# (its cgroup path is the one per-run field; the floor rewrites it) and the image's chain ID,
# which is the parent of that container's snapshot.
probe=floor-probe-$$
$CTR run "$IMG" "$probe" true
$CTR containers info "$probe" | jq .Spec >"$DIR/spec.json"
CHAIN=$($CTR snapshots info "$probe" | jq -r .Parent)
$CTR containers rm "$probe"
FLOOR="node $PWD/bench/floor/run-floor.mjs $BERTH_TEST_ADDRESS $NS $SNAPSHOTTER $CHAIN $DIR/spec.json"

# --shell=bash for ctr's $RANDOM id; hyperfine subtracts the shell's own start-up from every row.
hyperfine --warmup 2 --runs "$RUNS" --shell=bash --export-json "$DIR/out.json" \
  -n 'node -e 0' 'node -e 0' \
  -n floor "$FLOOR" \
  -n 'floor (no lease)' "FLOOR_LEASE=0 $FLOOR" \
  -n ctr "$CTR run --rm $IMG floor-ctr-\$RANDOM\$RANDOM true" \
  -n 'berth --network none' "$PWD/bin/berth run --rm --network none $IMG true" >/dev/null

# Breakdown: the same floor command with its performance.now() marks on, not under hyperfine.
# Its wall time (from just before the exec to its exit) is measured here too, so that what lies
# outside the marks (the process start before Node's time origin, and the teardown) shows.
for _ in $(seq "$RUNS"); do
  t0=$EPOCHREALTIME
  FLOOR_MARKS=1 $FLOOR 2>"$DIR/err" >/dev/null
  t1=$EPOCHREALTIME
  us=$((${t1//[.,]/} - ${t0//[.,]/})) # EPOCHREALTIME: seconds, separator, 6 digits
  printf '%s wall=%d.%03d\n' "$(grep '^floor-marks ' "$DIR/err")" $((us / 1000)) $((us % 1000))
done >"$DIR/marks"

# Whatever the floor (or anything else here) failed to remove would show up in these listings.
leftover=$(
  $CTR containers ls -q
  $CTR tasks ls -q
  $CTR leases ls -q
  # The image's own layers are the committed snapshots; a container's is active.
  $CTR snapshots ls | awk 'NR > 1 && $NF != "Committed"'
)

node - "$DIR/out.json" "$DIR/marks" <<'JS'
const fs = require('fs');
const r = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')).results;
const med = (name) => r.find((x) => x.command === name).median * 1000;
const ctr = med('ctr');
const budget = 1.6 * ctr;
console.log('| command | median (ms) | mean ± σ (ms) | × ctr |');
console.log('|---|---|---|---|');
for (const x of r) {
  const m = x.median * 1000;
  console.log(
    `| ${x.command} | ${m.toFixed(0)} | ${(x.mean * 1000).toFixed(0)} ± ${(x.stddev * 1000).toFixed(0)} | ${(m / ctr).toFixed(2)} |`,
  );
}
const floor = med('floor');
console.log(`\nbudget 1.6 × ctr = ${budget.toFixed(0)} ms`);
console.log(
  `floor / ctr = ${(floor / ctr).toFixed(2)}: the floor is ${Math.abs(floor - budget).toFixed(0)} ms ${floor > budget ? 'ABOVE' : 'below'} the budget`,
);
console.log(`berth / ctr = ${(med('berth --network none') / ctr).toFixed(2)}`);

// Median of every mark over the untimed runs, then the phases between consecutive marks.
const runs = fs
  .readFileSync(process.argv[3], 'utf8')
  .trim()
  .split('\n')
  .map((l) => Object.fromEntries(l.split(' ').slice(1).map((kv) => kv.split('='))));
const median = (xs) => {
  const s = xs.sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(
  `\nfloor breakdown (median of ${runs.length} runs; ms since Node's time origin, then the phase` +
    ' since the previous mark; wall: exec to exit, measured outside)',
);
console.log('| mark | at (ms) | phase (ms) |');
console.log('|---|---|---|');
let prev = 0;
for (const name of Object.keys(runs[0])) {
  const at = median(runs.map((x) => Number(x[name])));
  console.log(`| ${name} | ${at.toFixed(1)} | ${(at - prev).toFixed(1)} |`);
  prev = at;
}
JS
if [ -n "$leftover" ]; then
  echo "floor.sh: left behind in $NS:" >&2
  echo "$leftover" >&2
  exit 1
fi
