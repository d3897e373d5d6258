#!/usr/bin/env bash
# tally against its floor and its peers, in one run (issue 20). See BENCHMARKS.md, "Peers and
# one file".
#
#   bench/peers.sh [CORPUS_DIR]        (default: target/peers-corpus)
#
# 1. Builds tally, gen-corpus and parse-only (release); makes COUNT seed-shaped datasets with
#    planted errors (gen-corpus) and the edge cases of bench/peers/edge_cases.py.
# 2. Verifies, before any timing, that tally with bench/peers/pack (six rules of the built-in
#    pack), the Python peer and Spectral report the same findings on both (bench/peers/verify.py);
#    stops if not.
# 3. Times, each pair in alternating runs (bench/peers/compare.py; ratio = second / first):
#    - one file (the corpus's first, seed-sized): the parse-only floor against `tally check`
#      with the built-in pack (stored at build time), with the same pack parsed from rules/
#      (`--rules rules/final-accounts`, what every run cost before it was stored), and with the
#      six-rule pack (ROUNDS_ONE rounds);
#    - the corpus: the floor against tally with the built-in pack, on two cores and on one;
#    - the corpus: tally against the Python peer and against Spectral, all on the same six rules
#      with the same findings: wall (tally on two cores, each peer as it runs), CPU (user +
#      system) and one core each (tally --jobs 1; both pinned to one processor).
# 4. With valgrind: instructions of `tally check` on the one file (the stored built-in pack
#    decoded on the main thread while the file is read and checked on another), of the same
#    pack parsed from rules/ with --rules, and of the floor.
#
# Environment: COUNT=1000 datasets; ROUNDS=5 rounds for the corpus; ROUNDS_ONE=200 for one file
# (a run of one file takes a few milliseconds, of which the machine's noise is a large part);
# TALLY=path (default: the release build of this tree); SPECTRAL=0 to leave Spectral out.
# Needs: cargo, python3 with PyYAML built with libyaml (pip install pyyaml); optional: npx and
# `npm install --prefix bench/peers/spectral` for Spectral, taskset, valgrind.
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "$0")/.."
CORPUS=${1:-target/peers-corpus}
COUNT=${COUNT:-1000}
ROUNDS=${ROUNDS:-5}
ROUNDS_ONE=${ROUNDS_ONE:-200}
SPECTRAL_ON=${SPECTRAL:-1}

cargo build --release --quiet --bin tally --example gen-corpus --example parse-only
BIN=${CARGO_TARGET_DIR:-target}/release
TALLY=${TALLY:-$BIN/tally}
PARSE=$BIN/examples/parse-only
PACK=bench/peers/pack
DATA=$CORPUS/datasets
EDGE=$CORPUS/edge

if [[ $(find "$DATA" -name '*.yaml' 2>/dev/null | wc -l) -ne $COUNT ]]; then
    rm -rf "$CORPUS"
    "$BIN/examples/gen-corpus" --out "$CORPUS" --count "$COUNT"
fi
rm -rf "$EDGE"
python3 bench/peers/edge_cases.py "$EDGE" >/dev/null
ONE=$(find "$DATA" -name '*.yaml' | sort | sed -n 1p)

SPECTRAL_BIN=bench/peers/spectral/node_modules/.bin/spectral
if [[ $SPECTRAL_ON == 1 ]] && command -v npx >/dev/null && [[ ! -x $SPECTRAL_BIN ]]; then
    npm install --prefix bench/peers/spectral --no-audit --no-fund >/dev/null 2>&1 ||
        echo "(npm install of Spectral failed: Spectral left out)"
fi
SPECTRAL_ARGS=()
if [[ $SPECTRAL_ON == 1 && -x $SPECTRAL_BIN ]]; then
    # What `npx --prefix bench/peers/spectral spectral` runs, without npx's own start-up.
    SPECTRAL_ARGS=("$SPECTRAL_BIN" lint -q -r bench/peers/spectral/.spectral.yaml -f json --fail-severity error "$DATA/*.yaml")
fi
ONE_CORE=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
    ONE_CORE=(taskset -c 0)
fi

echo "== machine"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "nproc: $(nproc)"
echo "cpu: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory: $(free -m | awk '/^Mem:/ {print $2 " MB total, " $7 " MB available"}')"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
if git rev-parse --git-dir >/dev/null 2>&1; then
    commit="commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src rules grammar Cargo.toml Cargo.lock build.rs 2>/dev/null || echo ' + uncommitted changes')"
else
    commit="(not a git checkout)"
