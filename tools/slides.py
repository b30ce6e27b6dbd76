"""Slides for each session of the course plan, from the chapters' cells (make slides).

A cell goes on a slide when its Jupyter slideshow type says so (in Jupyter: View, Cell
Toolbar, Slideshow; in the file: metadata.slideshow.slide_type). "slide" starts a new
slide, "subslide" one below it, "fragment" appears on the next key press, "-"
continues the slide before it; untagged cells and "skip" stay in the chapter only.
The sessions come from course.yml, the course's one source: a deck has the session's
plan (show_live) and the slides of the chapters it reads.

    python tools/slides.py [OUT]     # default _build/slides; one folder per session

Each deck is a reveal.js page that reads nothing from another host: reveal.js as the
pinned sphinx-revealjs package ships it, MathJax as sphinx-mathjax-offline ships it
(the book's site serves the same copy), figures inside the page. The notebook's stored
outputs are shown as they are: the same figures and numbers as the website.
"""

import html
import re
import shutil
import sys
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

import nbformat
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

import course
import timings
from book import NOTEBOOK_DIR, ROOT
from quizzes import Answer, questions_of, quiz_cell

SLIDE_TYPES = ("slide", "subslide", "fragment", "-")
# The slide is 1280 x 720 CSS pixels, a projector's picture, so that reveal.js scales
# it by about 1 on a 1280 x 720 screen and text keeps the size set in slides.css.
WIDTH, HEIGHT = 1280, 720
# The smallest body text (CSS px) a slide that is too tall shrinks to; its code, at
# 0.72 of it, stays above the 16 px tests/test_slides.py holds every text to.
SMALLEST_FIT_PX = 23


def package_folder(package: str, *parts: str) -> Path:
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{package} is not installed: run make venv")
    return Path(next(iter(spec.submodule_search_locations)), *parts)


def reveal_folder() -> Path:
    return package_folder("sphinx_revealjs", "_static", "revealjs")


def mathjax_folder() -> Path:
    return package_folder("sphinx-mathjax-offline", "static", "mathjax")


def _math(content: str, options: dict) -> str:
    content = html.escape(content)
    if options.get("display_mode"):
        return f'<div class="math">\\[{content}\\]</div>'
    return f'<span class="math">\\({content}\\)</span>'


MARKDOWN = MarkdownIt("commonmark").enable("table")
dollarmath_plugin(MARKDOWN, renderer=_math, allow_digits=False)
LABEL_LINE = re.compile(r"^\([\w-]+\)=\s*$", re.MULTILINE)


def markdown_html(source: str) -> str:
    return MARKDOWN.render(LABEL_LINE.sub("", source))


def output_html(output) -> str:
    if output.output_type == "stream":
        return f'<pre class="output">{html.escape(output.text)}</pre>'
    data = output.get("data", {})
    if "image/png" in data:
        png = data["image/png"].replace("\n", "")
        alt = html.escape(data.get("text/plain", "a figure").strip("<>"))
        return f'<img class="figure" src="data:image/png;base64,{png}" alt="{alt}">'
    if "image/svg+xml" in data:
        svg = data["image/svg+xml"]
        svg = "".join(svg) if isinstance(svg, list) else svg
        return f'<div class="figure">{svg}</div>'
    if "text/plain" in data:
        return f'<pre class="output">{html.escape(data["text/plain"])}</pre>'
    return ""


CODE_STYLE = HtmlFormatter(style="default", nowrap=True)


def cell_html(cell) -> str:
    if cell.cell_type == "markdown":
        return markdown_html(cell.source)
    tags = set(cell.metadata.get("tags", []))
    parts = []
    if not tags & {"hide-input", "remove-input", "remove-cell"}:
        code = highlight(cell.source, PythonLexer(), CODE_STYLE)
        parts.append(f'<pre class="code">{code}</pre>')
    if not tags & {"remove-output", "remove-cell", "hide-output"}:
        parts += [output_html(o) for o in cell.get("outputs", [])]
    return "\n".join(p for p in parts if p)


