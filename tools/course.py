"""The course built on the book, read from course.yml: its plan, assignments, rubric.

    python tools/course.py           (or: make course)   write the generated regions
    python tools/course.py --check                       fail if one is out of date

course.yml is the one source. This writes, from it and from the chapters, the regions
between `% BEGIN course.yml: NAME` and `% END course.yml: NAME` (MyST comments, which
the site does not show) of chapters/instructor-guide.md and chapters/for-instructors.md:
the session plan, the assignments, the assessment of each objective, the project's
rubric with chapter 17's results as reference numbers, and the catalogue text.
make grade (tools/grade.py) reads the assignments; tests/test_course.py holds the plan
to the rules at the top of course.yml (problems() below) and the pages to this output.
"""

import functools
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from book import NOTEBOOK_DIR, ROOT, chapter_notebooks
from exercises import find_exercises
from quizzes import questions_of
from timings import reading_minutes

COURSE = ROOT / "course.yml"
GUIDE = ROOT / "chapters" / "instructor-guide.md"
FOR_INSTRUCTORS = ROOT / "chapters" / "for-instructors.md"
OBJECTIVES = ROOT / "chapters" / "learning-objectives.md"
QUIZ_MINUTES = 1.5  # per question, discussion included
# Where chapter 17 prints its results: the one place the rubric's numbers come from.
# When the capstone is retrained and refreshed, `make course` takes the new numbers.
RESULTS_CHAPTER = "17-putting-the-spaces-back"
# The first line of chapter 17's results table: boundary and word F1, each with its
# mean, a 95 % bootstrap interval over the test text and the range over seeds
RESULTS_HEADER = re.compile(r"^boundary F1 \(%\)\s+word F1 \(%\)$")
RESULTS_ROW = re.compile(
    r"^(?P<kind>[a-z][\w ]*?)\s+(?P<b>\d+\.\d)\s+(?P<b_lo>[\d.]+)-(?P<b_hi>[\d.]+)\s+"
    r"(?P<bs_lo>[\d.]+)-(?P<bs_hi>[\d.]+)\s+(?P<w>\d+\.\d)\s+(?P<w_lo>[\d.]+)-"
    r"(?P<w_hi>[\d.]+)\s+(?P<ws_lo>[\d.]+)-(?P<ws_hi>[\d.]+)$"
)
REGION = re.compile(
    r"^% BEGIN course\.yml: (?P<name>[\w-]+)\n(?P<body>.*?)"
    r"^% END course\.yml: (?P=name)$",
    re.MULTILINE | re.DOTALL,
)
WHEN = ("before", "in class", "after")


def load(path: Path = COURSE) -> dict:
    return yaml.safe_load(path.read_text())


# --- What the book holds --------------------------------------------------------------


@dataclass
class Book:
    exercises: dict[str, str] = field(default_factory=dict)  # label -> chapter stem
    quiz: dict[int, int] = field(default_factory=dict)  # chapter number -> questions
    reading: dict[str, int] = field(default_factory=dict)  # stem -> minutes to read
    objectives: dict[int, str] = field(default_factory=dict)  # number -> chapter stem


@functools.cache
def book() -> Book:
    facts = Book()
    for path in chapter_notebooks():
        nb = nbformat.read(path, as_version=4)
        for exercise in find_exercises(nb)[0]:
            facts.exercises[exercise.label] = path.stem
        facts.quiz[int(path.name[:2])] = len(questions_of(nb, path.stem))
        facts.reading[path.stem] = reading_minutes(nb)
    facts.objectives = objective_chapters(OBJECTIVES.read_text())
    return facts


def objective_chapters(markdown: str) -> dict[int, str]:
    """Objective number -> the chapter its item links ({doc}`../notebooks/NN-name`)."""
    found, number = {}, None
    for line in markdown.splitlines():
        item = re.match(r"^(\d+)\. ", line)
        if item:
            number = int(item[1])
        elif line.strip() and not line.startswith(" "):
            number = None
        link = re.search(r"\{doc\}`(?:[^`<]*<)?\.\./notebooks/([\w-]+)>?`", line)
        if number is not None and link and number not in found:
            found[number] = link[1]
    return found


def chapter_of_quiz(question: str) -> int:
    return int(question.split(".")[0])


def chapter_number(stem: str) -> int:
    return int(stem[:2])


# --- The plan, as rows ----------------------------------------------------------------


