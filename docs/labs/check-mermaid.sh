#!/usr/bin/env bash
# Checks that every Mermaid diagram in the docs parses and renders, the way GitHub will show it:
# mermaid from npm (installed into a directory under /tmp, never into the repository), a local page
# that renders each ```mermaid block of every docs/*.md, headless Chromium to run it. Prints one
# line per diagram and writes a screenshot to look at.
#
#   bash docs/labs/check-mermaid.sh [FILE.md...]        (default: every docs/*.md)
#
# Exit codes, as the labs: 0 every diagram rendered, 1 one did not (or a file named has none),
# 77 it cannot run here: no Chromium, or no mermaid and no npm registry to fetch it from.
# Environment: MERMAID_VERSION (default 11.17.2, pinned so a run today and a run next year check
# against the same parser), MERMAID_DIR (default /tmp/mermaid-check-<uid>).
set -euo pipefail

DOCS_DIR=$(cd "$(dirname "$0")/.." && pwd)
VERSION=${MERMAID_VERSION:-11.17.2}
WORK=${MERMAID_DIR:-/tmp/mermaid-check-$(id -u)}
# Files named on the command line must each hold a diagram; the default set need not.
if (($# > 0)); then DOCS=("$@") EXPLICIT=1; else DOCS=("$DOCS_DIR"/*.md) EXPLICIT=0; fi

skip() {
  echo "SKIP check-mermaid: $*"
  exit 77
}
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[[ -n $CHROMIUM ]] || skip "needs chromium"
command -v python3 >/dev/null || skip "needs python3"

mkdir -p "$WORK"
MERMAID="$WORK/node_modules/mermaid/dist/mermaid.min.js"
if [[ ! -f $MERMAID || $(cat "$WORK/version" 2>/dev/null) != "$VERSION" ]]; then
  command -v npm >/dev/null || skip "needs mermaid $VERSION from npm, and npm is not installed"
  rm -rf "$WORK/node_modules"
  (cd "$WORK" && npm init -y >/dev/null &&
    timeout 300 npm install --no-audit --no-fund "mermaid@$VERSION" >"$WORK/npm.log" 2>&1) ||
    skip "cannot install mermaid $VERSION from npm (see $WORK/npm.log)"
  echo "$VERSION" >"$WORK/version"
fi

# The page: each diagram's source in a <pre>, rendered in order; the outcome of each is written
# into the page, so --dump-dom can report it and the screenshot shows it.
python3 - "$WORK/check.html" "$EXPLICIT" "${DOCS[@]}" <<'PY'
import html, os, re, sys
out, explicit, docs = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
blocks, empty = [], []
for doc in docs:
    found = re.findall(r"^```mermaid\n(.*?)^```", open(doc).read(), re.S | re.M)
    if not found and explicit:
        empty.append(doc)
    for i, block in enumerate(found):
        blocks.append((f"{os.path.basename(doc)} diagram {i + 1}", block))
if empty:
    sys.exit("no mermaid diagram in " + ", ".join(empty))
pre = "\n".join(f'<h3>{html.escape(name)}</h3><pre class="src" id="src{i}">{html.escape(b)}</pre>'
                f'<div id="out{i}"></div>' for i, (name, b) in enumerate(blocks))
names = "[" + ",".join('"' + name + '"' for name, _ in blocks) + "]"
open(out, "w").write(f"""<!doctype html><html><head><meta charset="utf-8">
<style>pre.src {{ display: none }} body {{ font-family: sans-serif; width: 1100px }}</style>
<script src="node_modules/mermaid/dist/mermaid.min.js"></script></head><body>
<p id="status">rendering {len(blocks)} diagrams</p>{pre}
<script>
mermaid.initialize({{ startOnLoad: false, theme: "default" }});
const names = {names};
(async () => {{
  const results = [];
  for (let i = 0; i < names.length; i++) {{
    const source = document.getElementById("src" + i).textContent;
    try {{
      const {{ svg }} = await mermaid.render("d" + i, source);
      document.getElementById("out" + i).innerHTML = svg;
      results.push(names[i] + ": ok");
    }} catch (e) {{
      document.getElementById("out" + i).textContent = "ERROR " + e.message;
      results.push(names[i] + ": ERROR " + String(e.message).split("\\n")[0]);
    }}
  }}
  document.getElementById("status").textContent = "RESULT " + results.join(" | ");
}})();
</script></body></html>""")
print(f"{len(blocks)} diagrams in {len(docs)} files")
PY

run_chromium() {
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --allow-file-access-from-files \
    --user-data-dir="$WORK/profile" --virtual-time-budget=20000 "$@" "file://$WORK/check.html" \
    2>/dev/null
}
run_chromium --dump-dom >"$WORK/dom.html"
run_chromium --screenshot="$WORK/diagrams.png" --window-size=1100,6000 >/dev/null || true
RESULT=$(sed -n 's/.*<p id="status">\([^<]*\)<.*/\1/p' "$WORK/dom.html")
[[ $RESULT == RESULT* ]] || RESULT="RESULT the page did not finish: $RESULT"
echo "${RESULT#RESULT }" | tr '|' '\n' | sed 's/^ */  /'
echo "screenshot: $WORK/diagrams.png"
[[ $RESULT != *ERROR* && $RESULT != *"did not finish"* ]]
