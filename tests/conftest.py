"""How the suite runs: each notebook once, alone, within its budget; slow work first.

- Strict nbval (pytest.ini) runs each chapter once, in the standalone kernel
  (tools/standalone-kernel/): alone in an empty folder, as in Colab. The plugin
  notebook_budget times that same run against the book's budget per notebook.
- Two workers (pytest-xdist) share the work, handed out by BookScheduling below: the
  cells of a notebook go to one worker together (they share a kernel), and so do the
  browser tests (they share one browser); every other test is a unit of its own. Units
  are handed out in the order set here: the browser tests first, then the tests that run
  notebooks in kernels of their own (grading, the guards), then the notebooks, the quick
  tests last, so that neither worker waits while the other finishes something long.
"""

import pytest
from xdist.scheduler import LoadScopeScheduling

import site_browser
from book import standalone_kernel

pytest_plugins = ["notebook_budget", "student_probes", "book_assets", "pytester"]

# Test files whose tests share one browser (the fixtures below) and so run together.
BROWSER_FILES = ("test_browser.py", "test_explorer.py")


def pytest_configure(config):
    try:
        standalone_kernel()
    except RuntimeError as error:
        raise pytest.UsageError(str(error)) from None


def rank(item) -> int:
    """Longest units first, so that the two workers finish together."""
    if item.path.name in BROWSER_FILES:
        return 0  # the longest unit: start it at once
    if "executes" in item.keywords:
        return 1  # grading, the guards: long units of their own
    if item.path.suffix == ".ipynb":
        return 2  # many units of a few seconds each fill in the rest
    return 3


def pytest_collection_modifyitems(items):
    items.sort(key=rank)  # stable: the order within a rank stays as collected


class BookScheduling(LoadScopeScheduling):
    """Units of work: one per notebook, one for all browser tests, one per other test.

    (xdist's own --dist loadgroup would do this with marks, but with pytest 9 its
    renaming of node ids has no effect.)
    """

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        if path.endswith(".ipynb"):
            return path
        if path.endswith(BROWSER_FILES):
            return "browser"
        return nodeid


def pytest_xdist_make_scheduler(config, log):
    config.option.loadscopereorder = False  # keep the order of the collection
    return BookScheduling(config, log)


@pytest.fixture(scope="session")
def site_url():
    """The built site, served from 127.0.0.1 for the whole run."""
    url, server = site_browser.serve_site()
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One Chromium for every browser test of the run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = site_browser.launch(playwright)
        yield chromium
        chromium.close()
