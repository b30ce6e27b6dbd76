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
    *["-p", "notebook_budget", "-p", "student_probes"],
    *("--nbval-sanitize-with", str(ROOT / "tests" / "sanitize.cfg")),
]


def run_strict_nbval(notebook, kernel=KERNEL_NAME, env=None):
    """Strict nbval on one notebook, as make test runs it; returns (exit code, report).

    kernel=None: nbval's default kernel, started in the notebook's own folder.
    """
    kernel_option = (
        ["--nbval-current-env"] if kernel is None else ["--nbval-kernel-name", kernel]
    )
    plugins = os.pathsep.join([str(ROOT / "tools"), str(ROOT / "tests")])
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *STRICT_NBVAL, *kernel_option]
        + ["--rootdir", str(notebook.parent), str(notebook)],
        check=False,
        capture_output=True,
        text=True,
        cwd=notebook.parent,
        timeout=300,
        env={**os.environ, "PYTHONPATH": plugins, **(env or {})},
    )
    return result.returncode, result.stdout + result.stderr


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


@pytest.mark.executes
def test_strict_nbval_fails_on_one_changed_digit(tmp_path):
    nb, _ = read_notebook(SAMPLE)
    index, output = _first_digit_output(nb)
    match = re.search(r"\d(?=\d*\])|\d", output.text)
    digit = output.text[match.start()]
    stored_line = output.text[: match.end()].splitlines()[-1]
    output.text = (
        output.text[: match.start()]
        + str((int(digit) + 1) % 10)
        + output.text[match.end() :]
    )
    tampered_line = output.text[: match.end()].splitlines()[-1]
    tampered = tmp_path / SAMPLE.name
    nb.cells = nb.cells[: index + 1]  # nothing after the tampered cell is needed
    nbformat.write(nb, tampered)

    returncode, report = run_strict_nbval(tampered)
    assert returncode != 0, (
        "nbval passed a notebook whose stored output was changed\n" + report[-3000:]
    )
    assert (
        f"{SAMPLE.name}::Cell "
        f"{sum(1 for c in nb.cells[:index] if c.cell_type == 'code')}" in report
    ), report[-3000:]
    # nbval shows the stored line (-) against what the code computes now (+).
    assert "Cell outputs differ" in report, report[-3000:]
    assert stored_line.strip() in report and tampered_line.strip() in report, report[
        -3000:
    ]


@pytest.mark.executes
def test_a_notebook_that_reads_a_sibling_file_fails(tmp_path):
    """The kernel of strict nbval runs alone in an empty folder: what works beside the
    repository fails.

    The same notebook passes with nbval's default kernel, which starts in the notebook's
    folder, so it is the standalone kernel that catches it.
    """
    (tmp_path / "numbers.txt").write_text("1 2 3\n")
    (tmp_path / "helpers.py").write_text("ANSWER = 42\n")
    cells = [
        nbformat.v4.new_code_cell("print(open('numbers.txt').read().split())"),
        nbformat.v4.new_code_cell("import helpers\nprint(helpers.ANSWER)"),
    ]
    cells[0].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="['1', '2', '3']\n")
    ]
    cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    cells[0].execution_count, cells[1].execution_count = 1, 2
    notebook = tmp_path / "00-reads-a-sibling.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), notebook)

    returncode, report = run_strict_nbval(notebook, kernel=None)
    assert returncode == 0, (
        "the sibling notebook should pass beside its files\n" + report[-2000:]
    )
    returncode, report = run_strict_nbval(notebook)
    assert returncode != 0, (
        "strict nbval let a notebook read a file beside it\n" + report[-2000:]
    )
    assert "FileNotFoundError" in report and "ModuleNotFoundError" in report, report[
        -3000:
    ]


@pytest.mark.executes
def test_a_notebook_over_its_time_budget_fails(tmp_path):
    cell = nbformat.v4.new_code_cell("import time\ntime.sleep(0.05)", execution_count=1)
    notebook = tmp_path / "00-slow.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), notebook)
    returncode, report = run_strict_nbval(
        notebook, env={"BOOK_SECONDS_PER_NOTEBOOK": "0.01"}
    )
    assert returncode != 0, "a notebook over its time budget passed\n" + report[-2000:]
    over = r"00-slow.ipynb: its cells ran for 0\.\d s in all, over the budget of 0.01 s"
    assert re.search(over, report), report[-2000:]


@pytest.mark.executes
def test_a_gamed_answer_fails_the_chapter(tmp_path):
    """The student probes run inside strict nbval: a chapter whose check accepts a
    gamed answer fails, though its own outputs are unchanged."""
    nb, _ = read_notebook(SAMPLE)
    tagged = [
        i for i, c in enumerate(nb.cells) if "check" in c.metadata.get("tags", [])
    ]
    check = nb.cells[tagged[0]]
    solution = next(c for c in nb.cells if "solution" in c.metadata.get("tags", []))
    check.metadata["gamed"] = {"the solution itself": solution.source}
    nb.cells = nb.cells[: tagged[0] + 1]
    nbformat.write(nb, tmp_path / SAMPLE.name)
    returncode, report = run_strict_nbval(tmp_path / SAMPLE.name)
    assert returncode != 0, "a check accepting a gamed answer passed\n" + report[-2000:]
    accepted = "the check accepts a gamed answer: the solution itself"
    assert accepted in report, report[-2000:]


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


# Mistakes a reader (or an editor of the book) could make in a chapter's hand
# computation. Each must make the chapter fail, because the cell after it asserts the
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


@pytest.mark.executes
@pytest.mark.parametrize("mistake", WRONG_IMPLEMENTATIONS)
def test_a_wrong_implementation_fails_its_chapter(tmp_path, mistake):
    name, right, wrong = WRONG_IMPLEMENTATIONS[mistake]
    nb, _ = read_notebook(ROOT / "notebooks" / name)
    found = [
        i for i, c in enumerate(nb.cells) if c.cell_type == "code" and right in c.source
    ]
    assert found, f"{name} no longer contains {right!r}: update this guard"
    nb.cells[found[0]].source = nb.cells[found[0]].source.replace(right, wrong)
    nbformat.write(up_to_the_check(nb, found[0] + 1), tmp_path / name)
    returncode, report = run_strict_nbval(tmp_path / name)
    assert returncode != 0, (
        f"{name} still passes with the mistake: {mistake}\n" + report[-2000:]
    )
    assert "AssertionError" in report or "Mismatched elements" in report, report[-2000:]


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