@dataclass
class Row:
    what: str  # markdown
    minutes: int
    when: str  # before, in class, after, optional
    read: str | None = None  # chapter stem
    exercise: str | None = None  # label
    quiz: tuple[str, ...] = ()


def item_row(item: dict, when: str, facts: Book) -> Row:
    if "read" in item:
        stem = item["read"]
        return Row(
            f"read {{doc}}`../notebooks/{stem}`",
            facts.reading.get(stem, 0),
            when,
            read=stem,
        )
    if "exercise" in item:
        label = item["exercise"]
        return Row(f"{{ref}}`{label}`", int(item["minutes"]), when, exercise=label)
    return Row(item["task"], int(item["minutes"]), when)


def session_rows(session: dict, facts: Book) -> list[Row]:
    rows = [item_row(i, "before", facts) for i in session.get("before", [])]
    led = sum(int(m) for m, _ in session.get("show_live", []))
    if led:
        rows.append(Row("led by you (the timeline above)", led, "in class"))
    quiz = tuple(str(q) for q in session.get("quiz", []))
    if quiz:
        rows.append(
            Row(
                f"quiz {', '.join(quiz)}",
                math.ceil(QUIZ_MINUTES * len(quiz)),
                "in class",
                quiz=quiz,
            )
        )
    rows += [item_row(i, "in class", facts) for i in session.get("in_class", [])]
    rows += [item_row(i, "after", facts) for i in session.get("after", [])]
    return rows


def totals(rows: list[Row]) -> dict[str, int]:
    spent = dict.fromkeys(WHEN, 0)
    for row in rows:
        spent[row.when] += row.minutes
    return spent


def required_exercises(course: dict) -> dict[str, int]:
    """label -> the session (1-based) that places it."""
    return {
        item["exercise"]: number
        for number, session in enumerate(course["sessions"], start=1)
        for key in ("before", "in_class", "after")
        for item in session.get(key, [])
        if "exercise" in item
    }


def asked_quiz(course: dict) -> dict[str, int]:
    return {
        str(q): number
        for number, session in enumerate(course["sessions"], start=1)
        for q in session.get("quiz", [])
    }


# --- The rules the plan keeps ---------------------------------------------------------


def problems(course: dict, facts: Book) -> list[str]:
    """Everything course.yml gets wrong, against the book and the rules it states."""
    found = []
    settings = course["course"]
    class_minutes = int(settings["class_minutes"])
    per_notebook = int(settings.get("min_minutes_per_notebook", 0))
    placed: list[str] = []
    read_by: dict[str, tuple[int, int]] = {}  # stem -> (session, position) read at
    for number, session in enumerate(course["sessions"], start=1):
        name = f"session {number}"
        rows = session_rows(session, facts)
        for position, row in enumerate(rows):
            if row.read:
                if row.read not in facts.reading:
                    found.append(f"{name}: reads {row.read}, which is not a chapter")
                read_by.setdefault(row.read, (number, position))
            needs = []
            if row.exercise:
                placed.append(row.exercise)
                if row.exercise not in facts.exercises:
                    found.append(f"{name}: no exercise {row.exercise} in the book")
                    continue
                needs.append((facts.exercises[row.exercise], row.exercise))
            for question in row.quiz:
                stem = next(
                    (
                        s
                        for s in facts.reading
                        if chapter_number(s) == chapter_of_quiz(question)
                    ),
                    None,
                )
                if stem is None or int(question.split(".")[1]) > facts.quiz.get(
                    chapter_of_quiz(question), 0
                ):
                    found.append(f"{name}: no quiz question {question} in the book")
                    continue
                needs.append((stem, f"quiz {question}"))
            for stem, what in needs:
                # In class, the reading must come before the session; after it, any
                # earlier row will do.
                read = read_by.get(stem)
                in_time = read is not None and (
                    read[0] < number
                    or (read[0] == number and rows[read[1]].when == "before")
                    or (
                        read[0] == number and row.when == "after" and read[1] < position
                    )
                )
                if not in_time:
                    found.append(
                        f"{name}: {what} ({row.when}) comes before the reading of "
                        f"{stem} that introduces it"
                    )
        spent = totals(rows)
        if spent["in class"] > class_minutes:
            found.append(
                f"{name}: {spent['in class']} minutes in class, over {class_minutes}"
            )
        outside = spent["before"] + spent["after"]
        if outside > 2 * class_minutes:
            found.append(
                f"{name}: {outside} minutes out of class, more than twice the "
                f"{class_minutes} in class"
            )
        by_notebook: dict[str, int] = {}
        for row in rows:
            if row.when == "in class" and row.exercise in facts.exercises:
                stem = facts.exercises[row.exercise]
                by_notebook[stem] = by_notebook.get(stem, 0) + row.minutes
        for stem, minutes in by_notebook.items():
            if minutes < per_notebook:
                found.append(
                    f"{name}: the student notebook of {stem} is opened in class for "
                    f"{minutes} minutes of exercises, under {per_notebook}"
                )
    for item in course.get("optional", []):
        placed.append(item["exercise"])
        if item["exercise"] not in facts.exercises:
            found.append(f"optional: no exercise {item['exercise']} in the book")
    for label in facts.exercises:
        if placed.count(label) != 1:
            found.append(
                f"exercise {label} is placed {placed.count(label)} times, not once (in "
                "a session or as optional)"
            )
    found += assignment_problems(course, facts)
    found += objective_problems(course, facts, set(read_by))
    return found


