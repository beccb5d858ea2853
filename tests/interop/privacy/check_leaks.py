#!/usr/bin/env python3
# check_leaks.py - checks what siptty sent at a privacy level against the rules of siptty.conf(5) (RFC 3323, RFC 3325).
"""
Reads the SIP messages siptty sent, from a capture decoded by tshark (the
independent decoder: raw UDP payloads, plus tshark's own SIP dissector as a
cross-check), from SIPp -trace_msg files (what the SIPp peers received),
or from a fixture file, and applies the rules of the privacy level to each
message.  Prints one line per check group:

    RESULT <group> ok|bad <summary>

followed, for a bad group, by one indented line per violation naming the
message, the header and the offending text.  Exit status 0 when every group
is ok, 1 when one is bad, 2 on a usage error.

Groups (every one applies at every level):
  capture   the message kinds of --expect were all sent; with --pcap,
            tshark's SIP dissector saw the same requests and responses;
            with --sipp, every message a SIPp peer received from siptty is
            in the capture byte for byte
  identity  display name, user, domain, User-Agent string, host name,
            password and digest user name appear only where the level
            allows; at a level that hides nothing (none, session, id, or
            unset) the configured identity does appear (positive control)
  headers   header or user: Subject, Call-Info, Organization, User-Agent,
            Server, Reply-To, In-Reply-To, Warning absent (unless kept),
            Contact with no display name and no user part (but REGISTER),
            SDP o= user and s= "-"; other levels: User-Agent sent and the
            INVITE's Contact has its user part (nothing hidden unasked)
  from      user: requests but REGISTER have From "Anonymous"
            <sip:anonymous@anonymous.invalid>;tag=..., no display name in
            To, an anonymous Referred-By; other levels: the INVITE's From
            is the configured identity
  privacy   Privacy header equal to the level (absent when unset);
            Proxy-Require: privacy exactly on requests but ACK and CANCEL
            at critical; no P-Preferred-Identity (UDP to an untrusted peer,
            RFC 3325 9.1)
  ids       Call-IDs siptty made, its tags and its Via branches hold no
            host name, address, user or domain

Via and Contact keep the local address (127.0.0.1) on purpose: RFC 3323
4.1.1.3 says they must stay routable, so the address is looked for only in
Call-ID, tags and branches.  From and To of responses echo the peer's
request and are not siptty's to change (siptty.conf(5)).
"""

import argparse
import re
import subprocess
import sys

COMPACT = {
    "i": "call-id", "m": "contact", "e": "content-encoding",
    "l": "content-length", "c": "content-type", "f": "from", "s": "subject",
    "k": "supported", "t": "to", "v": "via", "r": "refer-to",
    "b": "referred-by", "o": "event", "u": "allow-events",
    "x": "session-expires",
}
HIDDEN = ["subject", "call-info", "organization", "user-agent", "server",
          "reply-to", "in-reply-to", "warning"]
ORDER = ["user", "header", "session", "id", "critical", "none"]
MAX_DETAILS = 25


class Msg:
    """One SIP message: start line, headers (lower-case name, value), body."""

    def __init__(self, raw, where, ours=True):
        self.raw = raw
        self.where = where
        self.ours = ours
        text = raw.decode("utf-8", "replace")
        head, sep, body = text.partition("\r\n\r\n")
        if not sep:
            head, _, body = text.partition("\n\n")
        lines = re.split(r"\r?\n", head)
        self.start = lines[0].strip()
        self.headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and self.headers:
                n, v = self.headers[-1]
                self.headers[-1] = (n, v + " " + line.strip())
                continue
            name, sep, value = line.partition(":")
            if not sep:
                continue
            name = name.strip().lower()
            self.headers.append((COMPACT.get(name, name), value.strip()))
        self.body = body
        self.is_req = not self.start.startswith("SIP/2.0 ")
        if self.is_req:
            self.method = self.start.split(" ", 1)[0].upper()
            self.status = None
        else:
            parts = self.start.split(" ")
            self.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            self.method = None
        cseq = self.get("cseq") or ""
        self.cseq_method = cseq.split()[-1].upper() if cseq.split() else ""
        self.callid = self.get("call-id") or ""

    def get(self, name):
        for n, v in self.headers:
            if n == name:
                return v
        return None

    def all(self, name):
        return [v for n, v in self.headers if n == name]

    def kind(self):
        if self.is_req:
            if self.method == "INVITE" and tag_of(self.get("to") or ""):
                return "reINVITE"
            return self.method
        return str(self.status)

    def desc(self):
        first = self.start if len(self.start) < 60 else self.start[:57] + "..."
        if not self.is_req:
            first += " (%s)" % self.cseq_method
        return "%s: %s" % (self.where, first)

    def ruri_user(self):
        if not self.is_req:
            return None
        parts = self.start.split(" ")
        m = re.match(r"sips?:([^@;>]+)@", parts[1] if len(parts) > 1 else "")
        return m.group(1) if m else None