def quiz_slides(nb, stem: str) -> list[str]:
    """A chapter's quiz, one question a slide, named as course.yml and make quiz-bank
    name it ("Quiz 3.2"): four questions of three answers do not fit on one slide."""
    return [
        f"<h2>Quiz {q.name}</h2>"
        + markdown_html("\n".join([f"**{q.text}**", "", *map(Answer.line, q.answers)]))
        for q in questions_of(nb, stem)
    ]


@dataclass
class Slide:
    parts: list[str] = field(default_factory=list)
    below: list["Slide"] = field(default_factory=list)  # subslides


def chapter_slides(path: Path) -> list[Slide]:
    """The slides of one chapter: a title slide, then one per tagged cell run."""
    nb = nbformat.read(path, as_version=4)
    number, quiz = course.chapter_number(path.stem), quiz_cell(nb)
    heading = html.escape(timings.title(nb, path))
    slides = [Slide([f"<h1>Chapter {number}</h1><h2>{heading}</h2>"])]
    current = None
    for cell in nb.cells:
        kind = cell.metadata.get("slideshow", {}).get("slide_type")
        if kind not in SLIDE_TYPES:
            current = None if kind == "skip" else current
            continue
        if cell is quiz:
            slides += [Slide([body]) for body in quiz_slides(nb, path.stem)]
            current = None
            continue
        body = cell_html(cell)
        if kind == "slide" or current is None:
            current = Slide([body])
            slides.append(current)
        elif kind == "subslide":
            top = slides[-1]
            current = Slide([body])
            top.below.append(current)
        elif kind == "fragment":
            current.parts.append(f'<div class="fragment">{body}</div>')
        else:
            current.parts.append(body)
    return slides


def section(slide: Slide) -> str:
    inner = "\n".join(slide.parts)
    if not slide.below:
        return f"<section>\n{inner}\n</section>"
    below = "\n".join(section(s) for s in slide.below)
    return f"<section>\n<section>\n{inner}\n</section>\n{below}\n</section>"


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="../lib/reveal/dist/reveal.css">
<link rel="stylesheet" href="../lib/reveal/dist/theme/white.css">
<link rel="stylesheet" href="../lib/slides.css">
<style>{pygments}</style>
<script>
window.MathJax = {{ tex: {{ inlineMath: [["\\\\(", "\\\\)"]] }},
                   svg: {{ fontCache: "global" }},
                   startup: {{ typeset: true }} }};
</script>
<script src="../lib/mathjax/tex-svg.js" defer></script>
</head>
<body>
<div class="reveal"><div class="slides">
<section><h1>{title}</h1><p>{subtitle}</p></section>
{sections}
</div></div>
<script src="../lib/reveal/dist/reveal.js"></script>
<script>
Reveal.initialize({{ width: {width}, height: {height}, margin: 0.02, hash: true,
                    center: false, slideNumber: "c/t", transition: "none" }});
// A slide taller than the screen: its text, code and equations shrink together, a
// pixel at a time, down to {smallest} px (code to about 16), until it fits.
function fit(slide) {{
  if (!slide) return;
  let px = parseFloat(getComputedStyle(slide).fontSize);
  while (slide.scrollHeight > slide.clientHeight + 1 && px > {smallest}) {{
    px -= 1;
    slide.style.fontSize = px + "px";
  }}
}}
Reveal.on("ready", (event) => fit(event.currentSlide));
Reveal.on("slidechanged", (event) => fit(event.currentSlide));
window.addEventListener("load", () =>
  MathJax.startup.promise.then(() => fit(Reveal.getCurrentSlide())));
</script>
</body>
</html>
"""

STYLE = """/* The decks of make slides (tools/slides.py). Sizes are CSS pixels on a
   1280 x 720 slide, which reveal.js shows at about that size on such a screen. */
.reveal { font-size: 28px; }
.reveal .slides section { max-height: 704px; overflow-y: auto; }
/* Room for the descenders of a last line of large text, which would otherwise make
   its slide scroll by 2 px. */
.reveal .slides section { padding-bottom: 6px; }
.reveal h1 { font-size: 56px; }
.reveal h2 { font-size: 42px; }
.reveal h3, .reveal h4 { font-size: 34px; }
.reveal .slides section { text-align: left; }
/* Code and tables in em, so that a slide's text shrinks as one (fit() in the page):
   0.72em is 20 px of 28. */