def assignment_problems(course: dict, facts: Book) -> list[str]:
    found, graded = [], []
    names = [a["name"] for a in course.get("assignments", [])]
    if len(set(names)) != len(names):
        found.append(f"assignment names repeat: {names}")
    for assignment in course.get("assignments", []):
        name = f"assignment {assignment['name']}"
        chapters = assignment["chapters"]
        for stem in chapters:
            if stem not in facts.reading:
                found.append(f"{name}: {stem} is not a chapter")
        for label, points in assignment["exercises"].items():
            graded.append(label)
            if label not in facts.exercises:
                found.append(f"{name}: no exercise {label} in the book")
            elif facts.exercises[label] not in chapters:
                found.append(
                    f"{name}: {label} is in {facts.exercises[label]}, not one of its "
                    "chapters"
                )
            if not isinstance(points, int | float) or points <= 0:
                found.append(f"{name}: {label} is worth {points!r}, not a number > 0")
    for label in set(graded):
        if graded.count(label) > 1:
            found.append(f"{label} is graded by {graded.count(label)} assignments")
    for label in required_exercises(course):
        if label in facts.exercises and label not in graded:
            found.append(f"{label} is placed in a session, but no assignment grades it")
    return found


def objective_problems(course: dict, facts: Book, read: set[str]) -> list[str]:
    found = []
    objectives = {int(k): v for k, v in course["objectives"].items()}
    if sorted(objectives) != sorted(facts.objectives):
        found.append(
            f"course.yml's objectives {sorted(objectives)} are not those of "
            f"learning-objectives.md {sorted(facts.objectives)}"
        )
    required, asked = required_exercises(course), asked_quiz(course)
    for number, objective in sorted(objectives.items()):
        for label in objective.get("exercises", []):
            if label not in facts.exercises:
                found.append(f"objective {number}: no exercise {label} in the book")
        for question in objective.get("quiz", []):
            chapter, index = (int(x) for x in str(question).split("."))
            if index > facts.quiz.get(chapter, 0):
                found.append(
                    f"objective {number}: chapter {chapter} has no quiz {index}"
                )
        if not objective.get("exercises") and not objective.get("quiz"):
            found.append(
                f"objective {number} is assessed by no exercise or quiz question"
            )
        if facts.objectives.get(number) not in read:
            continue  # the course does not read its chapter
        if not any(
            label in required for label in objective.get("exercises", [])
        ) and not any(str(q) in asked for q in objective.get("quiz", [])):
            found.append(
                f"objective {number}: the course reads {facts.objectives[number]}, "
                "but no exercise of a session and no quiz question asked in one "
                "assesses it"
            )
    return found


# --- The generated regions ------------------------------------------------------------


def clock(start: int, minutes: int) -> str:
    return f"{start} to {start + minutes}"


