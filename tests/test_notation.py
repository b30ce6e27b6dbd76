"""chapters/notation.md names every symbol of the book's math and every PyTorch argument
name its prose uses.

Both lists are generated, not written out: the symbols are read from every `$...$` and
`$$...$$` of the chapters and pages, the argument names from the signatures and
docstrings of the PyTorch functions the book calls (the names a reader looks up in
PyTorch's documentation), kept where the prose names them in code.
"""

import inspect
import re

import nbformat
import torch

from book import ROOT, chapter_notebooks

NOTATION = ROOT / "chapters" / "notation.md"
# $$display$$, and $inline$ math, which may run over a line break within a paragraph
MATH = re.compile(r"\$\$(.+?)\$\$|\$((?:[^$\n]|\n(?!\n))+?)\$", re.DOTALL)
# What a formula is laid out with, and operators every textbook reads the same way:
# these mean nothing of the book's own.
LAYOUT = {
    r"\begin",
    r"\end",
    r"\left",
    r"\right",
    r"\big",
    r"\Big",
    r"\bigl",
    r"\bigr",
    r"\quad",
    r"\qquad",
    r"\frac",
    r"\tfrac",
    r"\sqrt",
    r"\underbrace",
    r"\mathrel",
    r"\texttt",
    r"\text",
    r"\mathrm",
    r"\operatorname",
    r"\cdot",
    r"\cdots",
    r"\dots",
    r"\ldots",
    r"\times",
    r"\pm",
    r"\le",
    r"\ge",
    r"\in",
    r"\approx",
    r"\mapsto",
    r"\to",
    r"\infty",
    r"\ne",
    r"\lceil",
    r"\rceil",
    r"\sum",
    r"\max",
    r"\min",
    r"\log",
    r"\exp",
}
# The PyTorch functions whose argument names the prose may use.
APIS = [
    torch.nn.RNN,
    torch.nn.LSTM,
    torch.nn.GRU,
    torch.nn.RNNCell,
    torch.nn.utils.rnn.pack_padded_sequence,
    torch.nn.utils.rnn.pad_packed_sequence,
    torch.nn.utils.rnn.pad_sequence,
    torch.nn.utils.rnn.pack_sequence,
    torch.nn.utils.clip_grad_norm_,
]
# Argument names that are plain words, which the prose uses in their plain sense
PLAIN_WORDS = {"input", "sequence", "sequences", "parameters", "matrix", "foreach"}
INLINE_CODE = re.compile(r"`([^`\n]+)`")


def prose() -> dict[str, str]:
    """Every page's Markdown, by name, without the notation page itself."""
    pages = {}
    for path in chapter_notebooks():
        nb = nbformat.read(path, as_version=4)
        pages[path.stem] = "\n".join(
            c.source for c in nb.cells if c.cell_type == "markdown"
        )
    for path in (ROOT / "chapters").glob("*.md"):
        if path != NOTATION:
            pages[path.stem] = path.read_text()
    return pages


def symbols(text: str) -> set[str]:
    found = set()
    for display, inline in MATH.findall(text):
        math = re.sub(
            r"\\(?:text|mathrm|operatorname|texttt|begin|end)\{[^}]*\}",
            "",
            display or inline,
        )
        found |= {c for c in re.findall(r"\\[A-Za-z]+", math) if c not in LAYOUT}
        found |= set(re.findall(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", "", math)))
    return found


def argument_names() -> set[str]:
    names = set()
    for api in APIS:
        target = api.__init__ if inspect.isclass(api) else api
        names |= set(inspect.signature(target).parameters) - {"self", "args", "kwargs"}
        if inspect.isclass(api):
            names |= set(inspect.signature(api.forward).parameters) - {"self"}
        doc = api.__doc__ or ""
        # arguments the signature hides behind *args (proj_size), as the docs list them
        names |= set(re.findall(r"^ +([a-z][a-z_]*): ", doc, re.MULTILINE))
        # the names the documentation gives inputs and outputs: h_0, c_0, h_n, c_n
        names |= set(re.findall(r"\b([hc]_[0n])\b", doc))
    return names - PLAIN_WORDS


def test_every_symbol_of_the_math_is_on_the_notation_page():
    page = symbols(NOTATION.read_text())
    missing = {}
    for name, text in prose().items():
        for symbol in symbols(text) - page:
            missing.setdefault(symbol, name)
    assert not missing, (
        "symbols the notation page does not have (first page using each): "
        + ", ".join(f"{s} ({where})" for s, where in sorted(missing.items()))
    )


def test_every_pytorch_argument_name_in_the_prose_is_on_the_notation_page():
    names = argument_names()
    assert {"hx", "h_0", "c_0", "proj_size", "batch_first"} <= names
    page = set(INLINE_CODE.findall(NOTATION.read_text()))
    page_words = {w for code in page for w in re.findall(r"\w+", code)}
    missing = {}
    for where, text in prose().items():
        used = {
            w for code in INLINE_CODE.findall(text) for w in re.findall(r"\w+", code)
        }
        for name in (used & names) - page_words:
            missing.setdefault(name, where)
    assert not missing, (
        "PyTorch argument names the prose uses and the notation page lacks: "
        + ", ".join(f"{n} ({where})" for n, where in sorted(missing.items()))
    )
