#!/usr/bin/env python3
"""The code docs/handler-api.md shows is the code the tests compile and run: each example is
marked in a source file ("// BEGIN NAME" ... "// END NAME", or "# BEGIN NAME" in CMake) and must
stand verbatim in one of the page's ```cpp or ```cmake blocks. A change to the source that the
page does not follow fails here.

Usage: doc_examples_test.py SOURCE_DIR"""
import pathlib
import re
import sys

# (page, source, marker name)
EXAMPLES = [
    ("docs/handler-api.md", "tests/server/http_handler_api_example_test.cc", "handler-api example"),
    ("docs/handler-api.md", "tests/server/http_streamed_body_example_test.cc",
     "streamed-body example"),
    ("docs/handler-api.md", "app/proxy_route.cc", "upstream example"),
    ("docs/handler-api.md", "tests/server/json_handler_example_test.cc", "json example"),
    ("docs/handler-api.md", "tests/server/offload_handler_example_test.cc", "offload example"),
    ("docs/handler-api.md", "tests/server/middleware_example_test.cc", "middleware example"),
    ("docs/handler-api.md", "tests/server/ws_handler_api_example_test.cc", "websocket example"),
    ("docs/handler-api.md", "tests/server/ws_handler_api_example_test.cc",
     "websocket room example"),
    ("docs/handler-api.md", "tests/server/router_path_values_example_test.cc", "routing example"),
    ("docs/handler-api.md", "examples/items-service/CMakeLists.txt", "items-service cmake"),
    ("docs/handler-api.md", "examples/items-service/main.cc", "items-service handlers"),
    ("docs/handler-api.md", "examples/items-service/main.cc", "items-service middleware"),
    ("docs/handler-api.md", "examples/items-service/main.cc", "items-service routes"),
]


def marked_block(source, name):
    text = source.read_text(encoding="utf-8")
    begin = re.search(rf"^(?://|#) BEGIN {re.escape(name)}\b.*$", text, re.M)
    end = re.search(rf"^(?://|#) END {re.escape(name)}\b.*$", text, re.M)
    if not begin or not end or end.start() < begin.end():
        return None
    return text[begin.end() + 1:end.start()].rstrip("\n")


def code_blocks(page):
    return re.findall(r"^```(?:cpp|cmake)\n(.*?)^```", page.read_text(encoding="utf-8"),
                      re.M | re.S)


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    failed = 0
    for page, source, name in EXAMPLES:
        block = marked_block(root / source, name)
        if block is None:
            print(f"{source}: no '// BEGIN {name}' ... '// END {name}' markers")
            failed += 1
        elif not any(block in shown for shown in code_blocks(root / page)):
            print(f"{page} does not show {source}'s '{name}' verbatim: copy it again")
            failed += 1
        else:
            print(f"{page}: '{name}' matches {source}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
