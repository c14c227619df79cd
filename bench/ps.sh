#!/usr/bin/env bash
# `berth ps -a` against `ctr containers ls` with 100 and 1000 containers, with hyperfine.
# Usage: bench/ps.sh [ADDRESS] [IMAGE]
#   ADDRESS  containerd socket (default $BERTH_TEST_ADDRESS, else /run/containerd/containerd.sock)
#   IMAGE    image to create the containers from (pulled with --plain-http if missing)
# Uses a private namespace (bench-ps-<pid>) and removes it, and its containers, at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ADDR=${1:-${BERTH_TEST_ADDRESS:-/run/containerd/containerd.sock}}
IMAGE=${2:-${BERTH_TEST_REGISTRY:-127.0.0.1:5000}/lab/busybox:latest}
NS=bench-ps-$$
RUNS=${RUNS:-15}
CTR=(ctr --address "$ADDR" --namespace "$NS")
BERTH=("$PWD/bin/berth" --address "$ADDR" --namespace "$NS")
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }
[ -f dist/index.js ] || npm run -s build

cleanup() {
  set +e
  "${CTR[@]}" containers ls -q | xargs -r -n 200 "${CTR[@]}" containers rm >/dev/null 2>&1
  # --sync: a namespace can only be removed once containerd has garbage-collected its content.
  "${CTR[@]}" images ls -q | xargs -r "${CTR[@]}" images rm --sync >/dev/null 2>&1
  ctr --address "$ADDR" namespaces rm "$NS" >/dev/null 2>&1
}
trap cleanup EXIT

"${CTR[@]}" images pull --plain-http "$IMAGE" >/dev/null

have=0
make_until() {
  while [ "$have" -lt "$1" ]; do
    "${CTR[@]}" containers create --label "berth/name=bench-$have" "$IMAGE" "bench-$(printf '%05d' "$have")" sleep 1 >/dev/null
    have=$((have + 1))
  done
}

declare -A BERTH_MS CTR_MS
for n in 100 1000; do
  make_until "$n"
  json=$(mktemp)
  hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$json" \
    -n "berth ps -a ($n)" "${BERTH[*]} ps -a" \
    -n "ctr containers ls ($n)" "${CTR[*]} containers ls" >&2
  read -r b c < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results;
    console.log((r[0].median * 1000).toFixed(1), (r[1].median * 1000).toFixed(1));' "$json")
  BERTH_MS[$n]=$b
  CTR_MS[$n]=$c
  rm -f "$json"
  # Sanity: berth lists every container.
  rows=$("${BERTH[@]}" ps -a -q | wc -l)
  [ "$rows" -eq "$n" ] || { echo "berth ps -a listed $rows of $n containers" >&2; exit 1; }
done

printf '\n%-12s %14s %14s %8s\n' containers 'berth ps -a' 'ctr c ls' ratio
for n in 100 1000; do
  ratio=$(node -e "console.log((${BERTH_MS[$n]} / ${CTR_MS[$n]}).toFixed(2))")
  printf '%-12s %11s ms %11s ms %7sx\n' "$n" "${BERTH_MS[$n]}" "${CTR_MS[$n]}" "$ratio"
done