def plan_region(course: dict, facts: Book) -> str:
    class_minutes = int(course["course"]["class_minutes"])
    parts = []
    for number, session in enumerate(course["sessions"], start=1):
        rows = session_rows(session, facts)
        timeline, now = [], 0
        for minutes, what in session.get("show_live", []):
            timeline.append(f"| {clock(now, int(minutes))} | {what} |")
            now += int(minutes)
        quiz = next((r for r in rows if r.quiz), None)
        if quiz:
            timeline.append(
                f"| {clock(now, quiz.minutes)} | Quiz {', '.join(quiz.quiz)}: a show "
                "of hands, then open the answer on the website. |"
            )
            now += quiz.minutes
        by_notebook: dict[str, list[Row]] = {}
        for row in rows:
            if row.when == "in class" and row.exercise:
                by_notebook.setdefault(
                    facts.exercises.get(row.exercise, "?"), []
                ).append(row)
        for stem, exercises in by_notebook.items():
            minutes = sum(r.minutes for r in exercises)
            labels = ", ".join(r.what for r in exercises)
            timeline.append(
                f"| {clock(now, minutes)} | In the student notebook of chapter "
                f"{chapter_number(stem)}: {labels}. |"
            )
            now += minutes
        spent = totals(rows)
        outside = spent["before"] + spent["after"]
        lines = [f"### Session {number}: {session['title']}", ""]
        if timeline:
            lines += ["| minutes | in class |", "|---|---|", *timeline, ""]
        lines += ["| work | minutes | when |", "|---|---:|---|"]
        lines += [f"| {r.what} | {r.minutes} | {r.when} |" for r in rows]
        lines += [
            "",
            (
                f"**Totals:** before {spent['before']} min, in class "
                f"{spent['in class']} min, after {spent['after']} min. Out of class "
                f"{outside} min, {outside / class_minutes:.1f} times the "
                f"{class_minutes} minutes in class."
            ),
            "",
        ]
        parts.append("\n".join(lines))
    optional = [item_row(i, "optional", facts) for i in course.get("optional", [])]
    if optional:
        lines = [
            "### Optional: for a longer module, or for students who want more",
            "",
            (
                "No session places these exercises, and no assignment grades them "
                "unless you add them to one in `course.yml`."
            ),
            "",
            "| work | minutes | when |",
            "|---|---:|---|",
            *(f"| {r.what} | {r.minutes} | optional |" for r in optional),
            "",
        ]
        parts.append("\n".join(lines))
    return "\n".join(parts)


def assignments_region(course: dict, facts: Book) -> str:
    lines = [
        "| assignment | chapters | exercises (points) | maximum |",
        "|---|---|---|---:|",
    ]
    for assignment in course.get("assignments", []):
        chapters = ", ".join(str(chapter_number(s)) for s in assignment["chapters"])
        exercises = ", ".join(
            f"{{ref}}`{label}` ({points:g})"
            for label, points in assignment["exercises"].items()
        )
        maximum = sum(assignment["exercises"].values())
        lines.append(
            f"| `{assignment['name']}`: {assignment['title']} | {chapters} | "
            f"{exercises} | {maximum:g} |"
        )
    return "\n".join(lines) + "\n"


def assessment_region(course: dict, facts: Book) -> str:
    required, asked = required_exercises(course), asked_quiz(course)
    lines = [
        "| objective | exercises | quiz | assessed in session |",
        "|---|---|---|---|",
    ]
    for number, objective in sorted(
        (int(k), v) for k, v in course["objectives"].items()
    ):
        exercises = ", ".join(f"{{ref}}`{e}`" for e in objective.get("exercises", []))
        quiz = ", ".join(str(q) for q in objective.get("quiz", []))
        sessions = sorted(
            {required[e] for e in objective.get("exercises", []) if e in required}
            | {asked[str(q)] for q in objective.get("quiz", []) if str(q) in asked}
        )
        lines.append(
            f"| {number}. {objective['short']} | {exercises} | {quiz} | "
            f"{', '.join(map(str, sessions)) or 'optional only'} |"
        )
    return "\n".join(lines) + "\n"


