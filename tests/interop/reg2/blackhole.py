#!/usr/bin/env python3
# blackhole.py - a UDP port that never answers: prints the first line of
# each datagram with the milliseconds since start, then drops it.  Run
# under `timeout`; the tier counts the lines.
#   python3 blackhole.py PORT
import socket, sys, time

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
t0 = time.monotonic()
while True:
    data, addr = s.recvfrom(65535)
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    print("%d %s" % ((time.monotonic() - t0) * 1000, line), flush=True)
