#!/usr/bin/env python3
# idev.py - checks siptty's identity event for one call of the identity
# tier against what the case expects.
#
#   idev.py EVENTS SKIP CHECK...
#
# Looks at the first {"type":"identity"} line after the first SKIP lines
# of the --events file.  Each CHECK is FIELD=A|B|... (the field's value,
# as text, is one of those; "=" alone means empty) or FIELD~REGEX (a
# Python regular expression found in the value) or FIELD!REGEX (not found).  Prints the event's
# fields on success, else every mismatch, and exits 0 or 1.
import json
import re
import sys

FIELDS = ("verdict", "method", "attest", "orig", "signer", "reason", "code",
          "pai_note", "verstat")


def main(argv):
    path, skip, checks = argv[0], int(argv[1]), argv[2:]
    ev = None
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for i, line in enumerate(f):
                if i < skip:
                    continue
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if isinstance(obj, dict) and obj.get("type") == "identity":
                    ev = obj
                    break
    except OSError as e:
        print("no events file (%s)" % e)
        return 1
    if ev is None:
        print("no identity event for this call in %s (after line %d)" % (path, skip))
        return 1
    got = {k: "" if ev.get(k) is None else str(ev.get(k)) for k in FIELDS}
    bad = []
    for c in checks:
        m = re.match(r"([a-z_]+)([=~!])(.*)$", c, re.S)
        if not m:
            print("idev.py: bad check %r" % c)
            return 2
        field, op, want = m.groups()
        val = "" if ev.get(field) is None else str(ev.get(field))
        if op == "=" and val not in want.split("|"):
            bad.append("%s is %r, not %s" % (field, val, " or ".join(repr(w) for w in want.split("|"))))
        elif op == "~" and not re.search(want, val):
            bad.append("%s %r does not match /%s/" % (field, val, want))
        elif op == "!" and re.search(want, val):
            bad.append("%s %r matches /%s/" % (field, val, want))
    summary = " ".join("%s=%s" % (k, json.dumps(got[k])) for k in FIELDS if got[k])
    if bad:
        print("; ".join(bad) + " [event: " + summary + "]")
        return 1
    print(summary)
    return 0


sys.exit(main(sys.argv[1:]))
