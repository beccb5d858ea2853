#!/usr/bin/python3
"""flood.py - connection-flood client for the flood tier (tests/tiers/flood.sh).

usage:
  flood.py conns PORT IPS PER_IP FIRST_S CAP_TOTAL CAP_PER_IP
      Opens a TCP connection from 127.0.0.9 that only sends CRLFCRLF pings
      (every 0.5 s), then PER_IP idle TCP connections from each loopback
      address in IPS (comma-separated), none sending anything.  After 1 s it
      counts those siptty kept and those it closed at once, which must fit
      the caps (CAP_TOTAL in all, CAP_PER_IP from one address, everything
      kept when under them); an OPTIONS over UDP from a fresh socket must be
      answered meanwhile, one over a fresh TCP connection must be refused
      (the total is full).  Then every kept connection, the pinger
      included, must be closed by siptty within FIRST_S + 3 s of opening and
      not before FIRST_S - 0.5 s; after that an OPTIONS over a fresh TCP
      connection must be answered.  Prints one line of key=value results.
  flood.py quiet PORT IDLE_MIN IDLE_MAX
      One TCP connection sends an OPTIONS, gets its 200 and stays silent:
      siptty must close it between IDLE_MIN and IDLE_MAX s later.

Exit status: 0 when every check held, 1 otherwise.  Every wait is bounded.
"""
import os
import select
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'badin'))
import sipsend  # noqa: E402

HOST = '127.0.0.1'


def connect_from(ip, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((ip, 0))
    s.settimeout(3)
    s.connect((HOST, port))
    s.setblocking(False)
    return s


def is_closed(s):
    """True once the peer closed (EOF or reset); drains what is readable."""
    try:
        while True:
            b = s.recv(4096)
            if not b:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def options(tp, port, secs=2.0):
    try:
        p = sipsend.Peer(tp, port)
    except OSError:
        return None
    try:
        return sipsend.options_once(p, secs)
    except OSError:
        return None
    finally:
        p.s.close()


def tcp_refused(port):
    """A fresh TCP connection is closed by siptty before any answer."""
    try:
        s = socket.create_connection((HOST, port), timeout=3)
    except OSError:
        return True
    try:
        s.sendall(sipsend.options_msg('tcp', s.getsockname()[1], 'full'))
    except OSError:
        s.close()
        return True
    s.settimeout(2)
    try:
        b = s.recv(65536)
    except socket.timeout:
        b = b'timeout'
    except OSError:
        b = b''
    s.close()
    return b == b''


def cmd_conns(args):
    port, ips, per_ip, first_s = int(args[0]), args[1].split(','), int(args[2]), float(args[3])
    cap_total, cap_ip = int(args[4]), int(args[5])
    ok = True
    pinger = connect_from('127.0.0.9', port)
    t_ping = time.time()
    conns = []            # (socket, ip, opened_at)
    for ip in ips:
        for _ in range(per_ip):
            conns.append((connect_from(ip, port), ip, time.time()))
    # Pings while the caps are judged: they must not count as messages.
    pongs, next_ping = 0, 0.0
    end = time.time() + 1.0
    while time.time() < end:
        if time.time() >= next_ping:
            pinger.send(b'\r\n\r\n')
            next_ping = time.time() + 0.5
        time.sleep(0.05)
        try:
            pongs += pinger.recv(64).count(b'\r\n')
        except BlockingIOError:
            pass
    kept = [c for c in conns if not is_closed(c[0])]
    per = {ip: sum(1 for c in kept if c[1] == ip) for ip in ips}
    # The pinger was first: it is one of the total.
    want = 0
    room = cap_total - 1
    for ip in ips:
        n = min(per_ip, cap_ip, room)
        want += n
        room -= n
    if len(kept) != want or any(n > cap_ip for n in per.values()):
        ok = False
    udp_ms = options('udp', port)
    if udp_ms is None:
        ok = False
    full_refused = tcp_refused(port)
    if not full_refused:
        ok = False
    # Every kept connection and the pinger go after the first-message bound.
    live = {c[0]: c[2] for c in kept}
    live[pinger] = t_ping
    closed_at = {}
    deadline = time.time() + first_s + 4
    while live and time.time() < deadline:
        if time.time() >= next_ping and pinger in live:
            try:
                pinger.send(b'\r\n\r\n')
            except OSError:
                pass
            next_ping = time.time() + 0.5
        r, _, _ = select.select(list(live), [], [], 0.1)
        for s in r:
            if is_closed(s):
                closed_at[s] = time.time() - live.pop(s)
    lives = [time.time() - t for t in live.values()]
    times = list(closed_at.values())
    if live or not times or min(times) < first_s - 0.5 or max(times) > first_s + 3:
        ok = False
    ping_s = closed_at.get(pinger)
    if ping_s is None or pongs < 1:
        ok = False
    tcp_ms = options('tcp', port)
    if tcp_ms is None:
        ok = False
    for c in conns:
        c[0].close()
    pinger.close()
    print('opened=%d kept=%d (want %d; %s) pongs=%d udp_ms=%s tcp_while_full=%s '
          'closed=%d/%d after %.1f-%.1f s (pinger %s s, still open %d%s) tcp_after_ms=%s' %
          (len(conns) + 1, len(kept), want, ' '.join('%s:%d' % (ip, per[ip]) for ip in ips),
           pongs, '%.1f' % udp_ms if udp_ms is not None else 'none',
           'refused' if full_refused else 'ANSWERED', len(times), len(kept) + 1,
           min(times) if times else -1, max(times) if times else -1,
           '%.1f' % ping_s if ping_s is not None else 'never', len(live),
           ' for %.1f s' % max(lives) if lives else '',
           '%.1f' % tcp_ms if tcp_ms is not None else 'none'))
    return 0 if ok else 1


def cmd_quiet(args):
    port, lo, hi = int(args[0]), float(args[1]), float(args[2])
    p = sipsend.Peer('tcp', port)
    ms = sipsend.options_once(p, 2)
    t0 = time.time()
    p.s.setblocking(False)
    closed = None
    while time.time() - t0 < hi + 2:
        r, _, _ = select.select([p.s], [], [], 0.2)
        if r and is_closed(p.s):
            closed = time.time() - t0
            break
    p.s.close()
    print('options_ms=%s closed_after_s=%s' %
          ('%.1f' % ms if ms is not None else 'none',
           '%.1f' % closed if closed is not None else 'never'))
    return 0 if ms is not None and closed is not None and lo <= closed <= hi else 1


def main():
    cmds = {'conns': cmd_conns, 'quiet': cmd_quiet}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == '__main__':
    sys.exit(main())
