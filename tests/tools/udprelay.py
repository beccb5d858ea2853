#!/usr/bin/python3
"""udprelay.py - a loopback UDP relay between two RTP endpoints that drops,
delays (jitter) and reorders packets, seeded, for a bounded time.

usage: udprelay.py --pair RA:RB:A:B [--pair ...] [--rtcp] [--loss PCT]
                   [--jitter MS] [--delay MS] [--keep-order] [--reorder PCT]
                   [--dir both|ab|ba] [--seed N] [--lifetime S] [--ready FILE]

Each --pair binds two ports on 127.0.0.1.  Endpoint A was told (by the SDP,
which something else rewrote: see tests/interop/media/lib.sh) that its peer
is at RA, endpoint B that its peer is at RB.  A packet that arrives at RA
(from A) leaves from RB to 127.0.0.1:B, and one that arrives at RB (from
B) leaves from RA to 127.0.0.1:A: each side sees its peer's packets come
from the address it sends to, as symmetric RTP expects.  A or B may be 0:
then the destination is learned from the first packet that side sends.
--rtcp adds the pair RA+1:RB+1:A+1:B+1 (RTP/RTCP on adjacent ports).

Impairments, applied to every packet in the chosen direction(s):
  --loss PCT     drop PCT % of packets at random
  --delay MS     fixed one-way delay (default: the jitter amplitude, so that
                 no delay is negative)
  --jitter MS    each packet delayed by delay + uniform(-MS, +MS); packets
                 may then overtake each other, unless --keep-order
  --reorder PCT  hold PCT % of packets back until the next one has left
The random draws come from --seed (default 1): the same run drops the same
packets.  The relay ends after --lifetime seconds (default 120) or on
SIGTERM/SIGINT, and prints one line per direction:
  udprelay: a->b in=N out=N dropped=N reordered=N held=N max_delay_ms=F
(reordered: packets sent after one that arrived later).  --ready FILE is
written once every port is bound.
"""
import argparse
import heapq
import random
import select
import signal
import socket
import sys
import time

MAX_PACKET = 65535


class Dir:
    """Counters of one direction (a->b or b->a)."""

    def __init__(self, name):
        self.name = name
        self.inp = self.out = self.dropped = self.reordered = self.held = 0
        self.max_delay = 0.0
        self.last_sent_seq = -1

    def line(self):
        return ('udprelay: %s in=%d out=%d dropped=%d reordered=%d held=%d '
                'max_delay_ms=%.1f' % (self.name, self.inp, self.out, self.dropped,
                                       self.reordered, self.held,
                                       self.max_delay * 1000.0))


