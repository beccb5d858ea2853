#!/usr/bin/python3
"""jq.py - small queries on files of JSON lines (siptty's --events log, the
edge router's log) for tests/tiers/qos-call.sh.  Standard library only.

  jq.py any FILE EXPR          exit 0 when some line's object d makes the
                               Python expression EXPR true
  jq.py count FILE EXPR        prints how many lines make EXPR true
  jq.py get FILE EXPR FIELD    prints FIELD of the last line making EXPR
                               true (exit 1 when none has it)
  jq.py states FILE TYPE       prints the "state" of every TYPE line, in
                               order, space-separated

EXPR sees one name, d (the line's object); a line where EXPR raises
KeyError, IndexError or TypeError does not match.  Lines that are not
JSON are skipped.
"""
import json
import sys


def lines(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if isinstance(d, dict):
                yield d


def match(d, expr):
    try:
        return bool(eval('(' + expr + ')', {'__builtins__': {'len': len, 'str': str, 'int': int}}, {'d': d}))
    except (KeyError, IndexError, TypeError):
        return False


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    op, path = argv[1], argv[2]
    if op == 'any' and len(argv) == 4:
        return 0 if any(match(d, argv[3]) for d in lines(path)) else 1
    if op == 'count' and len(argv) == 4:
        print(sum(1 for d in lines(path) if match(d, argv[3])))
        return 0
    if op == 'get' and len(argv) == 5:
        val = None
        for d in lines(path):
            if match(d, argv[3]) and argv[4] in d:
                val = d[argv[4]]
        if val is None:
            return 1
        print(val)
        return 0
    if op == 'states' and len(argv) == 4:
        print(' '.join(str(d.get('state')) for d in lines(path) if d.get('type') == argv[3]))
        return 0
    sys.exit(__doc__)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
