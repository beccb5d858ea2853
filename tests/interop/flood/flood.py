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
      (the total is full).  Kept and refused are told apart by how long
      they lived (under FIRST_S / 2: refused).  Then every kept connection, the pinger
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


def is_closed(s, got=None):
    """True once the peer closed (EOF or reset); drains what is readable
    (appended to the list got, if given)."""
    try:
        while True:
            b = s.recv(4096)
            if not b:
                return True
            if got is not None:
                got.append(b)
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
    t_start = time.time()
    pinger = connect_from('127.0.0.9', port)
    opened = {pinger: (time.time(), '127.0.0.9')}
    closed_at = {}        # socket -> seconds it lived
    from_pinger = []      # what siptty sent the pinger: pongs

    def scan(timeout=0.0):
        live = [s for s in opened if s not in closed_at]
        if not live:
            return
        r, _, _ = select.select(live, [], [], timeout)
        for s in r:
            if is_closed(s, from_pinger if s is pinger else None):
                closed_at[s] = time.time() - opened[s][0]

    # A connection over a cap is closed at once: told apart from a kept one
    # by how long it lived, whatever the kernel's backlog does to the pace.
    for ip in ips:
        for _ in range(per_ip):
            s = connect_from(ip, port)
            opened[s] = (time.time(), ip)
            scan()
    t_opened = time.time() - t_start
    # Pings while the caps are judged: they must not count as messages.
    # A connection the listen backlog held back is accepted (or refused)
    # only when the client's ACK is sent again, a second or more later.
    next_ping = 0.0
    end = time.time() + min(2.0, first_s / 2)
    while time.time() < end:
        if time.time() >= next_ping:
            pinger.send(b'\r\n\r\n')
            next_ping = time.time() + 0.5
        scan(0.05)
    refused = [s for s in opened if s in closed_at and closed_at[s] < first_s / 2]
    kept = [s for s in opened if s is not pinger and s not in refused]
    per = {ip: sum(1 for s in kept if opened[s][1] == ip) for ip in ips}
    # The pinger was first: it is one of the total.
    want, room = 0, cap_total - 1
    for ip in ips:
        n = min(per_ip, cap_ip, room)
        want += n
        room -= n
    if pinger in refused or len(kept) != want or any(n > cap_ip for n in per.values()):
        ok = False
    udp_ms = options('udp', port)
    if udp_ms is None:
        ok = False
    # Only meaningful while every kept one is still there.
    full = all(s not in closed_at for s in kept)
    full_refused = tcp_refused(port) if full else None
    if full_refused is False:
        ok = False
    # Every kept connection and the pinger go after the first-message bound.
    deadline = time.time() + first_s + 4
    while time.time() < deadline and any(s not in closed_at for s in kept + [pinger]):
        if time.time() >= next_ping and pinger not in closed_at:
            try:
                pinger.send(b'\r\n\r\n')
            except OSError:
                pass
            next_ping = time.time() + 0.5
        scan(0.1)
    still = [s for s in kept + [pinger] if s not in closed_at]
    times = [closed_at[s] for s in kept + [pinger] if s in closed_at]
    if still or not times or min(times) < first_s - 0.5 or max(times) > first_s + 3:
        ok = False
    ping_s = closed_at.get(pinger)
    pongs = b''.join(from_pinger).count(b'\r\n')
    if ping_s is None or pongs < 2:
        ok = False
    tcp_ms = options('tcp', port)
    if tcp_ms is None:
        ok = False
    for s in opened:
        s.close()
    print('opened=%d in %.1f s, kept=%d (want %d; %s) refused=%d pongs=%d udp_ms=%s '
          'tcp_while_full=%s closed=%d/%d after %.1f-%.1f s (pinger %s s, still open %d) '
          'tcp_after_ms=%s' %
          (len(opened), t_opened, len(kept), want,
           ' '.join('%s:%d' % (ip, per[ip]) for ip in ips), len(refused), pongs,
           '%.1f' % udp_ms if udp_ms is not None else 'none',
           {True: 'refused', False: 'ANSWERED', None: 'not checked (a kept one was gone)'}[full_refused],
           len(times), len(kept) + 1, min(times) if times else -1, max(times) if times else -1,
           '%.1f' % ping_s if ping_s is not None else 'never', len(still),
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
