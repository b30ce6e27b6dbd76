"""Tests of the tests: each safeguard of the book must be able to fail.

A test that cannot fail is a defect, so here we break a copy of a notebook, or of the
table of contents, in each way the book promises to catch, and check that the safeguard
notices and says where.
"""

import copy
import os
import re
import subprocess
import sys

import nbformat
import pytest

from book import KERNEL_NAME, ROOT, read_notebook, read_toc
from notebook_checks import (
    content_problems,
    execution_problems,
    quiz_problems,
    toc_problems,
)

SAMPLE = ROOT / "notebooks" / "01-one-rnn-step.ipynb"


def _first_digit_output(nb):
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and re.search(
                r"tensor\(.*\d", output.text
            ):
                return index, output
    raise AssertionError("the sample notebook has no printed tensor to tamper with")


# Strict nbval as pytest.ini runs it, with the plugins that tests/conftest.py loads.
STRICT_NBVAL = [
    *["-p", "no:cacheprovider", "-p", "no:xdist", "-o", "addopts=", "--nbval"],
    *["-p", "notebook_budget", "-p", "student_probes", "-rf"],
    *("--nbval-sanitize-with", str(ROOT / "tests" / "sanitize.cfg")),
]
# Mistakes a reader (or an editor of the book) could make in a chapter's hand
# computation. Each must make the chapter fail, because a cell after it asserts the
# result against PyTorch.
WRONG_IMPLEMENTATIONS = {
    "GRU reset gate applied after the bias": (
        "09-bidirectional-gru.ipynb",
        "n = torch.tanh(n_x + r * n_h)",
        "n = torch.tanh(n_x + r * (n_h - b_hh.chunk(3)[2]) + b_hh.chunk(3)[2])",
    ),
    "reverse state stored at its position in the sweep": (
        "03-reverse-direction.ipynb",
        "h_bwd_by_step[t] = h",
        "h_bwd_by_step[T - 1 - t] = h",
    ),
}


def run_strict_nbval(folder, kernel=KERNEL_NAME, env=None):
    """Strict nbval on the notebooks of a folder, as make test runs it.

    Returns (exit code, {notebook: its part of the report}). kernel=None: nbval's
    default kernel, started in the notebook's own folder.
    """
    kernel_option = (
        ["--nbval-current-env"] if kernel is None else ["--nbval-kernel-name", kernel]
    )
    plugins = os.pathsep.join([str(ROOT / "tools"), str(ROOT / "tests")])
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *STRICT_NBVAL, *kernel_option]
        + ["--rootdir", str(folder), str(folder)],
        check=False,
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=300,
        env={**os.environ, "PYTHONPATH": plugins, **(env or {})},
    )
    report = result.stdout + result.stderr
    # pytest heads each failure "____ name.ipynb::Cell N ____" and lists it at the end
    # as "FAILED name.ipynb::Cell N - ...": both go to that notebook's part.
    parts = {}
    pieces = re.split(
        r"^_{3,} (\S+?\.ipynb)::(Cell \d+) _{3,}$", report, flags=re.MULTILINE
    )
    for name, cell, text in zip(pieces[1::3], pieces[2::3], pieces[3::3]):
        parts[name] = parts.get(name, "") + f"{cell}\n{text}"
    for name, cell in re.findall(
        r"^FAILED (\S+?\.ipynb)::(Cell \d+)", report, re.MULTILINE
    ):
        parts[name] = parts.get(name, "") + f"FAILED {cell}\n"
    return result.returncode, parts


def up_to_the_check(nb, index):
    """nb without the cells after the first code cell from index on that asserts.

    The guards run a broken copy of a chapter only as far as the cell that must catch
    the break: later cells add time, not evidence.
    """
    for later, cell in enumerate(nb.cells[index:], start=index):
        if cell.cell_type == "code" and "assert" in cell.source:
            nb.cells = nb.cells[: later + 1]
            return nb
    raise AssertionError(f"no cell from {index} on asserts anything")


def sibling_notebook(folder):
    """A notebook that reads a file and imports a module lying beside it."""
    (folder / "numbers.txt").write_text("1 2 3\n")
    (folder / "helpers.py").write_text("ANSWER = 42\n")
    cells = [
        nbformat.v4.new_code_cell("print(open('numbers.txt').read().split())"),
        nbformat.v4.new_code_cell("import helpers\nprint(helpers.ANSWER)"),
    ]
    for number, (cell, text) in enumerate(zip(cells, ["['1', '2', '3']\n", "42\n"])):
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        cell.execution_count = number + 1
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / "00-sibling.ipynb")


