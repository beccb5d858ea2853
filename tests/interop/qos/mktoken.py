#!/usr/bin/python3
"""mktoken.py - a fresh RFC 3520 AUTH_SESSION policy element (P-Type 4) as a
P-Media-Authorization token (RFC 3313: the whole element in hex):
AUTH_ENT_ID (FQDN), SESSION_ID (random 16 bytes unless given) and
AUTHENTICATION_DATA (HMAC-SHA256 under --key over the element before it,
with the final Length in place), last as RFC 3520 requires.

  mktoken.py [--fqdn pdp.siptty.test] [--session-id HEX] [--key HEX]
             [--issued FILE]
Prints the hex; with --issued, also appends it to FILE (one token a line:
the edge router's list of tokens the proxy issued).
"""
import argparse
import hashlib
import hmac
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rsvpwire  # noqa: E402


def make(fqdn, session_id, key):
    head = rsvpwire.attr(1, 3, fqdn.encode()) + rsvpwire.attr(2, 0, session_id)
    mac_len = 32
    total = 4 + len(head) + 4 + mac_len
    covered = struct.pack('!HH', total, rsvpwire.P_AUTH_SESSION) + head
    mac = hmac.new(key, covered, hashlib.sha256).digest()
    return covered + rsvpwire.attr(8, 0, mac)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--fqdn', default='pdp.siptty.test')
    ap.add_argument('--session-id')
    ap.add_argument('--key')
    ap.add_argument('--issued')
    a = ap.parse_args()
    sid = bytes.fromhex(a.session_id) if a.session_id else os.urandom(16)
    key = bytes.fromhex(a.key) if a.key else os.urandom(32)
    el = make(a.fqdn, sid, key)
    rsvpwire.check_element(el)
    tok = el.hex()
    if a.issued:
        with open(a.issued, 'a') as f:
            f.write(tok + '\n')
    print(tok)
    return 0


if __name__ == '__main__':
    sys.exit(main())