def tag_of(v):
    m = re.search(r";\s*tag=([^;,\s]+)", v)
    return m.group(1) if m else None


def branch_of(v):
    m = re.search(r";\s*branch=([^;,\s]+)", v)
    return m.group(1) if m else None


def parse_level(s):
    if s in ("", "unset"):
        return frozenset()
    return frozenset(w for w in re.split(r"[;,\s]+", s.lower()) if w)


def level_str(lv):
    return ";".join(w for w in ORDER if w in lv)


# ---------------------------------------------------------------- input


def tshark(args):
    r = subprocess.run(["tshark"] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120, check=False)
    if r.returncode != 0:
        raise RuntimeError("tshark %s: %s" % (" ".join(args),
                                              r.stderr.decode()[:300]))
    return r.stdout.decode("utf-8", "replace")


def from_pcap(path, port):
    """All SIP-looking UDP payloads of the capture, in order, each marked
    as siptty's (source port = port) or the peer's."""
    msgs = []
    out = tshark(["-r", path, "-Y", "udp", "-T", "fields", "-e",
                  "frame.number", "-e", "udp.srcport", "-e", "udp.payload"])
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 3 or not f[2]:
            continue
        raw = bytes.fromhex(f[2].replace(":", ""))
        if not re.match(rb"^(SIP/2\.0 \d{3} |[A-Z]+ \S+ SIP/2\.0\r?\n)", raw):
            continue
        msgs.append(Msg(raw, "frame %s" % f[0], int(f[1]) in port))
    return msgs


def dissector_kinds(path, port):
    """What tshark's SIP dissector makes of siptty's frames.  Heuristic
    dissectors go first: otherwise a port tshark gives to another protocol
    (quake3 on 27950, collectd on 25826) hides SIP from it."""
    out = tshark(["-r", path, "-o", "udp.try_heuristic_first:TRUE",
                  "-Y", "sip && (%s)" % " || ".join(
                      "udp.srcport == %d" % p for p in port),
                  "-T", "fields", "-e", "sip.Method", "-e",
                  "sip.Status-Code", "-e", "sip.CSeq.method"])
    kinds = []
    for line in out.splitlines():
        f = (line.split("\t") + ["", "", ""])[:3]
        if f[1]:
            kinds.append("%s %s" % (f[1], f[2]))
        else:
            kinds.append(f[0])
    return sorted(kinds)


def from_sipp(path):
    """The messages a SIPp peer received (-trace_msg file)."""
    data = open(path, "rb").read()
    out = []
    pat = re.compile(rb"^[A-Z]+ message received \[\d+\] bytes :\r?\n\r?\n",
                     re.M)
    starts = [m.end() for m in pat.finditer(data)]
    for i, s in enumerate(starts):
        end = len(data)
        nxt = re.compile(rb"^-{20,} ", re.M).search(data, s)
        if nxt:
            end = nxt.start()
        out.append(Msg(data[s:end].rstrip(b"\r\n") + b"\r\n",
                       "%s #%d" % (path.rsplit("/", 1)[-1], i + 1)))
    return out


def from_raw(path):
    """A fixture: messages separated by lines of five or more '='; all
    count as sent by siptty."""
    data = open(path, "rb").read().replace(b"\r\n", b"\n")
    out = []
    for i, part in enumerate(re.split(rb"\n={5,}[^\n]*\n", b"\n" + data)):
        part = re.sub(rb"^(#[^\n]*\n)+", b"", part.strip(b"\n") + b"\n")
        part = part.strip(b"\n")
        if not part:
            continue
        head, sep, body = part.partition(b"\n\n")
        raw = head.replace(b"\n", b"\r\n") + b"\r\n\r\n"
        if sep:
            raw += body.replace(b"\n", b"\r\n") + b"\r\n"
        out.append(Msg(raw, "%s #%d" % (path.rsplit("/", 1)[-1], i + 1)))
    return out


