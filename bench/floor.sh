#!/usr/bin/env bash
# How close can any Node.js + grpc-js program get to `ctr run --rm IMG <id> true`?
# bench/floor/run-floor.mjs is the floor: plain Node, grpc-js and protobufjs, with everything
# that can be computed in advance (chain ID, OCI spec) handed to it, doing only the containerd
# calls a run needs. berth itself starts from a V8 start-up snapshot, which skips module loading,
# so the same floor also runs from one (bench/floor/snapshot.mjs): that row is the floor berth is
# to be held to. They are timed beside `node -e 0`, ctr and `berth run --rm --network none`,
# once with hyperfine and once round-robin; each table gives the medians against ctr and
# against berth's budget of 1.6 × ctr. The floors' own performance.now() marks then show where
# their time goes.
# Uses the environment of the integration tests (see scripts/dev-env.sh) and a built berth
# (npm run build: bin/berth and the descriptors in dist/proto).
# Usage: bench/floor.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
: "${BERTH_TEST_ADDRESS:?run through: eval \"\$(scripts/dev-env.sh)\"}"
[ -f dist/proto/tasks.json ] && [ -f dist/berth.blob ] || {
  echo "floor.sh: build berth first (npm run build)" >&2
  exit 1
}
SNAPSHOTTER=overlayfs
# shellcheck source=bench/lib/namespace.sh
. bench/lib/namespace.sh floor

# The floor's inputs, made once and outside the timing: the exact spec ctr gives its container
# (its cgroup path is the one per-run field; the floor rewrites it) and the image's chain ID,
# which is the parent of that container's snapshot.
probe=floor-probe-$$
$CTR run "$IMG" "$probe" true
$CTR containers info "$probe" | jq .Spec >"$DIR/spec.json"
CHAIN=$($CTR snapshots info "$probe" | jq -r .Parent)
$CTR containers rm "$probe"
FLOOR_ARGS="$BERTH_TEST_ADDRESS $NS $SNAPSHOTTER $CHAIN $DIR/spec.json"
FLOOR="node $PWD/bench/floor/run-floor.mjs $FLOOR_ARGS"

# The snapshot floor's blob, built here and not shipped: a blob loads only in the node binary
# that made it. bundle.mjs makes one CommonJS script of snapshot.mjs (what a snapshot is built
# from); building the blob runs its set-up (modules, descriptors, codecs) once.
node bench/floor/bundle.mjs "$DIR/floor-snapshot.cjs"
node --snapshot-blob "$DIR/floor.blob" --build-snapshot "$DIR/floor-snapshot.cjs"
# `--` as in bin/berth: all that follows is the main function's, not node's options.
FLOOR_SNAPSHOT="node --snapshot-blob $DIR/floor.blob -- $FLOOR_ARGS"

ROWS=('node -e 0' floor 'floor (no lease)' 'floor (snapshot)' ctr 'berth --network none')
MARKED=(1 3) # the rows whose marks are kept: both floors with a lease, as berth runs
row() {
  case $1 in
    0) node -e 0 ;;
    1) FLOOR_MARKS=1 $FLOOR ;; # the marks cost a few performance.now() calls
    2) FLOOR_LEASE=0 $FLOOR ;;
    3) FLOOR_MARKS=1 $FLOOR_SNAPSHOT ;;
    4) $CTR run --rm "$IMG" "floor-ctr-$RANDOM$RANDOM" true ;;
    5) "$PWD/bin/berth" run --rm --network none "$IMG" true ;;
  esac
}
export -f row
export FLOOR FLOOR_SNAPSHOT CTR IMG

# 1. hyperfine, as in the other benches. --shell=bash so that row() is there; hyperfine subtracts
# the shell's own start-up from every row.
cmds=()
for i in "${!ROWS[@]}"; do cmds+=(-n "${ROWS[$i]}" "row $i"); done
hyperfine --warmup 2 --runs "$RUNS" --shell=bash --export-json "$DIR/hyperfine.json" \
  "${cmds[@]}" >/dev/null

