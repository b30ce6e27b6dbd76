"""What students must not find: the lines of the solutions and hidden tests.

A line counts as secret when it appears in a solution cell (its code or its outputs), in
a hidden test, or in a lazy answer a check's metadata records (`gamed`), and nowhere
the pages show anyway: not in any other cell of a chapter, nor in a stub (whose hint
students get), nor in a prose page. Short lines (`return out`, `)`) are left out: they
say nothing. tests/test_course_site.py looks for these lines in every file of the site
without solutions, tests/test_grading.py in every feedback file.
"""

import functools
import html
import json
import re
from pathlib import Path

import nbformat

from book import ROOT, chapter_notebooks
from exercises import PROBE_METADATA, find_exercises
from student import stub_source

MIN_LENGTH = 12  # characters of a stripped line
# An identifier with an underscore, as Sphinx's search index keeps it (one term).
IDENTIFIER = re.compile(r"\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b")


def lines_of(*texts: str) -> set[str]:
    return {
        line.strip()
        for text in texts
        for line in text.splitlines()
        if len(line.strip()) >= MIN_LENGTH and re.search(r"[A-Za-z0-9]", line)
    }


def output_texts(cell) -> list[str]:
    texts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            texts.append(output["text"])
        for kind in ("text/plain", "text/markdown", "text/latex"):
            value = output.get("data", {}).get(kind)
            if value:
                texts.append(value if isinstance(value, str) else "".join(value))
    return texts


@functools.cache
def secrets() -> tuple[dict[str, str], frozenset[str]]:
    """(secret line -> where it comes from, every word the pages show anyway)."""
    secret: dict[str, str] = {}
    public: set[str] = set()
    words: set[str] = set()
    for path in chapter_notebooks():
        nb = nbformat.read(path, as_version=4)
        exercises = find_exercises(nb)[0]
        owner = {i: e for e in exercises for i in e.solutions}
        hidden = {e.hidden for e in exercises if e.hidden is not None}
        for index, cell in enumerate(nb.cells):
            where = f"{path.name}, cell {index}"
            for gamed in cell.metadata.get("gamed", {}).values():
                for line in lines_of(gamed):
                    secret.setdefault(line, f"{where} (a gamed answer)")
            texts = [cell.source, *output_texts(cell)]
            if index in owner or index in hidden:
                for line in lines_of(*texts):
                    secret.setdefault(line, where)
                if index in owner:
                    public |= lines_of(stub_source(cell, owner[index]))
            else:
                public |= lines_of(*texts)
                words.update(w for x in texts for w in IDENTIFIER.findall(x))
    for page in sorted((ROOT / "chapters").glob("*.md")):
        public |= lines_of(page.read_text())
        words.update(IDENTIFIER.findall(page.read_text()))
    words.update(w for line in public for w in IDENTIFIER.findall(line))
    kept = {line: where for line, where in secret.items() if line not in public}
    return kept, frozenset(w.lower() for w in words)


def secret_identifiers() -> set[str]:
    """Identifiers (with an underscore, lower case, as the search index keeps them)
    that only secret lines use."""
    secret, words = secrets()
    return {w.lower() for line in secret for w in IDENTIFIER.findall(line)} - words


def strings_in(value) -> list[str]:
    """Every string in a JSON document, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings_in(v)]]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def text_lines(path: Path) -> set[str] | None:
    """The lines a reader of the file finds in it (a page's text without its markup,
    a notebook's every string), or None for a file that is not text."""
    try:
        raw = path.read_text()
    except UnicodeDecodeError:
        return None
    texts = [raw]
    if path.suffix in {".html", ".htm", ".xml", ".svg"}:
        texts.append(html.unescape(re.sub(r"<[^>]+>", "", raw)))
    if path.suffix in {".ipynb", ".json"}:
        try:
            texts += strings_in(json.loads(raw))
        except json.JSONDecodeError:
            pass
    return {line.strip() for text in texts for line in text.splitlines()}


def grading_metadata(path: Path) -> list[str]:
    """The grading notes a notebook file still carries (cell metadata keys)."""
    if path.suffix != ".ipynb":
        return []
    try:
        nb = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return []
    return [
        f"cell {index}: {key}"
        for index, cell in enumerate(nb.get("cells", []))
        for key in PROBE_METADATA
        if key in cell.get("metadata", {})
    ]


def leaks(folder: Path) -> list[str]:
    """Every secret line, and every grading note, found in a file of folder."""
    secret, _ = secrets()
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        lines = text_lines(path)
        if lines is None:
            continue
        for line in sorted(lines & secret.keys()):
            found.append(f"{name}: {line!r} (from {secret[line]})")
        found += [f"{name}: grading metadata, {m}" for m in grading_metadata(path)]
    return found
