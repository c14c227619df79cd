#!/usr/bin/env bash
# berth against docker (and ctr where it has the command), side by side in one hyperfine run per
# command: version, ps -a (100 and 1000 containers), images, inspect, run --rm --network none,
# a 30-command script (bench/lib/script30.sh); then the peak RSS of ps -a at 1000 containers.
# Prints medians, berth/docker ratios against the targets of docs/startup.md, and node -e 0.
#
# docker: DOCKER_HOST if set; else a private dockerd (Debian's docker.io) under a temp dir, with
# no bridge and no iptables rules, stopped by its pid at the end; without docker.io the docker
# columns say "skipped". containerd for berth and ctr: CONTAINERD_ADDRESS, else berth's dev one.
# Env: RUNS (default 20), SKIP_1000=1 to leave out the 1000-container rows.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }
[ -x dist/berth-client ] || npm run -s build
ADDR=${CONTAINERD_ADDRESS:-}
if [ -z "$ADDR" ]; then
  eval "$(scripts/dev-env.sh)" >/dev/null
  ADDR=$BERTH_TEST_ADDRESS
fi
REGISTRY=${BERTH_TEST_REGISTRY:-127.0.0.1:5000}
IMG=${BERTH_BENCH_IMAGE:-$REGISTRY/lab/busybox:latest}
RUNS=${RUNS:-20}
NS=bench-compare-$$
WORK=$(mktemp -d /tmp/berth-compare.XXXXXX)
CTR="ctr --address $ADDR --namespace $NS"
BERTH="$ROOT/bin/berth --address $ADDR --namespace $NS"
export BERTH_TOML=$WORK/berth.toml
cat >"$BERTH_TOML" <<TOML
address = "$ADDR"
namespace = "$NS"
data_root = "$WORK/data"
cni_netconfpath = "$WORK/net.d"
TOML

DOCKER=""
DOCKERD_PID=""
if [ -n "${DOCKER_HOST:-}" ] && command -v docker >/dev/null; then
  DOCKER=docker
  echo "docker: the daemon at DOCKER_HOST=$DOCKER_HOST" >&2
elif command -v dockerd >/dev/null && command -v docker >/dev/null; then
  mkdir -p "$WORK/docker"
  cat >"$WORK/docker/daemon.json" <<JSON
{ "data-root": "$WORK/docker/root", "exec-root": "$WORK/docker/exec",
  "pidfile": "$WORK/docker/dockerd.pid", "hosts": ["unix://$WORK/docker/docker.sock"],
  "insecure-registries": ["$REGISTRY"], "storage-driver": "overlay2", "log-level": "warn",
  "bridge": "none", "iptables": false, "ip-masq": false }
JSON
  dockerd --config-file "$WORK/docker/daemon.json" >"$WORK/docker/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  export DOCKER_HOST=unix://$WORK/docker/docker.sock
  for _ in $(seq 1 150); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
  docker version >/dev/null 2>&1 || { cat "$WORK/docker/dockerd.log" >&2; exit 1; }
  DOCKER=docker
  echo "docker: a private dockerd ($(dockerd --version))" >&2
else
  echo "docker.io is not installed: the docker columns are skipped (apt-get install docker.io)" >&2
fi