# 2. The same rows round-robin. hyperfine runs each command's batch in turn, so on a shared
# machine a burst of someone else's load lands on one row and skews every ratio; interleaving
# spreads it over all of them. Wall times run from just before the fork to the exit (no shell in
# between, so nothing to subtract), and the floors' runs also give their marks.
for ((n = 0; n < RUNS; n++)); do
  for i in "${!ROWS[@]}"; do
    t0=$EPOCHREALTIME
    row "$i" >/dev/null 2>"$DIR/err"
    t1=$EPOCHREALTIME
    us=$((${t1//[.,]/} - ${t0//[.,]/})) # EPOCHREALTIME: seconds, separator, 6 digits
    wall=$(printf '%d.%03d' $((us / 1000)) $((us % 1000)))
    echo "$i $wall" >>"$DIR/interleaved"
    case " ${MARKED[*]} " in
      *" $i "*) echo "$(grep '^floor-marks ' "$DIR/err") wall=$wall" >>"$DIR/marks-$i" ;;
    esac
  done
done

# Whatever the floor (or anything else here) failed to remove would show up in these listings.
leftover=$(
  $CTR containers ls -q
  $CTR tasks ls -q
  $CTR leases ls -q
  # The image's own layers are the committed snapshots; a container's is active.
  $CTR snapshots ls | awk 'NR > 1 && $NF != "Committed"'
)

node - "$DIR" "${MARKED[*]}" "${ROWS[@]}" <<'JS'
const fs = require('fs');
const [dir, marked, ...rows] = process.argv.slice(2);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const lines = (file) => fs.readFileSync(file, 'utf8').trim().split('\n');

/** One table of medians (ms) by row, then where floor and berth stand against 1.6 × ctr. */
function report(title, medians) {
  const ctr = medians.ctr;
  console.log(`${title}\n| command | median (ms) | × ctr |\n|---|---|---|`);
  for (const name of rows) {
    console.log(`| ${name} | ${medians[name].toFixed(0)} | ${(medians[name] / ctr).toFixed(2)} |`);
  }
  const budget = 1.6 * ctr;
  console.log(`\nbudget 1.6 × ctr = ${budget.toFixed(0)} ms`);
  for (const name of ['floor', 'floor (no lease)', 'floor (snapshot)', 'berth --network none']) {
    const m = medians[name];
    const where = m > budget ? 'ABOVE' : 'below';
    const by = Math.abs(m - budget).toFixed(0);
    console.log(`${name} / ctr = ${(m / ctr).toFixed(2)}: ${by} ms ${where} the budget`);
  }
  console.log();
  return medians;
}

const hf = JSON.parse(fs.readFileSync(`${dir}/hyperfine.json`, 'utf8')).results;
const hfMedians = report(
  `hyperfine (${hf[0].times.length} runs each)`,
  Object.fromEntries(hf.map((x) => [x.command, x.median * 1000])),
);
const il = lines(`${dir}/interleaved`).map((l) => l.split(' ').map(Number));
const ilMedians = report(
  `interleaved (${il.length / rows.length} rounds)`,
  Object.fromEntries(
    rows.map((name, i) => [name, median(il.filter((x) => x[0] === i).map((x) => x[1]))]),
  ),
);

// Median of every mark over a floor's interleaved runs, then the phases between them.
for (const i of marked.split(' ')) {
  const runs = lines(`${dir}/marks-${i}`).map((l) =>
    Object.fromEntries(l.split(' ').slice(1).map((kv) => kv.split('='))),
  );
  console.log(
    `${rows[i]} breakdown (median of ${runs.length} runs; ms since Node's time origin, then the` +
      ' phase since the previous mark; wall: fork to exit)\n' +
      '| mark | at (ms) | phase (ms) |\n|---|---|---|',
  );
  let prev = 0;
  for (const name of Object.keys(runs[0])) {
    const at = median(runs.map((x) => Number(x[name])));
    console.log(`| ${name} | ${at.toFixed(1)} | ${(at - prev).toFixed(1)} |`);
    prev = at;
  }
  console.log();
}

// The closing line: berth's budget against the snapshot floor, the least that a program started
// the way berth is can take. Interleaved first, as the more trustworthy of the two on a shared
// machine.
const against = (m) => {
  const budget = 1.6 * m.ctr;
  const at = m['floor (snapshot)'];
  const where = `${Math.abs(budget - at).toFixed(0)} ms ${at > budget ? 'ABOVE' : 'below'}`;
  const ratio = (at / m.ctr).toFixed(2);
  return `${budget.toFixed(0)} ms vs ${at.toFixed(0)} ms (${ratio} × ctr, ${where})`;
};
console.log(
  `budget 1.6 × ctr vs floor (snapshot): interleaved ${against(ilMedians)};` +
    ` hyperfine ${against(hfMedians)}`,
);
JS
if [ -n "$leftover" ]; then
  echo "floor.sh: left behind in $NS:" >&2
  echo "$leftover" >&2
  exit 1
fi
