#!/usr/bin/env bash
# captures.sh - make the small packet captures the book reads with `tshark -r`
# (book/captures/*.pcapng), as root, on Linux.
#
#   sudo bash scripts/captures.sh          write every capture
#   sudo bash scripts/captures.sh udp-echo write one (udp-echo, icmp-unreachable,
#                                          tcp-session, tcp-reset, tftp-lost-ack)
#
# Each exchange runs inside a network namespace of its own (`ip netns`), on
# that namespace's loopback, while dumpcap records it. Nothing else on the
# machine talks there, so a capture holds exactly the exchange and nothing
# more, and fixed ports are safe. The servers are the workbook's own
# (udp-echo-server, tftpd); the clients are a few lines of Python, so that
# every byte sent is the one the book talks about.
#
# The captures are checked in: readers need only tshark to read them, and
# tests/captures.rs checks that each one holds what its page says.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=book/captures
NS=netlab-captures
ALL=(udp-echo icmp-unreachable tcp-session tcp-reset tftp-lost-ack)
wanted=("${@:-${ALL[@]}}")

if [[ $(id -u) -ne 0 ]]; then
    echo "captures.sh: capturing needs root (network namespaces and dumpcap)" >&2
    exit 1
fi
for tool in ip dumpcap tshark python3; do
    command -v "$tool" >/dev/null || {
        echo "captures.sh: $tool is missing (.ci/install-peers installs tshark)" >&2
        exit 1
    }
done

echo "captures.sh: building the workbook's servers"
cargo build -q -p udp-solution --bin udp-echo-server -p tftp-solution --bin tftpd
BIN=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug

work=$(mktemp -d)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
in_ns() { ip netns exec "$NS" "$@"; }

# Starts a program in the namespace in the background; its pid goes to `pids`.
start() {
    ip netns exec "$NS" "$@" &
    pids+=($!)
}

# record NAME FILTER COMMAND...: captures on the namespace's loopback while
# COMMAND runs, into $OUT/NAME.pcapng.
record() {
    local name=$1 filter=$2
    shift 2
    local file="$work/$name.pcapng" log="$work/$name.dumpcap"
    # Not through in_ns: $! must be dumpcap itself (ip netns exec execs it),
    # and a background subshell would ignore the signal that stops it.
    ip netns exec "$NS" dumpcap -q -i lo -f "$filter" -w "$file" 2>"$log" &
    local capture=$!
    # dumpcap says "Capturing on 'Loopback: lo'" once it is recording.
    for _ in $(seq 100); do
        grep -q "Capturing on" "$log" 2>/dev/null && break
        sleep 0.05
    done
    "$@"
    sleep 0.3 # the last packets reach the file
    kill -TERM "$capture"
    wait "$capture" || true
    mkdir -p "$OUT"
    mv "$file" "$OUT/$name.pcapng"
    chmod 644 "$OUT/$name.pcapng"
    echo "captures.sh: $OUT/$name.pcapng: $(tshark -r "$OUT/$name.pcapng" | wc -l) packets"
}

# Waits until something in the namespace listens on PORT (udp or tcp).
wait_for_port() {
    local proto=$1 port=$2
    for _ in $(seq 100); do
        in_ns ss -Hln"${proto:0:1}" "sport = :$port" | grep -q . && return 0
        sleep 0.05
    done
    echo "captures.sh: nothing listens on $proto port $port" >&2
    exit 1
}

# Three datagrams to the workbook's echo server and their echoes.
udp_echo() {
    start "$BIN/udp-echo-server" 127.0.0.1:7000
    wait_for_port udp 7000
    in_ns python3 - <<'EOF'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for message in (b"hello", b"ping", b"bye"):
    s.sendto(message, ("127.0.0.1", 7000))
    reply, sender = s.recvfrom(2048)
    assert reply == message and sender == ("127.0.0.1", 7000), (reply, sender)
EOF
}

# One datagram to a port where nothing listens: the ICMP answer.
icmp_unreachable() {
    in_ns python3 - <<'EOF'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect(("127.0.0.1", 9999))
s.send(b"anyone there?")
try:
    s.recv(2048)
    raise SystemExit("a reply from a port where nothing should listen")
except ConnectionRefusedError:
    pass
EOF
}

# A TCP connection from handshake to close: a line sent, echoed, the client
# half-closes, the server finishes and closes.
tcp_session() {
    in_ns python3 - <<'EOF'
import socket, threading
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 7001))
listener.listen()

def serve():
    conn, _ = listener.accept()
    while data := conn.recv(4096):
        conn.sendall(data)
    conn.close()

server = threading.Thread(target=serve)
server.start()
client = socket.create_connection(("127.0.0.1", 7001), timeout=2)
client.sendall(b"hello, stream\n")
echoed = b""
while len(echoed) < 14:
    echoed += client.recv(4096)
client.shutdown(socket.SHUT_WR)
assert client.recv(4096) == b""
client.close()
server.join()
EOF
}

# Two resets: a connection request to a closed port, and a server that
# closes a connection with data it never read.
tcp_reset() {
    in_ns python3 - <<'EOF'
import socket, time
try:
    socket.create_connection(("127.0.0.1", 7002), timeout=2)
    raise SystemExit("port 7002 should be closed")
except ConnectionRefusedError:
    pass

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 7003))
listener.listen()
client = socket.create_connection(("127.0.0.1", 7003), timeout=2)
conn, _ = listener.accept()
client.sendall(b"unread request\n")
time.sleep(0.1)
conn.close()  # closing with unread data sends RST, not FIN
time.sleep(0.1)
try:
    client.recv(4096)
except ConnectionResetError:
    pass
client.close()
EOF
}

# A download of three blocks from the workbook's tftpd, whose client loses
# its first ACK of block 2: the server hears nothing, waits, and sends
# DATA 2 again.
tftp_lost_ack() {
    mkdir -p "$work/root"
    python3 -c 'import sys; sys.stdout.write("".join(f"line {i:04}\n" for i in range(120)))' \
        >"$work/root/notes.bin" # 1200 bytes: blocks of 512, 512 and 176
    start "$BIN/tftpd" --root "$work/root" --bind 127.0.0.1:6969
    wait_for_port udp 6969
    in_ns python3 - <<'EOF'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(b"\x00\x01notes.bin\x00octet\x00", ("127.0.0.1", 6969))
received, lost_once, expected = b"", False, 1
while True:
    packet, server = s.recvfrom(600)
    opcode, block = struct.unpack("!HH", packet[:4])
    assert opcode == 3, packet
    if block != expected:
        s.sendto(struct.pack("!HH", 4, block), server)  # a duplicate: ACK it again
        continue
    if block == 2 and not lost_once:
        lost_once = True  # this ACK is "lost": it is never sent
        continue
    received += packet[4:]
    s.sendto(struct.pack("!HH", 4, block), server)
    expected += 1
    if len(packet) - 4 < 512:
        break
assert len(received) == 1200, len(received)
EOF
}

for name in "${wanted[@]}"; do
    case $name in
    udp-echo) record udp-echo "udp port 7000" udp_echo ;;
    icmp-unreachable) record icmp-unreachable "udp or icmp" icmp_unreachable ;;
    tcp-session) record tcp-session "tcp port 7001" tcp_session ;;
    tcp-reset) record tcp-reset "tcp" tcp_reset ;;
    tftp-lost-ack) record tftp-lost-ack "udp" tftp_lost_ack ;;
    *)
        echo "captures.sh: no capture called $name (they are: ${ALL[*]})" >&2
        exit 2
        ;;
    esac
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    pids=()
done
