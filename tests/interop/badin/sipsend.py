#!/usr/bin/python3
"""sipsend.py - bad-input client for the badinput tier: sends raw SIP messages
over UDP and TCP to a running siptty and checks what comes back.

usage:
  sipsend.py torture PORT udp|tcp DATADIR EXPECT UAEXPECT [FILE...]
      Sends each RFC 4475 message (DATADIR/*.dat, or the FILEs named) over
      UDP or over TCP, each on its own socket, and checks the first answer
      that is not a 100 against the expectation: rfc4475.expect (EXPECT:
      status= and reason= of the invalid entries; frame=ENODATA and
      frame=EBADMSG say what a stream does) overridden by UAEXPECT (what a UA
      answers to the valid ones).  A ringing INVITE is CANCELled and every
      final answer to an INVITE is ACKed, so nothing stays up.  Prints one
      line per FILE: "ok FILE TP GOT" or "FAIL FILE TP GOT: why".  The two
      transports need two siptty instances: the same message twice within
      Timer J would be a retransmission, rightly answered on the first flow.
  sipsend.py options PORT udp|tcp [SECONDS]
      One OPTIONS; prints "200 MS" and exits 0 when a 200 came in time.
  sipsend.py stall PORT IDLE_MAX
      Opens a TCP connection, sends half a message and stalls; meanwhile
      OPTIONS over UDP and over a second TCP connection must be answered
      within 1 s; then waits up to IDLE_MAX s for siptty to close the stalled
      connection.  Prints "udp_ms=.. tcp_ms=.. closed_after_s=..".
  sipsend.py burst PORT COUNT SECONDS SEED
      Sends COUNT garbage datagrams (random bytes, mangled SIP, header soup)
      paced over SECONDS, with an OPTIONS probe from another socket every
      0.25 s; prints "sent=N secs=S probes=P answered=A max_ms=M
      mono_start=MS mono_end=MS" (CLOCK_MONOTONIC, as siptty's mono_ms).
  sipsend.py invite PORT FROMUSER [SECONDS]
      Sends a valid INVITE (From sip:FROMUSER@127.0.0.1) over UDP and waits
      for its final answer (ACKed); prints the status, exits 0 on any final.

Exit status: 0 when every check held, 1 otherwise.  Every wait is bounded.
"""
import os
import random
import re
import socket
import sys
import time

HOST = '127.0.0.1'
WAIT = 1.0          # how long "no answer" is waited for
ANSWER_WAIT = 3.0   # how long an expected answer may take


# ---------------------------------------------------------------- parsing --

def split_head(b):
    """(start line, [(name, value)], body) of a raw message; CRLF or LF."""
    i = b.find(b'\r\n\r\n')
    if i < 0:
        i = b.find(b'\n\n')
        head, body = (b, b'') if i < 0 else (b[:i], b[i + 2:])
    else:
        head, body = b[:i], b[i + 4:]
    lines = re.split(rb'\r?\n', head)
    hdrs = []
    for ln in lines[1:]:
        if ln[:1] in (b' ', b'\t') and hdrs:
            hdrs[-1] = (hdrs[-1][0], hdrs[-1][1] + b' ' + ln.strip())
            continue
        n, _, v = ln.partition(b':')
        hdrs.append((n.strip().lower(), v.strip()))
    return lines[0], hdrs, body


COMPACT = {b'v': b'via', b'f': b'from', b't': b'to', b'i': b'call-id',
           b'l': b'content-length', b'm': b'contact'}


def hget(hdrs, name, all_=False):
    out = [v for n, v in hdrs if COMPACT.get(n, n) == name]
    return out if all_ else (out[0] if out else None)


def status_of(msg):
    m = re.match(rb'SIP/2\.0 (\d{3}) ?([^\r\n]*)', msg)
    return (int(m.group(1)), m.group(2).decode('utf-8', 'replace')) if m else (None, '')


