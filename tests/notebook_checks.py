"""Checks on committed notebooks that nbval does not make.

nbval skips a cell whose execution_count is null, so a notebook with cleared outputs
would pass it; these checks catch that and the other ways a notebook can drift from
"what the page shows is what the code computes today". Each function returns a list of
problems (empty when all is well), so the tests can show every problem at once and the
guard tests can prove that each check can fail.
"""

import re
from pathlib import Path

from book import ROOT, toc_files
from quizzes import QUIZ_ANSWER, QUIZ_HEADING, QUIZ_QUESTION, RIGHT, WRONG

MAX_BYTES = 1024 * 1024
ABSOLUTE_PATH = re.compile(
    r"(?<![\w.])/(?:work|tmp|home|root|Users|private/var)/[\w.-]+"
)
# Cell tags by which nbval checks less than the whole output. (nbval also reads
# NBVAL_... comments, but those show on the page.)
NBVAL_TAGS = {"nbval-ignore-output", "nbval-skip", "raises-exception"}
NOTEBOOK_NAME = re.compile(r"^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb$")


def where(nb_name: str, index: int, cell) -> str:
    """How a problem names its place: notebook, cell index and the cell's first line."""
    first_line = (
        cell.source.strip().splitlines()[0][:60] if cell.source.strip() else "(empty)"
    )
    return f"{nb_name}, cell {index} ({first_line!r})"


def execution_problems(nb, nb_name: str) -> list[str]:
    """Every code cell ran, in order 1..N, in one kernel, and none stored an error."""
    problems = []
    code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for position, (index, cell) in enumerate(code_cells, start=1):
        if cell.execution_count is None:
            problems.append(
                f"{where(nb_name, index, cell)}: never executed (nbval would skip it); "
                "run make refresh"
            )
        elif cell.execution_count != position:
            problems.append(
                f"{where(nb_name, index, cell)}: execution count "
                f"{cell.execution_count}, expected {position} "
                "(not run top to bottom in a fresh kernel); run make refresh"
            )
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(
                    f"{where(nb_name, index, cell)}: stored error {output.ename}: "
                    f"{output.evalue}"
                )
            if output.output_type == "stream" and output.name == "stderr":
                problems.append(
                    f"{where(nb_name, index, cell)}: stored stderr output: "
                    f"{output.text[:200]!r}"
                )
    return problems


def content_problems(nb, nb_name: str, text: str) -> list[str]:
    """Portable and light: no absolute paths, under 1 MiB, figures with alt text."""
    problems = []
    if len(text.encode()) > MAX_BYTES:
        problems.append(
            f"{nb_name}: {len(text.encode()) // 1024} KiB, over the 1 MiB limit"
        )
    for index, cell in enumerate(nb.cells):
        lines = cell.source.splitlines() if cell.cell_type == "code" else []
        if any(line.lstrip().startswith("#") and "NBVAL_" in line for line in lines):
            problems.append(
                f"{where(nb_name, index, cell)}: an NBVAL_ comment marker, which "
                "readers see on the page; use the cell tag (e.g. nbval-ignore-output)"
            )
        ignored = NBVAL_TAGS & set(cell.metadata.get("tags", []))
        first = lines[0].strip() if lines else ""
        if ignored and not (first.startswith("#") and len(first) > 10):
            problems.append(
                f"{where(nb_name, index, cell)}: tagged {sorted(ignored)} without the "
                "reason as a comment on its first line"
            )
        found = ABSOLUTE_PATH.search(cell.source)
        if found:
            problems.append(
                f"{where(nb_name, index, cell)}: absolute path {found.group()!r} in "
                "the source"
            )
        for output in cell.get("outputs", []):
            found = ABSOLUTE_PATH.search(
                str(output.get("text", ""))
                + str(output.get("data", {}).get("text/plain", ""))
            )
            if found:
                problems.append(
                    f"{where(nb_name, index, cell)}: absolute path {found.group()!r} "
                    "in an output"
                )
            if "image/png" in output.get("data", {}):
                alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
                if not alt.strip():
                    problems.append(
                        f"{where(nb_name, index, cell)}: a figure without alt text "
                        "(metadata mystnb.image.alt)"
                    )
            if "image/svg+xml" in output.get("data", {}):
                problems.append(
                    f"{where(nb_name, index, cell)}: an SVG figure (it embeds a date); "
                    "use PNG"
                )
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code or "torch.manual_seed(" not in code[0].source:
        problems.append(
            f"{nb_name}: the first code cell (set-up) does not call torch.manual_seed"
        )
    return problems


