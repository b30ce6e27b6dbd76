"""The built website in a real browser, as readers meet it: on a phone (390 px), a
tablet (1024 px) and a desktop (1366 px), in light and dark mode, with a keyboard or a
screen reader.

Each page is loaded once (the fixture `visits`) at 1366 px in light mode, then switched
to dark mode, then narrowed to 390 px, and what the tests below need is read on the way:
load errors, links, figures, code cells, equations, the axe-core audit, the step-through
players. The navigation is driven in a tab of its own.

No host name resolves in the browser (tools/screenshots.py launches it so), because the
pages must work offline; every request to a host other than 127.0.0.1 is recorded, so
that the test can say which outside hosts the pages want. tests/site_browser.py says
which browser runs and how the site is served. Screenshots for review are not taken
here: `make screenshots` (tools/screenshots.py).
"""

import functools
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import expect

from book import colab_url
from site_browser import SITE, built_pages, page_script, skip_without_browser

skip_without_browser("tests/test_browser.py")

DESKTOP, TABLET, PHONE = 1366, 1024, 390
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
    "notebooks/16-explore-it-yourself.html",
]
# A word to search for and the page that must be among the first results; the first pair
# whose page is in the build is used.
SEARCHES = [
    ("bridge", "notebooks/11-using-a-bidirectional-encoder.html"),
    ("recurrence", "notebooks/01-one-rnn-step.html"),
]
# What a widget shows as text when its view cannot be drawn: a dead control on a static
# page.
WIDGET_REPR = re.compile(
    r"^\s*(VBox|HBox|Box|Output|Tab|Accordion|IntSlider|Text)\(children=|^\s*Loading "
    r"widget",
    re.MULTILINE,
)
# A figure must carry at least this many image pixels per CSS pixel it is shown at, so
# that its text stays sharp on HiDPI screens (phones, most laptops): matplotlib's retina
# format gives 2.
MIN_PIXELS_PER_CSS_PIXEL = 1.5
TAP_TARGET_PX = 44  # the smallest control a finger hits reliably (WCAG 2.5.5)

# The accessibility audit: axe-core (bundled by axe-playwright-python, pinned). Its
# rules for WCAG 2.0, 2.1 and 2.2 at levels A and AA, and its best practices: axe's
# default set. Not its experimental rules, which axe keeps out of that set until they
# are reliable, with one exception: label-content-name-mismatch (WCAG 2.5.3, label in
# name), which catches a control whose spoken name hides what it shows, so that a
# voice-control user cannot say what they see. The two theme buttons it misreads are
# excused below by name. The test fails on a violation axe rates critical or serious.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_EXTRA_RULES = {"label-content-name-mismatch": {"enabled": True}}
NO_CONTRAST = {"color-contrast": {"enabled": False}}
# A rule whose worst finding axe rates moderate or minor (region, heading-order, the
# landmark rules, ...) cannot fail the test, so it is not run: it would only cost time.
RUN_AXE = page_script("run_axe")
FAILING_IMPACTS = {"critical", "serious"}
# (rule, a class of the element): what axe flags there, and why it is not a fault.
AXE_MISREADINGS = {
    ("label-content-name-mismatch", "search-button-field"): (
        "the theme's search field is named 'Search', its visible label; the 'Ctrl+K' "
        "beside it is a shortcut hint"
    ),
    ("label-content-name-mismatch", "theme-switch-button"): (
        "the theme's colour-mode button shows only icons; axe reads their SVG titles "
        "(Light, Dark, System Settings) as visible text"
    ),
}
# Colour contrast, axe's slowest rule by far, is checked once per distinct colour pair
# of the site, on the first page where it appears (the script says how).
MARK_CONTRAST_SAMPLES = page_script("mark_contrast_samples")

