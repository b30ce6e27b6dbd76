"""A pytest plugin: strict nbval's own run of each notebook is also its timing.

The cells of a notebook run one after another in one kernel; here their durations are
summed per notebook, and the notebook's last cell fails when the sum is over the book's
budget (kernel start not counted). The summary line at the end lists each notebook's
seconds, slowest first. BOOK_SECONDS_PER_NOTEBOOK overrides the budget
(tests/test_guards.py sets it to prove the check).
"""

import os

import pytest

# The budget per notebook, on a 2-core machine.
SECONDS_PER_NOTEBOOK = float(os.environ.get("BOOK_SECONDS_PER_NOTEBOOK", "20"))

_spent: dict[str, float] = {}
_last_cells: set[str] = set()
_reported: dict[str, float] = {}


def is_notebook_cell(item) -> bool:
    return item.path.suffix == ".ipynb"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    cells = [item for item in items if is_notebook_cell(item)]
    _last_cells.update(
        a.nodeid
        for a, b in zip(cells, [*cells[1:], None])
        if b is None or a.path != b.path
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.when != "call" or not is_notebook_cell(item):
        return
    # Less what the student probes spent around the cell (tests/student_probes.py):
    # the budget is the reader's time.
    duration = call.duration - getattr(item, "probe_seconds", 0.0)
    spent = _spent[item.path.name] = _spent.get(item.path.name, 0.0) + duration
    if item.nodeid not in _last_cells:
        return
    report.user_properties.append(("notebook_seconds", (item.path.name, spent)))
    if report.passed and spent > SECONDS_PER_NOTEBOOK:
        report.outcome = "failed"
        report.longrepr = (
            f"{item.path.name}: its cells ran for {spent:.1f} s in all, over the "
            "budget "
            f"of {SECONDS_PER_NOTEBOOK:g} s per notebook (kernel start not counted)"
        )


def pytest_runtest_logreport(report):
    for name, value in report.user_properties:
        if name == "notebook_seconds":
            notebook, seconds = value
            _reported[notebook] = seconds


def pytest_terminal_summary(terminalreporter):
    if _reported:
        slowest = sorted(_reported.items(), key=lambda item: -item[1])
        terminalreporter.write_line(
            f"notebook cells, seconds (budget {SECONDS_PER_NOTEBOOK:g} each): "
            + ", ".join(f"{name[:2]} {seconds:.1f}" for name, seconds in slowest)
        )
