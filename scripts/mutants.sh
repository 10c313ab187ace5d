#!/usr/bin/env bash
# mutants.sh - how strong are the exercises' tests?
#
# cargo-mutants changes a solution in small ways (a `<` becomes `<=`, a
# function returns `Ok(Default::default())`, a `!` disappears) and runs the
# solution's tests against each change. A solution's tests ARE its exercise's
# test files, so a mutant that still passes them is a wrong answer a student
# could hand in and see graded as right.
#
#   scripts/mutants.sh                 ports, sockets and udp
#   scripts/mutants.sh ports udp       just those exercises
#   scripts/mutants.sh --list ports    the mutants, without running them
#
# Needs cargo-mutants (`cargo install cargo-mutants --locked`). Takes a long
# time (minutes per exercise): it is a tool for whoever writes the tests, not
# part of `cargo test`.
#
# Every mutant must be caught, or be listed in scripts/mutants-equivalent.txt
# with the reason it is equivalent (no test could tell it from the solution).
# The script prints caught/total per exercise and exits 1 if a mutant that is
# not listed there survived.
set -euo pipefail
cd "$(dirname "$0")/.."

equivalent=scripts/mutants-equivalent.txt
out_root=${MUTANTS_OUT:-target/mutants}
list_only=0
if [[ ${1:-} == --list ]]; then
    list_only=1
    shift
fi
exercises=("$@")
((${#exercises[@]})) || exercises=(ports sockets udp)

if ! command -v cargo-mutants >/dev/null; then
    echo "mutants.sh: cargo-mutants is not installed: cargo install cargo-mutants --locked" >&2
    exit 2
fi

# The graded test files of an exercise, from its solution's [[test]] entries
# that point into exercises/ (a solution's own extra tests, such as a real
# peer's, are not what a student is graded by).
graded_tests() {
    local package=$1
    cargo metadata --format-version 1 --no-deps |
        python3 -c '
import json, sys
package = sys.argv[1]
meta = json.load(sys.stdin)
for p in meta["packages"]:
    if p["name"] == package:
        for t in p["targets"]:
            if "test" in t["kind"] and "/exercises/" in t["src_path"]:
                print(t["name"])
' "$package"
}

# A literal string as a regular expression.
escape_re() { printf '%s' "$1" | sed 's/[][\.*^$(){}+?|]/\\&/g'; }

failed=0
summary=()
for exercise in "${exercises[@]}"; do
    package="$exercise-solution"
    test_args=()
    while read -r test; do test_args+=(--test "$test"); done < <(graded_tests "$package")
    if ((${#test_args[@]} == 0)); then
        echo "mutants.sh: $package has no graded tests (is '$exercise' an exercise?)" >&2
        exit 2
    fi
    # Equivalent mutants of this package, one regex each, escaped for -E.
    excludes=()
    listed=0
    if [[ -f $equivalent ]]; then
        while IFS= read -r line; do
            [[ $line =~ ^$package[[:space:]]+\|[[:space:]]+(.*)[[:space:]]+\|[[:space:]]+ ]] || continue
            name=${BASH_REMATCH[1]}
            # cargo-mutants matches against `file.rs:LINE:COL: mutant`; the
            # list names a mutant without its line and column, so that an
            # edit elsewhere in the file does not unlist it.
            file=$(escape_re "${name%%: *}")
            mutant=$(escape_re "${name#*: }")
            excludes+=(--exclude-re "^$file(:[0-9]+:[0-9]+)?: $mutant\$")
            listed=$((listed + 1))
        done <"$equivalent"
    fi
    if ((list_only)); then
        cargo mutants --package "$package" --list --line-col=false \
            --exclude "**/src/bin/**" "${excludes[@]}"
        continue
    fi
    out="$out_root/$exercise"
    mkdir -p "$out"
    echo "=== $exercise: mutating $package, graded by ${test_args[*]}"
    # cargo-mutants exits 2 when mutants survive, 3 on timeouts: we read
    # the outcome files instead.
    # Only the library is graded: a solution's binaries (a lab server) are
    # not what a student writes.
    cargo mutants --package "$package" --output "$out" --no-shuffle --line-col=false \
        --exclude "**/src/bin/**" \
        --timeout-multiplier 3 --minimum-test-timeout 30 \
        "${excludes[@]}" -- "${test_args[@]}" || true
    dir="$out/mutants.out"
    count() { if [[ -f $dir/$1 ]]; then grep -c . "$dir/$1" || true; else echo 0; fi; }
    caught=$(count caught.txt)
    missed=$(count missed.txt)
    timeout=$(count timeout.txt)
    unviable=$(count unviable.txt)
    viable=$((caught + missed + timeout))
    # A mutant that makes a test hang is caught too: the grader's time limit
    # fails it, as it would fail a student's endless loop.
    summary+=("$exercise: $((caught + timeout)) of $viable viable mutants caught ($timeout by a timeout), $unviable unviable, $listed listed as equivalent")
    if ((missed)); then
        failed=1
        echo "--- $exercise: mutants that survived the tests:"
        cat "$dir/missed.txt"
    fi
done

if ((!list_only)); then
    echo
    printf '%s\n' "${summary[@]}"
fi
exit $failed
