"""The built website in a real browser: clean pages, working links, players, search.

Every request to a host other than 127.0.0.1 is blocked, because the pages must work
offline, and recorded, so that the test can say which outside hosts the pages want. A
screenshot of each page goes to _build/screenshots/ (beside the html folder) for review.
tests/site_browser.py says which browser runs and how the site is served.
"""

import functools
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from book import colab_url
from site_browser import SITE, skip_without_browser

skip_without_browser("tests/test_browser.py")
SCREENSHOTS = SITE.parent / "screenshots"

# The outside hosts a page may ask for. The test machine is offline, so they are blocked
# here; readers online get them. Anything else a page asks for is a failure.
EXPECTED_OUTSIDE_HOSTS = {
    # Font Awesome 4 CSS, linked by matplotlib's to_jshtml() step-through player for its
    # button icons. Offline the buttons still work (their titles and aria-labels say
    # what they do).
    "maxcdn.bootstrapcdn.com": "Font Awesome 4 icons of the step-through player",
}
# Errors the theme's own scripts log on every site built with these pinned versions.
# Matched exactly; each is harmless, and any other error fails the page.
KNOWN_HARMLESS_ERRORS = {
    # Sphinx 7.4 re-adds extension scripts before writing and does not see that
    # sphinx-thebe's inline config script (added with no file name) is already there, so
    # every page declares these constants twice; the first declaration stands and thebe
    # is not used by this book.
    "Identifier 'THEBE_JS_URL' has already been declared",
    # pydata-sphinx-theme on a reader's first visit (nothing in localStorage yet): it
    # logs this and uses "auto", which is what we want.
    "Got invalid theme mode: . Resetting to auto.",
}
# Pages that must carry a working step-through player (when the build has them).
STEP_THROUGH_PAGES = [
    "notebooks/04-concatenation-and-final-state.html",
    "notebooks/15-explore-it-yourself.html",
]
# A word to search for and the page that must be among the first results; the first pair
# whose page is in the build is used.
SEARCHES = [
    ("reverse", "notebooks/03-reverse-direction.html"),
    ("recurrence", "notebooks/01-one-rnn-step.html"),
]
# What a widget shows as text when its view cannot be drawn: a dead control on a static
# page.
WIDGET_REPR = re.compile(
    r"^\s*(VBox|HBox|Box|Output|Tab|Accordion|IntSlider|Text)\(children=|^\s*Loading "
    r"widget",
    re.MULTILINE,
)


def built_pages() -> list[str]:
    """Every page of the build, relative to the site root.

    index.html is only a redirect, tested apart.
    """
    if not SITE.is_dir():
        return ["(no built site)"]
    return sorted(
        path.relative_to(SITE).as_posix()
        for path in SITE.rglob("*.html")
        if not path.relative_to(SITE).parts[0].startswith("_")
        and path.name != "index.html"
    )


PAGES = built_pages()
NOTEBOOK_PAGES = [p for p in PAGES if p.startswith("notebooks/")]


@dataclass
class Visit:
    """What one page did while it loaded."""

    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    failed_requests: list = field(default_factory=list)
    outside_hosts: set = field(default_factory=set)
    dead_widgets: list = field(default_factory=list)
    colab_links: list = field(default_factory=list)
    colab_link_shows: bool = False
    equations: int = 0
    equations_typeset: int = 0


