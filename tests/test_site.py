"""The built website (make book) shows the committed notebooks, their outputs and
working links.

`make test` builds the site before running pytest. BOOK_HTML may point at another build.
"""

import html
import os
import re
from pathlib import Path

import pytest
import yaml

from book import ROOT, colab_url, read_notebook, read_toc, toc_files

SITE = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
NOTEBOOK_ENTRIES = [e for e in toc_files(read_toc()) if e.startswith("notebooks/")]


def page(entry: str) -> str:
    path = SITE / f"{entry}.html"
    if not SITE.exists():
        pytest.fail(f"no built site at {SITE}: run make book first")
    assert path.exists(), (
        f"{entry} is in _toc.yml but the build has no {path.relative_to(SITE)}"
    )
    return path.read_text()


def visible_text(markup: str) -> str:
    text = re.sub(r"<[^>]+>", "", markup)
    return re.sub(r"\s+", " ", html.unescape(text))


@pytest.mark.parametrize("entry", NOTEBOOK_ENTRIES)
def test_page_has_open_in_colab_link_to_its_notebook(entry):
    links = re.findall(
        r'href="(https://colab\.research\.google\.com/[^"]+)"', page(entry)
    )
    expected = colab_url(f"{entry}.ipynb")
    assert links == [expected], f"{entry}: Colab links {links}, expected [{expected}]"


@pytest.mark.parametrize("entry", NOTEBOOK_ENTRIES)
def test_page_shows_the_committed_outputs(entry):
    """Every printed output of the notebook is on its page: the site shows what nbval
    proved.
    """
    text = visible_text(page(entry))
    nb, _ = read_notebook(ROOT / f"{entry}.ipynb")
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stdout":
                printed = re.sub(r"\s+", " ", output.text).strip()
                assert printed in text, (
                    f"{entry}, cell {index}: printed output not on the page: "
                    f"{printed[:120]!r}"
                )


def test_footer_and_links_use_the_configured_repository():
    index = (
        (SITE / "chapters" / "introduction.html")
        if SITE.exists()
        else pytest.fail(f"no built site at {SITE}: run make book first")
    )
    markup = index.read_text()
    assert f"© Copyright {CONFIG['copyright']}" in visible_text(markup)
    for built in SITE.rglob("*.html"):
        assert "/blob/master/" not in built.read_text(), (
            f"{built.name} links to a master branch"
        )
