"""The built website (make book) shows the committed notebooks, their outputs and
working links.

`make test` builds the site before running pytest. BOOK_HTML may point at another build.
"""

import html
import re

import pytest
import yaml

from book import ROOT, SITE, colab_url, read_notebook, read_toc, repository, toc_files
from capstone import CHAPTER as CAPSTONE
from capstone import published_assets_url
from exercises import find_exercises

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
        text = built.read_text()
        assert "/blob/master/" not in text, f"{built.name} links to a master branch"
        if built.parent.name in ("chapters", "notebooks"):  # every page of the book
            footer = visible_text(text.split('<footer class="bd-footer-content')[-1])
            assert "CC BY 4.0" in footer and "MIT License" in footer, (
                f"{built.name}: the footer does not give the licence"
            )


WITHOUT_SOLUTIONS = SITE.parent / "without-solutions" / "html"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def check_cells_with_output(markup: str) -> int:
    """How many cells tagged check have an output area on the page."""
    cells = re.split(r'<div class="cell[ "]', markup)[1:]
    return sum(c.startswith("tag_check") and 'class="cell_output' in c for c in cells)


@pytest.mark.parametrize("entry", NOTEBOOK_ENTRIES)
def test_site_without_solutions_shows_stubs_and_no_answers(entry):
    """`make book-without-solutions`, which make test builds beside the public site."""
    path = WITHOUT_SOLUTIONS / f"{entry}.html"
    if not path.exists():
        pytest.fail(f"no {path}: run make book-without-solutions")
    markup, course_markup = page(entry), path.read_text()
    public, course = visible_text(markup), visible_text(course_markup)
    nb, _ = read_notebook(ROOT / f"{entry}.ipynb")
    exercises = find_exercises(nb)[0]
    solutions = [nb.cells[i] for e in exercises for i in e.solutions]
    stubs = course.count("replace this line with your solution")
    assert stubs == len(solutions), f"{entry}: {stubs} stubs for {len(solutions)}"
    assert "Solution to" in public and "Solution to" not in course, entry
    for cell in solutions:
        body = flat(cell.source.partition("\n")[2])  # the code after the hint
        assert body in public, f"{entry}: cannot find a solution on the public page"
        assert body not in course, f"{entry}: a solution shows: {body[:60]!r}"
    # What a check prints can give an answer away.
    assert check_cells_with_output(markup) == len(exercises), entry
    assert check_cells_with_output(course_markup) == 0, f"{entry}: a check's output"


# What the site is built from, where a page could write out the repository's address.
BOOK_SOURCE_FILES = ["_config.yml", "_toc.yml"] + [
    path.relative_to(ROOT).as_posix()
    for folder in ("chapters", "notebooks", "assets")
    for path in sorted((ROOT / folder).rglob("*"))
    if path.suffix in {".md", ".ipynb", ".js", ".css", ".html", ".svg", ".yml"}
]
# The addresses that must be written out, each once: _config.yml's own, and chapter 17's
# download address, which the chapter needs in Colab (tests/test_capstone.py checks it
# against _config.yml).
WRITTEN_ONCE = {
    "_config.yml": CONFIG["repository"]["url"],
    CAPSTONE.relative_to(ROOT).as_posix(): published_assets_url(),
}


def addresses_by_hand(files: dict[str, str], owner_and_name: str) -> list[str]:
    """Where a source of the book spells out the repository's address.

    A page links the repository with {colab} or {{ repository_url }}
    (tools/sphinx-extensions/), which _config.yml's repository: makes; the theme's
    buttons come from there too. Anything else would still point here from a fork.
    """
    address = re.compile(
        rf"(github\.com|githubusercontent\.com)/{re.escape(owner_and_name)}\b"
        r"|colab\.research\.google\.com/github/",
        re.IGNORECASE,
    )
    problems = []
    for name, text in files.items():
        if name in WRITTEN_ONCE:
            text = text.replace(WRITTEN_ONCE[name], "", 1)
        for found in address.finditer(text):
            line = text.count("\n", 0, found.start()) + 1
            problems.append(
                f"{name}, line {line}: the repository's address written by hand "
                f"({found.group()}...): use {{colab}} or {{{{ repository_url }}}}"
            )
    return problems


def test_no_address_of_the_repository_is_written_by_hand():
    files = {name: (ROOT / name).read_text() for name in BOOK_SOURCE_FILES}
    problems = addresses_by_hand(files, repository()[0])
    assert not problems, "\n".join(problems)


def test_guard_an_address_written_by_hand_is_caught():
    owner_and_name = repository()[0]
    guide = "chapters/instructor-guide.md"
    text = (ROOT / guide).read_text()
    assert addresses_by_hand({guide: text}, owner_and_name) == []
    for written in (
        colab_url("student/01-one-rnn-step.ipynb"),
        f"git clone {CONFIG['repository']['url']}",
        published_assets_url(),
    ):
        problems = addresses_by_hand({guide: text + written}, owner_and_name)
        assert len(problems) == 1 and guide in problems[0], (written, problems)
    config = (ROOT / "_config.yml").read_text()
    assert addresses_by_hand({"_config.yml": config}, owner_and_name) == []
    twice = config + f"# {CONFIG['repository']['url']}\n"
    assert len(addresses_by_hand({"_config.yml": twice}, owner_and_name)) == 1
