#!/usr/bin/env bash
# `berth run --rm IMG true` against `ctr run --rm IMG <id> true` (and docker if an engine answers),
# side by side in one hyperfine run. ctr gives its container a loopback-only netns, so the
# like-for-like berth row is `--network none`; the bridge row shows what CNI networking adds.
# Uses the environment of the integration tests (see scripts/dev-env.sh).
# Usage: bench/run.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
: "${BERTH_TEST_ADDRESS:?run through: eval \"\$(scripts/dev-env.sh)\"}"
NS=${BERTH_BENCH_NAMESPACE:-bench-$$}
IMG=${BERTH_BENCH_IMAGE:-$BERTH_TEST_REGISTRY/lab/busybox:latest}
DIR=$(mktemp -d /tmp/berth-bench.XXXXXX)
CTR="ctr --address $BERTH_TEST_ADDRESS --namespace $NS"
# A namespace is only removable once empty, and a plain `images rm` returns before containerd has
# collected the image's content and snapshots: --sync waits for that, so that the namespace can
# go. In a trap, so that a failed run does not leave it behind either.
cleanup() {
  $CTR images rm --sync "$IMG" >/dev/null 2>&1 || true
  $CTR namespaces rm "$NS" >/dev/null 2>&1 || echo "run.sh: namespace $NS not empty, left in place" >&2
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
