"""The course pages (instructor guide, learning objectives) agree with the book.

Sphinx (`jupyter-book build -n -W`) already fails on a {doc} or {ref} link to a page or
exercise that is not in the book; these tests say more precisely what is wrong, and
check what Sphinx cannot: that the objectives cover every chapter and each is assessed
by exercises or quiz questions that exist; that the session plan adds up, keeps class
time within 90 minutes, reads each chapter for the minutes `make timings` computes, and
places every exercise of the book once; that the Colab links to the student notebooks,
as the built guide shows them, use the repository named in _config.yml and reach a file
that exists; and that the timings table has every chapter. Each check is a function
returning its problems, so the guards at the end can show that it fails when it should.
"""

import functools
import re
from pathlib import Path

import nbformat
import pytest

from book import ROOT, SITE, repository
from exercises import find_exercises
from notebook_checks import QUIZ_HEADING, QUIZ_QUESTION
from student import chapters
from timings import reading_minutes

GUIDE = ROOT / "chapters" / "instructor-guide.md"
# The guide as make book builds it: its {colab} links made from _config.yml.
BUILT_GUIDE = SITE / "chapters" / "instructor-guide.html"
OBJECTIVES = ROOT / "chapters" / "learning-objectives.md"
# {doc}`target` or {doc}`text <target>`
DOC_LINK = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`<>]+)>?`")
COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[^\s)>\]\"']+")
# A row of make timings' table: seconds to run, then minutes to read.
TIMINGS_ROW = re.compile(r"^\| (\d\d) [^|]+\| +\d+\.\d \| +(\d+) \|$", re.MULTILINE)
CHAPTER_NAMES = [c.name for c in chapters()]
REF = re.compile(r"\{ref\}`(ex-[\w-]+)`")
# A row of a session's work table: | what | minutes | when |
WORK_ROW = re.compile(r"^\| (.+?) \| +(\d+) \| (before|in class|after|optional) \|$")
TOTALS = re.compile(
    r"^\*\*Totals:\*\* before (\d+) min, in class (\d+) min, after (\d+) min\.$",
    re.MULTILINE,
)
MINUTES_IN_CLASS = 90


@functools.cache
def book_facts() -> dict:
    """What the guide must agree with: exercises, quiz sizes, minutes to read.

    Read once per run; the checks below only read it.
    """
    facts = {"exercises": [], "quiz": {}, "reading": {}}
    for path in chapters():
        nb = nbformat.read(path, as_version=4)
        facts["exercises"] += [e.label for e in find_exercises(nb)[0]]
        quiz = [c.source for c in nb.cells if c.source.startswith(QUIZ_HEADING)]
        lines = quiz[0].splitlines() if quiz else []
        facts["quiz"][int(path.name[:2])] = sum(
            bool(QUIZ_QUESTION.match(x)) for x in lines
        )
        facts["reading"][path.stem] = reading_minutes(nb)
    return facts


def plan_problems(text: str, facts: dict) -> list[str]:
    """Each session's work adds up to its totals, fits the class, reads what it says."""
    problems, placed = [], []
    for session in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        name = session.splitlines()[0]
        minutes = {"before": 0, "in class": 0, "after": 0, "optional": 0}
        for line in session.splitlines():
            row = WORK_ROW.match(line)
            if not row:
                continue
            what, spent, when = row[1], int(row[2]), row[3]
            minutes[when] += spent
            placed += REF.findall(what)
            read = re.match(r"read \{doc\}`\.\./notebooks/([\w-]+)`$", what)
            if read and facts["reading"].get(read[1]) != spent:
                problems.append(
                    f"{name}: {read[1]} takes {facts['reading'].get(read[1])} minutes "
                    f"to read (make timings), not {spent}"
                )
        totals = TOTALS.search(session)
        if totals:
            stated = tuple(int(t) for t in totals.groups())
            added = (minutes["before"], minutes["in class"], minutes["after"])
            if stated != added:
                problems.append(
                    f"{name}: totals say {stated}, the rows add up to {added}"
                )
        elif any(minutes[w] for w in ("before", "in class", "after")):
            problems.append(f"{name}: no **Totals:** line under its work table")
        if minutes["in class"] > MINUTES_IN_CLASS:
            problems.append(
                f"{name}: {minutes['in class']} minutes in class, "
                f"over {MINUTES_IN_CLASS}"
            )
    for label in facts["exercises"]:
        if placed.count(label) != 1:
            problems.append(
                f"exercise {label} is in the plan {placed.count(label)} times, not "
                "once (in a session or as optional)"
            )
    problems += [
        f"{label} is in the plan but not in the book"
        for label in sorted(set(placed) - set(facts["exercises"]))
    ]
    return problems


