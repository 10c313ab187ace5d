#!/usr/bin/env bash
# How long `cargo lab grade` takes for a class: N synthetic submissions
# (default 30) of every exercise whose solution can stand in for a student's
# answer (see below), a third solved, a third
# untouched, a third half solved. Three runs, each timed:
#
#   cold     an empty grading folder: the dependencies and every
#            submission are built
#   warm     the dependencies are built; every submission's code is new
#            (a comment changes in each lib.rs), as for the next class
#   again    the same submissions once more: nothing to build, tests only
#
# It also checks the grades: every solved submission must get full marks
# and every untouched one none, or the figures mean nothing.
#
#   bash scripts/bench-grade.sh            # 30 submissions, --jobs = CPUs
#   N=10 JOBS=2 bash scripts/bench-grade.sh
#
# The target is under 5 minutes warm on a 2-core machine. This is a
# benchmark, not a test: it prints figures and fails only when the grades
# are wrong.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
n=${N:-30}
jobs=${JOBS:-$(nproc)}
work=$(mktemp -d "${TMPDIR:-/tmp}/netlab-bench-grade.XXXXXX")
trap 'rm -rf "$work"' EXIT
export NETLAB_GRADE_DIR="$work/grade"
class="$work/class"
mkdir -p "$class"

cargo build -q -p netlab --bin netlab

# The exercises that have step tests, and a solution shaped like a student's
# answer: the same source files as the stub, so that its src/ can stand in
# for a solved submission. A solution with more (chapter 4's reference
# servers' log module, chapter 5's whole TFTP library) needs dependencies the exercise
# does not have, so its src/ would not compile as a student's: those
# exercises are left out, and said so.
exercises=()
left_out=()
for dir in exercises/[0-9][0-9]-*/; do
    dir=${dir%/}
    name=${dir#exercises/}
    compgen -G "$dir/tests/*.rs" >/dev/null && [ -d "solutions/$name/src" ] || continue
    # A solution's lab binaries (src/bin) are not part of the answer.
    extra=$(cd "solutions/$name/src" && find . -type f -not -path './bin/*' | while read -r f; do
        [ -e "$root/$dir/src/$f" ] || echo "$f"
    done)
    if [ -z "$extra" ]; then
        exercises+=("$name")
    else
        left_out+=("$name")
    fi
done
echo "exercises: ${exercises[*]}; $n submissions; --jobs $jobs; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
if ((${#left_out[@]})); then
    echo "left out: ${left_out[*]} (their solutions are larger than a student's crate)"
fi

for i in $(seq -w 1 "$n"); do
    kind=$(( 10#$i % 3 ))
    case $kind in
        0) name="solved-$i" ;;
        1) name="untouched-$i" ;;
        2) name="half-$i" ;;
    esac
    for exercise in "${exercises[@]}"; do
        dest="$class/$name/exercises/$exercise"
        mkdir -p "$dest"
        case $kind in
            0) cp -r "solutions/$exercise/src" "$dest/src" && rm -rf "$dest/src/bin" ;;
            1) cp -r "exercises/$exercise/src" "$dest/src" ;;
            2)
                cp -r "exercises/$exercise/src" "$dest/src"
                # The solution of the first half of the steps.
                steps=("solutions/$exercise/src"/step*.rs)
                half=$(( ${#steps[@]} / 2 ))
                for step in "${steps[@]:0:$half}"; do cp "$step" "$dest/src/"; done
                ;;
        esac
    done
done

grade() { # label
    # Wall time, and the CPU time of the grader and everything it ran (on a
    # shared machine, CPU seconds / cores is what an idle machine would take).
    local TIMEFORMAT="%R %U %S" times
    times=$( { time cargo lab grade "$class" --jobs "$jobs" --out "$work/$1.csv" \
        --out "$work/$1.json" >/dev/null 2>"$work/$1.err"; } 2>&1 ) || {
        cat "$work/$1.err" >&2
        exit 1
    }
    awk -v label="$1" -v t="$times" 'BEGIN {
        split(t, a, " ");
        printf "%-6s %7.1f s wall %7.1f s CPU\n", label, a[1], a[2] + a[3] }'
}

check_grades() { # label
    python3 - "$work/$1.json" "${exercises[@]}" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
# The exercises the class handed in, as folders (`01-ports`); the others are
# graded "not submitted" and count for nothing here.
benched = set(sys.argv[2:])
wrong = []
for student in report["students"]:
    name = student["student"]
    graded = [e for e in student["exercises"]
              if any(e["exercise"] == b.split("-", 1)[1] or e["exercise"] == b for b in benched)]
    points = sum(e["points"] for e in graded)
    top = sum(e["max_points"] for e in graded)
    if name.startswith("solved") and points != top:
        lost = [f'{e["exercise"]} step {s["number"]} {s["outcome"]}'
                for e in graded for s in e["steps"] if s["points"] < s["max_points"]]
        wrong.append(f"{name}: {points}/{top} ({', '.join(lost)})")
    if name.startswith("untouched") and points != 0:
        wrong.append(f"{name}: {points}/{top}")
if wrong:
    print("wrong grades:\n  " + "\n  ".join(wrong))
    sys.exit(1)
EOF
}

echo "run    time"
echo "       (load: $(cut -d' ' -f1-3 /proc/loadavg))"
grade cold
check_grades cold
# New code in every submission: a comment at the end of each lib.rs.
find "$class" -path '*/src/lib.rs' -exec sh -c 'echo "// graded again" >> "$1"' _ {} \;
grade warm
check_grades warm
grade again
check_grades again
echo "grades: $(tail -n +2 "$work/again.csv" | awk -F, '{ printf "%s,%s ", $1, $NF }')"
