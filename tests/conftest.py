"""How the suite runs: each notebook once, alone, within its budget; slow work first.

- Strict nbval (pytest.ini) runs each chapter once, in the standalone kernel
  (tools/standalone-kernel/): alone in an empty folder, as in Colab. The plugin
  notebook_budget times that same run against the book's budget per notebook.
- Two workers (pytest-xdist) share the work a file at a time (pytest.ini: --dist
  loadfile): the cells of a notebook run together in one kernel, the tests of a browser
  test file in one browser. Files are handed out in the order set here
  (--no-loadscope-reorder keeps it): the browser tests first, then the tests that run
  notebooks in kernels of their own (grading, the guards), then the notebooks, the quick
  tests last, so that neither worker waits while the other finishes something long.
"""

import pytest

import site_browser
from book import standalone_kernel

pytest_plugins = ["notebook_budget", "student_probes", "book_assets", "pytester"]


def pytest_configure(config):
    try:
        standalone_kernel()
    except RuntimeError as error:
        raise pytest.UsageError(str(error)) from None


def rank(item) -> int:
    """Longest units first, so that the two workers finish together."""
    if "browser" in getattr(item, "fixturenames", ()):  # nbval's cells have none
        return 0  # the longest units: start them at once
    if "executes" in item.keywords:
        return 1  # grading, the guards: long units of their own
    if item.path.suffix == ".ipynb":
        return 2  # many units of a few seconds each fill in the rest
    return 3


def pytest_collection_modifyitems(items):
    items.sort(key=rank)  # stable: the order within a rank stays as collected


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
