#!/usr/bin/env bash
# Build the offline OCI image fixtures used by the integration tests.
#
# Usage: scripts/test-env/build-images.sh [--big] [--force] OUTDIR
#
#   OUTDIR/busybox   OCI layout, tag "latest": one layer (busybox-static + applet symlinks)
#   OUTDIR/multi     OCI layout, tag "latest": busybox layer + /hello.txt layer + /data/big (1 MiB)
#   OUTDIR/index     OCI layout, tag "latest": image index (linux/amd64 + linux/arm64/v8)
#   OUTDIR/nocmd     OCI layout, tag "latest": busybox layer, no Cmd and no Entrypoint
#   OUTDIR/big       (only with --big) OCI layout, tag "latest": 6 x 50 MiB incompressible layers
#   OUTDIR/busybox-oci.tar     oci-archive of busybox (ref name "latest")
#   OUTDIR/busybox-docker.tar  docker-archive of busybox (RepoTags: lab/busybox:latest)
#   OUTDIR/images.json         digests/sizes of everything above (see summary at the end)
#
# Everything is deterministic: fixed timestamps, fixed ownership, pseudo-random data from a
# seeded AES-CTR stream, so digests are identical between runs and machines (same busybox
# binary, same umoci). Re-running is a no-op while OUTDIR/.stamp matches; --force rebuilds.
# No network is used.
set -euo pipefail

CREATED='2024-01-02T03:04:05Z'
EPOCH=1704164645 # = $CREATED
BUSYBOX_BIN=${BUSYBOX_BIN:-/bin/busybox}
LABEL_KEY='org.berth.test'
PATH_ENV='PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

usage() {
  echo "usage: $0 [--big] [--force] OUTDIR" >&2
  exit 2
}

BIG=0
FORCE=0
OUTDIR=''
while [ $# -gt 0 ]; do
  case "$1" in
    --big) BIG=1 ;;
    --force) FORCE=1 ;;
    -h | --help) usage ;;
    -*) echo "unknown option: $1" >&2; usage ;;
    *) [ -z "$OUTDIR" ] || usage; OUTDIR=$1 ;;
  esac
  shift
done
[ -n "$OUTDIR" ] || usage

for tool in umoci skopeo tar gzip openssl node sha256sum flock; do
  command -v "$tool" >/dev/null || { echo "build-images: missing tool: $tool" >&2; exit 1; }
done
[ -x "$BUSYBOX_BIN" ] || { echo "build-images: $BUSYBOX_BIN not found (apt-get install busybox-static)" >&2; exit 1; }
"$BUSYBOX_BIN" true || { echo "build-images: $BUSYBOX_BIN does not run" >&2; exit 1; }

mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
SELF="${BASH_SOURCE[0]}"

# Serialise concurrent invocations on the same OUTDIR.
exec 9>"$OUTDIR/.lock"
flock 9

stamp_of() {
  {
    sha256sum <"$SELF"
    sha256sum <"$BUSYBOX_BIN"
    umoci --version
    skopeo --version
    echo "set=$1"
  } | sha256sum | cut -d' ' -f1
}

STAMP_STD=$(stamp_of std)
STAMP_BIG=$(stamp_of big)

std_ok() {
  [ "$FORCE" = 0 ] && [ "$(cat "$OUTDIR/.stamp" 2>/dev/null)" = "$STAMP_STD" ] &&
    for d in busybox multi index nocmd; do [ -f "$OUTDIR/$d/index.json" ] || return 1; done &&
    [ -f "$OUTDIR/busybox-oci.tar" ] && [ -f "$OUTDIR/busybox-docker.tar" ] && [ -f "$OUTDIR/images.json" ]
}
big_ok() {
  [ "$FORCE" = 0 ] && [ "$(cat "$OUTDIR/.stamp-big" 2>/dev/null)" = "$STAMP_BIG" ] && [ -f "$OUTDIR/big/index.json" ]
}

NEED_STD=1
NEED_BIG=0
std_ok && NEED_STD=0
[ "$BIG" = 1 ] && ! big_ok && NEED_BIG=1
if [ "$NEED_STD" = 0 ] && [ "$NEED_BIG" = 0 ]; then
  echo "build-images: $OUTDIR is up to date"
  exit 0
fi

