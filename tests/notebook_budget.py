"""A pytest plugin: strict nbval's own run of each notebook is also its timing.

The cells of a notebook run one after another in one kernel; here their durations are
summed per notebook, and the notebook's last cell fails when the sum is over the book's
budget (kernel start not counted). The summary line at the end lists each notebook's
seconds, slowest first. BOOK_SECONDS_PER_NOTEBOOK overrides the budget
(tests/test_guards.py sets it to prove the check).

Each pytest session gets its own NotebookBudget, so that a session run inside another
(the guards run strict nbval in-process with pytester) keeps its own sums.
"""

import os

import pytest

# The budget per notebook, on a 2-core machine.
SECONDS_PER_NOTEBOOK = 20.0


def is_notebook_cell(item) -> bool:
    return item.path.suffix == ".ipynb"


class NotebookBudget:
    def __init__(self, budget: float):
        self.budget = budget
        self.spent: dict[str, float] = {}
        self.last_cells: set[str] = set()
        self.reported: dict[str, float] = {}

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        cells = [item for item in items if is_notebook_cell(item)]
        self.last_cells.update(
            a.nodeid
            for a, b in zip(cells, [*cells[1:], None])
            if b is None or a.path != b.path
        )

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if call.when != "call" or not is_notebook_cell(item):
            return
        name = item.path.name
        # Less what the student probes spent around the cell (student_probes.py):
        # the budget is the reader's time.
        duration = call.duration - getattr(item, "probe_seconds", 0.0)
        spent = self.spent[name] = self.spent.get(name, 0.0) + duration
        if item.nodeid not in self.last_cells:
            return
        report.user_properties.append(("notebook_seconds", (name, spent)))
        if report.passed and spent > self.budget:
            report.outcome = "failed"
            report.longrepr = (
                f"{name}: its cells ran for {spent:.1f} s in all, over the budget "
                f"of {self.budget:g} s per notebook (kernel start not counted)"
            )

    def pytest_runtest_logreport(self, report):
        for name, value in report.user_properties:
            if name == "notebook_seconds":
                notebook, seconds = value
                self.reported[notebook] = seconds

    def pytest_terminal_summary(self, terminalreporter):
        if self.reported:
            slowest = sorted(self.reported.items(), key=lambda item: -item[1])
            terminalreporter.write_line(
                f"notebook cells, seconds (budget {self.budget:g} each): "
                + ", ".join(f"{name[:2]} {seconds:.1f}" for name, seconds in slowest)
            )


def pytest_configure(config):
    budget = float(os.environ.get("BOOK_SECONDS_PER_NOTEBOOK", SECONDS_PER_NOTEBOOK))
    config.pluginmanager.register(NotebookBudget(budget), "notebook_budget_of_session")