cleanup() {
  set +e
  if [ -n "$DOCKER" ]; then
    docker ps -aq --filter label=berth-bench=1 | xargs -r docker rm -f >/dev/null 2>&1
    docker rm -f s30-a s30-b >/dev/null 2>&1
  fi
  $BERTH rm -f s30-a s30-b >/dev/null 2>&1
  $CTR tasks ls -q | xargs -r -n1 $CTR tasks kill -s 9 >/dev/null 2>&1
  sleep 0.5
  $CTR containers ls -q | xargs -r -n1 $CTR tasks rm -f >/dev/null 2>&1
  $CTR containers ls -q | xargs -r -n 200 $CTR containers rm >/dev/null 2>&1
  $CTR images ls -q | xargs -r $CTR images rm --sync >/dev/null 2>&1
  ctr --address "$ADDR" namespaces rm "$NS" >/dev/null 2>&1
  # The private agent's workers, by the pids in their idle markers.
  if [ -n "${AGENT_RUNTIME:-}" ] && [ -d "$AGENT_RUNTIME/berth" ]; then
    for m in "$AGENT_RUNTIME"/berth/*.idle-*; do
      [ -e "$m" ] && kill "${m##*.idle-}" 2>/dev/null
    done
  fi
  if [ -n "$DOCKERD_PID" ]; then
    kill "$DOCKERD_PID" 2>/dev/null
    wait "$DOCKERD_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

$BERTH pull -q "$IMG" >/dev/null
[ -n "$DOCKER" ] && docker pull -q "$IMG" >/dev/null
$BERTH create --network none --name bench-inspect "$IMG" true >/dev/null
[ -n "$DOCKER" ] && docker create --network none --label berth-bench=1 --name bench-inspect "$IMG" true >/dev/null
INSPECT_ID=$($CTR containers ls -q | head -1)

have=1
fill() {
  # Containers made the cheap way on each side (ctr; docker create in parallel), all stopped.
  local n=$1
  while [ "$have" -lt "$n" ]; do
    $CTR containers create --label "berth/name=bench-$have" "$IMG" "bench-$(printf '%05d' "$have")" true >/dev/null
    have=$((have + 1))
  done
  if [ -n "$DOCKER" ]; then
    local d
    d=$(docker ps -aq --filter label=berth-bench=1 | wc -l)
    seq "$d" $((n - 1)) | xargs -r -P 4 -I{} docker create --network none --label berth-bench=1 --name bench-{} "$IMG" true >/dev/null
  fi
}

RESULTS=$WORK/results
: >"$RESULTS"
# bench LABEL BERTH-ARGS DOCKER-ARGS [CTR-COMMAND]: one hyperfine run, berth beside docker and ctr.
bench() {
  local label=$1 b=$2 d=$3 c=${4:-} json=$WORK/h.json
  local args=(-n berth "$BERTH $b")
  [ -n "$DOCKER" ] && args+=(-n docker "docker $d")
  [ -n "$c" ] && args+=(-n ctr "$c")
  echo "== $label" >&2
  hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$json" "${args[@]}" >&2
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results;
    const m = Object.fromEntries(r.map((x) => [x.command, (x.median * 1000).toFixed(1)]));
    console.log([process.argv[2], m.berth, m.docker ?? "-", m.ctr ?? "-"].join("\t"));' "$json" "$label" >>"$RESULTS"
}

# node -e 0 beside docker version: the floor of any plain node process on this machine.
hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$WORK/n.json" 'node -e 0' >&2
NODE_MS=$(node -e 'console.log((JSON.parse(require("fs").readFileSync(process.argv[1])).results[0].median*1000).toFixed(1))' "$WORK/n.json")

fill 100
bench version "version" "version" "ctr --address $ADDR version"
bench "ps -a (100)" "ps -a" "ps -a" "$CTR containers ls"
bench images "images" "images" "$CTR images ls"
bench inspect "inspect bench-inspect" "inspect bench-inspect" "$CTR containers info $INSPECT_ID"
bench "run --rm --network none" "run --rm --network none $IMG true" "run --rm --network none $IMG true" \
  "$ROOT/bench/lib/ctr-run.sh $ADDR $NS $IMG"
# The script: berth and docker each through bench/lib/script30.sh (hyperfine runs it via sh).
SAVED_RUNS=$RUNS
RUNS=${SCRIPT_RUNS:-5}
args=(-n berth "$ROOT/bench/lib/script30.sh $ROOT/bin/berth $IMG")
[ -n "$DOCKER" ] && args+=(-n docker "$ROOT/bench/lib/script30.sh docker $IMG")
echo "== 30-command script" >&2
hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$WORK/h.json" "${args[@]}" >&2
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results;
  const m = Object.fromEntries(r.map((x) => [x.command, (x.median * 1000).toFixed(1)]));
  console.log(["30-command script", m.berth, m.docker ?? "-", "-"].join("\t"));' "$WORK/h.json" >>"$RESULTS"
RUNS=$SAVED_RUNS

RSS=""
if [ "${SKIP_1000:-0}" != 1 ]; then
  echo "== making 1000 containers on each side" >&2
  fill 1000
  bench "ps -a (1000)" "ps -a" "ps -a" "$CTR containers ls"
  rows=$($BERTH ps -a -q | wc -l)
  [ "$rows" -eq 1000 ] || { echo "berth ps -a listed $rows of 1000 containers" >&2; exit 1; }
  # Peak RSS of the process that does the work: a berth process (no agent), and docker's CLI.
  rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
  RSS="berth ps -a (1000) peak RSS: $(($(BERTH_NO_AGENT=1 rss $BERTH ps -a) / 1024)) MB as a process"
  RSS+=", thin client $(($(rss $BERTH ps -a) / 1024)) MB"
  # The agent's worker that does the work: a fresh agent of its own (a private runtime dir), its
  # peak (VmHWM, reported by BERTH_AGENT_TRACE) after one ps -a, then the highest over 20 more.
  AGENT_RUNTIME=$WORK/agent-runtime
  mkdir -m 700 "$AGENT_RUNTIME"
  worker_peak() {
    XDG_RUNTIME_DIR=$AGENT_RUNTIME BERTH_AGENT_TRACE=1 $BERTH ps -a 2>&1 >/dev/null |
      sed -n 's/^agent: worker [0-9]* ran the command in [0-9.]* ms; peak RSS \([0-9.]*\) MB$/\1/p'
  }
  fresh=$(worker_peak)
  most=$(for _ in $(seq 1 20); do worker_peak; done | sort -n | tail -1)
  RSS+=", agent worker ${fresh:-?} MB (fresh, one ps -a), ${most:-?} MB at most over 20 more"
  [ -n "$DOCKER" ] && RSS+="; docker ps -a: $(($(rss docker ps -a) / 1024)) MB"
fi

printf '\n| command | ctr | docker | berth | berth / docker | target |\n|---|---|---|---|---|---|\n'
while IFS=$'\t' read -r label b d c; do
  case $label in
    "run --rm --network none") target=0.8 ;;
    *) target=1.0 ;;
  esac
  if [ "$d" = - ]; then ratio=skipped; verdict=""; else
    ratio=$(node -e "console.log(($b / $d).toFixed(2) + '×')")
    verdict=$(node -e "console.log($b / $d <= $target ? '(met)' : '(missed)')")
  fi
  printf '| `%s` | %s | %s | %s ms | %s | ≤ %s× %s |\n' "$label" \
    "$([ "$c" = - ] && echo — || echo "$c ms")" "$([ "$d" = - ] && echo — || echo "$d ms")" "$b" "$ratio" "$target" "$verdict"
done <"$RESULTS"
echo
echo "node -e 0: $NODE_MS ms. berth: $($BERTH info 2>/dev/null | sed -n 's/^ Start-up: //p')"
[ -n "$RSS" ] && echo "$RSS (target ≤ 80 MB)"
exit 0
