"""Tests of the tests: each safeguard of the book must be able to fail.

A test that cannot fail is a defect, so here we break a copy of a notebook, or of the table of
contents, in each way the book promises to catch, and check that the safeguard notices and says
where.
"""

import copy
import re
import subprocess
import sys

import nbformat
import pytest
from notebook_checks import (
    ROOT,
    content_problems,
    execution_problems,
    read_notebook,
    read_toc,
    toc_problems,
)

SAMPLE = ROOT / "notebooks" / "01-one-rnn-step.ipynb"


def _first_digit_output(nb):
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and re.search(r"tensor\(.*\d", output.text):
                return index, output
    raise AssertionError("the sample notebook has no printed tensor to tamper with")


def run_strict_nbval(notebook):
    """Strict nbval on one notebook, as make test runs it; returns (exit code, report)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-o", "addopts=",
         "--rootdir", str(notebook.parent), "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(ROOT / "tests" / "sanitize.cfg"), str(notebook)],
        check=False, capture_output=True, text=True, cwd=notebook.parent, timeout=300,
    )
    return result.returncode, result.stdout + result.stderr


def test_strict_nbval_fails_on_one_changed_digit(tmp_path):
    nb, _ = read_notebook(SAMPLE)
    index, output = _first_digit_output(nb)
    match = re.search(r"\d(?=\d*\])|\d", output.text)
    digit = output.text[match.start()]
    stored_line = output.text[: match.end()].splitlines()[-1]
    output.text = output.text[: match.start()] + str((int(digit) + 1) % 10) + output.text[match.end():]
    tampered_line = output.text[: match.end()].splitlines()[-1]
    tampered = tmp_path / SAMPLE.name
    nbformat.write(nb, tampered)

    returncode, report = run_strict_nbval(tampered)
    assert returncode != 0, "nbval passed a notebook whose stored output was changed\n" + report[-3000:]
    assert f"{SAMPLE.name}::Cell {sum(1 for c in nb.cells[:index] if c.cell_type == 'code')}" in report, report[-3000:]
    # nbval shows the stored line (-) against what the code computes now (+).
    assert "Cell outputs differ" in report, report[-3000:]
    assert stored_line.strip() in report and tampered_line.strip() in report, report[-3000:]


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
    code[1].execution_count, code[2].execution_count = code[2].execution_count, code[1].execution_count
    code[-1].outputs.append(nbformat.v4.new_output("error", ename="ValueError", evalue="boom", traceback=[]))
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
                    entry[key] = [e for e in entry[key] if e.get("file") != "notebooks/01-one-rnn-step"]
                    drop(entry[key])

    drop(without["parts"])
    problems = toc_problems(without)
    assert any("01-one-rnn-step.ipynb is not in _toc.yml" in p for p in problems), problems


def test_a_toc_entry_without_a_file_is_caught():
    toc = read_toc()
    broken = copy.deepcopy(toc)
    broken["parts"][-1]["chapters"].append({"file": "notebooks/99-missing"})
    problems = toc_problems(broken)
    assert any("99-missing" in p for p in problems), problems


# Mistakes a reader (or an editor of the book) could make in a chapter's hand computation. Each
# must make the chapter fail, because the cell after it asserts the result against PyTorch.
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


@pytest.mark.parametrize("mistake", WRONG_IMPLEMENTATIONS)
def test_a_wrong_implementation_fails_its_chapter(tmp_path, mistake):
    name, right, wrong = WRONG_IMPLEMENTATIONS[mistake]
    nb, _ = read_notebook(ROOT / "notebooks" / name)
    cells = [c for c in nb.cells if c.cell_type == "code" and right in c.source]
    assert cells, f"{name} no longer contains {right!r}: update this guard"
    cells[0].source = cells[0].source.replace(right, wrong)
    nbformat.write(nb, tmp_path / name)
    returncode, report = run_strict_nbval(tmp_path / name)
    assert returncode != 0, f"{name} still passes with the mistake: {mistake}\n" + report[-2000:]
    assert "AssertionError" in report or "Mismatched elements" in report, report[-2000:]


def test_a_marker_nbval_would_not_see_is_caught():
    nb, text = read_notebook(SAMPLE)
    assert content_problems(nb, SAMPLE.name, text) == []
    code = next(c for c in nb.cells if c.cell_type == "code" and "manual_seed" not in c.source)
    code.source = "# NBVAL_IGNORE_OUTPUT: timings differ\n" + code.source
    problems = content_problems(nb, SAMPLE.name, text)
    assert any("is not a marker nbval acts on" in p for p in problems), problems
    code.source = "# NBVAL_IGNORE_OUTPUT\n" + code.source.split("\n", 1)[1]
    problems = content_problems(nb, SAMPLE.name, text)
    assert any("without its reason" in p for p in problems), problems