WORK=$(mktemp -d "$OUTDIR/.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
umask 022

# Deterministic incompressible bytes: AES-256-CTR keystream seeded by $1, $2 bytes long.
prng() {
  (
    set +o pipefail # openssl dies of SIGPIPE once head has enough
    openssl enc -aes-256-ctr -nosalt -pass "pass:berth-$1" -pbkdf2 -iter 1 </dev/zero 2>/dev/null |
      head -c "$2"
  )
}

# mktar SRC_DIR OUT_TAR: reproducible uncompressed layer tar (paths without "./").
mktar() {
  local src=$1 out=$2
  (
    cd "$src"
    # shellcheck disable=SC2035
    LC_ALL=C tar --sort=name --mtime="@$EPOCH" --owner=0 --group=0 --numeric-owner \
      --format=gnu -cf "$out" $(LC_ALL=C ls -A)
  )
}

# add_layer LAYOUT:TAG TAR DESCRIPTION
add_layer() {
  umoci raw add-layer --image "$1" --history.created "$CREATED" \
    --history.created_by "$3" --history.author 'berth test fixtures' "$2"
}

# new_image LAYOUT TAG: empty image with fixed timestamps.
new_image() {
  [ -f "$1/index.json" ] || umoci init --layout "$1"
  umoci new --image "$1:$2"
  umoci config --image "$1:$2" --no-history --created "$CREATED" --os linux --architecture amd64
}

# --- layer sources -------------------------------------------------------------------------
make_busybox_layer() {
  local r="$WORK/rootfs-busybox"
  mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root"
  install -m 0755 "$BUSYBOX_BIN" "$r/bin/busybox"
  local applet
  for applet in $("$BUSYBOX_BIN" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$r/bin/$applet"
  done
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
    >"$r/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$r/etc/group"
  chmod 0644 "$r/etc/passwd" "$r/etc/group"
  chmod 0755 "$r/bin" "$r/etc"
  chmod 1777 "$r/tmp"
  chmod 0700 "$r/root"
  mktar "$r" "$WORK/busybox.tar"
}

make_small_layer() { # NAME PATH CONTENT
  local r="$WORK/rootfs-$1"
  mkdir -p "$r/$(dirname "$2")"
  printf '%s' "$3" >"$r/$2"
  chmod 0644 "$r/$2"
  mktar "$r" "$WORK/$1.tar"
}

make_random_layer() { # NAME PATH BYTES SEED
  local r="$WORK/rootfs-$1"
  mkdir -p "$r/$(dirname "$2")"
  prng "$4" "$3" >"$r/$2"
  chmod 0644 "$r/$2"
  mktar "$r" "$WORK/$1.tar"
}

# --- images --------------------------------------------------------------------------------
build_busybox() {
  local L="$WORK/out/busybox"
  new_image "$L" latest
  add_layer "$L:latest" "$WORK/busybox.tar" 'COPY busybox rootfs / # berth test fixture'
  umoci config --image "$L:latest" --no-history --created "$CREATED" \
    --config.env "$PATH_ENV" --config.cmd sh \
    --config.label "$LABEL_KEY=busybox" --config.label 'org.opencontainers.image.title=berth-busybox'
}

build_multi() {
  local L="$WORK/out/multi"
  new_image "$L" latest
  add_layer "$L:latest" "$WORK/busybox.tar" 'COPY busybox rootfs / # berth test fixture'
  add_layer "$L:latest" "$WORK/hello.tar" 'COPY hello.txt /hello.txt'
  add_layer "$L:latest" "$WORK/databig.tar" 'RUN head -c 1048576 /dev/urandom >/data/big'
  umoci config --image "$L:latest" --no-history --created "$CREATED" \
    --config.env "$PATH_ENV" --config.env 'MULTI_VAR=multi value' \
    --config.entrypoint /bin/sh --config.entrypoint -c \
    --config.cmd 'cat /hello.txt' \
    --config.workingdir /data \
    --config.exposedports 80/tcp \
    --config.volume /vol \
    --config.label "$LABEL_KEY=multi" --config.label 'org.berth.test.stopsignal=default'
}

build_nocmd() {
  local L="$WORK/out/nocmd"
  new_image "$L" latest
  add_layer "$L:latest" "$WORK/busybox.tar" 'COPY busybox rootfs / # berth test fixture'
  umoci config --image "$L:latest" --no-history --created "$CREATED" \
    --config.env "$PATH_ENV" --config.label "$LABEL_KEY=nocmd"
}

build_index() {
  local L="$WORK/out/index" arch
  for arch in amd64 arm64; do
    new_image "$L" "$arch"
    add_layer "$L:$arch" "$WORK/busybox.tar" 'COPY busybox rootfs / # berth test fixture'
    add_layer "$L:$arch" "$WORK/platform-$arch.tar" "RUN echo $arch >/platform.txt"
    umoci config --image "$L:$arch" --no-history --created "$CREATED" --architecture "$arch" \
      --config.env "$PATH_ENV" --config.cmd cat --config.cmd /platform.txt \
      --config.label "$LABEL_KEY=index-$arch"
  done
  umoci gc --layout "$L"
  # umoci cannot create image indexes: write one by hand and make it the only ref ("latest").
  node - "$L" <<'EOF'
const fs = require('node:fs');
const crypto = require('node:crypto');
const path = require('node:path');
const L = process.argv[2];
const top = JSON.parse(fs.readFileSync(path.join(L, 'index.json'), 'utf8'));
const byTag = {};
for (const m of top.manifests) byTag[m.annotations['org.opencontainers.image.ref.name']] = m;
const entry = (tag, platform) => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: byTag[tag].digest,
  size: byTag[tag].size,
  platform,
});
const index = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    entry('amd64', { architecture: 'amd64', os: 'linux' }),
    entry('arm64', { architecture: 'arm64', os: 'linux', variant: 'v8' }),
  ],
  annotations: { 'org.opencontainers.image.created': '2024-01-02T03:04:05Z' },
};
const buf = Buffer.from(JSON.stringify(index));
const hex = crypto.createHash('sha256').update(buf).digest('hex');
fs.writeFileSync(path.join(L, 'blobs', 'sha256', hex), buf);
top.manifests = [
  {
    mediaType: 'application/vnd.oci.image.index.v1+json',
    digest: `sha256:${hex}`,
    size: buf.length,
    annotations: { 'org.opencontainers.image.ref.name': 'latest' },
  },
];
fs.writeFileSync(path.join(L, 'index.json'), JSON.stringify(top));
EOF
}