class StreamReader:
    """Frames SIP messages out of a TCP byte stream by Content-Length."""

    def __init__(self, sock):
        self.sock, self.buf, self.eof = sock, b'', False

    def next(self, deadline):
        while True:
            while self.buf.startswith(b'\r\n'):
                self.buf = self.buf[2:]
            i = self.buf.find(b'\r\n\r\n')
            if i >= 0:
                m = re.search(rb'(?im)^(?:content-length|l)\s*:\s*(\d+)', self.buf[:i])
                n = int(m.group(1)) if m else 0
                if len(self.buf) >= i + 4 + n:
                    msg, self.buf = self.buf[:i + 4 + n], self.buf[i + 4 + n:]
                    return msg
            left = deadline - time.time()
            if self.eof or left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                d = self.sock.recv(65536)
            except socket.timeout:
                return None
            except OSError:
                d = b''
            if not d:
                self.eof = True
            self.buf += d


class Peer:
    """One socket to siptty: send raw bytes, read messages with a deadline."""

    def __init__(self, tp, port):
        self.tp, self.dst = tp, (HOST, port)
        if tp == 'udp':
            self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.s.bind((HOST, 0))
        else:
            self.s = socket.create_connection(self.dst, timeout=3)
            self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.rd = StreamReader(self.s)

    def send(self, b):
        if self.tp == 'udp':
            self.s.sendto(b, self.dst)
        else:
            self.s.sendall(b)

    def recv(self, deadline):
        if self.tp != 'udp':
            return self.rd.next(deadline)
        left = deadline - time.time()
        if left <= 0:
            return None
        self.s.settimeout(left)
        try:
            return self.s.recv(65536)
        except socket.timeout:
            return None

    def closed(self):
        return self.tp != 'udp' and self.rd.eof and not self.rd.buf

    def close(self):
        self.s.close()


# --------------------------------------------------------- CANCEL and ACK --

def derived(req, method, to=None):
    """A CANCEL or ACK for raw INVITE req (RFC 3261 9.1, 17.1.1.3)."""
    start, hdrs, _ = split_head(req)
    ruri = start.split()[1]
    vias = hget(hdrs, b'via', True)
    top = vias[0].split(b',')[0].strip() if vias else b''
    cseq = hget(hdrs, b'cseq') or b'1 INVITE'
    num = cseq.split()[0]
    lines = [b'%s %s SIP/2.0' % (method, ruri), b'Via: ' + top,
             b'From: ' + (hget(hdrs, b'from') or b''),
             b'To: ' + (to if to is not None else hget(hdrs, b'to') or b''),
             b'Call-ID: ' + (hget(hdrs, b'call-id') or b''),
             b'CSeq: %s %s' % (num, method), b'Max-Forwards: 70',
             b'Content-Length: 0']
    return b'\r\n'.join(lines) + b'\r\n\r\n'


def finish_invite(p, req, first, deadline):
    """After the first answer to an INVITE: CANCEL a ringing one, ACK the
    final answer.  Returns the final status (or None)."""
    msg = first
    st = status_of(msg)[0] if msg else None
    if st is not None and st < 200:
        p.send(derived(req, b'CANCEL'))
        while st is not None and st < 200 and time.time() < deadline:
            msg = p.recv(deadline)
            if msg is None:
                return None
            cst = status_of(msg)[0]
            _, h, _ = split_head(msg)
            if b'CANCEL' in (hget(h, b'cseq') or b''):
                continue
            st = cst
    if st is not None and st >= 200 and msg:
        _, h, _ = split_head(msg)
        if st >= 300:
            p.send(derived(req, b'ACK', hget(h, b'to')))
    return st


# ---------------------------------------------------------------- torture --

def read_expect(path):
    """{file: {key: value}} from rfc4475.expect (continuation lines joined)."""
    ents, cur = {}, None
    for ln in open(path, encoding='utf-8'):
        if not ln.strip() or ln.lstrip().startswith('#'):
            continue
        words = re.findall(r'(?:[^\s"]|"(?:\\.|[^"\\])*")+', ln)
        if ln[0] not in ' \t':
            cur = ents.setdefault(words[0], {'kind': words[1]})
            words = words[2:]
        for w in words:
            k, _, v = w.partition('=')
            if k in ('status', 'reason', 'frame', 'stage'):
                cur[k] = v[1:-1] if v.startswith('"') else v
    return ents


