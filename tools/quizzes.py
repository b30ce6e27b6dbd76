"""The chapters' quizzes: read, balanced, and exported for a learning platform.

Each chapter has one markdown cell headed "## Check your understanding": numbered
questions in bold, each followed by its answers, one line each, whose feedback
starts with "Right. " for the one right answer and "Not quite. " for the others
(tests/notebook_checks.py holds the rules). A reader opens an answer to see its
feedback.

    python tools/quizzes.py balance     # each right answer to its place (notebooks/)
    python tools/quizzes.py export DIR  # make quiz-bank: Moodle XML, Canvas QTI

Balance: a reader must not learn that the answer is usually the second one. The
right answers of all questions with k answers take the positions 1..k in turn, in
reading order, and the wrong answers keep their order around it. Running it again
changes nothing.

Export: every question with its key and the feedback of each answer,
- as Moodle XML (quiz-bank-moodle.xml; Moodle: Question bank, Import, Moodle XML),
- as QTI 1.2 for Canvas (quiz-bank-canvas-qti.zip; Canvas: Settings, Import course
  content, QTI .zip file), written by text2qti from its plain-text format.
In the Moodle file, math between dollars becomes \\( \\) for Moodle's MathJax
filter; text2qti turns it into Canvas's equation images.
"""

import html
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import nbformat
from markdown_it import MarkdownIt

from book import chapter_notebooks

QUIZ_HEADING = "## Check your understanding"
QUIZ_QUESTION = re.compile(r"^\*\*(\d+)\. (.+)\*\*$")
QUIZ_ANSWER = re.compile(
    r'^<details class="quiz-answer"><summary>(.+?)</summary>(.+)</details>$'
)
RIGHT, WRONG = "Right. ", "Not quite. "
MOST_AT_ONE_POSITION = 0.40  # the largest share of right answers one position may hold


@dataclass
class Answer:
    text: str  # HTML, as on the page
    feedback: str  # HTML, starting with RIGHT or WRONG

    @property
    def right(self) -> bool:
        return self.feedback.startswith(RIGHT)

    def line(self) -> str:
        return (
            f'<details class="quiz-answer"><summary>{self.text}</summary>'
            f"{self.feedback}</details>"
        )


@dataclass
class Question:
    chapter: str  # the notebook's name, e.g. 03-reverse-direction
    number: int
    text: str  # Markdown
    answers: list[Answer]

    @property
    def name(self) -> str:
        return f"{int(self.chapter[:2])}.{self.number}"

    @property
    def key(self) -> int:
        """The right answer's position, from 0."""
        return next(i for i, a in enumerate(self.answers) if a.right)


def quiz_cell(nb):
    cells = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and c.source.startswith(QUIZ_HEADING)
    ]
    return cells[0] if len(cells) == 1 else None


def questions_of(nb, chapter: str) -> list[Question]:
    cell = quiz_cell(nb)
    questions = []
    for line in cell.source.splitlines() if cell else []:
        if m := QUIZ_QUESTION.match(line):
            questions.append(Question(chapter, int(m[1]), m[2], []))
        elif (m := QUIZ_ANSWER.match(line)) and questions:
            questions[-1].answers.append(Answer(m[1], m[2]))
    return questions


def book_questions(paths=None) -> list[Question]:
    return [
        q
        for path in paths or chapter_notebooks()
        for q in questions_of(nbformat.read(path, as_version=4), path.stem)
    ]


def position_shares(questions) -> dict[int, float]:
    """The share of right answers at each position (from 0)."""
    counts = {}
    for q in questions:
        counts[q.key] = counts.get(q.key, 0) + 1
    return {k: n / len(questions) for k, n in sorted(counts.items())}


def balanced_order(answers: list[Answer], place: int) -> list[Answer]:
    wrong = [a for a in answers if not a.right]
    right = [a for a in answers if a.right]
    return wrong[:place] + right + wrong[place:]


def balance(paths=None) -> list[Path]:
    """Give every question its right answer's place; returns the notebooks changed."""
    turns: dict[int, int] = {}  # questions seen so far, by number of answers
    changed = []
    for path in paths or chapter_notebooks():
        nb = nbformat.read(path, as_version=4)
        cell = quiz_cell(nb)
        if cell is None:
            continue
        lines = cell.source.splitlines()
        answers_at = [i for i, line in enumerate(lines) if QUIZ_ANSWER.match(line)]
        for q in questions_of(nb, path.stem):
            k = len(q.answers)
            place = turns.get(k, 0) % k
            turns[k] = turns.get(k, 0) + 1
            mine, answers_at = answers_at[:k], answers_at[k:]
            for i, answer in zip(mine, balanced_order(q.answers, place), strict=True):
                lines[i] = answer.line()
        source = "\n".join(lines) + ("\n" if cell.source.endswith("\n") else "")
        if source != cell.source:
            cell.source = source
            nbformat.write(nb, path)
            changed.append(path)
    return changed


