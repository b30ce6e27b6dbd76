"""Tests of the tests: each safeguard of the book must be able to fail.

A test that cannot fail is a defect, so here we break a copy of a notebook, or of the
table of contents, in each way the book promises to catch, and check that the safeguard
notices and says where.
"""

import copy
import os
import re

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
# pytester runs strict nbval in this process with a home folder of its own; the kernels
# keep the real one, where matplotlib's font cache already is.
HOME = os.environ.get("HOME", "")


def run_strict_nbval(pytester, monkeypatch, kernel=KERNEL_NAME) -> dict[str, str]:
    """Strict nbval, as make test runs it, on the notebooks in pytester's folder.

    Returns {test id: its report} for every test that failed. kernel=None: nbval's
    default kernel, started in the notebook's own folder.
    """
    monkeypatch.setenv("HOME", HOME)
    pytester.makeini("[pytest]")  # not the repository's pytest.ini
    kernel_option = (
        ["--nbval-current-env"] if kernel is None else ["--nbval-kernel-name", kernel]
    )
    result = pytester.inline_run(
        *["-p", "no:cacheprovider", "-p", "no:xdist", "--nbval", *kernel_option],
        *["-p", "notebook_budget", "-p", "student_probes"],
        f"--nbval-sanitize-with={ROOT / 'tests' / 'sanitize.cfg'}",
    )
    return {report.nodeid: report.longreprtext for report in result.getfailures()}


def failure(failures: dict[str, str], notebook: str) -> str:
    """The reports of the failed cells of one notebook, in one text."""
    return "\n".join(
        f"{test}\n{text}"
        for test, text in failures.items()
        if test.startswith(notebook + "::")
    )


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


@pytest.mark.executes
def test_strict_nbval_fails_on_one_changed_digit(pytester, monkeypatch):
    nb, _ = read_notebook(SAMPLE)
    index, output = _first_digit_output(nb)
    match = re.search(r"\d(?=\d*\])|\d", output.text)
    stored_line = output.text[: match.end()].splitlines()[-1].strip()
    changed = str((int(output.text[match.start()]) + 1) % 10)
    output.text = output.text[: match.start()] + changed + output.text[match.end() :]
    tampered_line = output.text[: match.end()].splitlines()[-1].strip()
    cell = f"Cell {sum(1 for c in nb.cells[:index] if c.cell_type == 'code')}"
    nb.cells = nb.cells[: index + 1]  # nothing after the tampered cell is needed
    nbformat.write(nb, pytester.path / "01-digit.ipynb")
    failures = run_strict_nbval(pytester, monkeypatch)
    report = failures.get(f"01-digit.ipynb::{cell}", "")
    assert report, f"nbval passed a changed output; failures: {failures}"
    # nbval shows the stored line (-) against what the code computes now (+).
    assert "Cell outputs differ" in report, report[-2000:]
    assert stored_line in report and tampered_line in report, report[-2000:]


@pytest.mark.executes
def test_a_notebook_that_reads_a_sibling_file_fails(pytester, monkeypatch):
    """The kernel of strict nbval runs alone in an empty folder: what works beside the
    repository fails.

    The same notebook passes with nbval's default kernel, which starts in the notebook's
    folder, so it is the standalone kernel that catches it.
    """
    sibling_notebook(pytester.path)
    beside = run_strict_nbval(pytester, monkeypatch, kernel=None)
    assert not beside, f"the sibling notebook should pass beside its files: {beside}"
    report = failure(run_strict_nbval(pytester, monkeypatch), "00-sibling.ipynb")
    assert "FileNotFoundError" in report, report[-3000:]
    assert "ModuleNotFoundError" in report, report[-3000:]


@pytest.mark.executes
def test_a_notebook_over_its_time_budget_fails(pytester, monkeypatch):
    slow = nbformat.v4.new_code_cell("import time\ntime.sleep(0.05)", execution_count=1)
    notebook = nbformat.v4.new_notebook(cells=[slow])
    nbformat.write(notebook, pytester.path / "00-slow.ipynb")
    monkeypatch.setenv("BOOK_SECONDS_PER_NOTEBOOK", "0.01")
    report = run_strict_nbval(pytester, monkeypatch).get("00-slow.ipynb::Cell 0", "")
    over = (
        r"00-slow.ipynb: its cells ran for 0\.\d+ s in all, over the budget of 0.01 s"
    )
    assert re.search(over, report), f"a notebook over its budget passed: {report}"


@pytest.mark.executes
def test_a_gamed_answer_fails_the_chapter(pytester, monkeypatch):
    """The student probes run inside strict nbval: a chapter whose check accepts a
    gamed answer fails, though its own outputs are unchanged."""
    nb, _ = read_notebook(SAMPLE)
    tagged = [
        i for i, c in enumerate(nb.cells) if "check" in c.metadata.get("tags", [])
    ]
    solution = next(c for c in nb.cells if "solution" in c.metadata.get("tags", []))
    nb.cells[tagged[0]].metadata["gamed"] = {"the solution itself": solution.source}
    nb.cells = nb.cells[: tagged[0] + 1]
    nbformat.write(nb, pytester.path / "01-gamed.ipynb")
    report = failure(run_strict_nbval(pytester, monkeypatch), "01-gamed.ipynb")
    accepted = "the check accepts a lazy answer: the solution itself"
    assert accepted in report, f"a check accepting a gamed answer passed: {report}"


@pytest.mark.executes
@pytest.mark.parametrize("mistake", WRONG_IMPLEMENTATIONS)
def test_a_wrong_implementation_fails_its_chapter(pytester, monkeypatch, mistake):
    name, right, wrong = WRONG_IMPLEMENTATIONS[mistake]
    nb, _ = read_notebook(ROOT / "notebooks" / name)
    found = [i for i, c in enumerate(nb.cells) if right in c.source]
    assert found, f"{name} no longer contains {right!r}: update this guard"
    nb.cells[found[0]].source = nb.cells[found[0]].source.replace(right, wrong)
    nbformat.write(up_to_the_check(nb, found[0] + 1), pytester.path / name)
    report = failure(run_strict_nbval(pytester, monkeypatch), name)
    failed = "AssertionError" in report or "Mismatched elements" in report
    assert failed, f"{name} still passes with the mistake: {mistake}\n{report[-2000:]}"


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
