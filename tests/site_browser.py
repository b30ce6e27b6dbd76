"""What the browser tests share: the built site, the system Chromium, a local server.

Playwright drives the system Chromium (Debian: `apt-get install chromium`), never a
downloaded browser; CHROMIUM may name another Chromium or Chrome binary. The site
(BOOK_HTML, default _build/html, made by `make book`) is served from 127.0.0.1. The
fixtures `site_url` and `browser` (tests/conftest.py) start one server and one browser
per worker for the whole run. The server and the browser are those of
tools/screenshots.py, which takes the review screenshots. What the tests run inside a
page is JavaScript in tests/page_scripts/, one function a file (page_script()).

Without a browser, a browser test file calls skip_without_browser() and skips outside CI
with one line saying how to enable it; in CI (CI=true) it fails.
"""

import os
import shutil
import warnings
from pathlib import Path

import pytest

from screenshots import CHROMIUM, SITE, built_pages, serve
from screenshots import launch as launch_chromium

IN_CI = os.environ.get("CI", "").lower() == "true"
PAGE_SCRIPTS = Path(__file__).parent / "page_scripts"
# What the browser tests use of tools/screenshots.py besides the server and the browser.
__all__ = ["SITE", "built_pages"]


def browser_problem() -> str | None:
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return (
            "playwright or axe-playwright-python is not installed: run make venv "
            "(both are in requirements.txt)"
        )
    if not shutil.which(CHROMIUM):
        return (
            f"no Chromium at {CHROMIUM}: the browser tests of the site are skipped; "
            "enable them with `apt-get install chromium` "
            "(or set CHROMIUM=/path/to/chrome)"
        )
    return None


def skip_without_browser(test_file: str) -> None:
    """Skip the calling test file, with one warning line, when there is no browser."""
    problem = browser_problem()
    if problem and not IN_CI:
        # One line in pytest's warnings summary (from one xdist worker only).
        if os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0":
            warnings.warn_explicit(problem, UserWarning, test_file, 0)
        pytest.skip(problem, allow_module_level=True)


def serve_site():
    """Start a server of SITE on a free port of 127.0.0.1; returns (url, server)."""
    if not (SITE / "index.html").exists():
        pytest.fail(f"no built site at {SITE}: run make book first")
    return serve(SITE)


def launch(playwright):
    problem = browser_problem()
    if problem:  # only reached in CI, where a missing browser is a failure
        pytest.fail(problem)
    return launch_chromium(playwright)


def page_script(name: str) -> str:
    """The function in tests/page_scripts/<name>.js, for page.evaluate(...)."""
    return (PAGE_SCRIPTS / f"{name}.js").read_text()