def tampered_digit(folder):
    """Chapter 1 with one digit of a printed tensor changed; what to look for."""
    nb, _ = read_notebook(SAMPLE)
    index, output = _first_digit_output(nb)
    match = re.search(r"\d(?=\d*\])|\d", output.text)
    stored_line = output.text[: match.end()].splitlines()[-1]
    changed = str((int(output.text[match.start()]) + 1) % 10)
    output.text = output.text[: match.start()] + changed + output.text[match.end() :]
    tampered_line = output.text[: match.end()].splitlines()[-1]
    cell = f"Cell {sum(1 for c in nb.cells[:index] if c.cell_type == 'code')}"
    nb.cells = nb.cells[: index + 1]  # nothing after the tampered cell is needed
    nbformat.write(nb, folder / "01-digit.ipynb")
    return cell, stored_line.strip(), tampered_line.strip()


def gamed_answer(folder):
    """Chapter 1 whose first check lists the solution itself as a gamed answer."""
    nb, _ = read_notebook(SAMPLE)
    tagged = [
        i for i, c in enumerate(nb.cells) if "check" in c.metadata.get("tags", [])
    ]
    solution = next(c for c in nb.cells if "solution" in c.metadata.get("tags", []))
    nb.cells[tagged[0]].metadata["gamed"] = {"the solution itself": solution.source}
    nb.cells = nb.cells[: tagged[0] + 1]
    nbformat.write(nb, folder / "01-gamed.ipynb")


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """One strict nbval run over every broken notebook the guards below need.

    Each guard reads its own notebook's part of the report. The run also has a time
    budget of 0.01 s, so every notebook's last cell fails for that too: the guards look
    for their own failure, never only for some failure.
    """
    folder = tmp_path_factory.mktemp("broken")
    sibling_notebook(folder)
    digit = tampered_digit(folder)
    gamed_answer(folder)
    slow = nbformat.v4.new_code_cell("import time\ntime.sleep(0.05)", execution_count=1)
    nbformat.write(nbformat.v4.new_notebook(cells=[slow]), folder / "00-slow.ipynb")
    for name, right, wrong in WRONG_IMPLEMENTATIONS.values():
        nb, _ = read_notebook(ROOT / "notebooks" / name)
        found = [i for i, c in enumerate(nb.cells) if right in c.source]
        assert found, f"{name} no longer contains {right!r}: update this guard"
        nb.cells[found[0]].source = nb.cells[found[0]].source.replace(right, wrong)
        nbformat.write(up_to_the_check(nb, found[0] + 1), folder / name)
    _, parts = run_strict_nbval(folder, env={"BOOK_SECONDS_PER_NOTEBOOK": "0.01"})
    # The sibling notebook alone, with nbval's default kernel and the real budget.
    alone = tmp_path_factory.mktemp("sibling")
    sibling_notebook(alone)
    returncode, beside = run_strict_nbval(alone, kernel=None)
    return {"parts": parts, "digit": digit, "beside": (returncode, beside)}


@pytest.mark.executes
def test_strict_nbval_fails_on_one_changed_digit(broken):
    cell, stored_line, tampered_line = broken["digit"]
    part = broken["parts"].get("01-digit.ipynb", "")
    assert f"FAILED {cell}" in part, "nbval passed a changed output\n" + part[-2000:]
    # nbval shows the stored line (-) against what the code computes now (+).
    assert "Cell outputs differ" in part, part[-2000:]
    assert stored_line in part and tampered_line in part, part[-2000:]


@pytest.mark.executes
def test_a_notebook_that_reads_a_sibling_file_fails(broken):
    """The kernel of strict nbval runs alone in an empty folder: what works beside the
    repository fails.

    The same notebook passes with nbval's default kernel, which starts in the notebook's
    folder, so it is the standalone kernel that catches it.
    """
    returncode, beside = broken["beside"]
    assert returncode == 0, (
        f"the sibling notebook should pass beside its files: {beside}"
    )
    part = broken["parts"].get("00-sibling.ipynb", "")
    assert "FileNotFoundError" in part and "ModuleNotFoundError" in part, part[-3000:]


@pytest.mark.executes
def test_a_notebook_over_its_time_budget_fails(broken):
    part = broken["parts"].get("00-slow.ipynb", "")
    over = (
        r"00-slow.ipynb: its cells ran for 0\.\d+ s in all, over the budget of 0.01 s"
    )
    assert re.search(over, part), "a notebook over its budget passed\n" + part[-2000:]


@pytest.mark.executes
def test_a_gamed_answer_fails_the_chapter(broken):
    """The student probes run inside strict nbval: a chapter whose check accepts a
    gamed answer fails, though its own outputs are unchanged."""
    part = broken["parts"].get("01-gamed.ipynb", "")
    accepted = "the check accepts a gamed answer: the solution itself"
    assert accepted in part, "a check accepting a gamed answer passed\n" + part[-2000:]


