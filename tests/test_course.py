"""The course pages (instructor guide, learning objectives, for instructors) and
course.yml agree with the book.

Sphinx (`jupyter-book build -n -W`) already fails on a {doc} or {ref} link to a page or
exercise that is not in the book; these tests say more precisely what is wrong, and
check what Sphinx cannot: that the objectives cover every chapter; that course.yml
keeps the rules it states (tools/course.py: problems), against the book as it is today:
class time, work out of class at most twice that, reading before the exercises and quiz
questions that need it, every exercise placed once, every objective of the course
assessed in a session, assignments of exercises that exist in their chapters; that the
pages' regions generated from course.yml are up to date; that the Colab links to the
student notebooks, as the built guide shows them, use the repository named in
_config.yml and reach a file that exists; and that the timings table has every chapter.
Each check is a function returning its problems, so the guards at the end can show that
it fails when it should.
"""

import copy
import re
from pathlib import Path

import pytest

import course
from book import ROOT, SITE, read_toc, repository
from student import chapters
from without_solutions import INSTRUCTOR_PART

GUIDE = course.GUIDE
# The guide as make book builds it: its {colab} links made from _config.yml.
BUILT_GUIDE = SITE / "chapters" / "instructor-guide.html"
OBJECTIVES = course.OBJECTIVES
# {doc}`target` or {doc}`text <target>`
DOC_LINK = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`<>]+)>?`")
COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[^\s)>\]\"']+")
# A row of make timings' table: seconds to run, then minutes to read.
TIMINGS_ROW = re.compile(r"^\| (\d\d) [^|]+\| +\d+\.\d \| +(\d+) \|$", re.MULTILINE)
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
    problems = timings_problems(GUIDE.read_text(), course.book().reading)
    assert not problems, "\n".join(problems)


def test_course_yml_keeps_its_rules_against_the_book():
    problems = course.problems(course.load(), course.book())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "page", list(course.GENERATORS), ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_the_regions_made_from_course_yml_are_up_to_date(page):
    assert page.read_text() == course.pages()[page], (
        f"{page.relative_to(ROOT)} is not what course.yml makes: run make course"
    )


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


def problems_of(edit) -> list[str]:
    """course.yml's problems after edit(course) changed a copy of it."""
    changed = copy.deepcopy(course.load())
    edit(changed)
    return course.problems(changed, course.book())


def test_guard_a_plan_that_breaks_a_rule_is_caught():
    assert problems_of(lambda c: None) == []

    def drop(c):  # the first exercise of session 1, in class
        c["sessions"][0]["in_class"].pop(0)

    label = course.load()["sessions"][0]["in_class"][0]["exercise"]
    once = "not once (in a session or as optional)"
    assert f"exercise {label} is placed 0 times, {once}" in problems_of(drop)

    def longer(c):
        c["sessions"][0]["show_live"].append([60, "more"])

    assert any("minutes in class, over 90" in p for p in problems_of(longer))

    def heavy(c):
        c["sessions"][0]["after"].append({"task": "more", "minutes": 200})

    assert any("more than twice the 90 in class" in p for p in problems_of(heavy))

    def early(c):  # session 1 uses chapter 3 in class, read only in session 2
        c["sessions"][0]["in_class"].append({"exercise": "ex-03-seen", "minutes": 15})
        c["sessions"][1]["in_class"] = [
            i for i in c["sessions"][1]["in_class"] if i["exercise"] != "ex-03-seen"
        ]

    assert (
        "session 1: ex-03-seen (in class) comes before the reading of "
        "03-reverse-direction that introduces it"
    ) in problems_of(early)

    def quiz_early(c):
        c["sessions"][0]["quiz"].append("3.1")

    assert any("quiz 3.1 (in class) comes before" in p for p in problems_of(quiz_early))

    def crowded(c):  # a third notebook in session 2, for 10 minutes
        c["sessions"][1]["in_class"].append(c["sessions"][1]["after"].pop(0))

    assert (
        "session 2: the student notebook of 16-explore-it-yourself is opened in class "
        "for 10 minutes of exercises, under 15"
    ) in problems_of(crowded)


