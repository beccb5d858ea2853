#!/usr/bin/env python3
# sink.py - a UDP port that never answers, for tests/tiers/reg3.sh: writes
# every datagram it gets in full, followed by a line "----", then drops it.
#   python3 sink.py PORT
import socket, sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    data, addr = s.recvfrom(65535)
    sys.stdout.write(data.decode("latin-1").replace("\r\n", "\n"))
    sys.stdout.write("\n----\n")
    sys.stdout.flush()
