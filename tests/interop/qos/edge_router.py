#!/usr/bin/python3
"""edge_router.py - a mock RSVP edge router for siptty's QoS tests.

  edge_router.py --port PORT --issued FILE --log FILE [--addr 127.0.0.1]
                 [--raw] [--seconds 30] [--error-value 1]

Listens on UDP ADDR:PORT (RFC 2205 appendix C encapsulation; the real port
is 1698, tests pass a free one) and, with --raw, on raw IP protocol 46 too.
Decodes every message (header, checksum, objects, POLICY_DATA -> policy
elements -> RFC 3520 AUTH_SESSION attributes).  A PATH is authorised when
it carries at least one policy element and every element, in hex, is a
line of FILE (the tokens the proxy issued; read again for each PATH): it
answers Resv, else PathErr with ERROR_SPEC code 2 (policy control failure),
to where the PATH came from (UDP source address and port, or the raw
packet's source address).  Logs one JSON object a line of what it saw.
Exits after --seconds (or on SIGTERM).  Loopback only.
"""
import argparse
import ipaddress
import json
import os
import select
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rsvpwire as rw  # noqa: E402


def addr_obj(cnum, a, tail):
    ip = ipaddress.ip_address(a)
    return rw.obj(cnum, 1 if ip.version == 4 else 2, ip.packed + tail)


def reply(msg, ok, local, error_value):
    s = msg['session']
    sess = addr_obj(1, s['addr'], struct.pack('!BBH', 17, 0, s['port']))
    hop = addr_obj(3, local, struct.pack('!I', 0))
    if ok:
        t = msg.get('tspec', {'r': 0.0, 'b': 0.0, 'p': 0.0, 'm': 0, 'M': 0})
        flow = (struct.pack('!HH', 0, 7) + struct.pack('!BBH', 5, 0, 6) +
                struct.pack('!BBH', 127, 0, 5) +
                struct.pack('!fffII', t['r'], t['b'], t['p'], t['m'], t['M']))
        objs = [sess, hop, rw.obj(5, 1, struct.pack('!I', 30000)),
                rw.obj(8, 1, struct.pack('!I', 0x0a)),          # STYLE FF
                rw.obj(9, 2, flow)]                               # FLOWSPEC
        if 'sender' in msg:
            snd = msg['sender']
            objs.append(addr_obj(10, snd['addr'], struct.pack('!HH', 0, snd['port'])))
        return rw.message(2, objs)
    err = addr_obj(6, local, struct.pack('!BBH', 0, 2, error_value))
    objs = [sess, err]
    if 'sender' in msg:
        snd = msg['sender']
        objs.append(addr_obj(11, snd['addr'], struct.pack('!HH', 0, snd['port'])))
    return rw.message(3, objs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--addr', default='127.0.0.1')
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--issued', required=True)
    ap.add_argument('--log', required=True)
    ap.add_argument('--raw', action='store_true')
    ap.add_argument('--seconds', type=float, default=30)
    ap.add_argument('--error-value', type=int, default=1)
    a = ap.parse_args()
    if not ipaddress.ip_address(a.addr).is_loopback:
        sys.exit('edge_router: loopback addresses only')
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    fam = socket.AF_INET6 if ':' in a.addr else socket.AF_INET
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.bind((a.addr, a.port))
    socks = [u]
    raw = None
    if a.raw:
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, 46)
        socks.append(raw)
    log = open(a.log, 'a', buffering=1)

    def note(d):
        d['t'] = round(time.time(), 3)
        log.write(json.dumps(d, sort_keys=True) + '\n')

    note({'event': 'listening', 'udp': '%s:%d' % (a.addr, a.port), 'raw': bool(raw)})
    end = time.monotonic() + a.seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select(socks, [], [], left)
        for s in r:
            data, src = s.recvfrom(65536)
            via = 'udp' if s is u else 'raw'
            d = {'event': 'message', 'via': via, 'from': '%s:%d' % (src[0], src[1]) if via == 'udp' else src[0],
                 'bytes': len(data)}
            try:
                if via == 'raw':
                    data, d['router_alert'] = rw.ip_payload(data)
                m = rw.parse(data)
            except (rw.Malformed, struct.error) as e:
                d.update({'type': 'malformed', 'why': str(e)})
                note(d)
                continue
            d.update({k: m[k] for k in ('type', 'ttl', 'checksum_ok', 'objects')})
            for k in ('session', 'sender', 'hop', 'time_ms', 'tspec', 'error'):
                if k in m:
                    d[k] = m[k]
            d['tokens'] = [p.hex() for p in m['policy']]
            if m['type'] != 'Path':
                note(d)
                continue
            verdict, why = 'resv', ''
            attrs = []
            try:
                issued = set(l.strip().lower() for l in open(a.issued) if l.strip())
            except OSError:
                issued = set()
            if not m['checksum_ok']:
                verdict, why = 'ignored', 'bad checksum'
            elif 'session' not in m:
                verdict, why = 'ignored', 'no SESSION'
            elif not m['policy']:
                verdict, why = 'patherr', 'no policy element'
            else:
                for p in m['policy']:
                    try:
                        attrs.append(rw.check_element(p))
                    except (rw.Malformed, struct.error) as e:
                        verdict, why = 'patherr', 'malformed element: %s' % e
                        break
                    if p.hex() not in issued:
                        verdict, why = 'patherr', 'token not issued'
                        break
            d.update({'auth_session': attrs, 'verdict': verdict, 'why': why})
            note(d)
            if verdict == 'ignored':
                continue
            out = reply(m, verdict == 'resv', a.addr, a.error_value)
            if via == 'udp':
                u.sendto(out, src)
            else:
                raw.sendto(out, (src[0], 0))
    note({'event': 'exit'})
    return 0


if __name__ == '__main__':
    sys.exit(main())
