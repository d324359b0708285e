#!/usr/bin/env python3
"""No test outside tests/server/demo_routes/ uses the demo routes. The in-process servers run the
test routes (tests/support/test_routes.h), so a fork that turns the demo routes off or deletes
them keeps every one of those tests; the tests that start the closewise binary test the program
as shipped, demo routes included, and name no demo handler in their source.

A source check, not a link check: which member of a static library the linker pulls in for a
weak symbol (an inlined std::string destructor, say) is an accident of file order, so the symbol
table of a test executable can hold the demo routes without any test using them.

Usage: demo_routes_unused_test.py SOURCE_DIR"""
import pathlib
import re
import sys

HEADER = "server/demo_routes.h"
SYMBOL = "registerDemoRoutes"
ALLOWED = "tests/server/demo_routes/"


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    # The names this check looks for must still be the real ones, or it would pass by missing
    # a rename.
    header = root / HEADER
    if not header.is_file() or not re.search(rf"\b{SYMBOL}\s*\(", header.read_text()):
        sys.exit(f"{HEADER} no longer declares {SYMBOL}: update HEADER and SYMBOL here")
    offenders = []
    for path in sorted((root / "tests").rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.suffix not in (".cc", ".h") or relative.startswith(ALLOWED):
            continue
        text = path.read_text(encoding="utf-8")
        if HEADER in text or re.search(rf"\b{SYMBOL}\b", text):
            offenders.append(relative)
    for relative in offenders:
        print(f"{relative} uses the demo routes: its tests must use the test routes "
              f"(tests/support/test_routes.h); a test of the demo routes belongs in {ALLOWED}")
    if offenders:
        return 1
    print(f"{SYMBOL}: used by {ALLOWED} only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
