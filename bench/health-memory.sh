#!/usr/bin/env bash
# Memory of the per-container process of detached containers (bin/berth-logger.js), which also
# runs health checks: N containers without and N with a health check probing every second, after
# a few probes; RSS, PSS and private memory per process from /proc/<pid>/smaps_rollup.
# Uses the environment of the integration tests (see scripts/dev-env.sh).
# Usage: bench/health-memory.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5}
# shellcheck source=bench/lib/namespace.sh
. bench/lib/namespace.sh healthmem
B="$PWD/bin/berth"
cleanup_containers() { $B rm -f $($B ps -aq) >/dev/null 2>&1 || true; }
trap 'cleanup_containers; bench_cleanup "$0"' EXIT
for i in $(seq "$N"); do
  $B run -d --network none --name plain$i "$IMG" sleep 1000 >/dev/null
  $B run -d --network none --name healthy$i --health-cmd 'true' --health-interval 1s "$IMG" sleep 1000 >/dev/null
done
sleep 8
report() {
  local kind=$1 rss=0 pss=0 priv=0 n=0
  for i in $(seq "$N"); do
    id=$($B inspect -f '{{.Id}}' "$kind$i")
    for p in $(pgrep -f berth-logger); do
      tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "CONTAINER_ID=$id" || continue
      read -r r s d < <(awk '/^Rss:/{r=$2} /^Pss:/{s=$2} /^Private_(Clean|Dirty):/{d+=$2} END{print r, s, d}' "/proc/$p/smaps_rollup")
      rss=$((rss + r)); pss=$((pss + s)); priv=$((priv + d)); n=$((n + 1))
    done
  done
  [ "$kind" = healthy ] && $B inspect -f '{{.State.Health.Status}}' "${kind}1" | grep -qx healthy || [ "$kind" = plain ] || echo "warning: $kind containers not healthy" >&2
  printf '| %s | %d | %d | %d | %d |\n' "$kind" "$n" $((rss / n / 1024)) $((pss / n / 1024)) $((priv / n / 1024))
}
echo "| containers | processes | RSS MB each | PSS MB each | private MB each |"
echo "|---|---|---|---|---|"
report plain
report healthy