def want_for(name, exp, ua, tp):
    """(answers accepted, reason or None) for one file and transport.
    An answer is a status code, 'drop' (nothing within WAIT), 'close' (the
    stream closed, no answer) or 'hold' (stream kept open, no answer)."""
    e = exp.get(name, {})
    u = ua.get(name, {})
    u = u.get(tp) or u.get('any', '-')
    if u != '-':
        return u.split('|'), None
    if e.get('kind') != 'invalid':
        return None, None
    if tp == 'tcp' and e.get('frame') == 'ENODATA':
        return ['hold'], None
    if tp == 'tcp' and e.get('frame') == 'EBADMSG':
        return ['close'], None
    return [e.get('status', 'drop')], e.get('reason')


def read_ua(path):
    """UAEXPECT lines: FILE ANSWERS [udp=ANSWERS] [tcp=ANSWERS]; '-' for
    ANSWERS leaves the file to rfc4475.expect."""
    ua = {}
    for ln in open(path, encoding='utf-8'):
        ln = ln.split('#', 1)[0].split()
        if not ln:
            continue
        d = {'any': ln[1]}
        for w in ln[2:]:
            k, _, v = w.partition('=')
            d[k] = v
        ua[ln[0]] = d
    return ua


def headers_ok(msg, st):
    """The headers RFC 3261 asks for alongside some refusals."""
    _, h, _ = split_head(msg)
    need = {420: b'unsupported', 405: b'allow', 501: b'allow', 415: b'accept'}
    return st not in need or hget(h, need[st]) is not None


def one(tp, port, raw):
    """Sends raw once over tp; returns (answer word, reason, final)."""
    try:
        p = Peer(tp, port)
    except OSError as e:
        return 'connect-failed:%s' % e.errno, '', None
    try:
        p.send(raw)
        deadline = time.time() + ANSWER_WAIT
        quiet = time.time() + WAIT
        is_inv = raw.startswith(b'INVITE ')
        while True:
            msg = p.recv(min(deadline, quiet))
            if msg is None:
                if p.closed():
                    return 'close', '', None
                return ('drop' if tp == 'udp' else 'hold'), '', None
            st, reason = status_of(msg)
            if st is None:
                return 'request?', '', None
            if st == 100:
                continue
            if not headers_ok(msg, st):
                return '%d-without-required-header' % st, reason, None
            final = finish_invite(p, raw, msg, time.time() + 5) if is_inv else st
            return str(st), reason, final
    except OSError as e:
        return 'error:%s' % e.errno, '', None
    finally:
        p.close()


def alive(port):
    return cmd_options([str(port), 'udp', '2'], quiet=True) == 0


def cmd_torture(args):
    port, tp, data = int(args[0]), args[1], args[2]
    exp, ua = read_expect(args[3]), read_ua(args[4])
    files = args[5:] or sorted(f for f in os.listdir(data) if f.endswith('.dat'))
    bad = 0
    for f in files:
        raw = open(os.path.join(data, f), 'rb').read()
        want, reason = want_for(f, exp, ua, tp)
        if want and tp == 'tcp' and 'drop' in want:
            want = want + ['hold']      # no answer on a stream kept open
        ans, rsn, _ = one(tp, port, raw)
        why = []
        if want is None:
            why.append('no expectation for this file')
        elif ans not in want:
            why.append('want %s, got %s %s' % ('|'.join(want), ans, rsn))
        elif reason and ans.isdigit() and rsn != reason:
            why.append('want reason "%s", got "%s"' % (reason, rsn))
        if not alive(port):
            why.append('no 200 to an OPTIONS afterwards')
        if why:
            bad += 1
            print('FAIL %s %s %s: %s' % (f, tp, ans, '; '.join(why)), flush=True)
        else:
            print('ok %s %s %s' % (f, tp, ans), flush=True)
    return 1 if bad else 0


# ---------------------------------------------------------------- OPTIONS --

def options_msg(tp, lport, tag):
    br = 'z9hG4bK%08x' % random.getrandbits(32)
    return ('OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n'
            'Via: SIP/2.0/%s 127.0.0.1:%d;branch=%s;rport\r\n'
            'Max-Forwards: 70\r\n'
            'From: <sip:probe@127.0.0.1>;tag=%s\r\n'
            'To: <sip:alice@127.0.0.1>\r\n'
            'Call-ID: %s@badin\r\n'
            'CSeq: 1 OPTIONS\r\n'
            'Accept: application/sdp\r\n'
            'Content-Length: 0\r\n\r\n' % (tp.upper(), lport, br, tag, br)).encode()


