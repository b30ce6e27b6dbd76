"""Screenshots of the built site for review: every page at 390, 1024 and 1366 px wide
(phone, tablet, desktop), in light and dark mode.

    python tools/screenshots.py [PAGE.html ...]  (or, after make book: make screenshots)

Writes _build/screenshots/<width>-<light|dark>/<page>.jpg, full pages, as JPEG (a long
page takes half the time of a PNG and the text stays sharp enough to judge). With page
paths (relative to the site, e.g. notebooks/02-forward-direction.html) only those. CI
(.ci/run) runs it after make test, and .github/workflows/ci.yml keeps the folder as an
artifact.

It drives the system Chromium (CHROMIUM, default /usr/bin/chromium), never a downloaded
browser, and serves the site (BOOK_HTML, default _build/html) from 127.0.0.1 with no
outside host reachable, as a reader offline would see it. The browser tests
(tests/site_browser.py) serve and launch the same way, with the functions below.
"""

import functools
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path

from book import SITE

SCREENSHOTS = SITE.parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    # Offline, as the test machine is: no host but 127.0.0.1, where the site is served,
    # resolves, so every request to an outside host fails at once. Pages keep the
    # browser's cache, which intercepting every request in Python (page.route) turns
    # off.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = (390, 1024, 1366)
SCHEMES = ("light", "dark")


def built_pages(site: Path = SITE) -> list[str]:
    """Every page of the build, relative to the site root.

    index.html is only a redirect to the introduction.
    """
    return sorted(
        path.relative_to(site).as_posix()
        for path in site.rglob("*.html")
        if not path.relative_to(site).parts[0].startswith("_")
        and path.name != "index.html"
    )


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a tab closed mid-download (BrokenPipeError) is not the site's fault


def serve(site: Path = SITE):
    """Serve site on a free port of 127.0.0.1 from a thread; returns (url, server)."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


def launch(playwright):
    """The system Chromium, headless."""
    return playwright.chromium.launch(
        executable_path=shutil.which(CHROMIUM), args=CHROMIUM_ARGS
    )


def main(pages: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    if not (SITE / "index.html").exists():
        sys.exit(f"no built site at {SITE}: run make book first")
    if not shutil.which(CHROMIUM):
        sys.exit(
            f"no Chromium at {CHROMIUM}: apt-get install chromium, or set CHROMIUM"
        )
    pages = pages or built_pages()
    url, server = serve()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for width in WIDTHS:
            for scheme in SCHEMES:
                folder = SCREENSHOTS / f"{width}-{scheme}"
                folder.mkdir(parents=True, exist_ok=True)
                context = browser.new_context(
                    viewport={"width": width, "height": 900}, color_scheme=scheme
                )
                for path in pages:
                    page = context.new_page()
                    page.goto(url + path, wait_until="load")
                    page.evaluate("() => window.MathJax?.startup?.promise")
                    name = path.removesuffix(".html").replace("/", "__") + ".jpg"
                    page.screenshot(
                        path=folder / name, full_page=True, type="jpeg", quality=70
                    )
                    page.close()
                context.close()
        browser.close()
    server.shutdown()
    count = len(pages) * len(WIDTHS) * len(SCHEMES)
    print(f"{count} screenshots in {SCREENSHOTS}/")


if __name__ == "__main__":
    main(sys.argv[1:])
