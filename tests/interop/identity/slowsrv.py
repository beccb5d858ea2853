#!/usr/bin/env python3
# slowsrv.py - an HTTPS certificate server that is too slow: it accepts,
# finishes the TLS handshake, reads the request and answers only after
# DELAY seconds (then sends the certificate).  Logs one line per
# connection ("accepted <unix time>") and flushes it, so a test can tell
# when a verifier started its fetch.
#
#   slowsrv.py PORT CERT KEY FILE [DELAY]
#
# Binds 127.0.0.1 only.  Each connection is handled in its own thread;
# the process is meant to be run under `timeout` and stopped by PID.
import socket
import ssl
import sys
import threading
import time


def serve(conn, body, delay):
    try:
        conn.settimeout(delay + 5)
        try:
            conn.recv(4096)
        except OSError:
            pass
        time.sleep(delay)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-pem-file\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    port, cert, key, path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    delay = float(sys.argv[5]) if len(sys.argv) > 5 else 30.0
    with open(path, "rb") as f:
        body = f.read()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(16)
    print("listening on 127.0.0.1:%d, answering after %.0f s" % (port, delay), flush=True)
    while True:
        raw, peer = lsock.accept()
        print("accepted %.3f from %s:%d" % (time.time(), peer[0], peer[1]), flush=True)
        try:
            raw.settimeout(5)
            conn = ctx.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError) as e:
            print("handshake failed: %s" % e, flush=True)
            raw.close()
            continue
        threading.Thread(target=serve, args=(conn, body, delay), daemon=True).start()


main()
