#!/usr/bin/python3
"""bctime.py - times call setups placed by baresip through its ctrl_tcp.

usage: bctime.py INTEROPDIR CTRLPORT URI COUNT
Dials URI COUNT times, one call at a time: the wall-clock time when the
dial command leaves and when the CALL_ESTABLISHED event (the 200 OK)
arrives, then hangs up and waits for CALL_CLOSED.  Prints one line per
call, "call N T0_MS T1_MS" (Unix time, milliseconds, fractions kept), and
exits 1 when a call failed.  Uses bctl.py's ctrl_tcp client from INTEROPDIR.
"""
import sys
import time

sys.path.insert(0, sys.argv[1])
from bctl import Ctl   # noqa: E402


class TimedCtl(Ctl):
    """Remembers when each event type was last seen."""

    def __init__(self, port):
        super().__init__(port)
        self.when = {}

    def show(self, m):
        if m.get('event'):
            self.when[m.get('type')] = time.time()
            self.seen.append(m.get('type'))


def main():
    ctl = TimedCtl(sys.argv[2])
    uri, count = sys.argv[3], int(sys.argv[4])
    for i in range(1, count + 1):
        ctl.seen, ctl.when = [], {}
        t0 = time.time()
        if not ctl.cmd('dial ' + uri) or not ctl.wait('CALL_ESTABLISHED', 10):
            print('call %d failed' % i, flush=True)
            return 1
        print('call %d %.3f %.3f' % (i, t0 * 1000, ctl.when['CALL_ESTABLISHED'] * 1000), flush=True)
        ctl.sleep(0.2)
        if not ctl.cmd('hangup') or not ctl.wait('CALL_CLOSED', 10):
            print('hangup %d failed' % i, flush=True)
            return 1
        ctl.sleep(0.3)
    return 0


if __name__ == '__main__':
    sys.exit(main())