build_big() {
  local L="$WORK/out/big" i
  new_image "$L" latest
  for i in 1 2 3 4 5 6; do
    make_random_layer "big$i" "big/layer$i.bin" $((50 * 1024 * 1024)) "big-$i"
    add_layer "$L:latest" "$WORK/big$i.tar" "RUN head -c 50m /dev/urandom >/big/layer$i.bin"
    rm -rf "$WORK/big$i.tar" "$WORK/rootfs-big$i"
  done
  umoci config --image "$L:latest" --no-history --created "$CREATED" \
    --config.env "$PATH_ENV" --config.cmd sh --config.label "$LABEL_KEY=big"
}

write_summary() {
  node - "$OUTDIR" <<'EOF'
const fs = require('node:fs');
const path = require('node:path');
const out = process.argv[2];
const blob = (L, d) => JSON.parse(fs.readFileSync(path.join(L, 'blobs', ...d.split(':')), 'utf8'));
const describe = (L, desc) => {
  const m = blob(L, desc.digest);
  if (m.mediaType === 'application/vnd.oci.image.index.v1+json' || m.manifests) {
    return {
      mediaType: desc.mediaType,
      digest: desc.digest,
      size: desc.size,
      manifests: m.manifests.map((d) => ({
        ...describe(L, d),
        platform: [d.platform.os, d.platform.architecture, d.platform.variant]
          .filter(Boolean)
          .join('/'),
      })),
    };
  }
  const cfg = blob(L, m.config.digest);
  return {
    mediaType: desc.mediaType,
    digest: desc.digest,
    size: desc.size,
    config: m.config.digest,
    created: cfg.created,
    platform: `${cfg.os}/${cfg.architecture}`,
    layers: m.layers.map((l) => ({ digest: l.digest, size: l.size })),
    diffIds: cfg.rootfs.diff_ids,
    totalLayerSize: m.layers.reduce((a, l) => a + l.size, 0),
  };
};
const images = {};
for (const name of ['busybox', 'multi', 'index', 'nocmd', 'big']) {
  const L = path.join(out, name);
  if (!fs.existsSync(path.join(L, 'index.json'))) continue;
  const top = JSON.parse(fs.readFileSync(path.join(L, 'index.json'), 'utf8'));
  for (const d of top.manifests) {
    const tag = d.annotations['org.opencontainers.image.ref.name'];
    images[name] = { layout: name, tag, ...describe(L, d) };
  }
}
const summary = {
  created: '2024-01-02T03:04:05Z',
  images,
  archives: {
    'busybox-oci.tar': {
      transport: 'oci-archive',
      ref: 'latest',
      containerdImageName: 'docker.io/lab/busybox:latest',
    },
    'busybox-docker.tar': { transport: 'docker-archive', repoTag: 'docker.io/lab/busybox:latest' },
  },
};
fs.writeFileSync(path.join(out, 'images.json'), JSON.stringify(summary, null, 2) + '\n');
EOF
}