def assessment_problems(guide: str, objectives: str, facts: dict) -> list[str]:
    """Each objective is assessed by exercises or quiz questions that exist."""
    problems = []
    numbers = [int(item.split(".")[0]) for item in numbered_items(objectives)]
    rows = {
        int(row[1]): row[2]
        for row in re.finditer(r"^\| (\d+)\. [^|]+\|(.+)\|$", guide, re.MULTILINE)
    }
    for number in numbers:
        row = rows.get(number, "")
        labels = REF.findall(row)
        quiz = re.findall(r"\b(\d+)\.(\d+)\b", row.split("|")[-1])
        if not labels and not quiz:
            problems.append(
                f"objective {number} is assessed by no exercise or quiz question"
            )
        for label in labels:
            if label not in facts["exercises"]:
                problems.append(f"objective {number}: no exercise {label} in the book")
        for chapter, question in quiz:
            if int(question) > facts["quiz"].get(int(chapter), 0):
                problems.append(
                    f"objective {number}: chapter {chapter} has no quiz {question}"
                )
    problems += [
        f"the assessment table has objective {n}, which does not exist"
        for n in sorted(set(rows) - set(numbers))
    ]
    return problems


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


def timings_problems(text: str, reading: dict[str, int]) -> list[str]:
    """Every chapter has its row, with the minutes to read make timings computes."""
    rows = dict(TIMINGS_ROW.findall(text))
    missing = [name for name in reading if name[:2] not in rows]
    lacking = f"the guide's timings table lacks {missing}: run make timings, paste it"
    problems = [lacking] if missing else []
    for name, minutes in reading.items():
        if name[:2] in rows and int(rows[name[:2]]) != minutes:
            problems.append(
                f"the timings table reads {name} in {rows[name[:2]]} minutes; make "
                f"timings says {minutes}: paste its new table"
            )
    return problems


@pytest.mark.parametrize("page", [OBJECTIVES, GUIDE], ids=lambda p: p.name)
def test_doc_links_reach_existing_pages(page):
    problems = doc_link_problems(page, page.read_text())
    assert not problems, "\n".join(problems)


def test_every_objective_links_a_chapter_and_every_chapter_has_one():
    problems = objective_problems(OBJECTIVES.read_text(), CHAPTER_NAMES)
    assert not problems, "\n".join(problems)


def built_guide() -> str:
    if not BUILT_GUIDE.exists():
        pytest.fail(f"no {BUILT_GUIDE}: run make book first")
    return BUILT_GUIDE.read_text()


def test_colab_links_use_the_configured_repository_and_exist():
    problems = colab_problems(built_guide(), *repository(), CHAPTER_NAMES)
    assert not problems, "\n".join(problems)


def test_timings_table_has_every_chapter():
    problems = timings_problems(GUIDE.read_text(), book_facts()["reading"])
    assert not problems, "\n".join(problems)


def test_the_plan_adds_up_and_places_every_exercise_once():
    problems = plan_problems(GUIDE.read_text(), book_facts())
    assert not problems, "\n".join(problems)


def test_every_objective_is_assessed_by_exercises_or_quiz_questions():
    facts = book_facts()
    problems = assessment_problems(GUIDE.read_text(), OBJECTIVES.read_text(), facts)
    assert not problems, "\n".join(problems)


# --- Guards: each check above can fail ------------------------------------------------


def test_guard_a_fork_or_a_missing_student_notebook_is_caught():
    owner_and_name, branch = repository()
    text = built_guide()
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
    table = "| chapter | seconds | minutes |\n|---|---:|---:|\n| 01 One | 2.9 | 18 |"
    assert timings_problems(table, {"01-a": 18, "02-b": 5}) == [
        "the guide's timings table lacks ['02-b']: run make timings, paste it"
    ]
    assert timings_problems(table, {"01-a": 17}) == [
        (
            "the timings table reads 01-a in 18 minutes; make timings says 17: paste "
            "its new table"
        )
    ]


def test_guard_a_plan_that_does_not_add_up_is_caught():
    facts = book_facts()
    text = GUIDE.read_text()
    assert plan_problems(text, facts) == []
    first = facts["exercises"][0]
    row = next(line for line in text.splitlines() if f"{{ref}}`{first}`" in line)
    dropped = text.replace(row + "\n", "")
    problems = plan_problems(dropped, facts)
    once = "not once (in a session or as optional)"
    assert f"exercise {first} is in the plan 0 times, {once}" in problems
    assert any("totals say" in p for p in problems), problems
    longer = text.replace(
        "| your demonstration | 60 | in class |",
        "| your demonstration | 70 | in class |",
        1,
    )
    problems = plan_problems(longer, facts)
    assert any("minutes in class, over 90" in p for p in problems), problems
    misread = re.sub(
        r"(read \{doc\}`\.\./notebooks/01-one-rnn-step` \| +)\d+", r"\g<1>99", text
    )
    assert any("takes" in p and "not 99" in p for p in plan_problems(misread, facts))


def test_guard_an_unassessed_objective_is_caught():
    facts = book_facts()
    guide, objectives = GUIDE.read_text(), OBJECTIVES.read_text()
    assert assessment_problems(guide, objectives, facts) == []
    row = next(line for line in guide.splitlines() if line.startswith("| 5. "))
    assert (
        "objective 5 is assessed by no exercise or quiz question"
        in assessment_problems(
            guide.replace(row, "| 5. What can be computed early | | |"),
            objectives,
            facts,
        )
    )
    assert "objective 1: chapter 1 has no quiz 9" in assessment_problems(
        guide.replace("{ref}`ex-01-weights-from-states` | 1.3 |",
                      "{ref}`ex-01-weights-from-states` | 1.9 |"),
        objectives,
        facts,
    )