def options_once(p, secs):
    t0 = time.time()
    p.send(options_msg(p.tp, p.s.getsockname()[1], 'p%d' % random.getrandbits(20)))
    deadline = t0 + secs
    while True:
        msg = p.recv(deadline)
        if msg is None:
            return None
        if status_of(msg)[0] == 200:
            return (time.time() - t0) * 1000


def cmd_options(args, quiet=False):
    port, tp = int(args[0]), args[1]
    secs = float(args[2]) if len(args) > 2 else 2
    try:
        p = Peer(tp, port)
        ms = options_once(p, secs)
        p.close()
    except OSError:
        ms = None
    if not quiet:
        print('200 %.1f' % ms if ms is not None else 'no 200 within %g s' % secs)
    return 0 if ms is not None else 1


# ------------------------------------------------------------------ stall --

def cmd_stall(args):
    port, idle_max = int(args[0]), float(args[1])
    half = options_msg('tcp', 5060, 'stall')
    half = half[:len(half) // 2]
    st = socket.create_connection((HOST, port), timeout=3)
    st.sendall(half)
    t0 = time.time()
    time.sleep(0.3)
    res, rc = {}, 0
    for tp in ('udp', 'tcp'):
        try:
            p = Peer(tp, port)
            ms = options_once(p, 1.0)
            p.close()
        except OSError:
            ms = None
        res[tp] = ms
        if ms is None:
            rc = 1
    # Then the stalled connection must be closed by siptty, within the bound.
    st.settimeout(max(0.1, idle_max - (time.time() - t0)))
    closed = None
    try:
        while True:
            d = st.recv(4096)
            if not d:
                closed = time.time() - t0
                break
    except socket.timeout:
        pass
    except OSError:
        closed = time.time() - t0
    st.close()
    if closed is None:
        rc = 1
    fmt = lambda v: 'none' if v is None else '%.1f' % v
    print('udp_ms=%s tcp_ms=%s closed_after_s=%s' % (fmt(res['udp']), fmt(res['tcp']), fmt(closed)))
    return rc


# ------------------------------------------------------------------ burst --

TEMPLATES = [
    b'OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx\r\n'
    b'Max-Forwards: 70\r\nFrom: <sip:g@127.0.0.1>;tag=1\r\nTo: <sip:alice@127.0.0.1>\r\n'
    b'Call-ID: g@x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
    b'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKy\r\n'
    b'From: <sip:g@127.0.0.1>;tag=1\r\nTo: <sip:alice@127.0.0.1>;tag=2\r\n'
    b'Call-ID: g@y\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
    b'REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKz;rport\r\n'
    b'Max-Forwards: 70\r\nFrom: <sip:g@127.0.0.1>;tag=1\r\nTo: <sip:g@127.0.0.1>\r\n'
    b'Call-ID: g@z\r\nCSeq: 1 REGISTER\r\nContact: <sip:g@127.0.0.1:9>;expires=99999999999\r\n'
    b'Authorization: Digest username="g", nonce="' + b'n' * 200 + b'"\r\nContent-Length: 0\r\n\r\n',
]
SOUP = [b'Via', b'From', b'To', b'Call-ID', b'CSeq', b'Contact', b'Content-Length', b'v', b'l',
        b'Route', b'Record-Route', b'Require', b'Authorization', b'WWW-Authenticate',
        b'Security-Server', b'X-Junk', b'Max-Forwards', b'Expires']
TOKENS = [b'<', b'>', b';', b',', b'"', b'\\', b'%', b'%00', b'sip:', b'sips:', b'@', b':',
          b'z9hG4bK', b' ', b'\t', b'\r\n ', b'=', b'4294967296', b'-1', b'\x00', b'\xff',
          b'SIP/2.0', b'[::1]', b'tag=', b'branch=', b'INVITE', b'99999999999999999999']


def garbage(rnd):
    k = rnd.random()
    if k < 0.3:
        return bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 1400)))
    if k < 0.65:
        b = bytearray(rnd.choice(TEMPLATES))
        for _ in range(rnd.randint(1, 12)):
            op, i = rnd.random(), rnd.randrange(len(b))
            if op < 0.4:
                b[i] = rnd.getrandbits(8)
            elif op < 0.6:
                del b[i:i + rnd.randint(1, 40)]
            elif op < 0.8:
                b[i:i] = rnd.choice(TOKENS) * rnd.randint(1, 30)
            else:
                b = b[:i]
            if not b:
                b = bytearray(b'\r\n')
        return bytes(b[:65000])
    head = rnd.choice([b'OPTIONS sip:alice@127.0.0.1 SIP/2.0', b'SIP/2.0 180 Ringing',
                       b'NOTIFY sip:a@b SIP/2.0', b'BYE sip:x SIP/2.0'])
    lines = [head]
    for _ in range(rnd.randint(0, 60)):
        v = b''.join(rnd.choice(TOKENS) for _ in range(rnd.randint(0, 20)))
        lines.append(rnd.choice(SOUP) + b': ' + v)
    return b'\r\n'.join(lines) + b'\r\n\r\n'