# install_dir NAME: atomically (well, nearly) replace OUTDIR/NAME with the freshly built one.
install_dir() {
  rm -rf "$OUTDIR/$1.old"
  [ -e "$OUTDIR/$1" ] && mv "$OUTDIR/$1" "$OUTDIR/$1.old"
  mv "$WORK/out/$1" "$OUTDIR/$1"
  rm -rf "$OUTDIR/$1.old"
}

mkdir -p "$WORK/out"
START_NS=$(date +%s%N)

if [ "$NEED_STD" = 1 ]; then
  rm -f "$OUTDIR/.stamp"
  make_busybox_layer
  make_small_layer hello hello.txt $'hello from berth multi\n'
  make_random_layer databig data/big 1048576 multi-data-big
  make_small_layer platform-amd64 platform.txt $'amd64\n'
  make_small_layer platform-arm64 platform.txt $'arm64\n'
  build_busybox &
  p1=$!
  build_multi &
  p2=$!
  build_nocmd &
  p3=$!
  build_index &
  p4=$!
  for p in $p1 $p2 $p3 $p4; do wait "$p"; done
  for d in busybox multi nocmd; do umoci gc --layout "$WORK/out/$d"; done
  chmod -R a+rX "$WORK/out" # umoci writes blobs 0600
  # An oci-archive is just a tar of the layout; tar it ourselves so the file is reproducible
  # (skopeo stamps the current time on the entries).
  # index.json of the archive also carries io.containerd.image.name so that containerd-style
  # importers (ctr import, docker load) name the image without --base-name.
  cp -a "$WORK/out/busybox" "$WORK/ociarchive"
  node -e '
    const fs = require("node:fs");
    const f = process.argv[1];
    const idx = JSON.parse(fs.readFileSync(f, "utf8"));
    idx.manifests[0].annotations["io.containerd.image.name"] = "docker.io/lab/busybox:latest";
    fs.writeFileSync(f, JSON.stringify(idx));
  ' "$WORK/ociarchive/index.json"
  mktar "$WORK/ociarchive" "$WORK/out/busybox-oci.tar"
  skopeo inspect --raw "oci-archive:$WORK/out/busybox-oci.tar:latest" >/dev/null
  skopeo copy --quiet "oci:$WORK/out/busybox:latest" \
    "docker-archive:$WORK/out/busybox-docker.tar:lab/busybox:latest"
  for d in busybox multi nocmd index; do install_dir "$d"; done
  mv -f "$WORK/out/busybox-oci.tar" "$WORK/out/busybox-docker.tar" "$OUTDIR/"
fi

if [ "$NEED_BIG" = 1 ]; then
  rm -f "$OUTDIR/.stamp-big"
  build_big
  chmod -R a+rX "$WORK/out/big"
  install_dir big
fi

write_summary
[ "$NEED_STD" = 1 ] && echo "$STAMP_STD" >"$OUTDIR/.stamp"
[ "$NEED_BIG" = 1 ] && echo "$STAMP_BIG" >"$OUTDIR/.stamp-big"
ELAPSED_MS=$((($(date +%s%N) - START_NS) / 1000000))
echo "build-images: built in $((ELAPSED_MS / 1000)).$(printf '%03d' $((ELAPSED_MS % 1000)))s into $OUTDIR"