.reveal pre { width: 100%; box-shadow: none; margin: 0.3em 0; font-size: 0.72em; }
.reveal pre code { font-size: 100%; line-height: 1.3; max-height: none; }
.reveal pre.code, .reveal pre.output {
  line-height: 1.3; max-height: 26em; overflow: auto;
  background: #f6f8fa; padding: 0.4em 0.6em;
}
.reveal pre.output { background: #fff; border-left: 4px solid #ccc; }
.reveal code { font-size: 0.9em; }
.reveal img.figure, .reveal div.figure svg {
  display: block; max-width: 100%; max-height: 560px; width: auto; height: auto;
  margin: 0.2em auto;
}
.reveal table { font-size: 0.86em; }
.reveal .math mjx-container { font-size: 100%; }
"""


DOC_LINK = re.compile(r"\{doc\}`(?:([^`<]*?) *<)?(?:\.\./notebooks/)?([^`>]+)>?`")


@dataclass
class Session:
    title: str
    chapters: list[Path]  # those it reads, else those its demonstration opens
    agenda: list[tuple[int, str]]  # (minutes, what to show), course.yml's show_live


def sessions(plan: dict) -> list[Session]:
    found = []
    for number, session in enumerate(plan["sessions"], start=1):
        stems = [item["read"] for item in session.get("before", []) if "read" in item]
        if not stems:
            stems = [
                m[2]
                for _, text in session.get("show_live", [])
                for m in DOC_LINK.finditer(text)
                if (NOTEBOOK_DIR / f"{m[2]}.ipynb").exists()
            ]
        chapters = [NOTEBOOK_DIR / f"{stem}.ipynb" for stem in dict.fromkeys(stems)]
        agenda = [(minutes, text) for minutes, text in session.get("show_live", [])]
        found.append(Session(f"Session {number}: {session['title']}", chapters, agenda))
    return found


def chapter_name(stem: str) -> str:
    """"chapter 2" for 02-forward-direction; other pages keep their name."""
    return f"chapter {int(stem[:2])}" if re.match(r"\d\d-", stem) else stem


def agenda_slide(session: Session) -> Slide:
    """What the session shows live, minute by minute, as course.yml plans it."""
    rows, start = [], 0
    for minutes, text in session.agenda:
        text = DOC_LINK.sub(lambda m: m[1] or chapter_name(m[2]), text)
        text = text[:1].upper() + text[1:]
        rows.append(f"| {start} to {start + minutes} | {text} |")
        start += minutes
    table = "| minutes | shown live |\n|---|---|\n" + "\n".join(rows)
    return Slide([f"<h2>The plan</h2>{markdown_html(table)}"])


def build(out: Path, plan: dict) -> list[Path]:
    if out.exists():
        shutil.rmtree(out)
    lib = out / "lib"
    skip = shutil.ignore_patterns("*.esm.js*", "*.map")
    shutil.copytree(reveal_folder(), lib / "reveal", ignore=skip)
    # MathJax's TeX-to-SVG build, and the TeX extensions it loads when a page asks
    (lib / "mathjax").mkdir(parents=True)
    shutil.copy(mathjax_folder() / "tex-svg.js", lib / "mathjax")
    shutil.copytree(mathjax_folder() / "input", lib / "mathjax" / "input")
    (lib / "slides.css").write_text(STYLE)
    pages = []
    for number, session in enumerate(sessions(plan), start=1):
        slides = [agenda_slide(session)] + [
            s for path in session.chapters for s in chapter_slides(path)
        ]
        names = ", ".join(f"Chapter {int(p.name[:2])}" for p in session.chapters)
        title = session.title
        page = out / f"session-{number}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(
            PAGE.format(
                title=html.escape(title),
                subtitle=f"Bidirectional RNNs, Step by Step. {names}",
                sections="\n".join(section(s) for s in slides),
                pygments=CODE_STYLE.get_style_defs(".reveal pre.code"),
                width=WIDTH,
                height=HEIGHT,
                smallest=SMALLEST_FIT_PX,
            )
        )
        pages.append(page)
    return pages


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "_build" / "slides"
    for page in build(out, course.load()):
        print(f"wrote {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