# ---------------------------------------------------------------- rules


class Checker:
    def __init__(self, a):
        self.a = a
        self.viol = {g: [] for g in ("capture", "identity", "headers",
                                     "from", "privacy", "ids")}
        self.notes = {g: "" for g in self.viol}
        self.keep = set(h.strip().lower() for h in
                        re.split(r"[,\s]+", a.keep_headers or "") if h.strip())
        self.tokens = []        # (name, regex)
        for name, val in (("display name", a.display), ("user", a.user),
                          ("domain", a.domain), ("User-Agent", a.ua),
                          ("password", a.secret), ("digest user", a.authuser)):
            if val:
                self.tokens.append((name, re.compile(re.escape(val), re.I)))
        if a.display and " " in a.display:
            first = a.display.split()[0]
            self.tokens.append(("display name", re.compile(
                r"(?<![A-Za-z0-9])%s(?![A-Za-z0-9])" % re.escape(first), re.I)))
        if a.hostname:
            self.tokens.append(("host name", re.compile(
                r"(?<![A-Za-z0-9])%s(?![A-Za-z0-9])" % re.escape(a.hostname),
                re.I)))

    def bad(self, group, m, where, text):
        self.viol[group].append("%s: %s: %s" % (m.desc() if m else "-",
                                                where, text))

    # Where a token may appear in message m at level lv.
    def allowed(self, token, m, lv, field):
        hide = bool(lv & {"header", "user"})
        anon = "user" in lv and m.is_req and m.method != "REGISTER"
        reg = m.is_req and m.method == "REGISTER"
        if token in ("password", "host name"):
            return False
        if token == "digest user":
            # siptty puts it in the Contact user part: allowed where that
            # user part is (nothing hidden, or REGISTER).
            return (field in ("authorization", "proxy-authorization") or
                    (field == "contact" and (reg or not hide)))
        if token == "User-Agent":
            if not hide:
                return True
            return field in ("user-agent", "server") and field in self.keep
        if not hide:
            return True
        if not m.is_req:
            # Responses echo the peer's From and To.
            return field in ("from", "to")
        if anon:
            return False
        if token == "display name":
            if reg and "user" in lv and self.a.strict_register:
                return False
            return field in ("from", "referred-by") or (reg and field == "to")
        # user, domain: the AoR of a REGISTER and the identity of header-only
        # requests (siptty.conf(5): only user anonymises From).
        if reg:
            return field in ("from", "to", "contact", "authorization",
                             "proxy-authorization")
        return field in ("from", "referred-by")

    def fields(self, m):
        yield "request line" if m.is_req else "status line", m.start
        for n, v in m.headers:
            yield n, v
        for line in m.body.splitlines():
            yield "body", line

    def check_identity(self, m, lv):
        for field, text in self.fields(m):
            for name, rx in self.tokens:
                if rx.search(text) and not self.allowed(name, m, lv, field):
                    self.bad("identity", m, field,
                             "%s %r in %r" % (name, rx.search(text).group(0),
                                              text[:120]))

    def check_headers(self, m, lv):
        if not lv & {"header", "user"}:
            return
        for h in HIDDEN:
            if h not in self.keep and m.get(h) is not None:
                self.bad("headers", m, h, "present: %r" % m.get(h)[:80])
        for c in m.all("contact"):
            if c.strip() == "*":
                continue
            if not c.lstrip().startswith("<"):
                self.bad("headers", m, "contact", "display name or bare "
                         "URI: %r" % c)
            elif m.is_req and m.method == "REGISTER":
                pass
            elif re.match(r"\s*<sips?:[^>@]*@", c):
                self.bad("headers", m, "contact", "user part: %r" % c)
        ctype = (m.get("content-type") or "").lower()
        if ctype.startswith("application/sdp"):
            for line in m.body.splitlines():
                if line.startswith("o=") and not line.startswith("o=- "):
                    self.bad("headers", m, "SDP", "o= user: %r" % line)
                if line.startswith("s=") and line.strip() != "s=-":
                    self.bad("headers", m, "SDP", "s=: %r" % line)

    def check_from(self, m, lv):
        if not ("user" in lv and m.is_req and m.method != "REGISTER"):
            return
        f = m.get("from") or ""
        if not re.fullmatch(r'"Anonymous" <sip:anonymous@anonymous\.invalid>'
                            r';tag=[^;,\s]+', f):
            self.bad("from", m, "from", "not the anonymous From: %r" % f)
        t = m.get("to") or ""
        if not re.match(r"\s*<", t) and not re.match(r"\s*sips?:", t):
            self.bad("from", m, "to", "display name: %r" % t)
        for rb in m.all("referred-by"):
            if not rb.startswith('"Anonymous" <sip:anonymous@anonymous.invalid>'):
                self.bad("from", m, "referred-by", "not anonymous: %r" % rb)

    def check_privacy(self, m, lv):
        want = level_str(lv)
        got = m.all("privacy")
        if not want and got:
            self.bad("privacy", m, "privacy", "sent with no level set: %r" % got)
        elif want and got != [want]:
            self.bad("privacy", m, "privacy", "want %r, got %r" % (want, got))
        pr = ",".join(m.all("proxy-require")).lower()
        has = "privacy" in [w.strip() for w in pr.split(",")]
        should = ("critical" in lv and m.is_req and
                  m.method not in ("ACK", "CANCEL"))
        if has != should:
            self.bad("privacy", m, "proxy-require", "%s: %r" % (
                "missing" if should else "unexpected", pr))
        if m.get("p-preferred-identity") is not None:
            self.bad("privacy", m, "p-preferred-identity",
                     "sent over UDP to an untrusted peer: %r" %
                     m.get("p-preferred-identity"))

    def check_ids(self, m, ours_callid):
        vals = []
        if ours_callid:
            vals.append(("call-id", m.callid))
        if m.is_req:
            vals.append(("from tag", tag_of(m.get("from") or "") or ""))
            vias = m.all("via")
            if vias:
                vals.append(("via branch", branch_of(vias[0]) or ""))
        else:
            vals.append(("to tag", tag_of(m.get("to") or "") or ""))
        forbid = [(n, rx) for n, rx in self.tokens
                  if n in ("user", "domain", "host name")]
        if self.a.addr:
            forbid.append(("local address", re.compile(re.escape(self.a.addr))))
        for where, v in vals:
            for name, rx in forbid:
                if rx.search(v):
                    self.bad("ids", m, where, "%s in %r" % (name, v))

    def run(self, msgs, extra_ok):
        a = self.a
        sent = [m for m in msgs if m.ours]
        # Call-IDs siptty made: the first message with it is a request
        # siptty sent (a response first means the peer made it).
        first = {}
        for m in msgs:
            first.setdefault(m.callid, m.ours and m.is_req)
        # Per-call levels (the p key): the call whose INVITE went to that
        # Request-URI user.
        over = {}
        for spec in a.call_level or []:
            user, _, lv = spec.partition("=")
            ids = {m.callid for m in sent if m.is_req and
                   m.method == "INVITE" and m.ruri_user() == user}
            if not ids:
                self.bad("capture", None, "call-level",
                         "no INVITE to user %r was sent" % user)
            for c in ids:
                over[c] = parse_level(lv)
        base = parse_level(a.level)
        seen = set()
        for m in sent:
            lv = over.get(m.callid, base)
            seen.add(m.kind())
            self.check_identity(m, lv)
            self.check_headers(m, lv)
            self.check_from(m, lv)
            self.check_privacy(m, lv)
            self.check_ids(m, first.get(m.callid, True))
        # Nothing hidden unasked: the positive controls.
        vis = [m for m in sent if not (over.get(m.callid, base) &
                                       {"header", "user"})]
        invites = [m for m in vis if m.is_req and m.method == "INVITE"]
        if invites and a.display and a.user and a.domain:
            if not any(a.display in (m.get("from") or "") and
                       ("%s@%s" % (a.user, a.domain)) in (m.get("from") or "")
                       for m in invites):
                self.bad("identity", invites[0], "from",
                         "positive control: the configured identity does "
                         "not appear: %r" % invites[0].get("from"))
            if a.ua and not any(a.ua in (m.get("user-agent") or "")
                                for m in invites):
                self.bad("headers", invites[0], "user-agent",
                         "positive control: User-Agent %r not sent" % a.ua)
            if not any(re.match(r"\s*(\"[^\"]*\"\s*)?<sips?:[^>@]+@",
                                c) for m in invites for c in m.all("contact")):
                self.bad("headers", invites[0], "contact",
                         "positive control: no user part in any Contact")
        elif not (base & {"header", "user"}) and not invites:
            self.bad("capture", None, "-", "no INVITE at a level that "
                     "hides nothing: the positive controls could not run")
        nonanon = [m for m in sent if m.is_req and m.method == "INVITE" and
                   "user" not in over.get(m.callid, base)]
        if nonanon and a.display and not any(
                a.display in (m.get("from") or "") for m in nonanon):
            self.bad("from", nonanon[0], "from", "the From of a level "
                     "without user lost the display name: %r" %
                     nonanon[0].get("from"))
        want = [k for k in (a.expect or "").split(",") if k]
        missing = [k for k in want if k not in seen]
        if missing:
            self.bad("capture", None, "-", "message kinds never sent: %s "
                     "(sent: %s)" % (", ".join(missing),
                                     ", ".join(sorted(seen))))
        for line in extra_ok:
            self.bad("capture", None, "-", line)
        self.notes["capture"] = "%d messages from siptty (%s)" % (
            len(sent), " ".join(sorted(seen)))
        return sent


