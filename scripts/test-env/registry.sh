#!/usr/bin/env bash
# Start/stop a throw-away distribution registry (docker-registry 2.8) on 127.0.0.1.
#
# Usage:
#   scripts/test-env/registry.sh start DIR PORT [--htpasswd USER:PASS]
#       [--token-realm URL --token-issuer ISSUER --token-service SERVICE --token-cert CERT.pem]
#   scripts/test-env/registry.sh stop DIR [PORT]
#   scripts/test-env/registry.sh status DIR [PORT]
#
# DIR holds everything: config.yml, storage/ (blobs, kept across restarts; rm -rf DIR to reset),
# htpasswd, registry.pid, registry.log. "start" on a DIR whose registry is still running restarts
# it with the new configuration. "start" returns once GET /v2/ answers (200, or 401 with auth);
# it prints the registry address (127.0.0.1:PORT) on stdout. The registry is detached (own session,
# stdio to registry.log), so callers such as execFileSync do not hang on it.
# --htpasswd and --token-* are mutually exclusive. Token mode needs all four --token-* options
# (see test/support/token-server.ts for a matching token service).
set -euo pipefail

REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}

usage() {
  sed -n '4,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 2 ] || usage
CMD=$1
DIR=$2
shift 2
PORT=''
if [ $# -gt 0 ] && [[ $1 != --* ]]; then
  PORT=$1
  shift
fi
HTPASSWD=''
T_REALM='' T_ISSUER='' T_SERVICE='' T_CERT=''
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "registry.sh: $1 needs a value" >&2; usage; }
  case "$1" in
    --htpasswd) HTPASSWD=$2 ;;
    --token-realm) T_REALM=$2 ;;
    --token-issuer) T_ISSUER=$2 ;;
    --token-service) T_SERVICE=$2 ;;
    --token-cert) T_CERT=$2 ;;
    *) echo "registry.sh: unknown option $1" >&2; usage ;;
  esac
  shift 2
done

PIDFILE="$DIR/registry.pid"
LOG="$DIR/registry.log"

# Prints the pid recorded in DIR if that process is alive and is a docker-registry.
running_pid() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$(basename "$REGISTRY_BIN")" || return 1
  # A zombie is as good as dead.
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  echo "$pid"
}

http_code() {
  curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$1/v2/" 2>/dev/null || true
}

do_stop() {
  local pid i
  if pid=$(running_pid); then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$PIDFILE"
}

case "$CMD" in
  stop)
    do_stop
    exit 0
    ;;
  status)
    if pid=$(running_pid); then
      echo "running pid=$pid"
      exit 0
    fi
    echo "stopped"
    exit 1
    ;;
  start) ;;
  *) usage ;;
esac

[[ $PORT =~ ^[0-9]+$ ]] || { echo "registry.sh: start needs a numeric PORT" >&2; usage; }
[ -x "$REGISTRY_BIN" ] || { echo "registry.sh: $REGISTRY_BIN not found (apt-get install docker-registry)" >&2; exit 1; }
command -v curl >/dev/null || { echo "registry.sh: curl is required" >&2; exit 1; }

TOKEN=0
if [ -n "$T_REALM$T_ISSUER$T_SERVICE$T_CERT" ]; then
  if [ -z "$T_REALM" ] || [ -z "$T_ISSUER" ] || [ -z "$T_SERVICE" ] || [ -z "$T_CERT" ]; then
    echo "registry.sh: token mode needs --token-realm, --token-issuer, --token-service and --token-cert" >&2
    exit 2
  fi
  [ -z "$HTPASSWD" ] || { echo "registry.sh: --htpasswd and --token-* are mutually exclusive" >&2; exit 2; }
  [ -r "$T_CERT" ] || { echo "registry.sh: cannot read token cert $T_CERT" >&2; exit 1; }
  TOKEN=1
fi

mkdir -p "$DIR/storage"
DIR=$(cd "$DIR" && pwd)
PIDFILE="$DIR/registry.pid"
LOG="$DIR/registry.log"

do_stop

code=$(http_code "$PORT")
if [ "$code" != 000 ]; then
  echo "registry.sh: something already answers on 127.0.0.1:$PORT (HTTP $code)" >&2
  exit 1
fi

yaml_str() { # JSON strings are valid YAML double-quoted scalars
  node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$1"
}

{
  cat <<EOF
version: 0.1
log:
  level: info
  formatter: text
  fields:
    service: berth-test-registry
storage:
  filesystem:
    rootdirectory: $(yaml_str "$DIR/storage")
  delete:
    enabled: true
  redirect:
    disable: true
  cache:
    blobdescriptor: inmemory
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$PORT
  secret: berth-test-registry-secret
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: false
EOF
  if [ -n "$HTPASSWD" ]; then
    command -v htpasswd >/dev/null || { echo "registry.sh: htpasswd missing (apt-get install apache2-utils)" >&2; exit 1; }
    user=${HTPASSWD%%:*}
    pass=${HTPASSWD#*:}
    [ "$user" != "$HTPASSWD" ] && [ -n "$user" ] || { echo "registry.sh: --htpasswd wants USER:PASS" >&2; exit 2; }
    htpasswd -Bbn "$user" "$pass" | sed '/^$/d' >"$DIR/htpasswd"
    cat <<EOF
auth:
  htpasswd:
    realm: berth-test-registry
    path: $(yaml_str "$DIR/htpasswd")
EOF
  elif [ "$TOKEN" = 1 ]; then
    cat <<EOF
auth:
  token:
    realm: $(yaml_str "$T_REALM")
    service: $(yaml_str "$T_SERVICE")
    issuer: $(yaml_str "$T_ISSUER")
    rootcertbundle: $(yaml_str "$(cd "$(dirname "$T_CERT")" && pwd)/$(basename "$T_CERT")")
EOF
  fi
} >"$DIR/config.yml"

: >"$LOG"
# Non-interactive bash does not make background jobs group leaders, so setsid execs in place
# and $! is the registry itself.
setsid "$REGISTRY_BIN" serve "$DIR/config.yml" </dev/null >>"$LOG" 2>&1 &
child=$!
echo "$child" >"$PIDFILE"

# Until the forked shell has exec'd the registry its cmdline is this script's, so start-up
# watches the pid itself: alive and not a zombie.
child_alive() {
  kill -0 "$child" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$child/stat" 2>/dev/null)" != Z ]
}

for _ in $(seq 1 100); do
  if ! child_alive; then
    echo "registry.sh: registry exited during start-up; log:" >&2
    tail -n 20 "$LOG" >&2
    rm -f "$PIDFILE"
    exit 1
  fi
  code=$(http_code "$PORT")
  case "$code" in
    200 | 401)
      echo "127.0.0.1:$PORT"
      exit 0
      ;;
  esac
  sleep 0.1
done
echo "registry.sh: registry did not answer on 127.0.0.1:$PORT within 10s; log:" >&2
tail -n 20 "$LOG" >&2
do_stop
exit 1
