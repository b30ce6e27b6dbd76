"""What the browser tests share: the built site, the system Chromium, a local server.

Playwright drives the system Chromium (Debian: `apt-get install chromium`), never a
downloaded browser; CHROMIUM may name another Chromium or Chrome binary. The site
(BOOK_HTML, default _build/html, made by `make book`) is served from 127.0.0.1. The
fixtures `site_url` and `browser` (tests/conftest.py) start one server and one browser
for the whole run; every browser test file runs on the same worker.

Without a browser, a browser test file calls skip_without_browser() and skips outside CI
with one line saying how to enable it; in CI (CI=true) it fails.
"""

import functools
import http.server
import os
import shutil
import threading
import warnings
from pathlib import Path

import pytest

from book import ROOT

SITE = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() == "true"


def browser_problem() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: run make venv (it is in requirements.txt)"
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


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a tab closed mid-download (BrokenPipeError) is not the site's fault


def serve_site():
    """Start a server of SITE on a free port of 127.0.0.1; returns (url, server)."""
    if not (SITE / "index.html").exists():
        pytest.fail(f"no built site at {SITE}: run make book first")
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


def launch(playwright):
    problem = browser_problem()
    if problem:  # only reached in CI, where a missing browser is a failure
        pytest.fail(problem)
    path = shutil.which(CHROMIUM)
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
