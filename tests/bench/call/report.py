#!/usr/bin/python3
"""report.py - the call-setup benchmark's figures, from the run's records.

usage: report.py EVENTS BARESIP_TIMES KAMAILIO_LOG
EVENTS is siptty's event log: each call's setup time is from the dial
command (the dial prompt closing on Enter; the call's "calling" state when
the UI event is missing) to the "answered" state, on mono_ms.
BARESIP_TIMES holds bctime.py's lines.  KAMAILIO_LOG has "T=SEC.USEC" in
front of each script log line (bench_call.sh adds it), which splits each
call, on the wall clock, into:
  challenge  dial -> the INVITE with credentials reaches the proxy (the
             first INVITE, its 407 and the retry)
  proxy      that INVITE -> the proxy has found the target and relays it
  far end    relayed -> the 200 OK from the far end reaches the proxy
  back       the 200 at the proxy -> the caller sees the call answered
Prints the medians per user agent and "ratio siptty/baresip: R".
Exit 1 when a side has no complete call.
"""
import datetime
import json
import re
import statistics
import sys


def iso_ms(ts):
    d = datetime.datetime.strptime(ts, '%Y-%m-%dT%H:%M:%S.%fZ')
    return d.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000


def siptty_calls(path):
    """[(t0 wall ms, t1 wall ms, setup ms)] from the event log."""
    calls, dial = [], None
    for ln in open(path, encoding='utf-8'):
        try:
            e = json.loads(ln)
        except ValueError:
            continue
        if e.get('type') == 'ui' and e.get('view') == 'dial' and e.get('open') is False:
            dial = e
        elif e.get('type') == 'call' and e.get('dir') == 'out':
            if e.get('state') == 'calling' and dial is None:
                dial = e
            elif e.get('state') == 'answered' and dial is not None:
                calls.append((iso_ms(dial['ts']), iso_ms(e['ts']),
                              e['mono_ms'] - dial['mono_ms']))
                dial = None
            elif e.get('state') in ('ended', 'failed'):
                dial = None
    return calls


def baresip_calls(path):
    calls = []
    for ln in open(path, encoding='utf-8'):
        m = re.match(r'call \d+ ([\d.]+) ([\d.]+)', ln)
        if m:
            t0, t1 = float(m.group(1)), float(m.group(2))
            calls.append((t0, t1, t1 - t0))
    return calls


def kam_lines(path):
    out = []
    for ln in open(path, encoding='utf-8', errors='replace'):
        m = re.search(r'T=(\d+\.\d+) (.*)', ln)
        if m:
            out.append((float(m.group(1)) * 1000, m.group(2)))
    out.sort(key=lambda x: x[0])
    return out


def breakdown(call, kam):
    """(challenge, proxy, far end, back) in ms, or None."""
    t0, t1, _ = call
    win = [(t, s) for t, s in kam if t0 - 1 <= t <= t1 + 1]
    invs = [t for t, s in win if s.startswith('REQ INVITE ')]
    fwd = [t for t, s in win if s.startswith('lookup ok: INVITE ')]
    ok = [t for t, s in win if re.match(r'REPLY 200 .* for INVITE', s)]
    if len(invs) < 2 or not fwd or not ok:
        return None
    tb = invs[1]
    tf = next((t for t in fwd if t >= tb), None)
    tr = next((t for t in ok if tf is not None and t >= tf), None)
    if tf is None or tr is None:
        return None
    return (tb - t0, tf - tb, tr - tf, t1 - tr)


def med(v):
    return statistics.median(v) if v else float('nan')


def side(name, calls, kam):
    parts = [b for b in (breakdown(c, kam) for c in calls) if b]
    total = med([c[2] for c in calls])
    cols = [med([p[i] for p in parts]) for i in range(4)]
    print('%-8s median %6.1f ms over %2d calls; challenge %5.1f  proxy %5.1f  '
          'far end %5.1f  back %5.1f ms (medians over %d calls)'
          % (name, total, len(calls), cols[0], cols[1], cols[2], cols[3], len(parts)))
    return total


def main():
    s = siptty_calls(sys.argv[1])
    b = baresip_calls(sys.argv[2])
    kam = kam_lines(sys.argv[3])
    ms = side('siptty', s, kam) if s else None
    mb = side('baresip', b, kam) if b else None
    if not s or not b:
        print('ratio siptty/baresip: n/a (siptty %d calls, baresip %d calls)' % (len(s), len(b)))
        return 1
    print('ratio siptty/baresip: %.2f (siptty %.1f ms, baresip %.1f ms; target: siptty <= 10 ms)'
          % (ms / mb, ms, mb))
    return 0


if __name__ == '__main__':
    sys.exit(main())