def parse_pair(text):
    parts = text.split(':')
    if len(parts) != 4:
        raise argparse.ArgumentTypeError('--pair wants RA:RB:A:B')
    try:
        ports = [int(p) for p in parts]
    except ValueError:
        raise argparse.ArgumentTypeError('--pair wants four port numbers')
    for i, p in enumerate(ports):
        if not (0 <= p <= 65535) or (i < 2 and p == 0):
            raise argparse.ArgumentTypeError('--pair: bad port %d' % p)
    return ports


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--pair', type=parse_pair, action='append', required=True)
    ap.add_argument('--rtcp', action='store_true')
    ap.add_argument('--loss', type=float, default=0.0)
    ap.add_argument('--jitter', type=float, default=0.0)
    ap.add_argument('--delay', type=float, default=None)
    ap.add_argument('--keep-order', action='store_true')
    ap.add_argument('--reorder', type=float, default=0.0)
    ap.add_argument('--dir', choices=('both', 'ab', 'ba'), default='both')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--lifetime', type=float, default=120.0)
    ap.add_argument('--ready')
    o = ap.parse_args()
    if not (0 <= o.loss <= 100 and 0 <= o.reorder <= 100 and 0 <= o.jitter <= 5000
            and 0 < o.lifetime <= 3600):
        ap.error('--loss/--reorder in 0..100, --jitter in 0..5000, --lifetime in (0, 3600]')
    delay = (o.delay if o.delay is not None else o.jitter) / 1000.0
    jitter = o.jitter / 1000.0
    if delay < 0 or delay > 5:
        ap.error('--delay in 0..5000')

    pairs = list(o.pair)
    if o.rtcp:
        pairs += [[p + 1 if p else 0 for p in pr] for pr in o.pair]
    rng = random.Random(o.seed)
    dirs = {'ab': Dir('a->b'), 'ba': Dir('b->a')}

    # legs: socket -> (direction, the socket it leaves from, destination cell)
    legs = {}
    socks = []
    for ra, rb, a, b in pairs:
        sa = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sb = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sa.bind(('127.0.0.1', ra))
            sb.bind(('127.0.0.1', rb))
        except OSError as e:
            print('udprelay: cannot bind %d/%d: %s' % (ra, rb, e), file=sys.stderr)
            return 2
        sa.setblocking(False)
        sb.setblocking(False)
        dest_a = [('127.0.0.1', a) if a else None]
        dest_b = [('127.0.0.1', b) if b else None]
        # arriving at RA comes from A: learn A, forward to B from RB
        legs[sa] = ('ab', sb, dest_b, dest_a)
        legs[sb] = ('ba', sa, dest_a, dest_b)
        socks += [sa, sb]

    stop = [False]

    def on_signal(_sig, _frm):
        stop[0] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if o.ready:
        with open(o.ready, 'w') as f:
            f.write('ready\n')

    queue = []          # (due, seq, direction, out socket, dest cell, data)
    held = {}           # direction -> (seq, out socket, dest cell, data, t_in)
    seq = 0
    end = time.monotonic() + o.lifetime
    while not stop[0]:
        now = time.monotonic()
        if now >= end:
            break
        # short waits: a signal only sets a flag, and select() resumes
        timeout = min(end - now, 0.1)
        if queue:
            timeout = min(timeout, max(0.0, queue[0][0] - now))
        try:
            ready, _, _ = select.select(socks, [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for s in ready:
            try:
                data, src = s.recvfrom(MAX_PACKET)
            except (BlockingIOError, ConnectionRefusedError):
                continue
            dname, out, dest, learn = legs[s]
            if learn[0] is None:
                learn[0] = src
            d = dirs[dname]
            d.inp += 1
            seq += 1
            impaired = o.dir in ('both', dname)
            if impaired and o.loss > 0 and rng.random() * 100 < o.loss:
                d.dropped += 1
                continue
            due = now
            if impaired:
                due += delay + (rng.uniform(-jitter, jitter) if jitter > 0 else 0.0)
                if due < now:
                    due = now
                if o.keep_order and queue:
                    last = max((q[0] for q in queue if q[2] == dname), default=now)
                    due = max(due, last)
            pkt = (seq, out, dest, data, now)
            if impaired and o.reorder > 0:
                h = held.pop(dname, None)
                if h is None and rng.random() * 100 < o.reorder:
                    held[dname] = pkt
                    d.held += 1
                    continue
                heapq.heappush(queue, (due, seq, dname, out, dest, data, now))
                if h is not None:
                    # the held one leaves after this one
                    heapq.heappush(queue, (due + 1e-6, h[0], dname, h[1], h[2], h[3], h[4]))
                continue
            heapq.heappush(queue, (due, seq, dname, out, dest, data, now))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            due, qseq, dname, out, dest, data, t_in = heapq.heappop(queue)
            d = dirs[dname]
            if dest[0] is None:
                continue        # the far side has not shown itself yet
            try:
                out.sendto(data, dest[0])
            except OSError:
                continue
            d.out += 1
            if qseq < d.last_sent_seq:
                d.reordered += 1
            d.last_sent_seq = max(d.last_sent_seq, qseq)
            d.max_delay = max(d.max_delay, now - t_in)
    for d in dirs.values():
        print(d.line(), flush=True)
    for s in socks:
        s.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