NO_TRANSITIONS = "*, ::before, ::after { transition: none !important; }"
# What each page shows, read at 1366 px, in dark mode, and at 390 px.
READ_FIGURES_AND_CODE = page_script("read_figures_and_code")
READ_DARK_FIGURES = page_script("read_dark_figures")
READ_PHONE = page_script("read_phone")
READ_PLAYER_CONTROLS = page_script("read_player_controls")

PAGES = built_pages() if SITE.is_dir() else ["(no built site)"]
NOTEBOOK_PAGES = [p for p in PAGES if p.startswith("notebooks/")]
FIRST_CHAPTER = "notebooks/01-one-rnn-step.html"


@dataclass
class Visit:
    """What one page did while it loaded, and what the tests read from it."""

    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    failed_requests: list = field(default_factory=list)
    outside_hosts: set = field(default_factory=set)
    dead_widgets: list = field(default_factory=list)
    colab_links: list = field(default_factory=list)
    colab_link_shows: bool = False
    equations: int = 0
    equations_typeset: int = 0
    desktop: dict = field(default_factory=dict)
    dark_figures: list = field(default_factory=list)
    phone: dict = field(default_factory=dict)
    player: dict = field(default_factory=dict)  # the first step-through player
    axe: dict = field(default_factory=dict)  # mode -> violations that fail


@pytest.fixture(scope="module")
def open_page(browser, site_url):
    """open_page(path) -> (page, visit): the page in a new tab, outside hosts blocked
    and recorded. open_page(path, reuse=True) loads it in the one tab kept for that,
    at 1366 px in light mode (new tabs cost time; the caller does not close it).
    """
    context = browser.new_context(
        viewport={"width": DESKTOP, "height": 900},
        color_scheme="light",
        service_workers="block",
    )
    context.set_default_timeout(10_000)

    def is_local(url):
        return urlsplit(url).hostname == "127.0.0.1"

    def watch(page) -> dict:
        """Record what the page does into watched["visit"], the Visit of its load."""
        watched = {}

        def on_request(request):
            if not is_local(request.url) and not request.url.startswith("data:"):
                watched["visit"].outside_hosts.add(urlsplit(request.url).hostname)

        def on_console(message):
            # A blocked outside request logs "Failed to load resource" against that
            # outside URL.
            from_site = is_local(message.location.get("url", "") or site_url)
            if (
                message.type == "error"
                and from_site
                and message.text not in KNOWN_HARMLESS_ERRORS
            ):
                watched["visit"].console_errors.append(message.text)

        def on_page_error(error):
            if str(error) not in KNOWN_HARMLESS_ERRORS:
                watched["visit"].page_errors.append(str(error))

        def on_request_failed(request):
            if is_local(request.url):
                watched["visit"].failed_requests.append(
                    f"{request.url}: {request.failure}"
                )

        def on_response(response):
            if is_local(response.url) and response.status >= 400:
                watched["visit"].failed_requests.append(
                    f"{response.url}: HTTP {response.status}"
                )

        page.on("request", on_request)
        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.on("requestfailed", on_request_failed)
        page.on("response", on_response)
        return watched

    kept = {}

    def open_(path, reuse=False):
        if reuse and kept:
            page, watched = kept["page"], kept["watched"]
            page.set_viewport_size({"width": DESKTOP, "height": 900})
            page.emulate_media(color_scheme="light")
        else:
            page = context.new_page()
            watched = watch(page)
            if reuse:
                kept.update(page=page, watched=watched)
        visit = watched["visit"] = Visit()
        page.goto(site_url + path, wait_until="load")
        return page, visit

    yield open_
    context.close()


