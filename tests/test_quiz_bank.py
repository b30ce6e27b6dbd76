"""The quizzes: no position gives the answer away, and the exported bank for a learning
platform (make quiz-bank) holds every question, its key and each answer's feedback.

The exports are read back with parsers of their own formats (Moodle XML, Canvas's
QTI 1.2 inside a zip) and compared with the chapters, question by question."""

import html
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest

import quizzes

QUESTIONS = quizzes.book_questions()


# text2qti's Markdown makes quotes typographic: the same words to a reader.
# (Code must stay as written: test_canvas_qti_keeps_code_as_written.)
QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "..."}
)


def plain(markup: str) -> str:
    """The text a reader sees: tags dropped, entities read, quotes and spaces plain."""
    text = html.unescape(re.sub(r"<[^>]+>", "", markup)).translate(QUOTES)
    return " ".join(text.split())


def test_every_chapter_has_questions():
    chapters = {q.chapter for q in QUESTIONS}
    assert len(chapters) == len(quizzes.chapter_notebooks()), (
        "a chapter has no quiz the quiz bank could read"
    )


def test_no_position_holds_most_right_answers():
    shares = quizzes.position_shares(QUESTIONS)
    worst = max(shares.values())
    assert worst <= quizzes.MOST_AT_ONE_POSITION, (
        f"right answers by position {shares}: one position holds {worst:.0%} "
        f"(at most {quizzes.MOST_AT_ONE_POSITION:.0%}): "
        "run python tools/quizzes.py balance"
    )


def test_balance_moves_right_answers_and_keeps_the_wrong_ones_in_order():
    answers = [
        quizzes.Answer("a", "Not quite. A"),
        quizzes.Answer("b", "Right. B"),
        quizzes.Answer("c", "Not quite. C"),
    ]
    for place in range(3):
        moved = quizzes.balanced_order(answers, place)
        assert [a.text for a in moved if not a.right] == ["a", "c"]
        assert moved[place].text == "b"


def test_a_book_with_answers_in_one_place_fails_the_balance_rule():
    # What the rule is for: before balancing, 49 of 69 right answers were the second.
    lopsided = [
        quizzes.Question(
            "01-x",
            1,
            "q",
            [quizzes.Answer("a", "Not quite. a"), quizzes.Answer("b", "Right. b")],
        )
    ] * 3
    assert (
        max(quizzes.position_shares(lopsided).values()) > quizzes.MOST_AT_ONE_POSITION
    )


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bank")
    return {path.suffix: path for path in quizzes.export(folder)}


def test_moodle_xml_holds_every_question_key_and_feedback(bank):
    root = ET.parse(bank[".xml"]).getroot()
    read = root.findall("question[@type='multichoice']")
    assert len(read) == len(QUESTIONS)
    for q, item in zip(QUESTIONS, read, strict=True):
        assert item.findtext("name/text") == f"Quiz {q.name}"
        assert plain(item.findtext("questiontext/text")) == plain(
            quizzes.question_html(q)
        )
        answers = item.findall("answer")
        assert [a.get("fraction") for a in answers] == [
            "100" if a.right else "0" for a in q.answers
        ], f"quiz {q.name}: the key differs"
        for mine, theirs in zip(q.answers, answers, strict=True):
            assert theirs.findtext("text") == quizzes.with_platform_math(mine.text)
            assert theirs.findtext("feedback/text") == quizzes.with_platform_math(
                mine.feedback
            )


def test_moodle_question_text_keeps_its_math_for_mathjax(bank):
    # Markdown once read the \( of quiz 3.1's $x_{T-1}$ as an escaped bracket: Moodle
    # showed "(x_{T-1})". Every formula of a question must reach Moodle as \( ... \).
    texts = {
        item.findtext("name/text"): item.findtext("questiontext/text")
        for item in ET.parse(bank[".xml"]).getroot().iter("question")
    }
    with_math = [q for q in QUESTIONS if quizzes.MATH.search(q.text)]
    assert with_math, "no question has math: the test reads nothing"
    for q in with_math:
        for tex in quizzes.MATH.findall(q.text):
            shown = texts[f"Quiz {q.name}"]
            assert f"\\({html.escape(tex)}\\)" in shown, (q.name, tex, shown)
    fake = quizzes.Question("01-x", 1, "from $h_{t-1}$ and $a_t < b_t$, not _c_", [])
    assert quizzes.question_html(fake) == (
        r"from \(h_{t-1}\) and \(a_t &lt; b_t\), not <em>c</em>"
    )


def qti_items(path):
    with zipfile.ZipFile(path) as zf:
        (name,) = [
            n
            for n in zf.namelist()
            if n.endswith(".xml") and "/" in n and not n.endswith("assessment_meta.xml")
        ]
        root = ET.fromstring(zf.read(name))
    ns = {"q": root.tag[1:].split("}")[0]} if root.tag.startswith("{") else {}
    return root.iter(f"{{{ns['q']}}}item" if ns else "item"), ns


def test_canvas_qti_holds_every_question_key_and_feedback(bank):
    items, ns = qti_items(bank[".zip"])
    p = "q:" if ns else ""
    items = list(items)
    assert len(items) == len(QUESTIONS)
    for q, item in zip(QUESTIONS, items, strict=True):
        assert item.get("title") == f"Quiz {q.name}"
        labels = item.findall(f".//{p}response_label", ns)
        choices = {
            label.get("ident"): plain(label.findtext(f".//{p}mattext", namespaces=ns))
            for label in labels
        }
        assert list(choices.values()) == [plain(a.text) for a in q.answers]
        (key,) = [
            c.findtext(f".//{p}varequal", namespaces=ns)
            for c in item.findall(f".//{p}respcondition", ns)
            if c.findtext(f"{p}setvar", namespaces=ns) == "100"
        ]
        assert list(choices).index(key) == q.key, f"quiz {q.name}: the key differs"
        feedback = {
            fb.get("ident").removesuffix("_fb"): plain(
                fb.findtext(f".//{p}mattext", namespaces=ns)
            )
            for fb in item.findall(f"{p}itemfeedback", ns)
        }
        assert [feedback[ident] for ident in choices] == [
            plain(a.feedback) for a in q.answers
        ]


def test_canvas_qti_keeps_code_as_written(bank):
    items, ns = qti_items(bank[".zip"])
    shown = "\n".join(
        m.text or ""
        for item in items
        for m in item.iter(f"{{{ns['q']}}}mattext" if ns else "mattext")
    )
    code = {
        html.unescape(c)
        for q in QUESTIONS
        for text in [q.text, *(a.text + a.feedback for a in q.answers)]
        for c in quizzes.CODE_TAG.findall(text)
    }
    assert code, "no code in the quizzes to check"
    missing = [
        c for c in code if f"<code>{html.escape(c, quote=False)}</code>" not in shown
    ]
    assert not missing, f"code changed on its way into the QTI export: {missing[:5]}"