def toc_problems(toc: dict, root: Path = ROOT) -> list[str]:
    """_toc.yml and the files agree: entries exist, every page is listed, in order."""
    problems = []
    listed = toc_files(toc)
    for entry in listed:
        if not any(
            (root / f"{entry}{suffix}").exists() for suffix in (".ipynb", ".md")
        ):
            problems.append(
                f"_toc.yml lists {entry!r}, but neither {entry}.ipynb nor {entry}.md "
                "exists"
            )
    stems = {Path(entry).as_posix() for entry in listed}
    on_disk = sorted(root.glob("notebooks/*.ipynb")) + sorted(
        root.glob("chapters/*.md")
    )
    for path in on_disk:
        stem = path.relative_to(root).with_suffix("").as_posix()
        if stem not in stems:
            problems.append(
                f"{path.relative_to(root)} is not in _toc.yml, so the site would not "
                "show it"
            )
    for path in root.glob("notebooks/*.ipynb"):
        if not NOTEBOOK_NAME.match(path.name):
            problems.append(
                f"{path.relative_to(root)}: notebook names are NN-kebab-name.ipynb"
            )
    notebooks_in_order = [e for e in listed if e.startswith("notebooks/")]
    if notebooks_in_order != sorted(notebooks_in_order):
        problems.append(
            "_toc.yml lists the notebooks out of file-number order: "
            f"{notebooks_in_order}"
        )
    return problems


# A chapter's quiz: one markdown cell headed "## Check your understanding", with 3 to 5
# numbered questions in bold, each followed by its answers, one line each:
#   <details class="quiz-answer"><summary>ANSWER</summary>Right. WHY</details>
# A reader opens an answer to see its feedback: no script, so it works on the website,
# in Colab and in Jupyter, from the keyboard and with a screen reader.
# (the format is read in tools/quizzes.py)


def quiz_problems(nb, nb_name: str) -> list[str]:
    """The chapter has one quiz of 3 to 5 questions, each with one right answer."""
    cells = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and c.source.startswith(QUIZ_HEADING)
    ]
    if len(cells) != 1:
        return [f"{nb_name}: {len(cells)} cells start with {QUIZ_HEADING!r}; need 1"]
    problems, questions = [], []
    for line in cells[0].source.splitlines():
        if QUIZ_QUESTION.match(line):
            questions.append((line, []))
        elif line.startswith("<details"):
            answer = QUIZ_ANSWER.match(line)
            if not answer or not questions:
                problems.append(f"{nb_name}: not a quiz answer line: {line[:70]!r}")
            else:
                questions[-1][1].append(answer.groups())
    if not 3 <= len(questions) <= 5:
        problems.append(f"{nb_name}: {len(questions)} quiz questions; need 3 to 5")
    for number, (question, answers) in enumerate(questions, start=1):
        where = f"{nb_name}, quiz question {number}"
        if not question.startswith(f"**{number}. "):
            problems.append(f"{where}: numbered {question[:8]!r}, expected {number}")
        right = [a for a, feedback in answers if feedback.startswith(RIGHT)]
        wrong = [a for a, feedback in answers if feedback.startswith(WRONG)]
        if (
            len(answers) < 2
            or len(right) != 1
            or len(right) + len(wrong) != len(answers)
        ):
            problems.append(
                f"{where}: {len(answers)} answers, {len(right)} starting {RIGHT!r} and "
                f"{len(wrong)} {WRONG!r}; need 2 or more, exactly one right"
            )
        if any("`" in a + f for a, f in answers):
            problems.append(f"{where}: backticks do not work inside HTML; use <code>")
    return problems
