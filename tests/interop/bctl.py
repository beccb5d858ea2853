#!/usr/bin/python3
"""bctl.py - a small baresip ctrl_tcp client (netstring-framed JSON, baresip 1.0).

usage: bctl.py PORT STEP...
  cmd:COMMAND [PARAMS]   send a command ('cmd:dial bob', 'cmd:hangup', 'cmd:quit')
                         and wait for its response
  wait:EVENT[:SECS]      wait for an event of that type (default 10 s)
  sleep:SECS             wait, printing events meanwhile
  ready:FILE             create FILE (the control connection is up: a test
                         waits for it before it makes the events it wants)
Prints each response and event as one JSON line; exits 0 when every step
succeeded, 1 on a failed command or a timeout.  Events that arrive early
(CALL_CLOSED before the response to hangup) are remembered.
Adapted from the PeerLab recipe (bctl.py).
"""
import json
import socket
import sys
import time


class Ctl:
    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', int(port)), timeout=5)
        self.buf = b''
        self.tok = 0
        self.seen = []

    def read_one(self, deadline):
        while True:
            colon = self.buf.find(b':')
            if colon > 0:
                n = int(self.buf[:colon])
                if len(self.buf) >= colon + n + 2:
                    msg = self.buf[colon + 1:colon + 1 + n]
                    self.buf = self.buf[colon + n + 2:]
                    return json.loads(msg.decode('utf-8', 'replace'))
            left = deadline - time.time()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not data:
                raise SystemExit('ctrl_tcp connection closed')
            self.buf += data

    def show(self, m):
        print(json.dumps(m), flush=True)
        if m.get('event'):
            self.seen.append(m.get('type'))

    def cmd(self, line, secs=5):
        command, _, params = line.partition(' ')
        self.tok += 1
        tok = 'bctl%d' % self.tok
        body = json.dumps({'command': command, 'params': params, 'token': tok}).encode()
        self.sock.sendall(str(len(body)).encode() + b':' + body + b',')
        end = time.time() + secs
        while True:
            m = self.read_one(end)
            if m is None:
                print('TIMEOUT waiting for the response to', line)
                return False
            self.show(m)
            if m.get('response') and m.get('token') == tok:
                return bool(m.get('ok'))

    def wait(self, ev, secs):
        end = time.time() + secs
        while ev not in self.seen:
            m = self.read_one(end)
            if m is None:
                print('TIMEOUT waiting for event', ev)
                return False
            self.show(m)
        self.seen.remove(ev)
        return True

    def sleep(self, secs):
        end = time.time() + secs
        while True:
            m = self.read_one(end)
            if m is None:
                return True
            self.show(m)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    ctl = Ctl(sys.argv[1])
    for step in sys.argv[2:]:
        kind, _, arg = step.partition(':')
        if kind == 'cmd':
            ok = ctl.cmd(arg)
        elif kind == 'wait':
            ev, _, secs = arg.partition(':')
            ok = ctl.wait(ev, float(secs or 10))
        elif kind == 'sleep':
            ok = ctl.sleep(float(arg))
        elif kind == 'ready':
            with open(arg, 'w') as f:
                f.write('connected\n')
            ok = True
        else:
            print('bad step', step)
            return 2
        if not ok:
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
