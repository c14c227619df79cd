#!/usr/bin/env bash
# `berth build` against Docker's classic builder (DOCKER_BUILDKIT=0) on a 15-step multi-stage
# Dockerfile, cold (--no-cache, base image present) and fully cached, side by side in one
# hyperfine run each. Docker: the engine at $DOCKER_HOST if set, else a private dockerd started
# here (own data root, exec root, pid file and socket) and stopped again; skipped, saying so, when
# docker.io is not installed. Uses the environment of the integration tests (scripts/dev-env.sh).
# Usage: bench/build.sh [cold-runs] [cached-runs]
# BENCH_BUILD_NETWORK=none|host measures both tools with that RUN network (default: their bridge).
set -euo pipefail
cd "$(dirname "$0")/.."
COLD=${1:-5}
CACHED=${2:-10}
NET=${BENCH_BUILD_NETWORK:-default}
# shellcheck source=bench/lib/namespace.sh
. bench/lib/namespace.sh bench-build
BERTH="$PWD/bin/berth"
CTX=$DIR/ctx
mkdir -p "$CTX/sub"
echo hello >"$CTX/a.txt"
echo sub >"$CTX/sub/s.txt"
echo secret >"$CTX/secret.txt"
echo secret.txt >"$CTX/.dockerignore"
tar -C "$CTX" -cf "$CTX/files.tar" a.txt sub
cat >"$CTX/Dockerfile" <<DOCKERFILE
ARG BASE=$IMG
FROM \$BASE AS builder
ARG VER=1
ENV APP=/app V=\$VER
WORKDIR \$APP/src
COPY a.txt ./
COPY sub /app/sub/
RUN echo built-\$VER > out.txt && ls >/dev/null
FROM \$BASE
LABEL org.example.bench=build
COPY --from=builder --chown=1:2 /app/src/out.txt /out.txt
ADD files.tar /data/
EXPOSE 80/tcp
USER 1000
CMD ["sh", "-c", "cat /out.txt"]
DOCKERFILE

cleanup_build() {
  "$BERTH" rmi -f bench-build:berth >/dev/null 2>&1 || true
  "$BERTH" builder prune -f >/dev/null 2>&1 || true
  [ -n "${DOCKER_CMD:-}" ] && $DOCKER_CMD rmi -f bench-build:docker >/dev/null 2>&1 || true
  if [ -n "${DOCKERD_PID:-}" ]; then
    kill "$DOCKERD_PID" 2>/dev/null || true
    wait "$DOCKERD_PID" 2>/dev/null || true
    rm -rf "$DOCKER_DIR" 2>/dev/null || true
  fi
  bench_cleanup "$0"
}
trap cleanup_build EXIT

DOCKER_CMD=
if ! command -v docker >/dev/null 2>&1; then
  echo "docker is not installed (Debian package docker.io): measuring berth alone" >&2
elif [ -n "${DOCKER_HOST:-}" ]; then
  DOCKER_CMD="env DOCKER_BUILDKIT=0 docker"
else
  DOCKER_DIR=$(mktemp -d /tmp/berth-bench-dockerd.XXXXXX)
  cat >"$DOCKER_DIR/daemon.json" <<JSON
{ "data-root": "$DOCKER_DIR/root", "exec-root": "$DOCKER_DIR/exec", "pidfile": "$DOCKER_DIR/dockerd.pid",
  "hosts": ["unix://$DOCKER_DIR/docker.sock"], "insecure-registries": ["$BERTH_TEST_REGISTRY"],
  "storage-driver": "overlay2", "log-level": "warn", "bip": "198.19.254.1/24" }
JSON
  dockerd --config-file "$DOCKER_DIR/daemon.json" >"$DOCKER_DIR/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  export DOCKER_HOST=unix://$DOCKER_DIR/docker.sock
  for _ in $(seq 100); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
  DOCKER_CMD="env DOCKER_BUILDKIT=0 docker"
fi

"$BERTH" pull -q "$IMG" >/dev/null
cmds=(-n 'berth cold' "$BERTH build -q --no-cache --network $NET -t bench-build:berth $CTX")
cached=(-n 'berth cached' "$BERTH build -q --network $NET -t bench-build:berth $CTX")
if [ -n "$DOCKER_CMD" ]; then
  $DOCKER_CMD pull -q "$IMG" >/dev/null
  cmds+=(-n 'docker cold' "$DOCKER_CMD build -q --no-cache --network $NET -t bench-build:docker $CTX")
  cached+=(-n 'docker cached' "$DOCKER_CMD build -q --network $NET -t bench-build:docker $CTX")
fi
hyperfine -N --warmup 1 --runs "$COLD" --export-json "$DIR/cold.json" "${cmds[@]}" >/dev/null
hyperfine -N --warmup 2 --runs "$CACHED" --export-json "$DIR/cached.json" "${cached[@]}" >/dev/null
node -e '
const fs = require("fs");
const rows = [];
for (const [kind, file] of [["cold", process.argv[1]], ["fully cached", process.argv[2]]]) {
  const r = JSON.parse(fs.readFileSync(file, "utf8")).results;
  const b = r.find((x) => x.command.startsWith("berth")).median;
  const d = r.find((x) => x.command.startsWith("docker"))?.median;
  rows.push(`| ${kind} | ${b.toFixed(2)} s | ${d ? d.toFixed(2) + " s" : "—"} | ${d ? (b / d).toFixed(2) + "×" : "—"} |`);
}
console.log("| build (15 steps) | berth | docker classic | berth / docker |");
console.log("|---|---|---|---|");
for (const row of rows) console.log(row);' "$DIR/cold.json" "$DIR/cached.json"
