#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine with Node 20, as root:
# installs what is missing, builds berth, starts a private containerd (berth system start, under a
# temp dir, never the system one) and a private registry on loopback, builds the test images
# offline, runs the unit and integration tests, and tears everything down by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

APT_PACKAGES=(containerd runc containernetworking-plugins docker-registry skopeo umoci busybox-static
  golang-github-containerd-containerd-dev tini apache2-utils openssl iptables iproute2 util-linux gcc libc6-dev)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
fi

echo "==> build"
npm run -s build
echo "==> typecheck"
npm run -s typecheck

TEST_DIR=$(mktemp -d /tmp/berth-test.XXXXXX)
export BERTH_TEST_DIR=$TEST_DIR
# Temp files of the tests (and of the berth processes they start) go under the test dir, which
# teardown removes, instead of piling up in /tmp.
export TMPDIR=$TEST_DIR/tmp
mkdir -p "$TMPDIR"
# berth's warm agent keeps its socket in $XDG_RUNTIME_DIR/berth: the suite's agents live there,
# under the test dir, so that teardown can end them instead of leaving them to their idle timeout.
export XDG_RUNTIME_DIR=$TEST_DIR/xdg
mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
export BERTH_TEST_ADDRESS=$TEST_DIR/run/containerd.sock
export BERTH_TEST_STATE=$TEST_DIR/state
export BERTH_TEST_DATA_ROOT=$TEST_DIR/data
# runc keeps state per namespace in a directory shared by every containerd on the machine, so the
# suite uses a namespace no other run can be using.
export BERTH_TEST_NAMESPACE=berth-test-$$-$RANDOM
export BERTH_TEST_REGISTRY_PORT=${BERTH_TEST_REGISTRY_PORT:-$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}
export BERTH_TEST_REGISTRY=127.0.0.1:$BERTH_TEST_REGISTRY_PORT
export BERTH_TEST_IMAGES=$ROOT/.test-tmp/images
# A second containerd, with the CRI plugin, for the k8s.io tests (scripts/test-env/cri.sh).
CRI_DIR=$TEST_DIR/cri
CRI_BRIDGE=bcri$((RANDOM % 10000))
export BERTH_TEST_CRI_ADDRESS=$CRI_DIR/run/containerd.sock
export BERTH_TEST_CRI_POD_LOGS=$CRI_DIR/pods
export BERTH_TEST_CRI_SANDBOX_IMAGE=$BERTH_TEST_REGISTRY/lab/pause:3.9

# The default network's bridge and its iptables rules (BERTH-FWD/NAT-berth0) outlive containers,
# as docker0 does; the suite removes them when it is done.
drop_berth0() {
  ip link del berth0 2>/dev/null
  for t in 'filter FORWARD FWD' 'nat POSTROUTING NAT'; do
    set -- $t
    printf '*%s\n-D %s -m comment --comment "berth network berth0" -j BERTH-%s-berth0\n-F BERTH-%s-berth0\n-X BERTH-%s-berth0\nCOMMIT\n' \
      "$1" "$2" "$3" "$3" "$3" | iptables-restore -w --noflush 2>/dev/null
  done
  rm -f /run/berth/rules/berth0
}

teardown() {
  set +e
  echo "==> teardown"
  if [ -f "$TEST_DIR/state/berth-containerd.pid" ]; then
    # Shims outlive containerd; end the ones serving this test containerd only.
    pkill -9 -f "containerd-shim-runc-v2 .*-address $BERTH_TEST_ADDRESS" 2>/dev/null
  fi
  bin/berth --address "$BERTH_TEST_ADDRESS" --data-root "$BERTH_TEST_DATA_ROOT" \
    system stop --state-dir "$BERTH_TEST_STATE" >/dev/null 2>&1
  scripts/test-env/cri.sh stop "$CRI_DIR" >/dev/null 2>&1
  ip link del "$CRI_BRIDGE" 2>/dev/null
  scripts/test-env/registry.sh stop "$TEST_DIR/registry" >/dev/null 2>&1
  # The agent's waiting workers mark themselves <socket>.idle-<pid>; a worker still serving then
  # would be a test that never ended, which the suite has already failed on.
  for marker in "$TEST_DIR"/xdg/berth/*.idle-*; do
    [ -e "$marker" ] && kill "${marker##*.idle-}" 2>/dev/null
  done
  # Mounts left by a failed test would make rm fail; unmount anything under the test dir.
  grep -o " $TEST_DIR[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  # Only a berth0 the suite made: one already in use on this machine is left alone.
  [ "${suite_owns_berth0:-0}" = 1 ] && drop_berth0
  rm -rf "$TEST_DIR"
}
trap teardown EXIT

# The suite's default network uses 198.18.0.0/24 on berth0. A berth0 left by earlier use with
# another subnet would make the bridge plugin refuse it; remove it only when nothing is attached.
suite_owns_berth0=0
if ! ip link show berth0 >/dev/null 2>&1; then
  suite_owns_berth0=1
elif [ -z "$(ip link show master berth0 2>/dev/null)" ]; then
  drop_berth0 || true
  suite_owns_berth0=1
fi

echo "==> unit tests"
npx mocha 'test/unit/**/*.test.ts'

echo "==> private containerd at $BERTH_TEST_ADDRESS"
bin/berth --address "$BERTH_TEST_ADDRESS" --data-root "$BERTH_TEST_DATA_ROOT" \
  system start --state-dir "$BERTH_TEST_STATE"

echo "==> registry at $BERTH_TEST_REGISTRY"
scripts/test-env/registry.sh start "$TEST_DIR/registry" "$BERTH_TEST_REGISTRY_PORT"

echo "==> test images"
scripts/test-env/build-images.sh "$BERTH_TEST_IMAGES"
scripts/test-env/push-images.sh "$BERTH_TEST_IMAGES" "$BERTH_TEST_REGISTRY"

echo "==> containerd with CRI at $BERTH_TEST_CRI_ADDRESS"
scripts/test-env/cri.sh start "$CRI_DIR" "$BERTH_TEST_REGISTRY" "$BERTH_TEST_IMAGES" \
  --bridge "$CRI_BRIDGE" --subnet 198.18.200.0/24

echo "==> integration tests"
npx mocha --timeout 120000 'test/integration/**/*.test.ts'
