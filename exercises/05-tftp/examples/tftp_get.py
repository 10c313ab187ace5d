#!/usr/bin/env python3
# The classic TFTP download client, in the style of the network tutorials
# that end on one: struct.pack for the packets, one socket, one loop.
# It works on a good day. The chapter reads it line by line, and then lists
# what goes wrong on a bad one.
#
# Run it: python3 exercises/05-tftp/examples/tftp_get.py 127.0.0.1 6969 hello.txt
# ANCHOR: all
import socket
import struct
import sys

# ANCHOR: request
server, port, filename = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(5)
rrq = struct.pack("!H", 1) + filename.encode() + b"\0" + b"octet\0"
sock.sendto(rrq, (server, port))
# ANCHOR_END: request

# ANCHOR: loop
expected = 1
with open(filename, "wb") as out:
    while True:
        packet, peer = sock.recvfrom(516)
        opcode, block = struct.unpack("!HH", packet[:4])
        if opcode == 5:
            sys.exit("server said: " + packet[4:-1].decode())
        if block == expected:
            out.write(packet[4:])
            expected += 1
        sock.sendto(struct.pack("!HH", 4, block), peer)
        if len(packet) < 516:
            break
# ANCHOR_END: loop
print("received", filename)
# ANCHOR_END: all
