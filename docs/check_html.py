"""Check a built docs site: each tutorial's HTML holds the figures its notebook makes.

A tutorial's figures are the code cells whose last statement is an expression that is a
Figure: a call of a ``plot_*`` function or the name ``fig``. Each must appear as an ``<img>``
in the tutorial's page, pointing at a PNG file that exists and is not empty. Run by
``make docs`` after Sphinx; exits 1 with the list of what is missing.

    python docs/check_html.py [docs/_build/html]
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
CELL = re.compile(r"```\{code-cell\}[^\n]*\n(.*?)```", re.S)
IMG = re.compile(r'<img[^>]*\bsrc="([^"]+)"')


def expected_figures(source: str) -> int:
    """Number of code cells of a MyST notebook whose value is a Figure."""
    n = 0
    for cell in CELL.findall(source):
        code = "\n".join(line for line in cell.splitlines() if not line.startswith((":", "%")))
        body = ast.parse(code).body
        if not body or not isinstance(body[-1], ast.Expr):
            continue
        value = body[-1].value
        if isinstance(value, ast.Name) and value.id == "fig":
            n += 1
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id.startswith("plot_"):
            n += 1
    return n


def check(html_dir: Path) -> list[str]:
    problems = []
    tutorials = sorted((DOCS / "tutorials").glob("*.md"))
    if not tutorials:
        return [f"no tutorials in {DOCS / 'tutorials'}"]
    for md in tutorials:
        page = html_dir / "tutorials" / f"{md.stem}.html"
        want = expected_figures(md.read_text())
        if not page.is_file():
            problems.append(f"{page}: missing")
            continue
        images = [(page.parent / src).resolve() for src in IMG.findall(page.read_text())]
        pngs = [p for p in images if p.suffix == ".png" and p.is_file() and p.stat().st_size > 1000]
        if want == 0:
            problems.append(f"{md.name}: no figure cell (each tutorial shows its result)")
        if len(pngs) < want:
            problems.append(f"{page.name}: {len(pngs)} PNG figures, the notebook makes {want}")
        print(f"{md.stem}: {len(pngs)} figures (expected {want})")
    return problems


if __name__ == "__main__":
    html = Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS / "_build" / "html"
    problems = check(html)
    if problems:
        print("docs check failed:\n  " + "\n  ".join(problems), file=sys.stderr)
        sys.exit(1)