@pytest.fixture(scope="module")
def open_page(browser, site_url):
    """open_page(path) -> (page, visit): a new tab; outside hosts blocked, recorded."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, service_workers="block"
    )
    context.set_default_timeout(10_000)

    def open_(path):
        page, visit = context.new_page(), Visit()

        def route(request_route):
            host = urlsplit(request_route.request.url).hostname
            if host == "127.0.0.1":
                request_route.continue_()
            else:
                visit.outside_hosts.add(host)
                request_route.abort("blockedbyclient")

        def is_local(url):
            return urlsplit(url).hostname == "127.0.0.1"

        def on_console(message):
            # A blocked outside request logs "Failed to load resource" against that
            # outside URL.
            from_site = is_local(message.location.get("url", "") or site_url)
            if (
                message.type == "error"
                and from_site
                and message.text not in KNOWN_HARMLESS_ERRORS
            ):
                visit.console_errors.append(message.text)

        page.route("**/*", route)
        page.on("console", on_console)
        page.on(
            "pageerror",
            lambda error: (
                str(error) in KNOWN_HARMLESS_ERRORS
                or visit.page_errors.append(str(error))
            ),
        )
        page.on(
            "requestfailed",
            lambda r: (
                is_local(r.url)
                and visit.failed_requests.append(f"{r.url}: {r.failure}")
            ),
        )
        page.on(
            "response",
            lambda r: (
                is_local(r.url)
                and r.status >= 400
                and visit.failed_requests.append(f"{r.url}: HTTP {r.status}")
            ),
        )
        page.goto(site_url + path, wait_until="load")
        return page, visit

    yield open_
    context.close()


@pytest.fixture(scope="module")
def visits(open_page):
    """visits(path) -> Visit: each page loaded once, screenshotted, its links read."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    @functools.cache
    def visit(path):
        page, record = open_page(path)
        # Equations are typeset by the MathJax copy served with the site
        # (sphinx-mathjax-offline).
        record.equations = page.locator(".math").count()
        if record.equations:
            page.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
            )
            page.evaluate("() => MathJax.startup.promise")
            record.equations_typeset = page.locator(".math mjx-container").count()
        outputs = page.locator(".cell_output").all_inner_texts()
        record.dead_widgets = [
            text[:80] for text in outputs if WIDGET_REPR.search(text)
        ]
        # JPEG: half the time of PNG for a long page, and sharp enough to judge the
        # text.
        shot = SCREENSHOTS / (path.removesuffix(".html").replace("/", "__") + ".jpg")
        page.screenshot(path=shot, full_page=True, type="jpeg", quality=70)
        links = page.locator('a[href^="https://colab.research.google.com"]')
        record.colab_links = [
            links.nth(i).get_attribute("href") for i in range(links.count())
        ]
        rocket = page.get_by_role("button", name="Launch interactive content")
        if record.colab_links and rocket.count():
            # The reader's way to the link: the rocket menu at the top of the page.
            rocket.click()
            record.colab_link_shows = links.first.is_visible()
        page.close()
        return record

    return visit


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly(visits, path):
    visit = visits(path)
    assert not visit.failed_requests, (
        f"{path}: failed requests for the site's own files {visit.failed_requests}"
    )
    assert not visit.page_errors, f"{path}: JavaScript errors {visit.page_errors}"
    assert not visit.console_errors, f"{path}: console errors {visit.console_errors}"
    unexpected = visit.outside_hosts - EXPECTED_OUTSIDE_HOSTS.keys()
    assert not unexpected, (
        f"{path} asks for outside hosts {sorted(unexpected)}; the site must work "
        "offline"
    )
    assert not visit.dead_widgets, (
        f"{path} shows a widget that needs a kernel: {visit.dead_widgets}"
    )
    assert visit.equations_typeset == visit.equations, (
        f"{path}: {visit.equations_typeset} of {visit.equations} equations typeset by "
        "MathJax"
    )


def test_outside_hosts_the_pages_want(visits):
    wanted = {}
    for path in PAGES:
        for host in visits(path).outside_hosts:
            wanted.setdefault(host, []).append(path)
    for host, pages in sorted(wanted.items()):
        print(
            f"{host} ({EXPECTED_OUTSIDE_HOSTS.get(host, 'NOT EXPECTED')}): "
            f"{len(pages)} page(s), e.g. {pages[0]}"
        )
    assert set(wanted) <= EXPECTED_OUTSIDE_HOSTS.keys(), (
        "unexpected outside hosts: "
        f"{sorted(set(wanted) - EXPECTED_OUTSIDE_HOSTS.keys())}"
    )
    # Links (Colab, GitHub) are not requests: a page that fetched from them would show
    # up above.
    assert not {"colab.research.google.com", "github.com"} & set(wanted)


def test_index_redirects_to_the_introduction(open_page):
    page, _ = open_page("index.html")
    page.wait_for_url("**/chapters/introduction.html")
    assert page.locator("h1").first.inner_text().strip(), (
        "the introduction has no title"
    )
    page.close()


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_open_in_colab_targets_this_notebook(visits, path):
    visit = visits(path)
    expected = colab_url(path.removesuffix(".html") + ".ipynb")
    assert visit.colab_links == [expected], (
        f"{path}: Colab links {visit.colab_links}, expected [{expected}]"
    )
    assert visit.colab_link_shows, (
        f"{path}: the Colab link does not show when the rocket menu opens"
    )


def test_step_throughs_advance(open_page):
    with_players = [p for p in PAGES if 'class="animation"' in (SITE / p).read_text()]
    missing = [p for p in STEP_THROUGH_PAGES if p in PAGES and p not in with_players]
    assert not missing, f"pages without their step-through player: {missing}"
    for path in with_players:
        page, _ = open_page(path)
        image = page.locator(".animation img").first
        page.wait_for_function(
            "img => img.src.startsWith('data:image/png')", arg=image.element_handle()
        )
        first = image.get_attribute("src")
        page.locator('.animation button[title="Next frame"]').first.click()
        second = image.get_attribute("src")
        assert second != first, (
            f"{path}: the step-through did not move to the next frame"
        )
        assert page.locator(".animation input.anim-slider").first.input_value() == "1"
        page.close()
    print(f"step-throughs checked: {with_players}")


def test_search_finds_a_chapter_by_a_word_in_it(open_page):
    word, expected = next(((w, p) for w, p in SEARCHES if p in PAGES), (None, None))
    assert word, (
        "none of the pages the search test knows is in the build: "
        f"{[p for _, p in SEARCHES]}"
    )
    page, _ = open_page(f"search.html?q={word}")
    summary = page.locator("#search-results .search-summary")
    page.wait_for_function(
        "el => el.innerText.length > 0", arg=summary.element_handle()
    )
    hits = [
        link.get_attribute("href")
        for link in page.locator("#search-results ul.search li a").all()
    ]
    top = [href.split("?")[0].split("#")[0] for href in hits[:3]]
    assert expected in top, (
        f"searching {word!r}: {expected} not among the first results {hits[:5]}"
    )
    page.close()
