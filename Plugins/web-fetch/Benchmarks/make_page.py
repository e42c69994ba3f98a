#!/usr/bin/env python3
"""Writes a ~1 MB HTML page for measuring web-fetch's HTML-to-markdown speed.

Usage: make_page.py OUT.html [MEGABYTES]
The page repeats a mix of what real articles hold: headings, paragraphs with links and emphasis, nested
lists, a table, code, plus boilerplate that is dropped (nav, scripts, sidebars).
"""
import sys

SECTION = """
<section>
  <h2>Section {n}: weaving notes</h2>
  <p>The <strong>warp</strong> threads run lengthwise and the <em>weft</em> threads cross them; see
     <a href="/notes/{n}">note {n}</a> and <a href="https://example.org/ref/{n}?q=loom&amp;page=2">reference {n}</a>.
     Each pass of the shuttle lays one pick, and the beater packs it tight against the fell.</p>
  <ul><li>Plain weave, item {n}</li><li>Twill with <code>2/2</code> lift
      <ul><li>left-hand</li><li>right-hand</li></ul></li><li>Satin</li></ul>
  <table><tr><th>Pattern</th><th>Shafts</th><th>Picks</th></tr>
         <tr><td>Plain</td><td>2</td><td>{n}</td></tr>
         <tr><td><a href="/twill">Twill</a></td><td>4</td><td>{m}</td></tr></table>
  <pre>lift = [1, 0, 1, 0]  # pick {n}</pre>
  <div class="sidebar"><a href="/ad">Buy yarn</a></div>
  <script>track({n});</script>
</section>
"""


def main():
    out = sys.argv[1]
    megabytes = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    parts = ["<!DOCTYPE html><html><head><meta charset=utf-8><title>Benchmark page</title>"
             "<style>body{margin:0}</style></head><body><nav><a href='/'>Home</a></nav><main><h1>Weaving</h1>"]
    size = sum(len(p) for p in parts)
    n = 0
    while size < megabytes * 1_000_000:
        section = SECTION.format(n=n, m=n * 2)
        parts.append(section)
        size += len(section)
        n += 1
    parts.append("</main><footer>end</footer></body></html>")
    with open(out, "w", encoding="utf-8") as f:
        f.write("".join(parts))


if __name__ == "__main__":
    main()