def cmd_burst(args):
    port, count, secs, seed = int(args[0]), int(args[1]), float(args[2]), int(args[3])
    rnd = random.Random(seed)
    g = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    g.bind((HOST, 0))
    g.setblocking(False)
    probe = Peer('udp', port)
    t0, m0 = time.time(), time.monotonic()
    next_probe, sent, probes, answered, worst = t0, 0, 0, 0, 0.0
    pending = None
    while sent < count and time.time() - t0 < secs + 5:
        now = time.time()
        due = t0 + secs * sent / count
        if now < due:
            time.sleep(min(due - now, 0.002))
        try:
            g.sendto(garbage(rnd), (HOST, port))
        except OSError:
            pass                # ENOBUFS and the like: the burst goes on
        sent += 1
        try:
            while True:
                g.recv(65536)   # answers to mangled requests: discarded
        except OSError:
            pass
        if pending is None and now >= next_probe:
            probes += 1
            pending = (now, options_msg('udp', probe.s.getsockname()[1], 'b%d' % probes))
            probe.send(pending[1])
            next_probe = now + 0.25
        if pending is not None:
            probe.s.setblocking(False)
            try:
                msg = probe.s.recv(65536)
                if status_of(msg)[0] == 200:
                    worst = max(worst, (time.time() - pending[0]) * 1000)
                    answered += 1
                    pending = None
            except OSError:
                pass
            if pending is not None and time.time() - pending[0] > 1.0:
                pending = None      # unanswered within 1 s: counted as lost
    probe.s.setblocking(True)
    if pending is not None:
        try:
            msg = probe.recv(pending[0] + 1.0)
            if msg and status_of(msg)[0] == 200:
                answered += 1
                worst = max(worst, (time.time() - pending[0]) * 1000)
        except OSError:
            pass
    print('sent=%d secs=%.1f probes=%d answered=%d max_ms=%.1f mono_start=%d mono_end=%d' %
          (sent, time.time() - t0, probes, answered, worst, m0 * 1000, time.monotonic() * 1000))
    return 0 if sent == count and probes and answered == probes else 1


# ----------------------------------------------------------------- invite --

def cmd_invite(args):
    port, user = int(args[0]), args[1]
    secs = float(args[2]) if len(args) > 2 else 10
    p = Peer('udp', port)
    lp = p.s.getsockname()[1]
    br = 'z9hG4bK%08x' % random.getrandbits(32)
    sdp = ('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n'
           'm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n')
    req = ('INVITE sip:alice@127.0.0.1 SIP/2.0\r\n'
           'Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport\r\nMax-Forwards: 70\r\n'
           'From: <sip:%s@127.0.0.1>;tag=%s\r\nTo: <sip:alice@127.0.0.1>\r\n'
           'Call-ID: %s@badin\r\nCSeq: 1 INVITE\r\nContact: <sip:%s@127.0.0.1:%d>\r\n'
           'Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s'
           % (lp, br, user, br[7:], br, user, lp, len(sdp), sdp)).encode()
    p.send(req)
    deadline = time.time() + secs
    while True:
        msg = p.recv(deadline)
        if msg is None:
            print('no final answer within %g s' % secs)
            return 1
        st = status_of(msg)[0]
        if st is not None and st >= 200:
            _, h, _ = split_head(msg)
            if st >= 300:
                p.send(derived(req, b'ACK', hget(h, b'to')))
            print(st)
            return 0


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmds = {'torture': cmd_torture, 'options': cmd_options, 'stall': cmd_stall,
            'burst': cmd_burst, 'invite': cmd_invite}
    if sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == '__main__':
    sys.exit(main())