def failing_violations(page, options: dict, selector: str | None = None) -> list[str]:
    """Run axe on the page (or on the element selector names); the critical and serious
    violations, one line each, with axe's summary of the first element.

    Without axe's preload of the style sheets: it fetches the theme's @import
    "../basic.css" against the page's address instead of the sheet's (a 404), and only
    css-orientation-lock uses it (the book never locks the orientation).
    """
    options = {"resultTypes": ["violations"], "preload": False, **options}
    result = page.evaluate(RUN_AXE, {"options": options, "selector": selector})
    lines = []
    for violation in result["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        nodes = [
            node
            for node in violation["nodes"]
            if not any(
                rule == violation["id"]
                and re.search(rf'class="[^"]*\b{name}\b', node["html"])
                for rule, name in AXE_MISREADINGS
            )
        ]
        if nodes:
            lines.append(
                f"{violation['id']} ({violation['impact']}, {len(nodes)}x): "
                f"{violation['help']}; e.g. {nodes[0]['html'][:120]} "
                f"{nodes[0]['failureSummary']}"
            )
    return lines


def audit(page, options: dict, contrast_checked: set) -> list[str]:
    """axe on the page as it is now; contrast only for colour pairs not yet checked."""
    new_pairs = page.evaluate(MARK_CONTRAST_SAMPLES, sorted(contrast_checked))
    contrast_checked.update(new_pairs)
    if not new_pairs:
        if options.get("runOnly") == ["color-contrast"]:
            return []
        options = {**options, "rules": {**options.get("rules", {}), **NO_CONTRAST}}
    return failing_violations(page, options)


def step_through(page) -> dict:
    """Press the first player's Next frame: does the frame change, and the slider?"""
    image = page.locator(".animation img").first
    page.wait_for_function(
        "img => img.src.startsWith('data:image/png')", arg=image.element_handle()
    )
    first = image.get_attribute("src")
    page.locator('.animation button[title="Next frame"]').first.click()
    return {
        "advances": image.get_attribute("src") != first,
        "slider": page.locator(".animation input.anim-slider").first.input_value(),
    }


@pytest.fixture(scope="module")
def visits(open_page):
    """visits(path) -> Visit: each page loaded once, read in both modes and widths."""
    contrast_checked = set()

    @functools.cache
    def visit(path):
        page, record = open_page(path, reuse=True)
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
        links = page.locator('a[href^="https://colab.research.google.com"]')
        record.colab_links = [
            links.nth(i).get_attribute("href") for i in range(links.count())
        ]
        if page.locator(".animation").count():
            record.player = step_through(page)
        # Everything a reader can open is open: collapsed cells, answers, solutions.
        page.evaluate(
            "() => document.querySelectorAll('details').forEach(d => d.open = 1)"
        )
        record.desktop = page.evaluate(READ_FIGURES_AND_CODE)
        page.evaluate(AXE_SCRIPT)
        record.axe["light"] = audit(
            page,
            {"runOnly": {"type": "tag", "values": AXE_TAGS}, "rules": AXE_EXTRA_RULES},
            contrast_checked,
        )
        # Dark mode as a reader's system asks for it: the theme follows the system. The
        # colours change at once (no transitions), so that axe reads the final ones.
        page.add_style_tag(content=NO_TRANSITIONS)
        page.emulate_media(color_scheme="dark")
        page.wait_for_function(
            "() => document.documentElement.dataset.theme === 'dark'"
        )
        record.dark_figures = page.evaluate(READ_DARK_FIGURES)
        # Only colours change in dark mode: contrast is the one rule to run again.
        record.axe["dark"] = audit(
            page, {"runOnly": ["color-contrast"]}, contrast_checked
        )
        page.set_viewport_size({"width": PHONE, "height": 844})
        # A key press makes the reader a keyboard user again (an earlier test may have
        # clicked): Chromium then draws :focus-visible rings on focus(), as after Tab.
        page.keyboard.press("Shift")
        record.phone = page.evaluate(READ_PHONE)
        if record.player:
            record.player["phone"] = page.evaluate(READ_PLAYER_CONTROLS)
        rocket = page.get_by_role("button", name="Launch interactive content")
        if record.colab_links and rocket.count():
            # The reader's way to the link: the rocket menu at the top of the page.
            rocket.click()
            record.colab_link_shows = links.first.is_visible()
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
    assert visit.desktop["logo"] and visit.desktop["favicon"], (
        f"{path}: the logo or the favicon (assets/, named in _config.yml) is missing"
    )


