#!/usr/bin/env python3
"""digest_check.py - checks the digest responses siptty sent, from a SIPp
message trace (-trace_msg), with an independent hashlib computation.

  digest_check.py TRACE PASSWORD [--alg ALG] [--nonce NONCE] [--hdr NAME]

Every REGISTER in the trace that carries the header NAME (default
Authorization) is checked; exit 0 when there was at least one and each
response is right (and has the algorithm and nonce asked for)."""
import argparse, hashlib, re, sys

HASH = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}


def h(alg, s):
    return hashlib.new(HASH[alg.replace("-sess", "").upper().replace("-SESS", "")],
                       s.encode()).hexdigest()


def params(v):
    out = {}
    for m in re.finditer(r'([A-Za-z0-9-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]+)', v):
        val = m.group(2)
        out[m.group(1).lower()] = val[1:-1] if val.startswith('"') else val
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("password")
    ap.add_argument("--alg")
    ap.add_argument("--nonce")
    ap.add_argument("--hdr", default="Authorization")
    a = ap.parse_args()
    text = open(a.trace, encoding="utf-8", errors="replace").read()
    msgs = re.split(r"\n(?=REGISTER )", "\n" + text)
    checked = 0
    for m in msgs:
        if not m.startswith("REGISTER "):
            continue
        hm = re.search(r"^%s:\s*Digest\s+(.*)$" % re.escape(a.hdr), m,
                       re.M | re.I)
        if not hm:
            continue
        p = params(hm.group(1))
        alg = p.get("algorithm", "MD5")
        if a.alg and alg.upper() != a.alg.upper():
            print("algorithm %s, want %s" % (alg, a.alg))
            return 1
        if a.nonce and p["nonce"] != a.nonce:
            continue
        ha1 = h(alg, "%s:%s:%s" % (p["username"], p["realm"], a.password))
        if alg.lower().endswith("-sess"):
            ha1 = h(alg, "%s:%s:%s" % (ha1, p["nonce"], p["cnonce"]))
        ha2 = h(alg, "REGISTER:%s" % p["uri"])
        if "qop" in p:
            want = h(alg, ":".join([ha1, p["nonce"], p["nc"], p["cnonce"],
                                    p["qop"], ha2]))
        else:
            want = h(alg, "%s:%s:%s" % (ha1, p["nonce"], ha2))
        if want != p["response"].lower():
            print("wrong response %s (want %s)" % (p["response"], want))
            return 1
        checked += 1
    print("%d %s checked" % (checked, a.hdr))
    return 0 if checked else 1


if __name__ == "__main__":
    sys.exit(main())
