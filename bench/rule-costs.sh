#!/usr/bin/env bash
# What each rule file of a pack costs per dataset, in instructions (valgrind's callgrind, so
# the figures do not depend on the machine's load). See BENCHMARKS.md, "Where the time goes".
#
#   bench/rule-costs.sh DATASETS_DIR [PACK_DIR]     (default pack: rules/final-accounts)
#
# Each rule file is run alone over COUNT datasets and over one; the difference, divided by
# COUNT-1, is the cost of a dataset without the one-off cost of starting and parsing the
# rules. A pack of one trivial rule gives what reading a dataset costs before any rule runs;
# each file's line is its cost beyond that. The whole pack is measured the same way, and the
# parse-only floor (examples/parse-only.rs) for comparison. A pack's `pack.toml` applies to
# the whole pack's line only.
#
# Environment: COUNT=200 datasets (the first, by name); TALLY=path (default: the release
# build of this tree). Needs valgrind (`apt-get install -y valgrind`).
set -euo pipefail
# A failure inside $(…) stops the script too (bash does not pass -e into command substitutions).
shopt -s inherit_errexit

cd "$(dirname "$0")/.."
DATASETS=${1:?usage: bench/rule-costs.sh DATASETS_DIR [PACK_DIR]}
PACK=${2:-rules/final-accounts}
COUNT=${COUNT:-200}
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install -y valgrind)" >&2; exit 2; }
cargo build --release --quiet --bin tally --example parse-only
TALLY=${TALLY:-target/release/tally}
PARSE=target/release/examples/parse-only

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/many" "$WORK/one"
# (sed, not head: head would stop reading early, which pipefail counts as a failure.)
find "$DATASETS" -name '*.yaml' | sort | sed -n "1,${COUNT}p" |
    while read -r f; do ln -s "$(realpath "$f")" "$WORK/many/"; done
count=$(find "$WORK/many" -name '*.yaml' | wc -l)
[[ $count -ge 2 ]] || { echo "need at least 2 datasets in $DATASETS" >&2; exit 2; }
first=$(find "$WORK/many" -name '*.yaml' | sort | sed -n 1p)
ln -s "$(realpath "$first")" "$WORK/one/"
echo 'rule T-001 error "x" { meta.year = 2020 }' >"$WORK/trivial.tally"

# instructions COMMAND...: callgrind's total for COMMAND, its output to nowhere. Exit code 1
# (findings) is a normal run; any other failure (say, a rule file that does not load alone)
# stops the script with tally's message.
instructions() {
    local rc=0
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$@" >/dev/null 2>"$WORK/cg.err" || rc=$?
    if [[ $rc -gt 1 ]]; then
        echo "failed (exit code $rc): $*" >&2
        grep -v '^==' "$WORK/cg.err" >&2 || true
        exit 2
    fi
    awk '/^(summary|totals):/ { print $2; exit }' "$WORK/cg.out"
}

# per_dataset COMMAND...: instructions a dataset for COMMAND followed by a folder, without
# the one-off costs.
per_dataset() {
    local many one
    many=$(instructions "$@" "$WORK/many")
    one=$(instructions "$@" "$WORK/one")
    echo $(((many - one) / (count - 1)))
}

# tally_cost RULES: per_dataset of checking with RULES, one file at a time, JSON out.
tally_cost() {
    per_dataset "$TALLY" check --jobs 1 --format json --rules "$1"
}

# row NAME RULES COST [BASE]: one line of the table, in millions of instructions.
row() {
    awk -v name="$1" -v n="$2" -v c="$3" -v b="${4:-}" 'BEGIN {
        printf "%-28s %6s %16.3f %14s\n", name, n, c / 1e6, b == "" ? "-" : sprintf("%.3f", (c - b) / 1e6)
    }'
}

floor=$(per_dataset "$PARSE" --jobs 1)
base=$(tally_cost "$WORK/trivial.tally")
printf '%d datasets from %s; pack %s\n\n' "$count" "$DATASETS" "$PACK"
printf '%-28s %6s %16s %14s\n' "rules" "count" "M instr/dataset" "beyond reading"
row "(parse-only floor)" - "$floor"
row "(one trivial rule)" 1 "$base"
# (Each cost is assigned before it is printed, so that a failed run stops the script.)
for file in "$PACK"/*.tally; do
    cost=$(tally_cost "$file")
    row "$(basename "$file")" "$(grep -c '^rule ' "$file" || true)" "$cost" "$base"
done
cost=$(tally_cost "$PACK")
row "(the whole pack)" "$(cat "$PACK"/*.tally | grep -c '^rule ' || true)" "$cost" "$base"
