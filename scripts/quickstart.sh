#!/usr/bin/env bash
# From a fresh Debian 12 machine with Node 20, as root, offline: install, start a containerd if
# none answers, build a busybox image locally, load it and run a container.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(containerd runc busybox-static umoci skopeo tini containernetworking-plugins gcc libc6-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
{ [ -f dist/index.js ] && [ -x dist/berth-client ]; } || npm run -s build

berth() { bin/berth "$@"; }

# A containerd of berth's own when none is answering at the configured address.
berth system status >/dev/null 2>&1 || berth system start

IMAGES=${BERTH_QUICKSTART_DIR:-/var/lib/berth/quickstart}
scripts/test-env/build-images.sh "$IMAGES" >/dev/null
berth load -i "$IMAGES/busybox-oci.tar"
berth run --rm lab/busybox echo hello
