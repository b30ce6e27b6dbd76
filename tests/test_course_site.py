"""The site without solutions (make book-without-solutions) has nothing to find.

Every file of it (pages, their .ipynb sources and downloads, the search index, the
theme's files) is read for a line of a solution or a hidden test, and for the grading
notes of the tests (tests/secret_lines.py says what counts); its launch and download
buttons give the student notebooks; no link leads to the chapters with solutions, nor to
the repository that holds them. COURSE_HTML may name another build: pointed at one
made before these rules, the first test fails, listing what it found.
"""

import json
import os
import re
from pathlib import Path

import pytest
from sphinx.search.en import SearchEnglish

from book import SITE, read_toc, repository, toc_files
from secret_lines import leaks, secret_identifiers, secrets
from student import STUDENT_DIR
from without_solutions import notebooks_url

COURSE_SITE = Path(
    os.environ.get("COURSE_HTML", SITE.parent / "without-solutions" / "html")
).resolve()
NOTEBOOK_ENTRIES = [e for e in toc_files(read_toc()) if e.startswith("notebooks/")]
HREF = re.compile(r'href="([^"]+)"')


def site() -> Path:
    if not (COURSE_SITE / "index.html").exists():
        pytest.fail(f"no built site at {COURSE_SITE}: run make book-without-solutions")
    return COURSE_SITE


def test_no_file_holds_a_solution_a_hidden_test_or_grading_notes():
    found = leaks(site())
    assert not found, f"{len(found)} secret lines in the course site:\n" + "\n".join(
        found[:30]
    )


def search_terms(folder: Path) -> set[str]:
    text = (folder / "searchindex.js").read_text()
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    return set(index["terms"]) | set(index.get("titleterms", {}))


def secret_terms(terms: set[str]) -> list[str]:
    stem = SearchEnglish({}).stem
    return sorted(
        word
        for word in secret_identifiers()
        if word.lower() in terms or stem(word.lower()) in terms
    )


def test_the_search_index_has_no_word_only_a_solution_or_hidden_test_uses():
    found = secret_terms(search_terms(site()))
    assert not found, f"searchindex.js has secret identifiers: {found}"


def repository_links(folder: Path) -> list[tuple[str, str]]:
    """(page, link) for every link of a page to the book's repository."""
    owner_and_name = repository()[0]
    return [
        (path.relative_to(folder).as_posix(), link)
        for path in sorted(folder.rglob("*.html"))
        for link in HREF.findall(path.read_text())
        if f"/{owner_and_name}" in link
    ]


def test_no_link_leads_to_the_chapters_or_the_repository():
    """Only the student notebooks; no repository button, no instructor pages."""
    prefix = notebooks_url()
    wrong = [
        f"{page}: {link}"
        for page, link in repository_links(site())
        if not link.startswith(prefix)
    ]
    assert not wrong, "links to the repository with the solutions:\n" + "\n".join(wrong)
    pages = [p.name for p in (site() / "chapters").glob("*.html")]
    assert "instructor-guide.html" not in pages and "for-instructors.html" not in pages


@pytest.mark.parametrize("entry", NOTEBOOK_ENTRIES)
def test_launch_and_download_buttons_give_the_student_notebook(entry):
    name = entry.removeprefix("notebooks/")
    page = (site() / f"{entry}.html").read_text()
    colab = re.findall(r'href="(https://colab\.research\.google\.com/[^"]+)"', page)
    assert colab == [f"{notebooks_url()}{name}.ipynb"], colab
    assert f'href="../_sources/{entry}.ipynb"' in page
    download = site() / "_sources" / f"{entry}.ipynb"
    assert download.read_bytes() == (STUDENT_DIR / f"{name}.ipynb").read_bytes()


# --- Guards ------------------------------------------------------------------------


def test_guard_a_solution_in_a_page_a_download_or_the_index_is_caught(tmp_path):
    secret, _ = secrets()
    line = next(iter(secret))
    # As Pygments renders it: every token in a span, the text escaped.
    tokens = "".join(
        f'<span class="n">{t}</span>'
        for t in re.split(r"(\W)", line.replace("&", "&amp;").replace("<", "&lt;"))
    )
    (tmp_path / "page.html").write_text(f"<pre>\n    {tokens}\n</pre>\n")
    nb = {"cells": [{"metadata": {"gamed": {}}, "source": [f"  {line}\n"]}]}
    (tmp_path / "notebook.ipynb").write_text(json.dumps(nb))
    found = leaks(tmp_path)
    assert any(f.startswith("page.html") for f in found), found
    assert any(f.startswith("notebook.ipynb: " + repr(line)) for f in found), found
    assert "notebook.ipynb: grading metadata, cell 0: gamed" in found
    word = min(secret_identifiers())
    assert secret_terms({word.lower(), "tanh"}) == [word]
    assert secret_terms({"tanh"}) == []


def test_guard_course_yml_can_move_the_student_notebooks(monkeypatch):
    import without_solutions

    publish = {
        "notebooks_repository": "https://github.com/someone/a-course",
        "notebooks_branch": "spring",
        "notebooks_folder": "notebooks",
    }
    monkeypatch.setattr(without_solutions, "load_course", lambda: {"publish": publish})
    assert without_solutions.notebooks_url() == (
        "https://colab.research.google.com/github/someone/a-course/blob/spring/"
        "notebooks/"
    )
    monkeypatch.setattr(without_solutions, "load_course", lambda: {"publish": None})
    owner_and_name, branch = repository()
    assert without_solutions.notebooks_url().endswith(
        f"/github/{owner_and_name}/blob/{branch}/student/"
    )
