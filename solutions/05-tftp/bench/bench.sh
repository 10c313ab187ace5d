#!/usr/bin/env bash
# bench.sh - how fast the workbook's tftp/tftpd move a file on loopback,
# next to real TFTP implementations measured in the same run.
#
# usage: bash solutions/05-tftp/bench/bench.sh [-n RUNS] [-s SIZE] [-S RSS_SIZE]
#                                              [-t SECS] [-p PEERS] [-k] [-h]
#
#   -n RUNS   timed runs per cell; the median is shown (default 3)
#   -s SIZE   size of the timed file: 100M (default), 32M, 1G, 500K ...
#   -S SIZE   size of the file served while the server's peak memory is
#             measured (default 1G; 0 skips that part)
#   -t SECS   time limit per transfer (default 120); a slower one shows as
#             "timeout"
#   -p PEERS  peers to compare with, comma-separated (default "hpa,atftpd"):
#               hpa     tftpd-hpa (in.tftpd) serving, atftp as the client
#               atftpd  atftpd serving, atftp as the client
#             The peer servers need root (they chroot / switch user); without
#             root, or when not installed (.ci/install-peers), they are left
#             out with a note.
#   -k        keep the work directory (files and logs) for a look afterwards
#   -h        this help
#
# What it does: builds the release binaries (cargo build --release -p
# tftp-solution), makes a random file (on /dev/shm when there is one, so the
# disk stays out of the figures), then downloads and uploads it with
#   - ours:    target/release/tftp  ⇄  target/release/tftpd
#   - hpa:     atftp  ⇄  tftpd-hpa   (tftpd-hpa has no windowsize: its rows run
#              at the same blksize with window 1, marked "w1")
#   - atftpd:  atftp  ⇄  atftpd
# at blksize 512 (plain lock-step, no options), 512 × window 64, 1428 ×
# window 16 and 65464 × window 8. Every transfer is checked with sha256; a
# wrong file shows as FAIL. MB/s is 10^6 bytes per second of the client's
# wall time, median of RUNS. "ours / best peer" divides our figure by the
# best peer figure in the row. Last, it serves a RSS_SIZE file at 65464 ×
# window 8 (the peers at window 1, see below) and reports each server's
# peak resident memory (our VmHWM, and the peak of VmRSS summed over each
# server's process tree, sampled every 20 ms). Output: Markdown tables on
# stdout, progress on stderr.
#
# Servers listen on 127.0.0.1 on ports chosen by the OS; every process the
# script starts is stopped (by its PID) and every file removed on exit.
set -euo pipefail

RUNS=3 SIZE=100M RSS_SIZE=1G TMO=120 PEERS=hpa,atftpd KEEP=0
usage() { sed -n '2,/^set /{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while getopts "n:s:S:t:p:kh" o; do
    case $o in
        n) RUNS=$OPTARG ;; s) SIZE=$OPTARG ;; S) RSS_SIZE=$OPTARG ;; t) TMO=$OPTARG ;;
        p) PEERS=$OPTARG ;; k) KEEP=1 ;; h) usage 0 ;; *) usage 2 ;;
    esac
done

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

