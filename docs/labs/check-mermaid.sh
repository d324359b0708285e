#!/usr/bin/env bash
# Checks that every Mermaid diagram in a Markdown file parses and renders, the way GitHub will
# show it: mermaid from npm (installed into /tmp, never into the repository), a local page that
# renders each ```mermaid block, headless Chromium to run it. Prints one line per diagram, writes
# a screenshot to look at, and exits 1 if any diagram failed. Not run by `make test` (it needs
# the npm registry the first time).
#
#   bash docs/labs/check-mermaid.sh [docs/close-handling.md] [/tmp/mermaid-check]
set -euo pipefail

DOC=${1:-$(dirname "$0")/../close-handling.md}
WORK=${2:-/tmp/mermaid-check}
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[[ -n $CHROMIUM ]] || { echo "needs chromium" >&2; exit 2; }

mkdir -p "$WORK"
if [[ ! -f $WORK/node_modules/mermaid/dist/mermaid.min.js ]]; then
  (cd "$WORK" && npm init -y >/dev/null && npm install --no-audit --no-fund mermaid@11 >/dev/null)
fi

# The page: each diagram's source in a <pre>, rendered in order; the outcome of each is written
# into the page, so --dump-dom can report it and the screenshot shows it.
python3 - "$DOC" "$WORK/check.html" <<'PY'
import html, re, sys
doc, out = sys.argv[1], sys.argv[2]
blocks = re.findall(r"^```mermaid\n(.*?)^```", open(doc).read(), re.S | re.M)
pre = "\n".join(f'<h3>diagram {i + 1}</h3><pre class="src" id="src{i}">{html.escape(b)}</pre>'
                f'<div id="out{i}"></div>' for i, b in enumerate(blocks))
open(out, "w").write(f"""<!doctype html><html><head><meta charset="utf-8">
<style>pre.src {{ display: none }} body {{ font-family: sans-serif; width: 1100px }}</style>
<script src="node_modules/mermaid/dist/mermaid.min.js"></script></head><body>
<p id="status">rendering {len(blocks)} diagrams</p>{pre}
<script>
mermaid.initialize({{ startOnLoad: false, theme: "default" }});
(async () => {{
  const results = [];
  for (let i = 0; i < {len(blocks)}; i++) {{
    const source = document.getElementById("src" + i).textContent;
    try {{
      const {{ svg }} = await mermaid.render("d" + i, source);
      document.getElementById("out" + i).innerHTML = svg;
      results.push("diagram " + (i + 1) + ": ok");
    }} catch (e) {{
      document.getElementById("out" + i).textContent = "ERROR " + e.message;
      results.push("diagram " + (i + 1) + ": ERROR " + String(e.message).split("\\n")[0]);
    }}
  }}
  document.getElementById("status").textContent = "RESULT " + results.join(" | ");
}})();
</script></body></html>""")
print(f"{len(blocks)} diagrams in {doc}")
PY

run_chromium() {
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --allow-file-access-from-files \
    --virtual-time-budget=15000 "$@" "file://$WORK/check.html" 2>/dev/null
}
run_chromium --dump-dom >"$WORK/dom.html"
run_chromium --screenshot="$WORK/diagrams.png" --window-size=1100,2600 >/dev/null
RESULT=$(sed -n 's/.*<p id="status">\([^<]*\)<.*/\1/p' "$WORK/dom.html")
[[ $RESULT == RESULT* ]] || RESULT="RESULT the page did not finish: $RESULT"
echo "${RESULT#RESULT }" | tr '|' '\n' | sed 's/^ */  /'
echo "screenshot: $WORK/diagrams.png"
[[ $RESULT != *ERROR* && $RESULT != *"did not finish"* ]]
