#!/usr/bin/python3
"""tshark_check.py - checks RSVP PATH messages (and RTP marking) in a capture
with tshark, then decodes the POLICY_DATA bytes tshark hands over (tshark 4.0
does not dissect policy elements) into RFC 3520 AUTH_SESSION attributes.

  tshark_check.py PCAP --port P [--token HEX]... [--session ADDR:PORT]
                  [--sender ADDR:PORT] [--via udp|raw] [--min-paths N]
  tshark_check.py PCAP --port P --no-rsvp [--session ADDR:PORT]
  tshark_check.py PCAP --rtp-port P [--pt N] [--dscp 46]

--port: the UDP port of the RSVP encapsulation (decode-as rsvp; raw IP
protocol 46 is dissected by itself).  With --token, every PATH must carry
exactly these policy elements, in order, unmodified.  --via raw also wants
the IP Router Alert option (148).  --no-rsvp: no RSVP at all (and nothing
on that UDP port).  --rtp-port: every RTP packet to that port has DSCP
(ip.dsfield.dscp) and payload type (rtp.p_type) as given.
Prints one line per check ("ok: ..." / "FAIL: ..."); exit 0 when all pass.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rsvpwire as rw  # noqa: E402

failed = 0


def check(cond, text):
    global failed
    print(('ok: ' if cond else 'FAIL: ') + text)
    if not cond:
        failed += 1


def tshark(pcap, args):
    r = subprocess.run(['tshark', '-r', pcap] + args, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        sys.exit('tshark failed (%d): %s' % (r.returncode, r.stderr.strip()))
    return r.stdout


def rsvp_paths(a):
    f = ['ip.proto', 'rsvp.session.ip', 'rsvp.session.port', 'rsvp.sender.ip',
         'rsvp.sender.port', 'ip.opt.type', 'rsvp.policy.data']
    out = tshark(a.pcap, ['-d', 'udp.port==%d,rsvp' % a.port, '-Y', 'rsvp.path', '-T', 'fields',
                          '-E', 'occurrence=a', '-E', 'aggregator=,'] + sum([['-e', x] for x in f], []))
    rows = []
    for line in out.splitlines():
        v = line.split('\t')
        v += [''] * (len(f) - len(v))
        rows.append(dict(zip(f, v)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('pcap')
    ap.add_argument('--port', type=int)
    ap.add_argument('--token', action='append', default=[])
    ap.add_argument('--session')
    ap.add_argument('--sender')
    ap.add_argument('--via', choices=('udp', 'raw'))
    ap.add_argument('--min-paths', type=int, default=1)
    ap.add_argument('--no-rsvp', action='store_true')
    ap.add_argument('--rtp-port', type=int)
    ap.add_argument('--pt', type=int)
    ap.add_argument('--dscp', type=int, default=46)
    a = ap.parse_args()

    if a.rtp_port:
        out = tshark(a.pcap, ['-d', 'udp.port==%d,rtp' % a.rtp_port, '-Y', 'rtp && udp.dstport==%d' % a.rtp_port,
                              '-T', 'fields', '-e', 'ip.dsfield.dscp', '-e', 'rtp.p_type'])
        rows = [l.split('\t') for l in out.splitlines() if l.strip()]
        check(len(rows) > 0, 'RTP packets to port %d: %d' % (a.rtp_port, len(rows)))
        bad = [r for r in rows if r[0] != str(a.dscp)]
        check(not bad, 'every RTP packet has DSCP %d (%d do not%s)' %
              (a.dscp, len(bad), ', e.g. %s' % bad[0][0] if bad else ''))
        if a.pt is not None:
            bad = [r for r in rows if len(r) < 2 or r[1] != str(a.pt)]
            check(not bad, 'every RTP packet has payload type %d (%d do not)' % (a.pt, len(bad)))
        return 1 if failed else 0

    if a.port is None:
        ap.error('--port is needed for RSVP checks')
    if a.no_rsvp:
        # With --session, only RSVP for that session counts (other runs
        # may share the capture); always nothing on the UDP port.
        what = 'rsvp || ip.proto == 46'
        if a.session:
            what = 'rsvp.session.port == %s' % a.session.rsplit(':', 1)[1]
        n = tshark(a.pcap, ['-d', 'udp.port==%d,rsvp' % a.port, '-Y',
                            '%s || udp.port == %d' % (what, a.port)]).splitlines()
        check(len(n) == 0, 'no RSVP%s and nothing on UDP port %d in the capture (%d frames)' %
              (' for session ' + a.session if a.session else '', a.port, len(n)))
        return 1 if failed else 0

    rows = rsvp_paths(a)
    if a.via:
        want = '17' if a.via == 'udp' else '46'
        rows = [r for r in rows if r['ip.proto'].split(',')[0] == want]
    check(len(rows) >= a.min_paths, 'tshark dissected %d RSVP PATH messages%s (want at least %d)' %
          (len(rows), ' by ' + a.via if a.via else '', a.min_paths))
    verbose = tshark(a.pcap, ['-d', 'udp.port==%d,rsvp' % a.port, '-Y', 'rsvp.path', '-V'])
    ncorrect = verbose.count('[correct]')
    nck = sum(1 for l in verbose.splitlines() if 'Message Checksum:' in l)
    check(nck > 0 and ncorrect >= nck and '[incorrect' not in verbose,
          'tshark finds every PATH checksum correct (%d of %d)' % (ncorrect, nck))
    for i, r in enumerate(rows):
        tag = 'PATH %d (IP proto %s)' % (i + 1, r['ip.proto'])
        if a.session:
            got = '%s:%s' % (r['rsvp.session.ip'], r['rsvp.session.port'])
            check(got == a.session, '%s SESSION %s (want %s)' % (tag, got, a.session))
        if a.sender:
            got = '%s:%s' % (r['rsvp.sender.ip'], r['rsvp.sender.port'])
            check(got == a.sender, '%s SENDER_TEMPLATE %s (want %s)' % (tag, got, a.sender))
        if a.via == 'raw':
            check('148' in r['ip.opt.type'].split(','), '%s has the IP Router Alert option' % tag)
        pols = [p.replace(':', '') for p in r['rsvp.policy.data'].split(',') if p]
        elements = []
        for p in pols:
            b = bytes.fromhex(p)
            off = int.from_bytes(b[:2], 'big') - 4 if len(b) >= 2 else 0
            el = b[off:] if off >= 4 else b''
            elements.append(el.hex())
            try:
                attrs = rw.check_element(el)
                print('  %s policy element %d bytes: %s' % (tag, len(el), ', '.join(
                    '%s/%d=%s' % (x['xtype'], x['subtype'], x['value']) for x in attrs)))
            except (rw.Malformed, ValueError, IndexError) as e:
                check(False, '%s carries a malformed policy element: %s' % (tag, e))
        if a.token:
            want = [t.lower() for t in a.token]
            check(elements == want, '%s POLICY_DATA carries the %d token(s) unmodified (got %d element(s))' %
                  (tag, len(want), len(elements)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