@pytest.mark.parametrize("path", PAGES)
def test_no_critical_or_serious_accessibility_violation(visits, path):
    found = visits(path).axe
    assert not found["light"], f"{path}, light mode, axe-core: " + "\n".join(
        found["light"]
    )
    assert not found["dark"], f"{path}, dark mode, axe-core: " + "\n".join(
        found["dark"]
    )


@pytest.mark.parametrize("path", PAGES)
def test_figures_are_sharp_on_hidpi_screens(visits, path):
    blurred = [
        f"{f['natural']} px shown at {f['shown']:.0f} px: {f['what'][:60]!r}"
        for f in visits(path).desktop["figures"]
        if f["natural"] < MIN_PIXELS_PER_CSS_PIXEL * f["shown"]
    ]
    assert not blurred, (
        f"{path}: {len(blurred)} figure(s) with fewer than {MIN_PIXELS_PER_CSS_PIXEL} "
        "image pixels per CSS pixel at 1366 px (draw them with "
        '%config InlineBackend.figure_formats = ["retina"]): ' + "; ".join(blurred)
    )


@pytest.mark.parametrize("path", PAGES)
def test_no_code_cell_scrolls_sideways_on_a_desktop(visits, path):
    scrolling = visits(path).desktop["scrolling"]
    assert not scrolling, (
        f"{path}: {len(scrolling)} code cell(s) wider than the column at 1366 px "
        f"(lines of at most 88 characters fit); the longest line of the first: "
        f"{scrolling[0]!r}"
    )


@pytest.mark.parametrize("path", PAGES)
def test_figures_and_players_are_made_for_dark_mode(visits, path):
    wrong = [
        f"{f['what'][:60]!r}"
        + (" not inverted" if not f["inverted"] else "")
        + (" on a light panel" if f["panel"] else "")
        for f in visits(path).dark_figures
        if f["panel"] or not f["inverted"]
    ]
    assert not wrong, (
        f"{path}, dark mode: figures must be inverted (assets/book.css) and sit on no "
        "light panel: " + "; ".join(wrong)
    )


@pytest.mark.parametrize("path", PAGES)
def test_long_equations_scroll_in_their_box_on_a_phone(visits, path):
    phone = visits(path).phone
    assert phone["pageWidth"] <= PHONE, (
        f"{path} is {phone['pageWidth']} px wide at {PHONE} px: it scrolls sideways"
    )
    assert not phone["wideWithoutScroll"], (
        f"{path}: {phone['wideWithoutScroll']} equation(s) wider than a phone cannot "
        "be scrolled"
    )
    assert not phone["wideWithoutCue"], (
        f"{path}: {phone['wideWithoutCue']} of {phone['wide']} equations wider than a "
        "phone show no cue that they scroll (the edge shadows of assets/book.css)"
    )
    assert not phone["inlineClipped"], (
        f"{path}: inline formulas wider than a phone are cut off, not scrolled: "
        f"{phone['inlineClipped']}"
    )


@pytest.mark.parametrize("path", PAGES)
def test_quiz_answers_are_cards_to_tap(visits, path):
    quiz = visits(path).phone["quiz"]
    if quiz is None:
        return  # no quiz on this page
    assert quiz["smallest"] >= TAP_TARGET_PX, (
        f"{path}: a quiz answer is {quiz['smallest']:.0f} px tall on a phone; tap "
        f"targets need {TAP_TARGET_PX}"
    )
    assert quiz["marked"] == quiz["answers"], (
        f"{path}: {quiz['answers'] - quiz['marked']} quiz answers do not start with "
        "'Right.' or 'Not quite.' (assets/book.js marks the verdict from these words)"
    )
    assert quiz["mark"] not in ("none", "normal", ""), (
        f"{path}: an open answer shows no tick or cross beside its verdict"
    )
    assert quiz["focusRing"], f"{path}: a focused quiz answer shows no focus ring"


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