fi
echo "tally: $($TALLY --version), $commit"
echo "built-in pack: $($TALLY rules 2>/dev/null | grep -cE '^ *[A-Z]+-[A-Z]+-[0-9A-Z]+' || true) rules; peers' pack: $(cat $PACK/*.tally | grep -c '^rule ') rules"
echo "python: $(python3 --version 2>&1), PyYAML $(python3 -c 'import yaml; print(yaml.__version__)')"
if [[ ${#SPECTRAL_ARGS[@]} -gt 0 ]]; then
    echo "spectral: $($SPECTRAL_BIN --version), node $(node --version)"
fi
echo "corpus: $COUNT datasets in $DATA ($(find "$DATA" -name '*.yaml' -printf '%s\n' | awk '{s+=$1} END {print s}') bytes); one file: $ONE ($(stat -c %s "$ONE") bytes)"
echo

echo "== verification (bench/peers/verify.py): the same findings before timing"
NO_SPECTRAL=()
[[ ${#SPECTRAL_ARGS[@]} -gt 0 ]] || NO_SPECTRAL=(--no-spectral)
TALLY=$TALLY python3 bench/peers/verify.py "$DATA" "${NO_SPECTRAL[@]}" | grep -v '^note:' || { echo "verification failed: no timing" >&2; exit 1; }
TALLY=$TALLY python3 bench/peers/verify.py "$EDGE" "${NO_SPECTRAL[@]}" | grep -v '^note:' || { echo "verification failed: no timing" >&2; exit 1; }
echo

RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
cmp() { python3 bench/peers/compare.py "$@" | tee -a "$RESULTS" >/dev/null; }

echo "== timing (bench/peers/compare.py, alternating; ratio = second / first)"
cmp "$ROUNDS_ONE" one-file-floor-vs-builtin -- "$PARSE" "$ONE" -- "$TALLY" check "$ONE" --format json
cmp "$ROUNDS_ONE" one-file-floor-vs-parsed-pack -- "$PARSE" "$ONE" -- "$TALLY" check "$ONE" --format json --rules rules/final-accounts
cmp "$ROUNDS_ONE" one-file-floor-vs-six-rules -- "$PARSE" "$ONE" -- "$TALLY" check "$ONE" --format json --rules "$PACK"
cmp "$ROUNDS" batch-floor-vs-builtin -- "$PARSE" "$DATA" -- "$TALLY" check "$DATA" --format json
cmp "$ROUNDS" batch-floor-vs-builtin-one-core -- "${ONE_CORE[@]}" "$PARSE" --jobs 1 "$DATA" -- "${ONE_CORE[@]}" "$TALLY" check --jobs 1 "$DATA" --format json
cmp "$ROUNDS" tally-vs-python -- "$TALLY" check "$DATA" --rules "$PACK" --format json -- python3 bench/peers/python_check.py "$DATA"
cmp "$ROUNDS" tally-vs-python-one-core -- "${ONE_CORE[@]}" "$TALLY" check --jobs 1 "$DATA" --rules "$PACK" --format json -- "${ONE_CORE[@]}" python3 bench/peers/python_check.py "$DATA"
if [[ ${#SPECTRAL_ARGS[@]} -gt 0 ]]; then
    cmp "$ROUNDS" tally-vs-spectral -- "$TALLY" check "$DATA" --rules "$PACK" --format json -- "${SPECTRAL_ARGS[@]}"
    cmp "$ROUNDS" tally-vs-spectral-one-core -- "${ONE_CORE[@]}" "$TALLY" check --jobs 1 "$DATA" --rules "$PACK" --format json -- "${ONE_CORE[@]}" "${SPECTRAL_ARGS[@]}"
else
    echo "(Spectral left out: needs npx and bench/peers/spectral/node_modules)"
fi
awk '{
    printf "%-34s %3d rounds  wall %8.4f s %9.4f s  x %6.2f (%.2f-%.2f)   cpu %8.4f s %9.4f s  x %6.2f (%.2f-%.2f)\n",
        $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
}' "$RESULTS"
echo

echo "== results (median of the rounds' ratios, lowest-highest)"
awk '
function r(name, col) { return sprintf("%.2f (%.2f-%.2f)", v[name, col], v[name, col + 1], v[name, col + 2]) }
{ for (i = 2; i <= NF; i++) v[$1, i] = $i; seen[$1] = 1 }
END {
    printf "%-46s %-22s %-22s\n", "", "wall", "cpu"
    printf "%-46s %-22s %-22s  (target 1.5)\n", "one file / floor, built-in pack", r("one-file-floor-vs-builtin", 5), r("one-file-floor-vs-builtin", 10)
    printf "%-46s %-22s %-22s\n", "one file / floor, the same pack parsed (--rules)", r("one-file-floor-vs-parsed-pack", 5), r("one-file-floor-vs-parsed-pack", 10)
    printf "%-46s %-22s %-22s\n", "one file / floor, six-rule pack", r("one-file-floor-vs-six-rules", 5), r("one-file-floor-vs-six-rules", 10)
    printf "%-46s %-22s %-22s\n", "batch / floor, built-in pack, two cores", r("batch-floor-vs-builtin", 5), r("batch-floor-vs-builtin", 10)
    printf "%-46s %-22s %-22s\n", "batch / floor, built-in pack, one core", r("batch-floor-vs-builtin-one-core", 5), r("batch-floor-vs-builtin-one-core", 10)
    printf "%-46s %-22s %-22s\n", "Python / tally, six rules (tally two cores)", r("tally-vs-python", 5), r("tally-vs-python", 10)
    printf "%-46s %-22s\n", "Python / tally, six rules, one core each", r("tally-vs-python-one-core", 5)
    if (seen["tally-vs-spectral"]) {
        printf "%-46s %-22s %-22s\n", "Spectral / tally, six rules (tally two cores)", r("tally-vs-spectral", 5), r("tally-vs-spectral", 10)
        printf "%-46s %-22s\n", "Spectral / tally, six rules, one core each", r("tally-vs-spectral-one-core", 5)
    }
}' "$RESULTS"
echo

if command -v valgrind >/dev/null; then
    echo "== instructions, one file (valgrind --tool=callgrind)"
    CG=$(mktemp -d)
    valgrind --tool=callgrind --callgrind-out-file="$CG/tally.out" "$TALLY" check "$ONE" --format json >/dev/null 2>&1 || true
    valgrind --tool=callgrind --callgrind-out-file="$CG/floor.out" "$PARSE" "$ONE" >/dev/null 2>&1 || true
    valgrind --tool=callgrind --callgrind-out-file="$CG/six.out" "$TALLY" check "$ONE" --format json --rules "$PACK" >/dev/null 2>&1 || true
    total() { awk '/^(summary|totals):/ { print $2; exit }' "$1"; }
    incl() { callgrind_annotate --inclusive=yes "$1" 2>/dev/null | grep -F ":$2 [" | head -1 | awk '{gsub(",", "", $1); print $1}'; }
    valgrind --tool=callgrind --callgrind-out-file="$CG/parsed.out" "$TALLY" check "$ONE" --format json --rules rules/final-accounts >/dev/null 2>&1 || true
    t=$(total "$CG/tally.out"); f=$(total "$CG/floor.out"); s=$(total "$CG/six.out"); p=$(total "$CG/parsed.out")
    lp=$(incl "$CG/tally.out" 'tally::cli::load_pack'); de=$(incl "$CG/tally.out" 'tally::rules::prebuilt::decode')
    ld=$(incl "$CG/tally.out" 'tally::dataset::load::load_dataset'); cr=$(incl "$CG/tally.out" 'tally::run::check::check_read')
    pp=$(incl "$CG/parsed.out" 'tally::cli::load_pack')
    awk -v t="$t" -v f="$f" -v s="$s" -v p="$p" -v lp="${lp:-0}" -v de="${de:-0}" -v ld="${ld:-0}" -v cr="${cr:-0}" -v pp="${pp:-0}" 'BEGIN {
        m = 1e6
        printf "%-66s %8.1f M\n", "tally check, built-in pack: everything", t / m
        printf "%-66s %8.1f M\n", "  main thread: loading the pack (tally::cli::load_pack)", lp / m
        printf "%-66s %8.1f M\n", "    of which decoding the stored pack (rules::prebuilt::decode)", de / m
        printf "%-66s %8.1f M\n", "  first file'"'"'s thread, meanwhile: reading it (dataset::load_dataset)", ld / m
        printf "%-66s %8.1f M\n", "  ... then checking it (run::check::check_read, whole)", cr / m
        printf "%-66s %8.1f M\n", "tally check, the same pack parsed (--rules rules/final-accounts)", p / m
        printf "%-66s %8.1f M\n", "  of which loading the pack (tally::cli::load_pack)", pp / m
        printf "%-66s %8.1f M\n", "tally check, six-rule pack: everything", s / m
        printf "%-66s %8.1f M\n", "parse-only floor", f / m
        printf "%-66s %8.2f\n", "instructions x floor, built-in pack", t / f
        printf "%-66s %8.2f\n", "instructions x floor, the same pack parsed", p / f
    }'
    rm -rf "$CG"
else
    echo "(valgrind not installed: no instruction counts)"
fi