# ---- build -----------------------------------------------------------------
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
say "building the release binaries"
(cd "$REPO" && cargo build --release -q -p tftp-solution) || die "the build failed"
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
[[ $TARGET == /* ]] || TARGET="$REPO/$TARGET"
TFTP="$TARGET/release/tftp"
TFTPD="$TARGET/release/tftpd"
[[ -x $TFTP && -x $TFTPD ]] || die "no $TFTP / $TFTPD after the build"

# ---- work directory and cleanup --------------------------------------------
BASE=/tmp
[[ -d /dev/shm && -w /dev/shm ]] && BASE=/dev/shm
WORK=$(mktemp -d "$BASE/netlab-tftp-bench.XXXXXX")
ROOT="$WORK/root"   # what every server serves
SRC="$WORK/src"     # what uploads read
OUT="$WORK/out"     # where downloads land
LOGS="$WORK/logs"
mkdir -p "$ROOT" "$SRC" "$OUT" "$LOGS"
chmod 1777 "$WORK" "$ROOT"  # peer servers run as nobody / tftp

STARTED=()          # PIDs of the servers this script started and still runs
forget() { # PID: stopped, take it off the list
    local pid kept=()
    for pid in "${STARTED[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
    STARTED=("${kept[@]}")
}
descendants() {     # PID -> its descendants' PIDs
    local pid=$1 child
    for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
        echo "$child"
        descendants "$child"
    done
}
stop_pid() {
    local pid=$1 kids
    kids=$(descendants "$pid")
    kill "$pid" $kids 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" $kids 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    forget "$pid"
}
cleanup() {
    local pid
    for pid in "${STARTED[@]}"; do stop_pid "$pid"; done
    if ((KEEP)); then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

to_bytes() {
    local v=$1
    case $v in
        *K) echo $((${v%K} * 1024)) ;; *M) echo $((${v%M} * 1048576)) ;;
        *G) echo $((${v%G} * 1073741824)) ;; *) echo $((v)) ;;
    esac
}
sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# ---- servers ----------------------------------------------------------------
udp_bound() { # PORT -> 0 if something is bound to 127.0.0.1:PORT
    local hex
    hex=$(printf '%04X' "$1")
    grep -qE "^ *[0-9]+: (0100007F|00000000):$hex " /proc/net/udp
}

# Our server on a port from the OS: it prints "listening on 127.0.0.1:PORT".
start_ours() { # LOG -> sets PID, PORT
    local log=$1 line="" i
    "$TFTPD" --root "$ROOT" --bind 127.0.0.1:0 --allow-write --allow-create \
        --max-blksize 65464 --max-window 64 >"$log.out" 2>"$log" </dev/null &
    PID=$!
    STARTED+=("$PID")
    for i in $(seq 100); do
        line=$(head -1 "$log.out" 2>/dev/null || true)
        [[ $line == "listening on "* ]] && break
        kill -0 "$PID" 2>/dev/null || die "tftpd exited at start: $(cat "$log")"
        sleep 0.05
    done
    [[ $line == "listening on "* ]] || die "tftpd printed no address"
    PORT=${line##*:}
}

# A free port for a peer server: our server gets one from the OS, and lets
# it go again right before the peer binds it.
free_port() { # -> sets FREE_PORT
    start_ours "$LOGS/probe.log"
    stop_pid "$PID"
    FREE_PORT=$PORT
}

peer_command() { # NAME PORT -> CMD array
    local user=nobody group=nogroup
    case $1 in
        hpa)
            id -u tftp >/dev/null 2>&1 && user=tftp
            CMD=("$HPA_BIN" -L -a "127.0.0.1:$2" -s -c -u "$user" -B 65464 "$ROOT") ;;
        atftpd)
            getent group nogroup >/dev/null || group=nobody
            CMD=("$ATFTPD_BIN" --daemon --no-fork --port "$2" --bind-address 127.0.0.1
                 --user nobody --group "$group" --logfile - "$ROOT") ;;
    esac
}

start_peer() { # NAME -> sets PID, PORT (retries when the port was taken)
    local name=$1 attempt i
    for attempt in 1 2 3 4 5; do
        free_port
        PORT=$FREE_PORT
        peer_command "$name" "$PORT"
        "${CMD[@]}" >"$LOGS/$name.log" 2>&1 </dev/null &
        PID=$!
        STARTED+=("$PID")
        for i in $(seq 100); do
            udp_bound "$PORT" && return 0
            kill -0 "$PID" 2>/dev/null || break
            sleep 0.05
        done
        say "$name did not bind 127.0.0.1:$PORT (attempt $attempt): $(tail -3 "$LOGS/$name.log")"
        stop_pid "$PID"
    done
    die "$name would not start"
}

# ---- peers available? -------------------------------------------------------
HPA_BIN=$(command -v in.tftpd || ls /usr/sbin/in.tftpd 2>/dev/null || true)
ATFTPD_BIN=""
for c in /opt/netlab-peers/atftpd/usr/sbin/atftpd "$(command -v atftpd || true)"; do
    [[ -n $c && -x $c ]] && { ATFTPD_BIN=$c; break; }
done
ATFTP=$(command -v atftp || true)
NOTES=()
USE=()
IFS=, read -r -a WANTED <<<"$PEERS"
for p in "${WANTED[@]}"; do
    case $p in
        hpa) bin=$HPA_BIN ;; atftpd) bin=$ATFTPD_BIN ;; *) die "unknown peer '$p' (hpa, atftpd)" ;;
    esac
    if [[ -z $bin ]]; then NOTES+=("$p left out: not installed (bash .ci/install-peers)")
    elif [[ -z $ATFTP ]]; then NOTES+=("$p left out: the atftp client is not installed")
    elif [[ $(id -u) -ne 0 ]]; then NOTES+=("$p left out: its server needs root (chroot / setuid)")
    else USE+=("$p"); fi
done

# ---- the test files ------------------------------------------------------------
BYTES=$(to_bytes "$SIZE")
FILE="bench-$SIZE"
say "making a $SIZE random file in $WORK"
head -c "$BYTES" /dev/urandom >"$SRC/$FILE"
cp "$SRC/$FILE" "$ROOT/$FILE"
chmod 644 "$ROOT/$FILE" "$SRC/$FILE"
REF=$(sha_of "$SRC/$FILE")

# ---- one transfer -------------------------------------------------------------
# client_cmd CLIENT DIR PORT BLK WIN REMOTE LOCAL -> CMD array
# BLK "def" = no options at all (RFC 1350 lock-step).
client_cmd() {
    local client=$1 dir=$2 port=$3 blk=$4 win=$5 remote=$6 local_=$7
    case $client in
        ours)
            CMD=("$TFTP" "$dir" "127.0.0.1:$port")
            if [[ $dir == get ]]; then CMD+=("$remote" "$local_"); else CMD+=("$local_" "$remote"); fi
            if [[ $blk != def ]]; then CMD+=(--blksize "$blk"); fi
            if ((win > 1)); then CMD+=(--windowsize "$win"); fi
            ;;
        atftp)
            CMD=("$ATFTP")
            if [[ $blk != def ]]; then CMD+=(--option "blksize $blk"); fi
            if ((win > 1)); then CMD+=(--option "windowsize $win"); fi
            if [[ $dir == get ]]; then CMD+=(-g -r "$remote" -l "$local_")
            else CMD+=(-p -l "$local_" -r "$remote"); fi
            CMD+=(127.0.0.1 "$port")
            ;;
    esac
}

# timed CLIENT DIR PORT BLK WIN -> prints MB/s, or "FAIL" / "timeout"
timed() {
    local client=$1 dir=$2 port=$3 blk=$4 win=$5 remote local_ landed t0 t1 rc
    local RUN_ID=$BASHPID # timed runs in a subshell: its PID names its files
    if [[ $dir == get ]]; then
        remote=$FILE local_="$OUT/got.$RUN_ID" landed=$local_
    else
        remote="up.$RUN_ID" local_="$SRC/$FILE" landed="$ROOT/up.$RUN_ID"
    fi
    client_cmd "$client" "$dir" "$port" "$blk" "$win" "$remote" "$local_"
    t0=$EPOCHREALTIME
    rc=0
    timeout "$TMO" "${CMD[@]}" >"$LOGS/client.$RUN_ID.log" 2>&1 </dev/null || rc=$?
    t1=$EPOCHREALTIME
    if ((rc == 124)); then
        echo timeout
    elif [[ -f $landed && $(sha_of "$landed") == "$REF" ]]; then
        awk -v b="$BYTES" -v a="$t0" -v z="$t1" 'BEGIN { printf "%.1f\n", b / (z - a) / 1e6 }'
    else
        say "FAIL: ${CMD[*]} (exit $rc): $(head -c 300 "$LOGS/client.$RUN_ID.log")"
        echo FAIL
    fi
    rm -f "$landed"
}

# median of RUNS timed transfers; a FAIL or timeout in any run wins
cell() { # CLIENT DIR PORT BLK WIN
    local i r rates=()
    for ((i = 0; i < RUNS; i++)); do
        r=$(timed "$@")
        case $r in FAIL | timeout) echo "$r"; return ;; esac
        rates+=("$r")
    done
    printf '%s\n' "${rates[@]}" | sort -g |
        awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# ---- the runs -------------------------------------------------------------------
CONFIGS=("def 1" "512 64" "1428 16" "65464 8")
start_ours "$LOGS/ours.log"
OURS_PID=$PID OURS_PORT=$PORT
declare -A PEER_PORT PEER_PID
for p in "${USE[@]}"; do
    start_peer "$p"
    PEER_PORT[$p]=$PORT PEER_PID[$p]=$PID
done

declare -A RESULT
for dir in get put; do
    for config in "${CONFIGS[@]}"; do
        read -r blk win <<<"$config"
        say "$dir blksize $blk window $win: ours"
        RESULT[ours,$dir,$config]=$(cell ours "$dir" "$OURS_PORT" "$blk" "$win")
        for p in "${USE[@]}"; do
            pwin=$win
            [[ $p == hpa ]] && pwin=1
            say "$dir blksize $blk window $pwin: $p"
            RESULT[$p,$dir,$config]=$(cell atftp "$dir" "${PEER_PORT[$p]}" "$blk" "$pwin")
        done
    done
done

# ---- the table --------------------------------------------------------------------
label() { case $1 in hpa) echo "tftpd-hpa ⇄ atftp" ;; atftpd) echo "atftpd ⇄ atftp" ;; esac; }
is_number() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
echo "## TFTP on loopback: $SIZE file ($BYTES bytes), MB/s (10^6 B/s), median of $RUNS runs"
echo
header="| transfer | blksize × window | ours (tftp ⇄ tftpd) |"
rule="|---|---|---|"
for p in "${USE[@]}"; do header+=" $(label "$p") |"; rule+="---|"; done
echo "$header ours / best peer |"
echo "$rule---|"
for dir in get put; do
    for config in "${CONFIGS[@]}"; do
        read -r blk win <<<"$config"
        shown_blk=$blk
        [[ $blk == def ]] && shown_blk="512 (no options)"
        ours=${RESULT[ours,$dir,$config]}
        row="| $dir | $shown_blk × $win | $ours |"
        best=""
        for p in "${USE[@]}"; do
            v=${RESULT[$p,$dir,$config]}
            note=""
            [[ $p == hpa && $win -gt 1 ]] && note=" (w1)"
            row+=" $v$note |"
            if is_number "$v" && { [[ -z $best ]] || awk -v a="$v" -v b="$best" 'BEGIN { exit !(a > b) }'; }; then
                best=$v
            fi
        done
        ratio="–"
        if is_number "$ours" && [[ -n $best ]]; then
            ratio=$(awk -v a="$ours" -v b="$best" 'BEGIN { printf "%.2f×", a / b }')
        fi
        echo "$row $ratio |"
    done
done
echo
for n in "${NOTES[@]}"; do echo "- $n"; done
if [[ " ${USE[*]} " == *" hpa "* ]]; then
    echo "- tftpd-hpa has no windowsize option: its rows marked (w1) ran at the same blksize in lock-step."
fi
echo "- machine: $(nproc) CPUs, $(uname -sr); files on $BASE"
echo

# ---- peak memory while serving a big file --------------------------------------------
rss_tree_kb() { # PID -> VmRSS of PID and its descendants, summed, in KiB
    local pid total=0 kb
    for pid in "$1" $(descendants "$1"); do
        kb=$(awk '/^VmRSS:/ { print $2 }' /proc/"$pid"/status 2>/dev/null || true)
        total=$((total + ${kb:-0}))
    done
    echo "$total"
}

# serve_big NAME PID PORT -> "peak_kib elapsed_s verdict"
serve_big() {
    local name=$1 pid=$2 port=$3 big="bench-rss" peak=0 now cpid t0 t1 verdict=OK client=ours
    [[ $name != ours ]] && client=atftp
    # Peers in lock-step: tftpd-hpa has no window, and atftpd's windows of
    # 65464-byte blocks overflow the default socket buffer (see the table).
    client_cmd "$client" get "$port" 65464 "$([[ $name == ours ]] && echo 8 || echo 1)" "$big" "$OUT/big"
    t0=$EPOCHREALTIME
    timeout "$TMO" "${CMD[@]}" >"$LOGS/rss.$name.log" 2>&1 </dev/null &
    cpid=$!
    while kill -0 "$cpid" 2>/dev/null; do
        now=$(rss_tree_kb "$pid")
        ((now > peak)) && peak=$now
        sleep 0.02
    done
    wait "$cpid" || verdict="exit $?"
    [[ $verdict == "exit 124" ]] && verdict="timeout"
    t1=$EPOCHREALTIME
    if [[ $verdict == OK ]] && ! [[ -f $OUT/big && $(sha_of "$OUT/big") == "$BIG_REF" ]]; then
        verdict=FAIL
    fi
    rm -f "$OUT/big"
    echo "$peak $(awk -v a="$t0" -v z="$t1" 'BEGIN { printf "%.1f", z - a }') $verdict"
}

RSS_BYTES=$(to_bytes "$RSS_SIZE")
if ((RSS_BYTES > 0)); then
    say "making a $RSS_SIZE file for the memory figures"
    rm -f "$ROOT/$FILE" # make room on /dev/shm
    head -c "$RSS_BYTES" /dev/urandom >"$ROOT/bench-rss"
    chmod 644 "$ROOT/bench-rss"
    BIG_REF=$(sha_of "$ROOT/bench-rss")
    echo "## Server memory while serving a $RSS_SIZE file (blksize 65464)"
    echo
    echo "| server | window | peak RSS (MiB) | VmHWM (MiB) | transfer time (s) | sha256 |"
    echo "|---|---|---|---|---|---|"
    read -r peak secs verdict <<<"$(serve_big ours "$OURS_PID" "$OURS_PORT")"
    hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/"$OURS_PID"/status)
    printf '| ours (tftpd) | 8 | %.1f | %.1f | %s | %s |\n' \
        "$(awk -v k="$peak" 'BEGIN { print k / 1024 }')" "$(awk -v k="$hwm" 'BEGIN { print k / 1024 }')" "$secs" "$verdict"
    for p in "${USE[@]}"; do
        read -r peak secs verdict <<<"$(serve_big "$p" "${PEER_PID[$p]}" "${PEER_PORT[$p]}")"
        printf '| %s | 1 | %s | – | %s | %s |\n' "$(label "$p" | cut -d' ' -f1)" \
            "$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')" "$secs" "$verdict"
    done
    echo
    echo "- peak RSS: VmRSS of the server and its child processes, summed, sampled every 20 ms."
    echo "- VmHWM: the kernel's high-water mark for our server since it started (every run above included)."
fi