# Export

MARKDOWN = MarkdownIt("commonmark")
CODE_TAG = re.compile(r"<code>(.*?)</code>")
MATH = re.compile(r"(?<![\\$])\$([^$\n]+?)\$")


def with_platform_math(text: str) -> str:
    return MATH.sub(lambda m: r"\(" + m[1] + r"\)", text)


def question_html(q: Question) -> str:
    """The question as HTML: Markdown rendered, math left for the platform's MathJax.

    The math is kept out of the Markdown, which would read the backslash of \\( as an
    escape and drop it, and a pair of _ as emphasis."""
    formulas: list[str] = []

    def hold(match: re.Match) -> str:
        formulas.append(match[1])
        return f"MATHFORMULA{len(formulas) - 1}X"

    text = MARKDOWN.renderInline(MATH.sub(hold, q.text))
    for number, tex in enumerate(formulas):
        text = text.replace(f"MATHFORMULA{number}X", r"\(" + html.escape(tex) + r"\)")
    return text


def moodle_xml(questions) -> bytes:
    quiz = ET.Element("quiz")
    chapters = []
    for q in questions:
        if q.chapter not in chapters:
            chapters.append(q.chapter)
            category = ET.SubElement(quiz, "question", type="category")
            ET.SubElement(
                ET.SubElement(category, "category"), "text"
            ).text = f"$course$/Bidirectional RNNs/{q.chapter}"
        item = ET.SubElement(quiz, "question", type="multichoice")
        ET.SubElement(ET.SubElement(item, "name"), "text").text = f"Quiz {q.name}"
        text = ET.SubElement(item, "questiontext", format="html")
        ET.SubElement(text, "text").text = question_html(q)
        ET.SubElement(item, "defaultgrade").text = "1"
        ET.SubElement(item, "single").text = "true"
        ET.SubElement(item, "shuffleanswers").text = "false"  # balanced already
        ET.SubElement(item, "answernumbering").text = "abc"
        for a in q.answers:
            answer = ET.SubElement(
                item, "answer", fraction="100" if a.right else "0", format="html"
            )
            ET.SubElement(answer, "text").text = with_platform_math(a.text)
            feedback = ET.SubElement(answer, "feedback", format="html")
            ET.SubElement(feedback, "text").text = with_platform_math(a.feedback)
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True) + b"\n"


def text2qti_source(questions, title: str) -> str:
    """The questions in text2qti's plain-text format (its README: "Quiz format")."""

    def block(marker: str, text: str) -> str:
        # text2qti reads Markdown (raw HTML passes through), makes quotes and "..."
        # typographic outside code, and turns $math$ into Canvas's equation images. Code
        # goes in backticks so that it stays as written. Continuation lines are indented
        # to the text's column.
        text = CODE_TAG.sub(lambda m: "`` " + html.unescape(m[1]) + " ``", text)
        return marker + text.replace("\n", "\n" + " " * len(marker))

    out = [f"Quiz title: {title}", ""]
    for n, q in enumerate(questions, start=1):
        out.append(f"Title: Quiz {q.name}")
        out.append("Points: 1")
        out.append(block(f"{n}.  ", q.text))
        for letter, a in zip("abcdefgh", q.answers, strict=False):
            out.append(block(f"{'*' if a.right else ''}{letter}) ", a.text))
            out.append(block("... ", a.feedback))
        out.append("")
    return "\n".join(out)


def canvas_qti(questions, title: str) -> bytes:
    from text2qti.config import Config
    from text2qti.qti import QTI
    from text2qti.quiz import Quiz

    config = Config()  # text2qti's defaults, not a file in the user's home
    quiz = Quiz(text2qti_source(questions, title), config=config, source_name="quiz")
    return QTI(quiz).zip_bytes()


def export(folder: Path) -> list[Path]:
    questions = book_questions()
    folder.mkdir(parents=True, exist_ok=True)
    moodle = folder / "quiz-bank-moodle.xml"
    moodle.write_bytes(moodle_xml(questions))
    canvas = folder / "quiz-bank-canvas-qti.zip"
    canvas.write_bytes(
        canvas_qti(questions, "Bidirectional RNNs, Step by Step: quiz bank")
    )
    return [moodle, canvas]


def main(argv: list[str]) -> int:
    if argv[:1] == ["balance"] and len(argv) == 1:
        for path in balance():
            print(f"balanced {path.relative_to(Path.cwd())}")
        shares = position_shares(book_questions())
        print(
            "right answers by position:", {k + 1: f"{v:.0%}" for k, v in shares.items()}
        )
        return 0
    if argv[:1] == ["export"] and len(argv) == 2:
        for path in export(Path(argv[1])):
            print(f"wrote {path}")
        return 0
    print(__doc__.split("\n\n")[2], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