@pytest.fixture(scope="module")
def touch_tab(browser):
    """One tab of a touch screen, for the navigation tests."""
    context = browser.new_context(has_touch=True, service_workers="block")
    context.set_default_timeout(5_000)
    yield context.new_page()
    context.close()


@pytest.fixture(params=[PHONE, TABLET], ids=["phone-390px", "tablet-1024px"])
def touch_page(request, touch_tab, site_url):
    """The introduction on a touch screen of the given width."""
    touch_tab.set_viewport_size({"width": request.param, "height": 800})
    touch_tab.goto(site_url + "chapters/introduction.html", wait_until="load")
    return touch_tab


def contents_link(page):
    """Chapter 1's entry in the table of contents (not a link in the text)."""
    return page.locator(f'.bd-sidebar-primary a[href$="{FIRST_CHAPTER.split("/")[1]}"]')


def visible_toggle(page):
    toggles = page.locator(".primary-toggle").filter(visible=True)
    assert toggles.count() == 1, (
        f"{toggles.count()} visible controls to open the table of contents"
    )
    return toggles.first


def toggle_shows(page, link, press) -> None:
    """Use the navigation control until chapter 1's entry shows.

    Where the contents already show (a tablet's width), the first use hides them.
    """
    for _ in range(2):
        was_visible = link.is_visible()
        press(visible_toggle(page))
        try:
            if was_visible:
                expect(link).to_be_hidden(timeout=2_000)
            else:
                expect(link).to_be_visible(timeout=2_000)
        except AssertionError:
            pytest.fail(
                "the visible navigation control (☰) changes nothing: the table of "
                "contents neither opens nor closes"
            )
        if not was_visible:
            return


def test_table_of_contents_opens_with_a_tap(touch_page):
    """Tap the visible navigation control, then chapter 1 in what it shows."""
    link = contents_link(touch_page)
    toggle_shows(touch_page, link, lambda toggle: toggle.tap())
    link.tap()
    touch_page.wait_for_url(f"**/{FIRST_CHAPTER}")


def focus_by_tab(page, locator, limit=120):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{limit} presses of Tab never reach {locator}")


def test_table_of_contents_opens_from_the_keyboard(touch_page):
    """Tab to the navigation control, Enter, Tab to chapter 1, Enter."""
    page, link = touch_page, contents_link(touch_page)

    def press(toggle):
        if link.is_visible():
            # A tablet shows the contents, and Enter hides them first; the theme then
            # drops the focus, and Shift+Tab, Tab brings it back to the control.
            page.keyboard.press("Shift+Tab")
        focus_by_tab(page, toggle)
        page.keyboard.press("Enter")

    toggle_shows(page, link, press)
    focus_by_tab(page, link)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{FIRST_CHAPTER}")


def test_step_throughs_advance_and_fit_a_phone(visits):
    with_players = [p for p in PAGES if 'class="animation"' in (SITE / p).read_text()]
    missing = [p for p in STEP_THROUGH_PAGES if p in PAGES and p not in with_players]
    assert not missing, f"pages without their step-through player: {missing}"
    for path in with_players:
        player = visits(path).player
        assert player["advances"], (
            f"{path}: the step-through did not move to the next frame"
        )
        assert player["slider"] == "1", f"{path}: the slider did not follow the frame"
        controls = player["phone"]
        outside = [name for name, right, _, _ in controls if right > PHONE]
        assert not outside, f"{path}: at {PHONE} px the player cuts off {outside}"
        small = [
            name
            for name, _, height, tag in controls
            if tag in ("BUTTON", "LABEL") and height < TAP_TARGET_PX
        ]
        assert not small, (
            f"{path}: player controls under {TAP_TARGET_PX} px tall on a phone: {small}"
        )
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
