#!/usr/bin/env bash
# Push the fixtures built by build-images.sh to a (plain-HTTP, loopback) registry.
#
# Usage: scripts/test-env/push-images.sh [--creds USER:PASS] [--big] OUTDIR REGISTRY
#   REGISTRY is host:port, e.g. 127.0.0.1:5055.
#
# Pushes (tag "latest" unless noted):
#   REGISTRY/lab/busybox:latest          OCI manifest
#   REGISTRY/lab/multi:latest            OCI manifest, 3 layers
#   REGISTRY/lab/nocmd:latest            OCI manifest
#   REGISTRY/lab/index:latest            OCI image index (linux/amd64 + linux/arm64/v8), --all
#   REGISTRY/lab/busybox-docker:v2s2     Docker schema 2 manifest of busybox (skopeo --format v2s2)
#   REGISTRY/lab/big:latest              only with --big (and OUTDIR/big built with --big)
# Also makes sure OUTDIR/busybox-oci.tar (oci-archive) and OUTDIR/busybox-docker.tar
# (docker-archive, lab/busybox:latest) exist; build-images.sh normally creates them.
# Prints "<ref> <manifest digest>" per pushed image.
set -euo pipefail

usage() {
  echo "usage: $0 [--creds USER:PASS] [--big] OUTDIR REGISTRY" >&2
  exit 2
}

CREDS=()
BIG=0
POS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --creds)
      [ $# -ge 2 ] || usage
      CREDS=(--dest-creds "$2")
      shift
      ;;
    --big) BIG=1 ;;
    -h | --help) usage ;;
    -*) echo "unknown option: $1" >&2; usage ;;
    *) POS+=("$1") ;;
  esac
  shift
done
[ ${#POS[@]} -eq 2 ] || usage
OUTDIR=${POS[0]}
REGISTRY=${POS[1]}

for d in busybox multi nocmd index; do
  [ -f "$OUTDIR/$d/index.json" ] || {
    echo "push-images: $OUTDIR/$d missing; run scripts/test-env/build-images.sh $OUTDIR first" >&2
    exit 1
  }
done
if [ "$BIG" = 1 ] && [ ! -f "$OUTDIR/big/index.json" ]; then
  echo "push-images: $OUTDIR/big missing; run scripts/test-env/build-images.sh --big $OUTDIR" >&2
  exit 1
fi

# --dest-tls-verify=false lets skopeo fall back to plain HTTP for the loopback registry.
COMMON=(--quiet --retry-times 2 --dest-tls-verify=false "${CREDS[@]}")
DIGEST_FILE=$(mktemp)
trap 'rm -f "$DIGEST_FILE"' EXIT

push() { # SRC DEST [extra skopeo args...]
  local src=$1 dest=$2
  shift 2
  skopeo copy "${COMMON[@]}" --digestfile "$DIGEST_FILE" "$@" "$src" "docker://$REGISTRY/$dest"
  echo "$REGISTRY/$dest $(cat "$DIGEST_FILE")"
}

# --preserve-digests keeps the OCI manifests byte-for-byte, so the digests in OUTDIR/images.json
# are the ones the registry serves.
push "oci:$OUTDIR/busybox:latest" lab/busybox:latest --preserve-digests
push "oci:$OUTDIR/multi:latest" lab/multi:latest --preserve-digests
push "oci:$OUTDIR/nocmd:latest" lab/nocmd:latest --preserve-digests
push "oci:$OUTDIR/index:latest" lab/index:latest --all --preserve-digests
push "oci:$OUTDIR/busybox:latest" lab/busybox-docker:v2s2 --format v2s2
if [ "$BIG" = 1 ]; then
  push "oci:$OUTDIR/big:latest" lab/big:latest --preserve-digests
fi

if [ ! -f "$OUTDIR/busybox-oci.tar" ]; then
  skopeo copy --quiet "oci:$OUTDIR/busybox:latest" "oci-archive:$OUTDIR/busybox-oci.tar:latest"
fi
if [ ! -f "$OUTDIR/busybox-docker.tar" ]; then
  skopeo copy --quiet "oci:$OUTDIR/busybox:latest" \
    "docker-archive:$OUTDIR/busybox-docker.tar:lab/busybox:latest"
fi
