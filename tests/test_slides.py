"""make slides: one reveal.js deck per session of course.yml, read at 1280 x 720.

Each slide of every deck is shown in Chromium and read (page_scripts/read_slide.js):
its text is at a readable size on screen (reveal.js scales a slide down to fit, so the
size that counts is the font size times its scale), its figures are not enlarged beyond
their pixels, its equations are rendered by MathJax without error, and nothing of it is
below the bottom of the slide (a long slide's text shrinks to fit, down to a limit). The
deck loads nothing from another host and logs no error.
"""

from pathlib import Path

import nbformat
import pytest

import course
import quizzes
import slides
from site_browser import page_script, skip_without_browser

skip_without_browser(__file__)

SMALLEST_TEXT_PX = 16  # on a 1280 x 720 screen, read from the back of a room


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> list[Path]:
    return slides.build(tmp_path_factory.mktemp("slides"), course.load())


def test_every_session_has_a_deck_with_its_chapters(decks):
    sessions = slides.sessions(course.load())
    assert len(decks) == len(sessions)
    for deck, session in zip(decks, sessions, strict=True):
        text = deck.read_text()
        assert "<h2>The plan</h2>" in text, f"{deck}: no plan slide"
        for chapter in session.chapters:
            number = int(chapter.name[:2])
            assert f"<h1>Chapter {number}</h1>" in text, f"{deck}: no chapter {number}"


def test_each_quiz_question_has_a_slide_named_as_in_course_yml(decks):
    # A chapter's four or five questions do not fit on one slide; "Quiz 3.2" is the
    # name course.yml's session plans and make quiz-bank give it.
    tagged = 0
    for deck, session in zip(decks, slides.sessions(course.load()), strict=True):
        text = deck.read_text()
        for chapter in session.chapters:
            number, notebook = int(chapter.name[:2]), nbformat.read(chapter, 4)
            cell = quizzes.quiz_cell(notebook)
            show = cell.metadata.get("slideshow", {}) if cell else {}
            if show.get("slide_type") not in slides.SLIDE_TYPES:
                continue  # the chapter puts no quiz on slides
            tagged += 1
            count = len(quizzes.questions_of(notebook, chapter.stem))
            for question in range(1, count + 1):
                assert text.count(f"<h2>Quiz {number}.{question}</h2>") == 1, (
                    f"{deck}: no slide of its own for quiz {number}.{question}"
                )
    assert tagged, "no chapter puts its quiz on slides"


def test_decks_read_well_at_1280_by_720(browser, decks):
    script = page_script("read_slide")
    problems, equations = [], 0
    for deck in decks:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        errors, outside = [], []
        page.on(
            "console", lambda m, e=errors: e.append(m.text) if m.type == "error" else 0
        )
        page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
        page.on(
            "request",
            lambda r, o=outside: (
                o.append(r.url) if not r.url.startswith(("file:", "data:")) else 0
            ),
        )
        page.goto(deck.as_uri())
        page.wait_for_function(
            "window.MathJax && MathJax.startup && MathJax.startup.promise"
        )
        page.evaluate("MathJax.startup.promise")
        name = deck.parent.name
        indices = page.evaluate("Reveal.getSlides().map(s => Reveal.getIndices(s))")
        for index in indices:
            page.evaluate(f"Reveal.slide({index['h']}, {index.get('v') or 0})")
            seen = page.evaluate(script)
            where = f"{name}, slide {index['h'] + 1}.{(index.get('v') or 0) + 1}"
            small = [t for t in seen["texts"] if t["px"] < SMALLEST_TEXT_PX]
            if small:
                problems.append(f"{where}: text at {small[0]['px']:.1f} px: {small[0]}")
            if seen["hidden"] > 1:
                problems.append(f"{where}: {seen['hidden']} px below the bottom")
            for figure in seen["figures"]:
                if figure["natural"] < figure["shown"] - 1:
                    problems.append(
                        f"{where}: a figure enlarged beyond its pixels {figure}"
                    )
            for equation in seen["equations"]:
                equations += 1
                if not equation["rendered"] or equation["error"]:
                    problems.append(
                        f"{where}: equation not rendered: {equation['tex']}"
                    )
        problems += [f"{name}: console error: {e}" for e in errors]
        problems += [f"{name}: loads from another host: {u}" for u in outside]
        page.close()
    assert equations, "no equation on any slide: is MathJax being read?"
    assert not problems, "\n".join(problems[:20])
