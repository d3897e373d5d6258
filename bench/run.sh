#!/usr/bin/env bash
# The benchmark: tally's built-in pack over a seed-shaped corpus, against the YAML parser's
# own floor; then bench/peers.sh (one file against the floor; tally against a Python peer and
# Spectral on the same six rules, verified to find the same). See BENCHMARKS.md.
#
#   bench/run.sh [CORPUS_DIR]        (default: target/bench-corpus)
#
# Environment:
#   COUNT=10000        seed-sized datasets in the corpus
#   PEERS=1            0 to leave out bench/peers.sh (its own COUNT: PEERS_COUNT=1000)
#   RUNS=3             runs per measurement when hyperfine is installed
#   TALLY=path         the tally binary to measure (default: the release build of this tree)
#   JOIN_ROWS=20000    rows of each table in the larger table-matching dataset
#   ROUNDS=5           rounds of the alternating runs that give the ratios (bench/ratio.py)
#
# Needs: cargo, GNU time (/usr/bin/time), python3 (and PyYAML+libyaml for the peers),
# hyperfine (optional; `apt-get install -y hyperfine`), npx (optional, for Spectral). The machine may be shared: compare
# the ratios of one run, and prefer CPU time (user+sys) where other work competes for cores;
# the one-core ratio (tally and the floor both with `--jobs 1`, pinned to one processor with
# taskset where it exists) is the cleanest of all.
set -euo pipefail

cd "$(dirname "$0")/.."
CORPUS=${1:-target/bench-corpus}
COUNT=${COUNT:-10000}
PEERS=${PEERS:-1}
RUNS=${RUNS:-3}
JOIN_ROWS=${JOIN_ROWS:-20000}
ROUNDS=${ROUNDS:-5}

cargo build --release --quiet --bin tally --example gen-corpus --example parse-only
TALLY=${TALLY:-target/release/tally}
PARSE=target/release/examples/parse-only

if [[ ! -f "$CORPUS/large/consolidated.yaml" || $(find "$CORPUS/datasets" -name '*.yaml' 2>/dev/null | wc -l) -ne $COUNT ]]; then
    rm -rf "$CORPUS"
    target/release/examples/gen-corpus --out "$CORPUS" --count "$COUNT" --large
fi
HALF_ROWS=$((JOIN_ROWS / 2))
for rows in "$HALF_ROWS" "$JOIN_ROWS"; do
    [[ -f "$CORPUS/join/$rows.yaml" ]] ||
        target/release/examples/gen-corpus --out "$CORPUS" --count 0 --join "$rows" >/dev/null
done
# One core: `--jobs 1` checks one file at a time, but tally's main thread writes the reports
# meanwhile; pinned to one processor, both programs get one core and no more.
ONE_CORE=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
    ONE_CORE=(taskset -c 0)
fi
SMALL=$CORPUS/datasets
LARGE=$CORPUS/large/consolidated.yaml
small_bytes=$(find "$SMALL" -name '*.yaml' -printf '%s\n' | awk '{s+=$1} END {print s}')
large_bytes=$(stat -c %s "$LARGE")

echo "== machine"
lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core)' || true
free -m | sed -n 2p
uptime
echo "tally: $($TALLY --version), built-in pack"
echo

# measure NAME COMMAND...: median wall time over RUNS (hyperfine) or one run, plus one run
# under GNU time for CPU time and peak RSS. Appends "name wall cpu rss_kb" to $RESULTS.
RESULTS=$(mktemp)
measure() {
    local name=$1
    shift
    local wall cpu rss
    /usr/bin/time -f '%e %U %S %M' -o "$RESULTS.t" "$@" >/dev/null 2>&1 || true
    # GNU time prefixes "Command exited with non-zero status N" when tally reports findings.
    read -r wall user sys rss < <(tail -n 1 "$RESULTS.t")
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
    if command -v hyperfine >/dev/null && [[ $RUNS -gt 1 ]]; then
        hyperfine --runs "$RUNS" --ignore-failure --style none --export-json "$RESULTS.j" \
            "$(printf '%q ' "$@")" >/dev/null 2>&1
        wall=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % r["median"])' "$RESULTS.j")
        cpu=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (r["user"] + r["system"]))' "$RESULTS.j")
    fi
    printf '%-28s wall %7.2f s   cpu %7.2f s   peak RSS %8d KB\n' "$name" "$wall" "$cpu" "$rss"
    echo "$name $wall $cpu $rss" >>"$RESULTS"
}

echo "== $COUNT seed-sized datasets ($small_bytes bytes)"
measure parse-only-small "$PARSE" "$SMALL"
measure tally-json-small "$TALLY" check "$SMALL" --format json
measure tally-human-small "$TALLY" check "$SMALL" --color never --width 100
# One file at a time on one thread each: the cleanest CPU comparison on a shared machine.
if "$TALLY" check --help 2>/dev/null | grep -- '--jobs' >/dev/null; then
    measure parse-only-small-1 "${ONE_CORE[@]}" "$PARSE" --jobs 1 "$SMALL"
    measure tally-json-small-1 "${ONE_CORE[@]}" "$TALLY" check "$SMALL" --format json --jobs 1