def cross_check(a, msgs):
    """Every message a SIPp peer received from siptty is in the capture;
    tshark's dissector agrees with the split."""
    def norm(raw):
        # SIPp's trace may write the lines with or without CR.
        return raw.replace(b"\r\n", b"\n").strip()

    problems = []
    cap = set(norm(m.raw) for m in msgs if m.ours)
    for path in a.sipp or []:
        for m in from_sipp(path):
            if norm(m.raw) not in cap:
                problems.append("%s: in the SIPp trace but not in the "
                                "capture" % m.desc())
    if a.pcap:
        mine = sorted(m.method if m.is_req else "%d %s" % (m.status,
                                                           m.cseq_method)
                      for m in msgs if m.ours)
        theirs = dissector_kinds(a.pcap, a.port)
        if mine != theirs:
            problems.append("tshark's SIP dissector sees %d messages, the "
                            "payload split %d" % (len(theirs), len(mine)))
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--level", default="", help="the account's level, "
                   "e.g. user;header ('' or unset: none set)")
    p.add_argument("--call-level", action="append", metavar="RUSER=LEVEL",
                   help="the level of the call whose INVITE went to RUSER")
    p.add_argument("--pcap", help="capture to read with tshark")
    p.add_argument("--port", type=int, action="append",
                   help="siptty's UDP port (with --pcap; repeatable)")
    p.add_argument("--sipp", action="append", help="SIPp -trace_msg file")
    p.add_argument("--raw", action="append", help="fixture file")
    p.add_argument("--display", default="")
    p.add_argument("--user", default="")
    p.add_argument("--domain", default="")
    p.add_argument("--ua", default="")
    p.add_argument("--hostname", default="")
    p.add_argument("--addr", default="")
    p.add_argument("--secret", default="")
    p.add_argument("--authuser", default="")
    p.add_argument("--keep-headers", default="")
    p.add_argument("--strict-register", action="store_true",
                   help="at user, no display name in REGISTER either "
                   "(siptty.conf(5) keeps From of REGISTER as it is)")
    p.add_argument("--expect", default="", help="comma-separated kinds: "
                   "methods, reINVITE, status codes")
    a = p.parse_args()
    if a.pcap and not a.port:
        p.error("--pcap needs --port")
    msgs = []
    problems = []
    try:
        if a.pcap:
            msgs += from_pcap(a.pcap, a.port)
        elif a.sipp:
            for path in a.sipp:
                msgs += from_sipp(path)
        for path in a.raw or []:
            msgs += from_raw(path)
        if a.pcap:
            problems = cross_check(a, msgs)
    except (OSError, RuntimeError, subprocess.SubprocessError) as e:
        print("RESULT capture bad cannot read the input: %s" % e)
        return 1
    c = Checker(a)
    sent = c.run(msgs, problems)
    if not sent:
        c.bad("capture", None, "-", "no message from siptty")
    status = 0
    for g, v in c.viol.items():
        if v:
            status = 1
            print("RESULT %s bad %d violation(s)" % (g, len(v)))
            for line in v[:MAX_DETAILS]:
                print("  %s: %s" % (g, line))
            if len(v) > MAX_DETAILS:
                print("  %s: ... %d more" % (g, len(v) - MAX_DETAILS))
        else:
            print("RESULT %s ok %s" % (g, c.notes[g] or
                                       "%d messages" % len(sent)))
    return status


if __name__ == "__main__":
    sys.exit(main())
