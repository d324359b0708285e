#!/usr/bin/env python3
"""The module map of STYLE.md, checked on the #include lines: each top-level folder of the
program may include only the folders its arrows reach, and the leaves only the libraries they are
allowed (lifecycle/ no libuv, llhttp or spdlog; protocol/ no libuv or spdlog; kernel/ none of
them). The CMake link graph enforces the arrows between libraries; this catches a header-only
include, which links nothing and so slips past it.

Known violations are listed in include_allowlist.txt, which should only shrink: an entry that no
longer matches anything fails the check too, so it is deleted when the code is fixed.

Usage: include_arrows_test.py SOURCE_DIR"""
import pathlib
import re
import sys

# Folder -> the program's folders it may include (besides itself). app/ is the only one that
# knows them all; admin/ reads the server (and, once wired, the upstream pools).
ALLOWED = {
    "app": {"admin", "server", "upstream", "lifecycle", "protocol", "kernel", "settings"},
    "admin": {"server", "upstream", "lifecycle", "protocol", "kernel", "settings"},
    "server": {"lifecycle", "protocol", "kernel", "settings"},
    "upstream": {"lifecycle", "protocol", "kernel", "settings"},
    "lifecycle": set(),
    "settings": set(),
    "protocol": set(),
    "kernel": set(),
}
# Folder -> system libraries it must not include (the prefix of the <...> name).
FORBIDDEN_LIBRARIES = {
    "lifecycle": ("uv.h", "llhttp.h", "spdlog/"),
    "protocol": ("uv.h", "spdlog/"),
    "kernel": ("uv.h", "llhttp.h", "spdlog/"),
    "settings": ("uv.h", "llhttp.h", "spdlog/"),
}
PROGRAM_FOLDERS = set(ALLOWED)
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def violations(root):
    """Yields "path -> target" for every include the map does not allow."""
    for folder in sorted(ALLOWED):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".h", ".cc") or not path.is_file():
                continue
            relative = path.relative_to(root).as_posix()
            for line in path.read_text(encoding="utf-8").splitlines():
                match = INCLUDE.match(line)
                if not match:
                    continue
                kind, name = match.groups()
                if kind == '"':
                    target = name.split("/", 1)[0]
                    if target in PROGRAM_FOLDERS and target != folder \
                            and target not in ALLOWED[folder]:
                        yield f"{relative} -> {target}"
                elif name.startswith(FORBIDDEN_LIBRARIES.get(folder, ())):
                    yield f"{relative} -> <{name}>"


def allowlist(path):
    entries = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            entries.add(line)
    return entries


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    known = allowlist(pathlib.Path(__file__).with_name("include_allowlist.txt"))
    found = set(violations(root))
    new = sorted(found - known)
    fixed = sorted(known - found)
    for entry in new:
        print(f"include not allowed by the module map (STYLE.md): {entry}")
    for entry in fixed:
        print(f"include_allowlist.txt lists {entry}, which no longer occurs: delete the line")
    if new or fixed:
        return 1
    print(f"module map holds: {len(found)} known violation(s) left in include_allowlist.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
