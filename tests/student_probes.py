"""A pytest plugin: nbval's run of a chapter also runs the student version's exercises.

The student notebook (tools/student.py) is the chapter with each exercise's solution
replaced by a stub; before the first stub the two are the same cells. So the student
version needs no kernel of its own. At the point where a student reaches an exercise,
just before nbval runs the chapter's solution cell, this plugin runs in nbval's kernel
what the student notebook runs there:

- the student's stub, which must stop with NotImplementedError;
- the exercise's check cell, which must fail: a check that passes without the solution
  checks nothing;
- each gamed answer recorded in the check cell's metadata ("gamed": {how: source}),
  then the check again, which must fail for each.

The random-number generators of torch, numpy and random are saved before and restored
after, so the chapter's own cells go on to compute exactly what they stored; whatever a
probe defines, the solution cell that runs next defines again. What the student notebook
runs after a stub is checked without a kernel, by leak_problems below.
"""

import ast
from queue import Empty

import pytest
from IPython.core.inputtransformer2 import TransformerManager

from exercises import find_exercises, tags
from student import stub_source

PROBE_TIMEOUT_S = 120
SAVE_RANDOM_STATE = """\
import random as _probe_random, numpy as _probe_numpy, torch as _probe_torch
_probe_state = (_probe_random.getstate(), _probe_numpy.random.get_state(),
                _probe_torch.random.get_rng_state())"""
RESTORE_RANDOM_STATE = """\
_probe_random.setstate(_probe_state[0])
_probe_numpy.random.set_state(_probe_state[1])
_probe_torch.random.set_rng_state(_probe_state[2])
del _probe_random, _probe_numpy, _probe_torch, _probe_state"""


def run_in_kernel(kernel, source: str) -> str | None:
    """Run source in nbval's kernel; the name of the exception it raised, or None.

    nbval reads only the messages of its own requests, so these leave its cells alone.
    """
    msg_id = kernel.execute_cell_input(source, allow_stdin=False)
    while True:
        try:
            reply = kernel.get_message(stream="shell", timeout=PROBE_TIMEOUT_S)
        except Empty:
            message = f"no reply within {PROBE_TIMEOUT_S} s to:\n{source}"
            raise RuntimeError(message) from None
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    kernel.await_idle(msg_id, PROBE_TIMEOUT_S)
    content = reply["content"]
    return content.get("ename", "Error") if content["status"] == "error" else None


def probe_problems(kernel, nb, exercise, name: str) -> list[str]:
    """Run the student version of one exercise in the kernel; what went wrong."""
    problems, where = [], f"{name}, exercise {exercise.label!r}"
    check = nb.cells[exercise.check].source
    if run_in_kernel(kernel, SAVE_RANDOM_STATE) is not None:
        return [f"{where}: could not save the random state (no torch or numpy?)"]
    try:
        for index in exercise.solutions:
            raised = run_in_kernel(kernel, stub_source(nb.cells[index], exercise))
            if raised != "NotImplementedError":
                problems.append(
                    f"{where}: the stub raised {raised}, not NotImplementedError"
                )
        if run_in_kernel(kernel, check) is None:
            problems.append(f"{where}: the check passes without the solution")
        for how, source in nb.cells[exercise.check].metadata.get("gamed", {}).items():
            raised = run_in_kernel(kernel, source)
            if raised is not None:
                problems.append(f"{where}: the gamed answer ({how}) raised {raised}")
            elif run_in_kernel(kernel, check) is None:
                problems.append(f"{where}: the check accepts a gamed answer: {how}")
    finally:
        run_in_kernel(kernel, RESTORE_RANDOM_STATE)
    return problems


def first_solution_cells(nb) -> dict[int, object]:
    """id(cell) -> its exercise, for the first solution cell of each exercise."""
    exercises, _ = find_exercises(nb)
    return {
        id(nb.cells[e.solutions[0]]): e for e in exercises if e.solutions and e.check
    }


def bound_and_read(source: str) -> tuple[set[str], set[str]]:
    """The names a cell binds (anywhere in it) and the names it reads."""
    bound, read = set(), set()
    python = TransformerManager().transform_cell(source)  # magics become calls
    for node in ast.walk(ast.parse(python)):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return bound, read


def leak_problems(nb, name: str) -> list[str]:
    """No cell after a stub reads a name that only another exercise's solution binds.

    In the student notebook that name would be missing: the cell would fail even when
    the student has done its own exercise.
    """
    exercises, _ = find_exercises(nb)
    cells_of = [[*e.solutions, e.check, e.hidden] for e in exercises]
    owner = {
        i: e for e, cells in zip(exercises, cells_of) for i in cells if i is not None
    }
    problems, bound_by_page, bound_by_solutions = [], set(), {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        bound, read = bound_and_read(cell.source)
        exercise = owner.get(index)
        label = exercise.label if exercise else None
        missing = {
            n
            for other, names in bound_by_solutions.items()
            if other != label
            for n in names & read - bound - bound_by_page
        }
        if missing:
            problems.append(
                f"{name}, cell {index}: reads {sorted(missing)}, which only a solution "
                "defines; in the student notebook that name is missing"
            )
        if "solution" in tags(cell):
            bound_by_solutions.setdefault(label, set()).update(bound)
        elif exercise is None:
            bound_by_page |= bound
    return problems


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    notebook = item.parent if item.path.suffix == ".ipynb" else None
    cell = getattr(item, "cell", None)
    if notebook is None or cell is None or "solution" not in tags(cell):
        return (yield)
    if not hasattr(notebook, "first_solution_cells"):
        notebook.first_solution_cells = first_solution_cells(notebook.nb)
    exercise = notebook.first_solution_cells.get(id(cell))
    if exercise is None:
        return (yield)
    problems = probe_problems(notebook.kernel, notebook.nb, exercise, item.path.name)
    result = yield  # the chapter's own solution cell, as nbval runs it
    if problems:
        raise AssertionError("student version:\n" + "\n".join(problems))
    return result