def chapter_results(stem: str = RESULTS_CHAPTER) -> list[dict[str, str]]:
    """The rows of chapter 17's results table: kind, boundary and word F1 (mean,
    interval, range over seeds), as printed."""
    nb = nbformat.read(NOTEBOOK_DIR / f"{stem}.ipynb", as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            lines = output.get("text", "").splitlines()
            if lines and RESULTS_HEADER.match(lines[0].strip()):
                rows = [RESULTS_ROW.match(line.strip()) for line in lines[2:]]
                if rows and all(rows):
                    return [row.groupdict() for row in rows]
    raise SystemExit(
        f"{stem}: no output starting with its results header "
        f"({RESULTS_HEADER.pattern}) and rows of RESULTS_ROW; update them in "
        "tools/course.py to the chapter's table"
    )


def rubric_region(course: dict, facts: Book) -> str:
    criteria = course.get("rubric", [])
    lines = ["| criterion | points | full marks for |", "|---|---:|---|"]
    lines += [f"| {name} | {points:g} | {what} |" for name, points, what in criteria]
    lines.append(f"| **total** | **{sum(p for _, p, _ in criteria):g}** | |")
    lines += [
        "",
        (
            "Reference numbers, for spaces, from the results table of "
            f"{{doc}}`../notebooks/{RESULTS_CHAPTER}`: test F1 on chapters 23 and 24, "
            "in %, the mean of five seeds with its 95 % bootstrap interval over the "
            "test text, and the range over seeds. A capitals table is not expected to "
            "match them; a pipeline that, run on spaces, falls well short of them has "
            "a bug."
        ),
        "",
        "| model | boundary F1 | interval | seeds | word F1 | interval | seeds |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in chapter_results():
        lines.append(
            f"| {r['kind']} | {r['b']} | {r['b_lo']}–{r['b_hi']} | "
            f"{r['bs_lo']}–{r['bs_hi']} | {r['w']} | {r['w_lo']}–{r['w_hi']} | "
            f"{r['ws_lo']}–{r['ws_hi']} |"
        )
    return "\n".join(lines) + "\n"


def catalogue_region(course: dict, facts: Book) -> str:
    settings = course["course"]
    class_minutes = int(settings["class_minutes"])
    sessions = course["sessions"]
    spent = [totals(session_rows(s, facts)) for s in sessions]
    outside = [minutes["before"] + minutes["after"] for minutes in spent]
    graded = sum(sum(a["exercises"].values()) for a in course.get("assignments", []))
    rubric = sum(p for _, p, _ in course.get("rubric", []))
    lines = [
        f"**{settings['title']}**",
        "",
        " ".join(settings["description"].split()),
        "",
        (
            f"**Format.** {len(sessions)} sessions of {class_minutes} minutes, with "
            f"about {sum(outside) / 60:.0f} hours of reading and exercises out of "
            f"class in all (at most {max(outside)} minutes around one session)."
        ),
        "",
        (
            f"**Assessment.** {len(course.get('assignments', []))} assignments of "
            f"exercises, graded automatically ({graded:g} points), and a project "
            f"graded with a rubric ({rubric:g} points, its milestones' among them)."
        ),
        "",
        "**Prerequisites.** Students should be able to:",
        "",
        *(f"- {p}" for p in settings["prerequisites"]),
        "",
        f"**Materials.** {' '.join(settings['materials'].split())}",
        "",
    ]
    return "\n".join(lines)


GENERATORS = {
    GUIDE: {
        "plan": plan_region,
        "assignments": assignments_region,
        "assessment": assessment_region,
        "rubric": rubric_region,
    },
    FOR_INSTRUCTORS: {"catalogue": catalogue_region},
}


def regenerated(text: str, regions: dict[str, str], page: str) -> str:
    missing = set(regions) - {m["name"] for m in REGION.finditer(text)}
    if missing:
        raise SystemExit(f"{page} has no region for {sorted(missing)}")

    def fill(match):
        name = match["name"]
        if name not in regions:
            return match[0]
        return f"% BEGIN course.yml: {name}\n{regions[name]}% END course.yml: {name}"

    return REGION.sub(fill, text)


def pages(course: dict | None = None) -> dict[Path, str]:
    """Each generated page's text as course.yml and the chapters make it."""
    course = course or load()
    facts = book()
    return {
        page: regenerated(
            page.read_text(),
            {name: make(course, facts) for name, make in makers.items()},
            page.name,
        )
        for page, makers in GENERATORS.items()
    }


def main(argv: list[str]) -> int:
    course = load()
    found = problems(course, book())
    for problem in found:
        print(f"course.yml: {problem}", file=sys.stderr)
    stale = []
    for page, text in pages(course).items():
        if page.read_text() != text:
            stale.append(page)
            if "--check" not in argv:
                page.write_text(text)
                print(f"wrote     {page.relative_to(ROOT)}")
        else:
            print(f"unchanged {page.relative_to(ROOT)}")
    if "--check" in argv and stale:
        print(
            f"out of date: {[str(p.relative_to(ROOT)) for p in stale]}: run make course"
        )
        return 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
