"""rsvpwire.py - RSVP (RFC 2205) and RFC 3520 AUTH_SESSION encoding shared by
the QoS test helpers (edge_router.py, mktoken.py, tshark_check.py).  Python 3
standard library only.  Written from the RFCs, not from siptty's C code, so
the tests compare two independent readings.

Conventions (RFC 2750, RFC 3520, RFC 3313):
  policy element  = Length(16) P-Type(16) data; Length counts the whole
                    element and is a multiple of 4.  AUTH_SESSION P-Type 4.
  attribute       = Length(16) X-Type(8) SubType(8) value, then zero padding
                    to 4; Length counts header + value, not the padding, > 4.
  token (SIP)     = the whole policy element, Length included, in hex.
"""
import struct

P_AUTH_SESSION = 4
XTYPES = {1: 'AUTH_ENT_ID', 2: 'SESSION_ID', 3: 'SOURCE_ADDR', 4: 'DEST_ADDR',
          5: 'START_TIME', 6: 'END_TIME', 7: 'RESOURCES', 8: 'AUTHENTICATION_DATA'}
MSG_TYPES = {1: 'Path', 2: 'Resv', 3: 'PathErr', 4: 'ResvErr', 5: 'PathTear',
             6: 'ResvTear', 7: 'ResvConf'}


class Malformed(Exception):
    pass


def pad4(b):
    return b + b'\0' * (-len(b) % 4)


def attr(xtype, subtype, value):
    return struct.pack('!HBB', 4 + len(value), xtype, subtype) + pad4(value)


def element(ptype, body):
    return struct.pack('!HH', 4 + len(body), ptype) + body


def checksum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    c = ~s & 0xffff
    return c or 0xffff


def obj(cnum, ctype, body):
    body = pad4(body)
    return struct.pack('!HBB', 4 + len(body), cnum, ctype) + body


def message(mtype, objs, ttl=64):
    body = b''.join(objs)
    m = struct.pack('!BBHBBH', 0x10, mtype, 0, ttl, 0, 8 + len(body)) + body
    return m[:2] + struct.pack('!H', checksum(m)) + m[4:]


def parse_attrs(el):
    """AUTH_SESSION attributes of a whole element; raises Malformed."""
    ln, pt = struct.unpack_from('!HH', el)
    out, off, seen_auth = [], 4, False
    while off < ln:
        if ln - off < 4:
            raise Malformed('attribute header cut at %d' % off)
        al, xt, st = struct.unpack_from('!HBB', el, off)
        padded = (al + 3) & ~3
        if al <= 4 or off + padded > ln:
            raise Malformed('attribute length %d at %d does not fit' % (al, off))
        if seen_auth:
            raise Malformed('attribute after AUTHENTICATION_DATA')
        v = el[off + 4: off + al]
        if xt == 8:
            seen_auth = True
        if xt == 1 and st in (3, 4, 6, 7):
            vs = v.decode('utf-8', 'replace')
        else:
            vs = v.hex()
        out.append({'xtype': XTYPES.get(xt, str(xt)), 'subtype': st, 'len': al, 'value': vs})
        off += padded
    return out


def check_element(el):
    if len(el) < 4:
        raise Malformed('element shorter than 4')
    ln, pt = struct.unpack_from('!HH', el)
    if ln != len(el) or ln % 4:
        raise Malformed('element length %d for %d bytes' % (ln, len(el)))
    return parse_attrs(el) if pt == P_AUTH_SESSION else []


def _addr(ctype, b, need4, need6):
    import ipaddress
    if ctype == 1 and len(b) >= need4:
        return str(ipaddress.IPv4Address(b[:4])), 4
    if ctype == 2 and len(b) >= need6:
        return str(ipaddress.IPv6Address(b[:16])), 16
    raise Malformed('address object C-Type %d length %d' % (ctype, len(b)))


def parse(m):
    """An RSVP message as a dict; raises Malformed."""
    if len(m) < 8:
        raise Malformed('shorter than the common header')
    vf, mtype, ck, ttl, _, ln = struct.unpack_from('!BBHBBH', m)
    if vf >> 4 != 1:
        raise Malformed('version %d' % (vf >> 4))
    if ln != len(m) or ln % 4:
        raise Malformed('length %d for %d bytes' % (ln, len(m)))
    out = {'type': MSG_TYPES.get(mtype, str(mtype)), 'msg': mtype, 'ttl': ttl,
           'checksum': ck, 'checksum_ok': ck == 0 or checksum(m[:2] + b'\0\0' + m[4:]) == ck,
           'objects': [], 'policy': []}
    off = 8
    while off < ln:
        if ln - off < 4:
            raise Malformed('object header cut at %d' % off)
        ol, cn, ct = struct.unpack_from('!HBB', m, off)
        if ol < 4 or ol % 4 or off + ol > ln:
            raise Malformed('object length %d at %d' % (ol, off))
        b = m[off + 4: off + ol]
        out['objects'].append(cn)
        if cn == 1:
            a, al = _addr(ct, b, 8, 20)
            out['session'] = {'addr': a, 'proto': b[al], 'port': struct.unpack_from('!H', b, al + 2)[0]}
        elif cn == 3:
            a, al = _addr(ct, b, 8, 20)
            out['hop'] = {'addr': a, 'lih': struct.unpack_from('!I', b, al)[0]}
        elif cn == 5:
            out['time_ms'] = struct.unpack_from('!I', b)[0]
        elif cn == 6:
            a, al = _addr(ct, b, 8, 20)
            out['error'] = {'node': a, 'code': b[al + 1], 'value': struct.unpack_from('!H', b, al + 2)[0]}
        elif cn == 11:
            a, al = _addr(ct, b, 8, 20)
            out['sender'] = {'addr': a, 'port': struct.unpack_from('!H', b, al + 2)[0]}
        elif cn == 12 and ct == 2 and len(b) >= 32:
            r, bb, p = struct.unpack_from('!fff', b, 12)
            mm, MM = struct.unpack_from('!II', b, 24)
            out['tspec'] = {'r': r, 'b': bb, 'p': p, 'm': mm, 'M': MM}
        elif cn == 14:
            if len(b) < 4:
                raise Malformed('POLICY_DATA too short')
            doff = struct.unpack_from('!H', b)[0]
            if doff < 8 or doff - 4 > len(b):
                raise Malformed('POLICY_DATA offset %d' % doff)
            out['policy'].append(b[doff - 4:])
        off += ol
    return out


def ip_payload(pkt):
    """An IPv4 packet from a raw socket: (payload, has Router Alert)."""
    if len(pkt) < 20:
        raise Malformed('short IP packet')
    ihl = (pkt[0] & 0x0f) * 4
    if ihl < 20 or ihl > len(pkt):
        raise Malformed('bad IHL')
    opts = pkt[20:ihl]
    return pkt[ihl:], b'\x94\x04' in opts