def test_guard_an_objective_left_to_optional_work_or_a_bad_assignment_is_caught():
    def unassess(c):  # objective 5: its only exercise made optional, no quiz
        c["sessions"][0]["after"] = []
        c["optional"].append({"exercise": "ex-02-longer-sequence", "minutes": 5})
        c["assignments"][0]["exercises"].pop("ex-02-longer-sequence")

    assert (
        "objective 5: the course reads 02-forward-direction, but no exercise of a "
        "session and no quiz question asked in one assesses it"
    ) in problems_of(unassess)

    def misfiled(c):
        c["assignments"][0]["exercises"]["ex-17-masked-loss"] = 3

    found = problems_of(misfiled)
    assert any("ex-17-masked-loss is in 17-putting-the-spaces-back" in p for p in found)
    assert "ex-17-masked-loss is graded by 2 assignments" in found

    first = next(iter(course.load()["assignments"][0]["exercises"]))

    def ungraded(c):
        c["assignments"][0]["exercises"].pop(first)

    assert (
        f"{first} is placed in a session, but no assignment grades it"
        in problems_of(ungraded)
    )

    def renamed(c):
        c["objectives"][1]["exercises"] = ["ex-01-renamed"]

    assert "objective 1: no exercise ex-01-renamed in the book" in problems_of(renamed)


def test_guard_a_stale_region_is_caught():
    text = GUIDE.read_text()
    row = re.search(r"\| (\d+) \| before \|", text)
    stale = text.replace(row[0], f"| {int(row[1]) + 1} | before |", 1)
    assert stale != text
    assert (
        course.regenerated(stale, {}, "guide") == stale
    )  # nothing asked, nothing made
    regions = {
        name: make(course.load(), course.book())
        for name, make in course.GENERATORS[GUIDE].items()
    }
    assert course.regenerated(stale, regions, "guide") == text
    with pytest.raises(SystemExit, match="no region"):
        course.regenerated("no markers", regions, "guide")


def test_the_licences_are_stated_where_the_kit_needs_them():
    """LICENSE: text CC BY 4.0, code MIT, the trained models with the code; the
    models' README has a Licence section that says so."""
    licence = (ROOT / "LICENSE").read_text()
    assert "1. Text and figures: Creative Commons Attribution 4.0" in licence
    code = licence.split("2. Code: MIT License", 1)[1].split("\n\n", 1)[0]
    assert "the trained models in assets/models/" in " ".join(code.split())
    models = (ROOT / "assets" / "models" / "README.md").read_text()
    section = re.compile(r"^#+ Licence\n(.+?)(?=^#|\Z)", re.MULTILINE | re.DOTALL)
    licence = section.search(models)
    assert licence and "MIT License" in licence[1], "models/README.md: no licence"


def test_the_for_instructors_page_comes_first_and_gives_each_step_a_command():
    """Adopt, configure, publish, hand out, teach, grade, give feedback, in order, each
    with a command, each make target one the Makefile has."""
    toc = read_toc()
    part = next(p for p in toc["parts"] if p.get("caption") == INSTRUCTOR_PART)
    assert part["chapters"][0]["file"] == "chapters/for-instructors"
    text = course.FOR_INSTRUCTORS.read_text()
    steps = re.findall(r"^## (\d)\. (\w[\w ]*)$", text, re.MULTILINE)
    assert steps == [
        ("1", "Adopt"),
        ("2", "Configure"),
        ("3", "Publish"),
        ("4", "Hand out"),
        ("5", "Teach"),
        ("6", "Grade"),
        ("7", "Give feedback"),
    ]
    targets = set(
        re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(), re.MULTILINE)
    )
    for section in re.split(r"^## \d\. ", text, flags=re.MULTILINE)[1:]:
        block = re.search(r"```[^\n]*\n(.+?)```", section, re.DOTALL)
        assert block, f"no command under {section.splitlines()[0]}"
        for target in re.findall(r"\bmake ([a-z-]+)", block[1]):
            assert target in targets, f"make {target}: no such target"
