#!/usr/bin/env bash
# Start/stop a private containerd with the CRI plugin enabled, for tests that judge berth by what
# kubelet's runtime API (CRI) reports.
#
# Usage:
#   scripts/test-env/cri.sh start DIR REGISTRY IMAGES [--bridge NAME --subnet CIDR]
#   scripts/test-env/cri.sh stop DIR
#   scripts/test-env/cri.sh status DIR
#
# DIR holds everything: config.toml, root/, state/, run/containerd.sock, runc/ (runc's state, so
# no other containerd's k8s.io namespace is shared), certs.d/ (hosts.toml for REGISTRY: plain HTTP),
# net.d/ (one bridge network), pods/ (the tests' kubelet-like log directory), containerd.pid/.log.
# REGISTRY is the plain-HTTP test registry (host:port); IMAGES is build-images.sh's OUTDIR, whose
# busybox layout becomes the sandbox ("pause") image, pushed as REGISTRY/lab/pause:3.9.
# The stream server (exec/attach/port-forward URLs) listens on 127.0.0.1 only.
# --bridge/--subnet name the CNI bridge for non-host-network pods (default bcri0, 198.19.200.0/24).
# "start" returns once CRI answers; it prints the socket path on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."

CREATED='2024-01-02T03:04:05Z'
PAUSE_TAG=3.9

usage() {
  sed -n '5,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 2 ] || usage
CMD=$1
DIR=$2
shift 2
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
SOCK=$DIR/run/containerd.sock
PIDFILE=$DIR/containerd.pid

running_pid() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "containerd --config $DIR/config.toml" || return 1
  echo "$pid"
}

wait_gone() { # PID
  local i
  for i in $(seq 1 100); do
    kill -0 "$1" 2>/dev/null || return 0
    [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ] || return 0
    sleep 0.1
  done
  return 1
}

do_stop() {
  local pid f shim
  # Tasks first (by their shims' recorded pids), so nothing keeps mounts or cgroups.
  for f in "$DIR"/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
    [ -f "$f" ] || continue
    shim=$(cat "$f" 2>/dev/null) || continue
    if [[ $shim =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$shim/cmdline" 2>/dev/null | grep -q -- "-address $SOCK"; then
      kill -KILL "$shim" 2>/dev/null || true
    fi
  done
  if pid=$(running_pid); then
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  # Pause and container processes whose shim died are reparented; runc's state names them.
  for f in "$DIR"/runc/*/*/state.json; do
    [ -f "$f" ] || continue
    pid=$(node -e 'try{process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).init_process_pid||""))}catch{}' "$f")
    [[ $pid =~ ^[0-9]+$ ]] && kill -KILL "$pid" 2>/dev/null || true
  done
  grep -o " $DIR[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
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
    echo stopped
    exit 1
    ;;
  start) ;;
  *) usage ;;
esac

[ $# -ge 2 ] || usage
REGISTRY=$1
IMAGES=$2
shift 2
BRIDGE=bcri0
SUBNET=198.19.200.0/24
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || usage
  case "$1" in
    --bridge) BRIDGE=$2 ;;
    --subnet) SUBNET=$2 ;;
    *) usage ;;
  esac
  shift 2
done
[ -f "$IMAGES/busybox/index.json" ] || {
  echo "cri.sh: $IMAGES/busybox missing; run scripts/test-env/build-images.sh $IMAGES first" >&2
  exit 1
}
if pid=$(running_pid); then
  echo "$SOCK"
  exit 0
fi

# The sandbox image: busybox's layer, an entrypoint that sleeps until killed (CRI stops sandboxes
# with SIGKILL) and a label saying what it is. Built offline from the busybox fixture.
PAUSE_LAYOUT=$DIR/pause-layout
if [ ! -f "$PAUSE_LAYOUT/.done" ]; then
  rm -rf "$PAUSE_LAYOUT"
  cp -a "$IMAGES/busybox" "$PAUSE_LAYOUT"
  umoci config --image "$PAUSE_LAYOUT:latest" --tag "$PAUSE_TAG" --no-history --created "$CREATED" \
    --clear config.cmd --config.entrypoint /bin/sleep --config.entrypoint 2147483647 \
    --config.label 'org.berth.test=pause'
  touch "$PAUSE_LAYOUT/.done"
fi
PAUSE_IMAGE=$REGISTRY/lab/pause:$PAUSE_TAG
skopeo copy --quiet --retry-times 2 --dest-tls-verify=false --preserve-digests \
  "oci:$PAUSE_LAYOUT:$PAUSE_TAG" "docker://$PAUSE_IMAGE"

mkdir -p "$DIR/root" "$DIR/state" "$DIR/run" "$DIR/runc" "$DIR/opt" "$DIR/pods" "$DIR/net.d" \
  "$DIR/certs.d/$REGISTRY"
cat >"$DIR/certs.d/$REGISTRY/hosts.toml" <<EOF
server = "http://$REGISTRY"

[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve"]
EOF
cat >"$DIR/net.d/10-berth-cri.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "berth-cri",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "dataDir": "$DIR/cni-ipam",
        "ranges": [[{ "subnet": "$SUBNET" }]]
      }
    }
  ]
}
EOF
CNI_BIN=/usr/lib/cni
for d in /opt/cni/bin /usr/libexec/cni /usr/lib/cni; do
  [ -x "$d/bridge" ] && { CNI_BIN=$d; break; }
done

q() { node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$1"; }
cat >"$DIR/config.toml" <<EOF
version = 2
root = $(q "$DIR/root")
state = $(q "$DIR/state")

[grpc]
  address = $(q "$SOCK")

[ttrpc]
  address = $(q "$SOCK.ttrpc")

[plugins."io.containerd.internal.v1.opt"]
  path = $(q "$DIR/opt")

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = $(q "$PAUSE_IMAGE")
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  # Without CAP_SYS_RESOURCE (a test machine that is itself a container) a pause process cannot
  # lower its oom_score_adj below containerd's; CRI then clamps it as it does for rootless.
  restrict_oom_score_adj = true
  # Small, so that tests can make CRI split a line into partial (P) records cheaply.
  max_container_log_line_size = 1024
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = $(q "$DIR/runc")
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = $(q "$CNI_BIN")
    conf_dir = $(q "$DIR/net.d")
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = $(q "$DIR/certs.d")
EOF

rm -f "$SOCK" "$SOCK.ttrpc"
: >"$DIR/containerd.log"
setsid containerd --config "$DIR/config.toml" </dev/null >>"$DIR/containerd.log" 2>&1 &
echo $! >"$PIDFILE"

for _ in $(seq 1 150); do
  if ! running_pid >/dev/null; then
    echo "cri.sh: containerd exited during start-up; log:" >&2
    tail -n 20 "$DIR/containerd.log" >&2
    exit 1
  fi
  # CRI registers its services once its own initialisation is done, after the socket answers.
  if [ -S "$SOCK" ] && grep -q 'Start cri plugin\|Start event monitor' "$DIR/containerd.log" &&
    grep -q 'containerd successfully booted' "$DIR/containerd.log"; then
    echo "$SOCK"
    exit 0
  fi
  sleep 0.1
done
echo "cri.sh: CRI did not come up at $SOCK within 15s; log:" >&2
tail -n 20 "$DIR/containerd.log" >&2
do_stop
exit 1
