#!/usr/bin/env bash
# Cold `berth pull` against `ctr images pull --plain-http` of the ~300 MB 6-layer image, side by
# side in one run (interleaved, so a noisy machine hurts both alike), with berth's peak RSS; then
# `berth images` against `ctr images ls` with 50 tags.
# Usage: bench/pull.sh [ADDRESS] [REGISTRY]
#   ADDRESS   containerd socket (default $BERTH_TEST_ADDRESS, else /run/containerd/containerd.sock)
#   REGISTRY  plain-HTTP registry on 127.0.0.1 to push the big image to (default $BERTH_TEST_REGISTRY,
#             else 127.0.0.1:5000)
# Env: RUNS (pulls per tool, default 5), LIST_RUNS (default 20), BIG_DIR (where the image is built,
#      default /tmp/berth-bench-big; kept between runs since building is deterministic).
# Uses a private namespace (bench-pull-<pid>) and removes it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ADDR=${1:-${BERTH_TEST_ADDRESS:-/run/containerd/containerd.sock}}
REGISTRY=${2:-${BERTH_TEST_REGISTRY:-127.0.0.1:5000}}
RUNS=${RUNS:-5}
LIST_RUNS=${LIST_RUNS:-20}
BIG_DIR=${BIG_DIR:-/tmp/berth-bench-big}
NS=bench-pull-$$
IMAGE=$REGISTRY/lab/big:latest
SMALL=$REGISTRY/lab/busybox:latest
CTR=(ctr --address "$ADDR" --namespace "$NS")
BERTH=("$PWD/bin/berth" --address "$ADDR" --namespace "$NS")
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is required (apt-get install time)" >&2; exit 1; }
[ -f dist/index.js ] || npm run -s build

# Image records, then a synchronous GC: content and snapshots go too, so the next pull is cold.
clean() {
  local names
  names=$("${CTR[@]}" images ls -q)
  if [ -n "$names" ]; then
    # shellcheck disable=SC2086
    "${CTR[@]}" images rm --sync $names >/dev/null
  fi
  local left
  left=$("${CTR[@]}" content ls -q | wc -l)
  [ "$left" -eq 0 ] || { echo "bench: $left blobs left after cleaning" >&2; exit 1; }
}

# containerd shares blobs between namespaces: if another namespace holds the big image's layers, a
# pull here would not download them and the run would not be cold.
check_cold() {
  local ns layers
  layers=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).images.big.layers.map((l) => l.digest).join("\n"))' "$BIG_DIR/images.json")
  for ns in $(ctr --address "$ADDR" namespaces ls -q); do
    [ "$ns" = "$NS" ] && continue
    if ctr --address "$ADDR" --namespace "$ns" content ls -q | grep -qxF -f <(echo "$layers"); then
      echo "bench: namespace $ns holds layers of $IMAGE; remove them first (the pulls would not be cold)" >&2
      exit 1
    fi
  done
}

cleanup() {
  set +e
  clean >/dev/null 2>&1
  ctr --address "$ADDR" namespaces rm "$NS" >/dev/null 2>&1
}
trap cleanup EXIT

echo "building and pushing the big image to $REGISTRY ..." >&2
scripts/test-env/build-images.sh --big "$BIG_DIR" >&2
scripts/test-env/push-images.sh --big "$BIG_DIR" "$REGISTRY" >&2
check_cold
LAYERS=$(node -e 'const i = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).images.big;
  console.log(i.layers.length, (i.layers.reduce((a, l) => a + l.size, 0) / 1e6).toFixed(1));' "$BIG_DIR/images.json")

# One timed command: prints "<seconds> <max RSS KB>".
timed() {
  local out
  out=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null
  cat "$out"
  rm -f "$out"
}

berth_s=() ctr_s=() rss=()
for i in $(seq 1 "$RUNS"); do
  clean
  read -r s m < <(timed "${BERTH[@]}" pull -q "$IMAGE")
  berth_s+=("$s") rss+=("$m")
  # Sanity: a complete, unpacked image.
  [ "$("${BERTH[@]}" images -q | wc -l)" -eq 1 ] || { echo "berth pull left no image" >&2; exit 1; }
  clean
  read -r s _ < <(timed "${CTR[@]}" images pull --plain-http "$IMAGE")
  ctr_s+=("$s")
  echo "run $i: berth ${berth_s[-1]} s (${rss[-1]} KB)  ctr ${ctr_s[-1]} s" >&2
done
clean

# 50 tags of one image, listed by both.
"${BERTH[@]}" pull -q "$SMALL" >/dev/null
for n in $(seq 1 49); do "${BERTH[@]}" tag "$SMALL" "$REGISTRY/lab/bench:tag$n"; done
[ "$("${CTR[@]}" images ls -q | wc -l)" -eq 50 ] || { echo "expected 50 image names" >&2; exit 1; }
json=$(mktemp)
hyperfine -N --warmup 2 --runs "$LIST_RUNS" --export-json "$json" \
  -n 'berth images (50 tags)' "${BERTH[*]} images" \
  -n 'ctr images ls (50 tags)' "${CTR[*]} images ls" >&2
read -r list_b list_c < <(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results;
  console.log((r[0].median * 1000).toFixed(1), (r[1].median * 1000).toFixed(1));' "$json")
rm -f "$json"

node - "$LAYERS" "${berth_s[*]}" "${ctr_s[*]}" "${rss[*]}" "$list_b" "$list_c" <<'EOF'
const [layers, berthS, ctrS, rss, listB, listC] = process.argv.slice(2);
const nums = (s) => s.split(' ').map(Number);
const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const b = nums(berthS), c = nums(ctrS), r = nums(rss);
const pair = b.map((x, i) => x / c[i]);
const [n, mb] = layers.split(' ');
const row = (k, v, t, ok) => console.log(`${k.padEnd(44)} ${v.padStart(18)}   ${t.padEnd(16)} ${ok ? 'ok' : 'MISSED'}`);
console.log(`\ncold pull of ${n} layers, ${mb} MB, ${b.length} interleaved runs each`);
console.log(`${'measure'.padEnd(44)} ${'value'.padStart(18)}   ${'target'.padEnd(16)}`);
row('berth pull, median', `${median(b).toFixed(2)} s`, '', true);
row('ctr images pull --plain-http, median', `${median(c).toFixed(2)} s`, '', true);
row('berth / ctr (median of paired ratios)', `${median(pair).toFixed(2)}x`, '<= 0.90x', median(pair) <= 0.9);
row('berth pull, peak RSS (max of runs)', `${(Math.max(...r) / 1024).toFixed(0)} MB`, '< 150 MB', Math.max(...r) / 1024 < 150);
row('berth images, 50 tags, median', `${listB} ms`, '', true);
row('ctr images ls, 50 tags, median', `${listC} ms`, '', true);
row('berth images / ctr images ls', `${(listB / listC).toFixed(2)}x`, '', true);
EOF
