#!/usr/bin/env bash
# For development: a long-lived private containerd + registry + test images that several
# developers' test runs can share (each should use its own BERTH_TEST_NAMESPACE).
# Usage: eval "$(scripts/dev-env.sh)"   then   npx mocha test/integration/foo.test.ts
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BERTH_DEV_DIR:-/tmp/berth-dev}
PORT=${BERTH_DEV_REGISTRY_PORT:-5000}
mkdir -p "$DIR"
# The lock fd must not leak into the daemons started below, or they would hold it forever.
exec 9>"$DIR/.setup-lock"
flock 9
[ -f dist/index.js ] || flock /tmp/berth-build.lock npm run -s build >&2
bin/berth --address "$DIR/run/containerd.sock" --data-root "$DIR/data" \
  system start --state-dir "$DIR/state" >&2 9>&-
if ! curl -fs "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1; then
  scripts/test-env/registry.sh start "$DIR/registry" "$PORT" >&2 9>&-
fi
scripts/test-env/build-images.sh "$DIR/images" >&2
[ -f "$DIR/.pushed" ] || { scripts/test-env/push-images.sh "$DIR/images" "127.0.0.1:$PORT" >&2 && touch "$DIR/.pushed"; }
# The containerd with CRI (k8s.io tests); a no-op while it runs.
scripts/test-env/cri.sh start "$DIR/cri" "127.0.0.1:$PORT" "$DIR/images" >&2 9>&-
cat <<VARS
export BERTH_TEST_DIR=$DIR
export BERTH_TEST_ADDRESS=$DIR/run/containerd.sock
export BERTH_TEST_STATE=$DIR/state
export BERTH_TEST_DATA_ROOT=$DIR/data
export BERTH_TEST_REGISTRY=127.0.0.1:$PORT
export BERTH_TEST_REGISTRY_PORT=$PORT
export BERTH_TEST_IMAGES=$DIR/images
export BERTH_TEST_CRI_ADDRESS=$DIR/cri/run/containerd.sock
export BERTH_TEST_CRI_POD_LOGS=$DIR/cri/pods
export BERTH_TEST_CRI_SANDBOX_IMAGE=127.0.0.1:$PORT/lab/pause:3.9
export BERTH_TEST_NAMESPACE=\${BERTH_TEST_NAMESPACE:-dev-\$\$}
VARS