else
    echo "(one core: skipped, $TALLY has no --jobs)"
fi
echo
echo "== one large dataset ($large_bytes bytes)"
measure parse-only-large "$PARSE" "$LARGE"
measure tally-json-large "$TALLY" check "$LARGE" --format json
echo
echo "== matching two tables row by row (FA-DUP-016), $HALF_ROWS and $JOIN_ROWS rows each"
measure tally-join-half "$TALLY" check "$CORPUS/join/$HALF_ROWS.yaml" --format json
measure tally-join "$TALLY" check "$CORPUS/join/$JOIN_ROWS.yaml" --format json
echo

# The ratios again, from runs that alternate: on a shared machine the load drifts between one
# measurement and the next, and alternating exposes both programs to the same drift.
echo "== ratios from $ROUNDS alternating rounds (bench/ratio.py): median, lowest, highest"
RATIOS=$(mktemp)
python3 bench/ratio.py "$ROUNDS" "x-floor-small-two-cores" -- "$PARSE" "$SMALL" -- "$TALLY" check "$SMALL" --format json >>"$RATIOS"
if "$TALLY" check --help 2>/dev/null | grep -- '--jobs' >/dev/null; then
    python3 bench/ratio.py "$ROUNDS" "x-floor-small-one-core" -- "${ONE_CORE[@]}" "$PARSE" --jobs 1 "$SMALL" -- "${ONE_CORE[@]}" "$TALLY" check "$SMALL" --format json --jobs 1 >>"$RATIOS"
fi
python3 bench/ratio.py "$ROUNDS" "x-floor-large" -- "$PARSE" "$LARGE" -- "$TALLY" check "$LARGE" --format json >>"$RATIOS"
awk '{ printf "%-28s %7.2f   (%.2f-%.2f)   medians %.2f s and %.2f s\n", $1, $4, $5, $6, $2, $3 }' "$RATIOS"
rm -f "$RATIOS"
echo

awk -v n="$COUNT" -v sb="$small_bytes" -v lb="$large_bytes" '
{ wall[$1] = $2; cpu[$1] = $3; rss[$1] = $4 }
END {
    mb = 1000000
    print "== results"
    printf "%-44s %10s %10s\n", "", "wall", "cpu"
    w = wall["tally-json-small"]; c = cpu["tally-json-small"]
    printf "%-44s %10.0f %10.0f   (target: 10000 in < 10 s wall)\n", "datasets/s, built-in pack, JSON", n / w, n / c
    printf "%-44s %10.1f %10.1f\n", "MB/s, built-in pack, JSON", sb / mb / w, sb / mb / c
    printf "%-44s %10.2f %10.2f   (target: <= 1.3)\n", "x parse-only floor, small", w / wall["parse-only-small"], c / cpu["parse-only-small"]
    if ("tally-json-small-1" in wall) {
        printf "%-44s %10.2f %10.2f   (--jobs 1 both, one processor)\n", "x parse-only floor, one core",
            wall["tally-json-small-1"] / wall["parse-only-small-1"], cpu["tally-json-small-1"] / cpu["parse-only-small-1"]
    }
    printf "%-44s %10.0f %10.0f\n", "datasets/s, human output", n / wall["tally-human-small"], n / cpu["tally-human-small"]
    w = wall["tally-json-large"]; c = cpu["tally-json-large"]
    printf "%-44s %10.1f %10.1f   (target: >= 10)\n", "MB/s, large dataset", lb / mb / w, lb / mb / c
    printf "%-44s %10.2f %10.2f   (target: <= 1.3)\n", "x parse-only floor, large", w / wall["parse-only-large"], c / cpu["parse-only-large"]
    printf "%-44s %10.2f              (target: < 6)\n", "peak RSS / file size, large", rss["tally-json-large"] * 1024 / lb
    printf "%-44s %10.2f %10.2f   (linear: about 2; quadratic: about 4)\n", "time x, twice the rows in a table match",
        wall["tally-join"] / wall["tally-join-half"], cpu["tally-join"] / cpu["tally-join-half"]
}' "$RESULTS"
rm -f "$RESULTS" "$RESULTS.t" "$RESULTS.j"

# One file against the floor, and the peers (Python, Spectral when npx is there) on the same
# rules with the same findings: bench/peers.sh, on a corpus of its own (1,000 files by default).
if [[ $PEERS == 1 ]]; then
    echo
    if python3 -c 'import yaml; yaml.CSafeLoader' 2>/dev/null; then
        COUNT=${PEERS_COUNT:-1000} ROUNDS=$ROUNDS bench/peers.sh "$CORPUS/peers"
    else
        echo "== peers skipped: needs PyYAML with libyaml (pip install pyyaml)"
    fi
fi
