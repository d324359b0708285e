#!/usr/bin/python3
"""Answers whether a path is in a Docker build context, by the rules of its .dockerignore.

    docker_context.py .dockerignore excluded PATH     exit 0 if PATH is left out
    docker_context.py .dockerignore included PATH     exit 0 if PATH is sent
    docker_context.py .dockerignore included-all      paths on stdin; prints the excluded ones
                                                      and exits 1 if there are any

Docker's rules (the builder's .dockerignore documentation): a line starting with # is a comment;
each other line is a pattern relative to the context root, a leading / and a trailing / being
ignored; * and ? match within one path element, ** any number of elements; a pattern that
matches a directory excludes everything under it; a line starting with ! re-includes what
matches it; and the last line that matches a path decides.
"""

import re
import sys


def to_regex(pattern):
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            if pattern.startswith("/", i):
                out.append("/?")
                i += 1
            continue
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i)
            out.append(pattern[i:end + 1] if end > 0 else re.escape(c))
            i = end if end > 0 else i
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out))


def read_rules(path):
    rules = []
    with open(path, encoding="utf-8") as ignore:
        for line in ignore:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            pattern = line[1:].strip() if negated else line
            pattern = pattern.strip("/")
            rules.append((negated, to_regex(pattern)))
    return rules


def excluded(rules, path):
    parts = path.strip("/").split("/")
    # The path itself and each of its parents: a pattern matching a directory covers its files.
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    verdict = False
    for negated, regex in rules:
        if any(regex.fullmatch(candidate) for candidate in candidates):
            verdict = not negated
    return verdict


def main(argv):
    if len(argv) < 3 or argv[2] not in ("excluded", "included", "included-all"):
        sys.exit(__doc__)
    rules = read_rules(argv[1])
    if argv[2] == "included-all":
        left_out = [p for p in (line.strip() for line in sys.stdin) if p and excluded(rules, p)]
        print(" ".join(left_out))
        return 1 if left_out else 0
    is_excluded = excluded(rules, argv[3])
    return 0 if is_excluded == (argv[2] == "excluded") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
