#!/usr/bin/env bash
# How long `cargo lab grade` takes for a class: N synthetic submissions
# (default 30) of every exercise that has steps, a third solved, a third
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

# The exercises that have step tests, and their solutions.
exercises=()
for dir in exercises/[0-9][0-9]-*/; do
    dir=${dir%/}
    if compgen -G "$dir/tests/*.rs" >/dev/null && [ -d "solutions/${dir#exercises/}/src" ]; then
        exercises+=("${dir#exercises/}")
    fi
done
echo "exercises: ${exercises[*]}; $n submissions; --jobs $jobs; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"

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
            0) cp -r "solutions/$exercise/src" "$dest/src" ;;
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
    python3 - "$work/$1.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
wrong = []
for student in report["students"]:
    name, points, top = student["student"], student["points"], student["max_points"]
    if name.startswith("solved") and points != top:
        lost = [f'{e["exercise"]} step {s["number"]} {s["outcome"]}'
                for e in student["exercises"] for s in e["steps"] if s["points"] < s["max_points"]]
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
echo "grades: $(tail -n +2 "$work/again.csv" | cut -d, -f1,"$(( ${#exercises[@]} + 2 ))" | tr '\n' ' ')"
