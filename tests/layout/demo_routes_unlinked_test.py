#!/usr/bin/env python3
"""The in-process test executables do not link the demo routes. Their server runs the test routes
(tests/support/test_routes.h), so a fork that turns the demo routes off or deletes them keeps every
one of those tests. A test that called registerDemoRoutes, directly or through a shared fixture,
would pull server/demo_routes.cc's object out of the static server library and into its
executable, so the symbol tables tell, whatever the sources look like.

The executable of the demo routes' own tests must link them: that shows the symbol is still found
under the name this check looks for, so the check cannot pass by missing a rename.

Usage: demo_routes_unlinked_test.py NM DEMO_ROUTE_TESTS IN_PROCESS_TESTS..."""
import pathlib
import subprocess
import sys

SYMBOL = "registerDemoRoutes"


def links_demo_routes(nm, executable):
    symbols = subprocess.run([nm, "--defined-only", executable], check=True,
                             capture_output=True, text=True).stdout
    return SYMBOL in symbols


def main():
    nm, demo_tests, *in_process = sys.argv[1:]
    if not in_process:
        sys.exit("usage: demo_routes_unlinked_test.py NM DEMO_ROUTE_TESTS IN_PROCESS_TESTS...")
    failed = False
    if not links_demo_routes(nm, demo_tests):
        print(f"{pathlib.Path(demo_tests).name} does not define {SYMBOL}: has it been renamed? "
              "Update SYMBOL here.")
        failed = True
    for executable in in_process:
        if links_demo_routes(nm, executable):
            print(f"{pathlib.Path(executable).name} links {SYMBOL}: its tests must use the test "
                  "routes (tests/support/test_routes.h); a test of the demo routes belongs in "
                  "tests/server/demo_routes/")
            failed = True
    if failed:
        sys.exit(1)
    print(f"{SYMBOL}: in {pathlib.Path(demo_tests).name} only, not in "
          + ", ".join(pathlib.Path(e).name for e in in_process))


if __name__ == "__main__":
    main()
