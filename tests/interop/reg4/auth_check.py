#!/usr/bin/env python3
"""auth_check.py - checks the digest credentials siptty sent for one method,
from a SIPp message trace (-trace_msg), with an independent hashlib
computation (every RFC 7616 algorithm, -sess, qop auth and auth-int).

  auth_check.py TRACE PASSWORD --method M [--alg ALG] [--qop QOP]
                [--nonce NONCE] [--hdr NAME]

Every M request in the trace that carries NAME (default Authorization)
must have the right response (and the algorithm, qop and nonce asked
for) and a CSeq above that of every earlier M request that went without
credentials (the challenged one); a repeat of a checked CSeq is taken as
a retransmission.  Exit 0 when at least one was checked."""
import argparse, hashlib, re, sys

HASH = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}


def h(alg, s):
    base = alg.upper()
    if base.endswith("-SESS"):
        base = base[:-5]
    return hashlib.new(HASH[base], s.encode("latin-1")).hexdigest()


def params(v):
    out = {}
    for m in re.finditer(r'([A-Za-z0-9-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]+)', v):
        val = m.group(2)
        out[m.group(1).lower()] = val[1:-1] if val.startswith('"') else val
    return out


def body(msg):
    cl = re.search(r"^(?:Content-Length|l):\s*(\d+)", msg, re.M | re.I)
    n = int(cl.group(1)) if cl else 0
    i = msg.find("\r\n\r\n")
    return msg[i + 4:i + 4 + n] if i >= 0 and n else ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("password")
    ap.add_argument("--method", required=True)
    ap.add_argument("--alg")
    ap.add_argument("--qop")
    ap.add_argument("--nonce")
    ap.add_argument("--hdr", default="Authorization")
    a = ap.parse_args()
    text = open(a.trace, encoding="latin-1").read()
    msgs = re.split(r"\n(?=%s )" % re.escape(a.method), "\n" + text)
    first = None  # the highest CSeq of an M without credentials so far
    seen = set()
    checked = 0
    for m in msgs:
        if not m.startswith(a.method + " "):
            continue
        cs = re.search(r"^CSeq:\s*(\d+)\s+(\S+)", m, re.M | re.I)
        if not cs or cs.group(2) != a.method:
            print("%s without a matching CSeq" % a.method)
            return 1
        cseq = int(cs.group(1))
        hm = re.search(r"^%s:\s*Digest\s+(.*?)\r?$" % re.escape(a.hdr), m,
                       re.M | re.I)
        if not hm:
            first = cseq if first is None else max(first, cseq)
            continue
        if cseq in seen:
            continue
        if first is None or cseq <= first:
            print("CSeq %d is not new (challenged CSeq %s)" % (cseq, first))
            return 1
        seen.add(cseq)
        p = params(hm.group(1))
        alg = p.get("algorithm", "MD5")
        if a.alg and alg.upper() != a.alg.upper():
            print("algorithm %s, want %s" % (alg, a.alg))
            return 1
        if a.qop and p.get("qop") != a.qop:
            print("qop %s, want %s" % (p.get("qop"), a.qop))
            return 1
        if a.nonce and p["nonce"] != a.nonce:
            continue
        ha1 = h(alg, "%s:%s:%s" % (p["username"], p["realm"], a.password))
        if alg.lower().endswith("-sess"):
            ha1 = h(alg, "%s:%s:%s" % (ha1, p["nonce"], p["cnonce"]))
        if p.get("qop") == "auth-int":
            ha2 = h(alg, "%s:%s:%s" % (a.method, p["uri"], h(alg, body(m))))
        else:
            ha2 = h(alg, "%s:%s" % (a.method, p["uri"]))
        if "qop" in p:
            want = h(alg, ":".join([ha1, p["nonce"], p["nc"], p["cnonce"],
                                    p["qop"], ha2]))
        else:
            want = h(alg, "%s:%s:%s" % (ha1, p["nonce"], ha2))
        if want != p["response"].lower():
            print("CSeq %d: wrong response %s (want %s)" % (cseq, p["response"], want))
            return 1
        checked += 1
        print("CSeq %d %s %s alg=%s qop=%s ok" % (cseq, a.method, a.hdr, alg, p.get("qop")))
    print("%d %s %s checked (challenged CSeq %s)" % (checked, a.method, a.hdr, first))
    return 0 if checked else 1


if __name__ == "__main__":
    sys.exit(main())
