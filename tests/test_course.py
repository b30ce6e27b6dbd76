"""The course pages (instructor guide, learning objectives) point at real things.

Sphinx (`jupyter-book build -n -W`) already fails on a {doc} or {ref} link to a page or
exercise that is not in the book; these tests say more precisely what is wrong, and
check what Sphinx cannot: that the objectives cover every chapter, that the Colab links
to the student notebooks use the repository named in _config.yml and reach a file that
exists, and that the timings table has every chapter. Each check is a function returning
its problems, so the guards at the end can show that it fails when it should.
"""

import re
from pathlib import Path

import pytest

from book import ROOT, repository
from student import chapters

GUIDE = ROOT / "chapters" / "instructor-guide.md"
OBJECTIVES = ROOT / "chapters" / "learning-objectives.md"
# {doc}`target` or {doc}`text <target>`
DOC_LINK = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`<>]+)>?`")
COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[^\s)>\]\"']+")
TIMINGS_ROW = re.compile(r"^\| (\d\d) [^|]+\| +\d+\.\d +\|$", re.MULTILINE)
CHAPTER_NAMES = [c.name for c in chapters()]


def numbered_items(markdown: str) -> list[str]:
    """The items of the numbered lists, each with its continuation lines joined."""
    items, open_item = [], False
    for line in markdown.splitlines():
        if re.match(r"^\d+\. ", line):
            items.append(line)
            open_item = True
        elif open_item and line.startswith(" ") and line.strip():
            items[-1] += " " + line.strip()
        elif line.strip():
            open_item = False  # a heading or paragraph ends the list
    return items


def resolve(page: Path, target: str) -> Path:
    base = ROOT if target.startswith("/") else page.parent
    return (base / target.lstrip("/")).resolve()


def doc_link_problems(page: Path, text: str) -> list[str]:
    targets = DOC_LINK.findall(text)
    if not targets:
        return [f"{page.name} has no {{doc}} links"]
    return [
        f"{page.name}: {{doc}} link to {t!r}, a page that does not exist"
        for t in targets
        if not any(resolve(page, t).with_suffix(s).exists() for s in (".ipynb", ".md"))
    ]


def objective_problems(text: str, chapter_names: list[str]) -> list[str]:
    """Each numbered objective links the chapter that meets it; each chapter has one."""
    objectives = numbered_items(text)
    if not objectives:
        return ["learning-objectives.md has no numbered objectives"]
    problems, linked = [], set()
    for item in objectives:
        targets = DOC_LINK.findall(item)
        if not targets:
            problems.append(
                f"objective without a {{doc}} link to its chapter: {item[:80]!r}"
            )
        for target in targets:
            path = resolve(OBJECTIVES, target).with_suffix(".ipynb")
            if path.parent != ROOT / "notebooks" or not path.exists():
                problems.append(
                    f"objective {item[:40]!r} links {target!r}, which is not a chapter "
                    "notebook"
                )
            linked.add(path.name)
    unlinked = [name for name in chapter_names if name not in linked]
    if unlinked:
        problems.append(
            f"chapters that meet no objective on learning-objectives.md: {unlinked}"
        )
    return problems


def colab_problems(
    text: str, owner_and_name: str, branch: str, chapter_names: list[str]
) -> list[str]:
    """Colab links use the configured repository, exist, and cover every chapter."""
    prefix = f"https://colab.research.google.com/github/{owner_and_name}/blob/{branch}/"
    links = COLAB_LINK.findall(text)
    if not links:
        return ["the instructor guide has no Colab links to the student notebooks"]
    problems = []
    for link in links:
        if not link.startswith(prefix):
            problems.append(
                f"{link} does not start with {prefix} (from _config.yml repository:)"
            )
        elif not (ROOT / link.removeprefix(prefix)).exists():
            problems.append(f"{link}: no such file in the repository")
    students = {link.removeprefix(prefix) for link in links}
    missing = [name for name in chapter_names if f"student/{name}" not in students]
    if missing:
        problems.append(
            f"the instructor guide has no student Colab link for: {missing}"
        )
    return problems


def timings_problems(text: str, chapter_names: list[str]) -> list[str]:
    measured = set(TIMINGS_ROW.findall(text))
    missing = [name for name in chapter_names if name[:2] not in measured]
    return (
        [
            (
                f"the guide's timings table lacks {missing}: run make timings and "
                "paste its table"
            )
        ]
        if missing
        else []
    )


@pytest.mark.parametrize("page", [OBJECTIVES, GUIDE], ids=lambda p: p.name)
def test_doc_links_reach_existing_pages(page):
    problems = doc_link_problems(page, page.read_text())
    assert not problems, "\n".join(problems)


def test_every_objective_links_a_chapter_and_every_chapter_has_one():
    problems = objective_problems(OBJECTIVES.read_text(), CHAPTER_NAMES)
    assert not problems, "\n".join(problems)


def test_colab_links_use_the_configured_repository_and_exist():
    problems = colab_problems(GUIDE.read_text(), *repository(), CHAPTER_NAMES)
    assert not problems, "\n".join(problems)


def test_timings_table_has_every_chapter():
    problems = timings_problems(GUIDE.read_text(), CHAPTER_NAMES)
    assert not problems, "\n".join(problems)


# --- Guards: each check above can fail ------------------------------------------------


def test_guard_a_fork_or_a_missing_student_notebook_is_caught():
    owner_and_name, branch = repository()
    text = GUIDE.read_text()
    assert any(
        "does not start with" in p
        for p in colab_problems(text, "someone/fork", branch, CHAPTER_NAMES)
    )
    assert any(
        "does not start with" in p
        for p in colab_problems(text, owner_and_name, "gh-pages", CHAPTER_NAMES)
    )
    assert any(
        "99-new-chapter.ipynb" in p
        for p in colab_problems(
            text, owner_and_name, branch, [*CHAPTER_NAMES, "99-new-chapter.ipynb"]
        )
    )
    broken = text.replace("student/01-", "student/00-", 1)
    assert any(
        "no such file" in p
        for p in colab_problems(broken, owner_and_name, branch, CHAPTER_NAMES)
    )


def test_guard_bad_objectives_and_links_are_caught():
    text = OBJECTIVES.read_text()
    broken = text.replace("{doc}`../notebooks/01-one-rnn-step`", "chapter 1", 1)
    assert any(
        "without a {doc} link" in p for p in objective_problems(broken, CHAPTER_NAMES)
    )
    assert any(
        "99-new-chapter" in p
        for p in objective_problems(text, [*CHAPTER_NAMES, "99-new-chapter.ipynb"])
    )
    renamed = text.replace("../notebooks/01-one-rnn-step", "../notebooks/01-renamed")
    assert any("01-renamed" in p for p in doc_link_problems(OBJECTIVES, renamed))
    assert timings_problems(
        "| chapter | seconds |\n|---|---:|\n| 01 One | 2.9 |",
        ["01-a.ipynb", "02-b.ipynb"],
    ) == [
        (
            "the guide's timings table lacks ['02-b.ipynb']: run make timings and "
            "paste its table"
        )
    ]
