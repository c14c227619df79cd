# Sourced by the run benchmarks: a private namespace and berth.toml for one benchmark run, with the
# test image pulled into it, and a trap that removes all of it again.
# In: $1 = a name prefix (bench, floor). Out: NS, IMG, DIR, CTR, BERTH_TOML.
: "${BERTH_TEST_ADDRESS:?run through: eval \"\$(scripts/dev-env.sh)\"}"
NS=${BERTH_BENCH_NAMESPACE:-$1-$$}
IMG=${BERTH_BENCH_IMAGE:-$BERTH_TEST_REGISTRY/lab/busybox:latest}
DIR=$(mktemp -d "/tmp/berth-$1.XXXXXX")
CTR="ctr --address $BERTH_TEST_ADDRESS --namespace $NS"
# A namespace is only removable once empty, and a plain `images rm` returns before containerd has
# collected the image's content and snapshots: --sync waits for that, so that the namespace can
# go. In a trap, so that a failed run does not leave it behind either.
bench_cleanup() {
  $CTR images rm --sync "$IMG" >/dev/null 2>&1 || true
  $CTR namespaces rm "$NS" >/dev/null 2>&1 || echo "$1: namespace $NS not empty, left in place" >&2
  rm -rf "$DIR"
}
trap 'bench_cleanup "$0"' EXIT
cat >"$DIR/berth.toml" <<TOML
address = "$BERTH_TEST_ADDRESS"
namespace = "$NS"
data_root = "$DIR/data"
bridge_ip = "198.18.0.0/24"
cni_netconfpath = "$DIR/net.d"
TOML
export BERTH_TOML=$DIR/berth.toml
$CTR images pull --plain-http "$IMG" >/dev/null
