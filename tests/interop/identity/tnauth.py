#!/usr/bin/env python3
# tnauth.py - prints the DER of an RFC 8226 TNAuthorizationList, in hex,
# for certtool's `add_extension = "1.3.6.1.5.5.7.1.26 0x<hex>"`.
#
#   tnauth.py range 12155550100 100 one 12155550131 spc 1234
#
# RFC 8226 Appendix A is EXPLICIT TAGS, so each TNEntry is a constructed
# context tag around the universal type:
#   spc   [0] ServiceProviderCode (IA5String)
#   range [1] SEQUENCE { start IA5String, count INTEGER }
#   one   [2] TelephoneNumber (IA5String, 1..15 of "0123456789#*")
import sys


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([n])
    else:
        ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(ln)]) + ln
    return bytes([tag]) + head + body


def ia5(s):
    return tlv(0x16, s.encode("ascii"))


def integer(v):
    b = v.to_bytes((v.bit_length() + 8) // 8, "big")
    return tlv(0x02, b)


def tn(s):
    if not 1 <= len(s) <= 15 or any(c not in "0123456789#*" for c in s):
        sys.exit("tnauth.py: not a TelephoneNumber: %r" % s)
    return ia5(s)


def main(argv):
    entries, i = [], 0
    while i < len(argv):
        kind = argv[i]
        if kind == "spc" and i + 1 < len(argv):
            entries.append(tlv(0xA0, ia5(argv[i + 1])))
            i += 2
        elif kind == "one" and i + 1 < len(argv):
            entries.append(tlv(0xA2, tn(argv[i + 1])))
            i += 2
        elif kind == "range" and i + 2 < len(argv):
            start, count = argv[i + 1], int(argv[i + 2])
            if count < 2 or int(start) + count > 10 ** len(start):
                sys.exit("tnauth.py: bad range %s %d" % (start, count))
            entries.append(tlv(0xA1, tlv(0x30, tn(start) + integer(count))))
            i += 3
        else:
            sys.exit("usage: tnauth.py {spc CODE | one TN | range START COUNT}...")
    if not entries:
        sys.exit("tnauth.py: no entry")
    print(tlv(0x30, b"".join(entries)).hex())


main(sys.argv[1:])