@pytest.mark.executes
@pytest.mark.parametrize("mistake", WRONG_IMPLEMENTATIONS)
def test_a_wrong_implementation_fails_its_chapter(broken, mistake):
    name = WRONG_IMPLEMENTATIONS[mistake][0]
    part = broken["parts"].get(name, "")
    failed = "AssertionError" in part or "Mismatched elements" in part
    assert failed, f"{name} still passes with the mistake: {mistake}\n{part[-2000:]}"


def test_cleared_outputs_are_caught():
    nb, _ = read_notebook(SAMPLE)
    cleared = copy.deepcopy(nb)
    for cell in cleared.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    assert execution_problems(nb, SAMPLE.name) == []
    problems = execution_problems(cleared, SAMPLE.name)
    assert problems and all("never executed" in p for p in problems)
    assert SAMPLE.name in problems[0] and "cell" in problems[0]


def test_out_of_order_execution_and_stored_errors_are_caught():
    nb, _ = read_notebook(SAMPLE)
    broken = copy.deepcopy(nb)
    code = [c for c in broken.cells if c.cell_type == "code"]
    code[1].execution_count, code[2].execution_count = (
        code[2].execution_count,
        code[1].execution_count,
    )
    code[-1].outputs.append(
        nbformat.v4.new_output("error", ename="ValueError", evalue="boom", traceback=[])
    )
    problems = execution_problems(broken, SAMPLE.name)
    assert any("expected 2" in p for p in problems), problems
    assert any("stored error ValueError" in p for p in problems), problems


def test_a_notebook_left_out_of_the_toc_is_caught():
    toc = read_toc()
    assert toc_problems(toc) == []
    without = copy.deepcopy(toc)

    def drop(entries):
        for entry in entries or []:
            for key in ("chapters", "sections"):
                if key in entry:
                    entry[key] = [
                        e
                        for e in entry[key]
                        if e.get("file") != "notebooks/01-one-rnn-step"
                    ]
                    drop(entry[key])

    drop(without["parts"])
    problems = toc_problems(without)
    assert any("01-one-rnn-step.ipynb is not in _toc.yml" in p for p in problems), (
        problems
    )


def test_a_toc_entry_without_a_file_is_caught():
    toc = read_toc()
    broken = copy.deepcopy(toc)
    broken["parts"][-1]["chapters"].append({"file": "notebooks/99-missing"})
    problems = toc_problems(broken)
    assert any("99-missing" in p for p in problems), problems


def test_an_ignored_output_without_its_reason_or_shown_marker_is_caught():
    nb, text = read_notebook(SAMPLE)
    assert content_problems(nb, SAMPLE.name, text) == []
    code = next(
        c for c in nb.cells if c.cell_type == "code" and "manual_seed" not in c.source
    )
    source = code.source
    code.source = "# NBVAL_IGNORE_OUTPUT\n# timings differ on every run\n" + source
    problems = content_problems(nb, SAMPLE.name, text)
    assert any("an NBVAL_ comment marker" in p for p in problems), problems
    code.source = source
    code.metadata["tags"] = ["nbval-ignore-output"]
    problems = content_problems(nb, SAMPLE.name, text)
    assert any("without the reason" in p for p in problems), problems
    code.source = "# Why ignored: timings differ on every run.\n" + source
    assert content_problems(nb, SAMPLE.name, text) == []


def test_a_broken_quiz_is_caught():
    nb, _ = read_notebook(SAMPLE)
    assert quiz_problems(nb, SAMPLE.name) == []
    quiz = next(
        c for c in nb.cells if c.source.startswith("## Check your understanding")
    )
    source = quiz.source
    quiz.source = source.replace("</summary>Not quite. ", "</summary>Right. ", 1)
    assert any("exactly one right" in p for p in quiz_problems(nb, SAMPLE.name))
    quiz.source = source.replace("<code>out</code>", "`out`", 1)
    assert any("backticks" in p for p in quiz_problems(nb, SAMPLE.name))
    quiz.source = source.split("**3. ")[0]
    assert any(
        "quiz questions; need 3 to 5" in p for p in quiz_problems(nb, SAMPLE.name)
    )
    quiz.source = source.replace("**2. ", "**7. ")
    assert any("expected 2" in p for p in quiz_problems(nb, SAMPLE.name))
    nb.cells.remove(quiz)
    assert quiz_problems(nb, SAMPLE.name) == [
        f"{SAMPLE.name}: 0 cells start with '## Check your understanding'; need 1"
    ]
