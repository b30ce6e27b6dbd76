"""Chapter 16's browser explorer computes what PyTorch computes, and can be used.

The explorer (assets/explorer/explorer.js) runs both sweeps in the page, in JavaScript's
float64. These tests type sequences into the built page (and nudge and drag its inputs),
read every number it shows and compare each with nn.RNN, run here in float32 on the same
weights: the layer is built here the way the chapter's make_layer builds it
(torch.manual_seed(0), then nn.RNN(3, H, batch_first=True, bidirectional=True)), and the
weights the page shows must equal its parameters exactly.

Tolerance. The page shows 4 decimals and keeps the full float64 value in data-value.
A shown number may differ from torch's float32 value by half a unit of the 4th decimal
plus the float32-float64 gap; the full value by that gap alone, bounded here by
1e-6 + 1e-5 * |value| (inputs reach 100, so the input terms reach a few hundred). A
value's colour is the bin of 0.2 its full value falls in.

What the page accepts is the chapter's grammar: the tests type every text of the
chapter's typed_texts list and compare with what its parse_sequence printed (the numbers
it read, or the message). Bad input keeps every number as it was. The controls are used
from the keyboard alone, and the explorer fits a 390 px wide screen with both directions
side by side.
"""

import ast
import functools
import math
import re

import nbformat
import pytest

from book import ROOT
from site_browser import page_script, skip_without_browser

skip_without_browser("tests/test_explorer.py")
torch = pytest.importorskip("torch")

PAGE = "notebooks/16-explore-it-yourself.html"
CHAPTER = ROOT / "notebooks" / "16-explore-it-yourself.ipynb"
SEED = 0
FULL_ATOL, RTOL = 1e-6, 1e-5
SHOWN_ATOL = 0.5e-4 + FULL_ATOL
# (text, hidden size): the book's example, negative and fractional numbers with an
# exponent, a single step, the ends of the allowed range, the longest sequence, one step
# per line with the minus sign of the equations.
SEQUENCES = [
    ("1,1,1; 1,2,1; 2,3,1; 1,3,1", 2),
    ("-0.5,2.25,-3; 0.125,-1,4e-1; -.75,0,1.5;", 1),
    ("0.3,-0.7,0.01", 3),
    ("100,-100,99.5; -0.001,0,0; -100,100,-42", 4),
    (
        (
            "1,-2,3; -0.25,0.5,-0.75; 4,0,-4; 0.1,0.2,0.3; -1,-1,-1; 2.5,-3.5,0; "
            "0,0,0; 9,-8,7; -0.6,0.6,-0.6; 1e1,-1e-1,1e-2; 3,3,3; -7.25,0,2"
        ),
        2,
    ),
    ("\u22121 2 0.5\n3, \u22124.5, 1\n", 4),
]
DEFAULT = SEQUENCES[0][0]
BINS = 10

# Everything the explorer shows, as data: numbers as (shown text, full value).
READ_PAGE = page_script("read_explorer")
# Each arrow from state to state in the picture: its direction, and which way it runs.
CHAIN_ARROWS = page_script("read_chain_arrows")


@pytest.fixture(scope="module")
def page(browser, site_url):
    """The chapter's page with its explorer ready. No outside host resolves in the
    browser (tools/screenshots.py launches it so), as for a reader offline."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, service_workers="block"
    )
    context.set_default_timeout(10_000)
    tab, errors = context.new_page(), []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(site_url + PAGE, wait_until="load")
    if not tab.locator(".birnn-explorer").count():
        pytest.fail(f"{PAGE} has no explorer: is notebooks/16 built into the site?")
    tab.wait_for_selector(".birnn-explorer.bx-ready", timeout=5_000)
    tab.errors = errors
    yield tab
    context.close()
    # The harmless theme error of every page (tests/test_browser.py) aside, the
    # explorer must not throw.
    assert [e for e in errors if "THEBE_JS_URL" not in e] == []


def explorer(page):
    return page.locator(".birnn-explorer").first


def read(page):
    return explorer(page).evaluate(READ_PAGE)


def submit(page, text, hidden_size=None):
    """Type text into the sequence field (it recomputes at once) and pick H."""
    root = explorer(page)
    if hidden_size is not None and read(page)["hiddenSize"] != hidden_size:
        root.locator("select").select_option(str(hidden_size))
    root.locator("textarea").fill(text)


def go_to_step(page, k):
    explorer(page).locator("input[type=range]").fill(str(k))


def unpin(page):
    button = explorer(page).locator("button.bx-unpin")
    if button.is_enabled():
        button.click()


def show(page, label):
    explorer(page).get_by_label(label, exact=True).check()


@functools.cache
def layer(hidden_size):
    """The chapter's make_layer(hidden_size, seed=0), built here."""
    with torch.random.fork_rng():
        torch.manual_seed(SEED)
        return torch.nn.RNN(3, hidden_size, batch_first=True, bidirectional=True)


def typed_numbers(text):
    """The numbers of a text of this file (only well-formed ones)."""
    steps = re.split(r"[;\n]", text.replace("\u2212", "-").strip(" ;\n"))
    return [[float(v) for v in re.split(r"[\s,]+", s.strip())] for s in steps]


def expected(rows, hidden_size):
    """out, h_n and both terms of every step, from nn.RNN (float32)."""
    rnn, H = layer(hidden_size), hidden_size
    x = torch.tensor([rows])
    with torch.no_grad():
        out, h_n = rnn(x)
        want = {"out": out[0], "h_n": h_n[:, 0], "input": {}, "recurrent": {}}
        zero = torch.zeros(1, H)
        for direction, suffix in (("forward", ""), ("reverse", "_reverse")):
            w_ih, w_hh, b_ih, b_hh = (
                getattr(rnn, f"{name}_l0{suffix}")
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            )
            states = out[0, :, :H] if direction == "forward" else out[0, :, H:]
            # The state each step's recurrent term reads: t-1 forward, t+1 reverse.
            before = (
                torch.cat([zero, states[:-1]])
                if direction == "forward"
                else torch.cat([states[1:], zero])
            )
            want["input"][direction] = x[0] @ w_ih.T + b_ih
            want["recurrent"][direction] = before @ w_hh.T + b_hh
    return want


def close(a, b, atol):
    return abs(a - b) <= atol + RTOL * abs(b)


def check_numbers(where, shown, values):
    values = [float(v) for v in torch.as_tensor(values).flatten()]
    assert len(shown) == len(values), (
        f"{where}: {len(shown)} numbers shown, nn.RNN gives {len(values)}"
    )
    for (text, full), value in zip(shown, values):
        assert close(float(text), value, SHOWN_ATOL), (
            f"{where}: the page shows {text}, nn.RNN gives {value:.6f}"
        )
        assert close(full, value, FULL_ATOL), (
            f"{where}: the page computed {full!r}, nn.RNN gives {value!r}"
        )


def value_bin(value):
    return max(0, min(BINS - 1, math.floor((value + 1) / (2 / BINS))))


def half(direction, H):
    return slice(0, H) if direction == "forward" else slice(H, 2 * H)


def out_rows(shown, direction):
    return {row["t"]: row for row in shown["out"] if row["direction"] == direction}


def check_everything_shown(page, rows, hidden_size, where):
    """Every number and colour the explorer shows, at every sweep step, against
    nn.RNN on rows."""
    want, H = expected(rows, hidden_size), hidden_size
    T = want["out"].shape[0]
    shown = read(page)
    assert shown["message"] == "" and shown["invalid"] is None, shown["message"]
    assert shown["kMax"] == T - 1, f"the sweep step slider runs to {shown['kMax']}"
    go_to_step(page, T - 1)  # both sweeps finished: all of out, and h_n
    shown = read(page)
    assert [[e["value"] for e in i["entries"]] for i in shown["inputs"]] == rows, where
    for direction in ("forward", "reverse"):
        table = out_rows(shown, direction)
        assert sorted(table) == list(range(T)), f"{where}: out rows {sorted(table)}"
        states = {s["t"]: s for s in shown["states"] if s["direction"] == direction}
        for t in range(T):
            values = want["out"][t, half(direction, H)]
            cells = table[t]["cells"]
            assert [c["unit"] for c in cells] == list(range(H))
            check_numbers(
                f"{where}, out[0, {t}] {direction} half",
                [n for c in cells for n in c["nums"]],
                values,
            )
            state = states[t]
            picture = [(f"{c['value']:.4f}", c["value"]) for c in state["cells"]]
            check_numbers(
                f"{where}, the picture's {direction} state t = {t}", picture, values
            )
            for cell, drawn in zip(cells, state["cells"]):
                full = cell["nums"][0][1]
                assert cell["bin"] == drawn["bin"] == value_bin(full), (
                    f"{where}: {direction} t = {t} coloured as bin {drawn['bin']}"
                )
            first = 0 if direction == "forward" else T - 1
            assert (state["first"], state["last"]) == (first, t), (
                f"{where}: what the {direction} state at t = {t} has read"
            )
            in_h_n = (
                "h_n[0]"
                if (direction, t) == ("forward", T - 1)
                else "h_n[1]"
                if (direction, t) == ("reverse", 0)
                else ""
            )
            assert table[t]["inHn"] == in_h_n, f"{where}: {direction} t = {t}"
    # The chains' arrows: the forward one runs down the steps, the reverse one up.
    arrows = explorer(page).evaluate(CHAIN_ARROWS)
    assert len(arrows) == 2 * T and all(
        (rise > 0) == (direction == "forward") for direction, rise in arrows
    ), f"{where}: the chains' arrows point {arrows}"
    hn = {p["index"]: p for p in shown["hn"]}
    assert set(hn) == {0, 1}, "h_n is not shown after the last sweep step"
    assert f"h_n[0] = out[0, {T - 1}, :{H}]" in hn[0]["text"]
    assert f"h_n[1] = out[0, 0, {H}:]" in hn[1]["text"]
    for index in (0, 1):
        check_numbers(f"{where}, h_n[{index}]", hn[index]["nums"], want["h_n"][index])

    for k in reversed(range(T)):  # every sweep step, both directions together
        go_to_step(page, k)
        shown = read(page)
        assert shown["k"] == k
        assert f"forward direction computes its state at t = {k}," in shown["now"]
        assert f"reverse direction its state at t = {T - 1 - k}." in shown["now"]
        cards = {card["direction"]: card for card in shown["cards"]}
        assert set(cards) == {"forward", "reverse"}
        for direction, t in (("forward", k), ("reverse", T - 1 - k)):
            at = f"{where}, sweep step {k}, {direction} card"
            card = cards[direction]
            assert card["t"] == t, f"{at}: at t = {card['t']}, expected {t}"
            card_x = [
                float(v)
                for v in card["rows"]["x"]["text"].replace("\u2212", "-").split(",")
            ]
            assert card_x == rows[t], at
            for term in ("input", "recurrent"):
                check_numbers(
                    f"{at}, {term} term",
                    card["rows"][term]["nums"],
                    want[term][direction][t],
                )
            check_numbers(
                f"{at}, state",
                card["rows"]["state"]["nums"],
                want["out"][t, half(direction, H)],
            )
        for state in shown["states"]:
            forward = state["direction"] == "forward"
            t = state["t"]
            done = t <= k if forward else t >= T - 1 - k
            assert state["done"] == done and state["current"] == (
                t == (k if forward else T - 1 - k)
            ), f"{where}, sweep step {k}: the picture's {state['direction']} t = {t}"
            assert all((c["value"] is not None) == done for c in state["cells"])
        for row in shown["out"]:
            forward = row["direction"] == "forward"
            t = row["t"]
            done = t <= k if forward else t >= T - 1 - k
            for cell in row["cells"]:
                assert bool(cell["nums"]) == done, (
                    f"sweep step {k}: out[0, {t}] {row['direction']} "
                    f"{'missing' if done else 'shown before it is computed'}"
                )
                assert cell["current"] == (t == (k if forward else T - 1 - k))
        assert bool(shown["hn"]) == (k == T - 1)
        assert shown["disabled"]["bx-previous"] == (k == 0)
        assert shown["disabled"]["bx-next"] == (k == T - 1)


@pytest.mark.parametrize(("text", "hidden_size"), SEQUENCES)
def test_every_number_matches_nn_rnn(page, text, hidden_size):
    unpin(page)
    submit(page, text, hidden_size)
    check_everything_shown(page, typed_numbers(text), hidden_size, repr(text))


def test_the_numbers_on_demand_match_nn_rnn(page):
    """Focusing each state of the picture shows its numbers, what it has read and
    where it lands; the same for pointing at it."""
    unpin(page)
    submit(page, DEFAULT, 3)
    want, H, T = expected(typed_numbers(DEFAULT), 3), 3, 4
    go_to_step(page, T - 1)
    for direction in ("forward", "reverse"):
        for t in range(T):
            state = explorer(page).locator(f".bx-state[data-key='{direction}:{t}']")
            state.focus()
            shown = read(page)
            where = f"focused {direction} t = {t}"
            check_numbers(
                where, shown["readout"]["nums"], want["out"][t, half(direction, H)]
            )
            first = 0 if direction == "forward" else T - 1
            assert f"has read x{first}" in shown["readout"]["text"], where
            # Highlighted: the inputs it has read, its place in out (and h_n).
            lit = sorted(i["t"] for i in shown["inputs"] if i["lit"])
            assert lit == list(range(min(first, t), max(first, t) + 1)), where
            lit_cells = [
                (row["t"], row["direction"])
                for row in shown["out"]
                for c in row["cells"]
                if c["lit"]
            ]
            assert lit_cells == [(t, direction)] * H, where
            in_h_n = {("forward", T - 1): 0, ("reverse", 0): 1}.get((direction, t))
            assert {p["index"] for p in shown["hn"] if p["lit"]} == (
                set() if in_h_n is None else {in_h_n}
            ), where
            assert shown["hnMarks"] == {"0": in_h_n == 0, "1": in_h_n == 1}, where
    explorer(page).locator(".bx-state[data-key='reverse:2']").hover()
    shown = read(page)
    check_numbers(
        "pointed at reverse t = 2",
        shown["readout"]["nums"],
        want["out"][2, half("reverse", H)],
    )
    # Pointing at an input lights the states that read it.
    explorer(page).locator(".bx-entry[data-key='x:1:0']").hover()
    shown = read(page)
    lit = sorted((s["direction"], s["t"]) for s in shown["states"] if s["lit"])
    assert lit == [
        ("forward", 1),
        ("forward", 2),
        ("forward", 3),
        ("reverse", 0),
        ("reverse", 1),
    ]
    page.mouse.move(0, 0)


def test_the_weights_shown_are_the_layer(page):
    root = explorer(page)
    sizes = [
        int(v)
        for v in root.locator("select option").evaluate_all(
            "options => options.map(o => o.value)"
        )
    ]
    assert sizes == [1, 2, 3, 4]
    root.locator("details.bx-weights summary").click()
    for hidden_size in sizes:
        submit(page, DEFAULT, hidden_size)
        shown = read(page)["weights"]
        parameters = layer(hidden_size).state_dict()
        assert sorted(shown) == sorted(parameters)
        for name, tensor in parameters.items():
            numbers = [n for row in shown[name] for n in row]
            exact = [float(v) for v in tensor.flatten()]
            assert [full for _, full in numbers] == exact, (
                f"H = {hidden_size}, {name}: the page's weights are not the layer's"
            )
            check_numbers(f"H = {hidden_size}, {name}", numbers, tensor)
    root.locator("details.bx-weights summary").click()


def moved(before, after, direction, H):
    difference = (before["out"] - after["out"])[:, half(direction, H)].abs()
    return [t for t in range(difference.shape[0]) if difference[t].max() > 1e-6]


def steps_text(steps):
    return "t = " + ", ".join(map(str, steps)) if steps else "no step"


def test_delta_against_the_pinned_baseline(page):
    changed_texts = [
        "1,1,1; 1,2,1; 2,3,1; 5,0,0",
        "5,0,0; 1,2,1; 2,3,1; 1,3,1",
        "1,1,1; 1,2,1; -3,0.5,2; 1,3,1",
        DEFAULT,
    ]
    H = 2
    unpin(page)
    submit(page, DEFAULT, H)
    assert read(page)["disabled"]["bx-unpin"], "Unpin works with nothing pinned"
    explorer(page).locator("button.bx-pin").click()
    assert not read(page)["disabled"]["bx-unpin"]
    before = expected(typed_numbers(DEFAULT), H)
    for text in changed_texts:
        submit(page, text)
        go_to_step(page, 3)
        shown = read(page)
        after = expected(typed_numbers(text), H)
        steps = [
            t
            for t, (a, b) in enumerate(zip(typed_numbers(DEFAULT), typed_numbers(text)))
            if a != b
        ]
        assert shown["changes"]["x"] == steps_text(steps)
        assert sorted(i["t"] for i in shown["inputs"] if i["moved"]) == steps
        for direction in ("forward", "reverse"):
            want = moved(before, after, direction, H)
            assert shown["changes"][direction] == steps_text(want), (
                f"{text!r}: {direction} states moved at {want}, the page says "
                f"{shown['changes'][direction]}"
            )
            drawn = sorted(
                s["t"]
                for s in shown["states"]
                if s["direction"] == direction and s["moved"]
            )
            assert drawn == want, f"{text!r}: the picture marks {direction} {drawn}"
            for t, row in out_rows(shown, direction).items():
                deltas = (after["out"] - before["out"])[t, half(direction, H)]
                for cell, d in zip(row["cells"], deltas.tolist()):
                    assert close(cell["delta"]["full"], d, 2 * FULL_ATOL), (
                        f"{text!r}: Δ of {direction} t = {t} is "
                        f"{cell['delta']['full']}, nn.RNN gives {d}"
                    )
                    assert cell["delta"]["changed"] == (t in want)
                    if cell["delta"]["changed"]:
                        shown_d = float(
                            cell["delta"]["text"].split()[1].replace("\u2212", "-")
                        )
                        assert close(shown_d, d, SHOWN_ATOL), (text, t, direction)
    submit(page, "1,1,1; 1,2,1")
    assert "has another T or H" in read(page)["changesText"]
    assert all(c["delta"] is None for row in read(page)["out"] for c in row["cells"])
    unpin(page)
    shown = read(page)
    assert "Pin the input as a baseline" in shown["changesText"]
    assert all(c["delta"] is None for row in shown["out"] for c in row["cells"])


def chapter_typed_texts():
    """The typed texts of the chapter and what its parse_sequence made of each: the
    rows it read, or its message."""
    nb = nbformat.read(CHAPTER, as_version=4)
    cell = next(c for c in nb.cells if c.source.startswith("typed_texts = ["))
    listed = ast.parse(cell.source).body[0].value
    texts = eval(compile(ast.Expression(listed), "typed_texts", "eval"), {})
    printed = "".join(o.get("text", "") for o in cell.outputs).splitlines()
    results = [line.split(" -> ", 1)[1] for line in printed]
    assert len(results) == len(texts) >= 20
    return [
        (text, ast.literal_eval(result.removeprefix("x[0] = ")), None)
        if result.startswith("x[0] = ")
        else (text, None, result)
        for text, result in zip(texts, results)
    ]


def without_boxes(shown):
    """What the page shows, less where on the screen (a message moves it down)."""
    states = [{k: v for k, v in s.items() if k != "box"} for s in shown["states"]]
    return {**shown, "states": states}


def test_the_page_reads_what_the_chapter_reads(page):
    """One grammar: each typed text of the chapter is read into the same numbers, or
    refused with the same message, and a refused one keeps every number as it was."""
    unpin(page)
    submit(page, DEFAULT, 2)
    go_to_step(page, 1)
    good = without_boxes(read(page))
    kept = (
        "cards",
        "out",
        "states",
        "inputs",
        "hn",
        "k",
        "kMax",
        "hiddenSize",
        "changesText",
    )
    cases = chapter_typed_texts()
    assert sum(rows is not None for _, rows, _ in cases) >= 5
    for text, rows, message in cases:
        submit(page, text)
        shown = read(page)
        if rows is not None:
            assert shown["message"] == "" and shown["invalid"] is None, (
                f"{text!r}: refused with {shown['message']!r}"
            )
            page_rows = [[e["value"] for e in i["entries"]] for i in shown["inputs"]]
            assert len(page_rows) == len(rows) and all(
                close(a, b, 1e-7) for p, r in zip(page_rows, rows) for a, b in zip(p, r)
            ), f"{text!r}: the page read {page_rows}, the chapter {rows}"
            continue
        assert shown["message"] == f"⚠ {message} (still showing the last good input)", (
            f"{text!r}: the page says {shown['message']!r}, the chapter {message!r}"
        )
        assert shown["invalid"] == "true", f"{text!r}: the field is not marked invalid"
        assert shown["messageId"] in shown["describedBy"].split(), (
            "the message is not tied to the field (aria-describedby)"
        )
        submit(page, DEFAULT)
        go_to_step(page, 1)
        submit(page, text)
        shown = without_boxes(read(page))
        assert {key: shown[key] for key in kept} == {key: good[key] for key in kept}, (
            f"{text!r} changed what the explorer shows"
        )
    # Another hidden size while the field holds bad text: the size goes back, too.
    submit(page, "1,a,1")
    explorer(page).locator("select").select_option("3")
    shown = read(page)
    assert shown["hiddenSize"] == 2 and shown["out"] == good["out"]
    # The message is said to a screen reader once the reader pauses.
    page.wait_for_timeout(1_200)
    assert "'a' is not a number" in read(page)["live"]
    submit(page, DEFAULT)
    shown = read(page)
    assert shown["message"] == "" and shown["invalid"] is None


def test_direction_switch_shows_one_direction_or_both(page):
    unpin(page)
    submit(page, DEFAULT, 2)
    go_to_step(page, 3)
    for label, directions in (
        ("Forward only", {"forward"}),
        ("Reverse only", {"reverse"}),
        ("Both directions", {"forward", "reverse"}),
    ):
        show(page, label)
        shown = read(page)
        assert {card["direction"] for card in shown["cards"]} == directions, label
        assert {row["direction"] for row in shown["out"]} == directions, label
        assert set(shown["chains"]) == directions, label
        # Where h_n sits follows the switch: only the directions shown.
        in_h_n = {row["inHn"] for row in shown["out"]} - {""}
        assert in_h_n == {"h_n[0]" if d == "forward" else "h_n[1]" for d in directions}
        assert {p["index"] for p in shown["hn"]} == {
            0 if d == "forward" else 1 for d in directions
        }, label
        assert {int(i) for i in shown["hnMarks"]} == {
            0 if d == "forward" else 1 for d in directions
        }, label


def focused(page, selector):
    return page.evaluate(
        "s => document.activeElement === document.querySelector(s)", selector
    )


def test_keyboard_only(page):
    unpin(page)
    submit(page, DEFAULT, 2)
    explorer(page).locator("textarea").focus()
    keys = page.keyboard
    keys.press("Control+A")
    keys.type("0.5,-1,2")
    keys.press("Enter")
    keys.type("3 0 1")
    keys.press("Enter")
    keys.type("\u22124,2,2")
    assert read(page)["kMax"] == 2
    keys.press("Tab")
    assert focused(page, ".birnn-explorer select")
    keys.press("ArrowDown")
    shown = read(page)
    assert shown["hiddenSize"] == 3
    assert len(shown["cards"][0]["rows"]["state"]["nums"]) == 3
    keys.press("Tab")
    assert focused(page, ".birnn-explorer input[type=radio][value=both]")
    keys.press("ArrowRight")
    assert {c["direction"] for c in read(page)["cards"]} == {"forward"}
    keys.press("ArrowLeft")
    assert {c["direction"] for c in read(page)["cards"]} == {"forward", "reverse"}
    keys.press("Tab")
    assert focused(page, ".birnn-explorer input[type=range]")
    keys.press("Home")
    assert read(page)["k"] == 0
    keys.press("ArrowRight")
    assert read(page)["k"] == 1
    keys.press("End")
    assert read(page)["k"] == 2
    keys.press("Tab")  # Previous step
    keys.press("Enter")
    assert read(page)["k"] == 1
    keys.press("Enter")
    shown = read(page)
    assert shown["k"] == 0 and shown["disabled"]["bx-previous"]
    # At the first step Previous is disabled; the focus went to Next, not to the page.
    assert focused(page, ".birnn-explorer button.bx-next")
    page.wait_for_timeout(100)
    assert "Sweep step k = 0" in read(page)["live"]
    keys.press("Space")
    assert read(page)["k"] == 1
    keys.press("Shift+Tab")  # Play
    assert focused(page, ".birnn-explorer button.bx-play")
    keys.press("Tab")
    keys.press("Tab")  # Pin as baseline
    assert focused(page, ".birnn-explorer button.bx-pin")
    keys.press("Enter")
    keys.press("Tab")  # Unpin, now enabled
    assert focused(page, ".birnn-explorer button.bx-unpin")
    keys.press("Tab")  # the states of the picture: one Tab stop, the last one used
    assert page.evaluate("() => document.activeElement.matches('.bx-state')")
    keys.press("End")
    keys.press("ArrowLeft")
    keys.press("Home")
    assert focused(page, ".birnn-explorer .bx-state[data-key='forward:0']")
    keys.press("ArrowDown")
    assert focused(page, ".birnn-explorer .bx-state[data-key='forward:1']")
    keys.press("ArrowRight")
    assert focused(page, ".birnn-explorer .bx-state[data-key='reverse:1']")
    keys.press("Enter")  # the sweep step that computes the reverse state at t = 1
    assert read(page)["k"] == 1
    keys.press("Tab")  # the inputs: one Tab stop
    assert focused(page, ".birnn-explorer .bx-entry[data-key='x:0:0']")
    keys.press("ArrowRight")
    keys.press("ArrowRight")
    keys.press("ArrowRight")  # x1, entry 0
    assert focused(page, ".birnn-explorer .bx-entry[data-key='x:1:0']")
    keys.press("ArrowUp")
    keys.press("Shift+ArrowUp")
    keys.press("ArrowDown")
    keys.press("ArrowDown")  # 3 + 0.1 + 1 - 0.1 - 0.1 = 3.9
    assert focused(page, ".birnn-explorer .bx-entry[data-key='x:1:0']"), (
        "nudging lost the focus"
    )
    rows = [[0.5, -1, 2], [3.9, 0, 1], [-4, 2, 2]]
    shown = read(page)
    assert shown["field"].split("\n")[1] == "3.9, 0, 1"
    assert shown["changes"] == {
        "all": shown["changes"]["all"],
        "x": "t = 1",
        "forward": "t = 1, 2",
        "reverse": "t = 0, 1",
    }
    page.wait_for_timeout(100)
    assert "x changed at t = 1" in read(page)["live"]
    check_everything_shown(page, rows, 3, "nudged from the keyboard")
    focus_table = explorer(page).locator(".bx-entry[data-key='x:2:2']")
    focus_table.focus()
    keys.press("Tab")
    assert focused(page, ".birnn-explorer .bx-scroll"), "the table cannot be reached"
    keys.press("Tab")
    keys.press("Enter")
    assert explorer(page).locator("details.bx-weights").evaluate("d => d.open")
    keys.press("Enter")


def test_drag_an_input(page):
    unpin(page)
    submit(page, DEFAULT, 2)
    entry = explorer(page).locator(".bx-entry[data-key='x:2:1']")
    entry.scroll_into_view_if_needed()
    box = entry.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y - 15, steps=5)
    page.mouse.move(x, y - 31, steps=5)  # 31 px up: 5 nudges of 0.1
    page.mouse.up()
    rows = typed_numbers(DEFAULT)
    rows[2][1] += 0.5
    shown = read(page)
    assert shown["inputs"][2]["entries"][1]["value"] == pytest.approx(rows[2][1])
    check_everything_shown(page, rows, 2, "dragged")


def test_a_state_pointed_at_goes_quietly_with_a_shorter_input(page):
    """The pointer rests on the last reverse state while the reader types a shorter
    sequence: that state is gone, so the readout asks again, and nothing throws."""
    unpin(page)
    submit(page, DEFAULT, 2)
    last = len(typed_numbers(DEFAULT)) - 1
    state = explorer(page).locator(f".bx-state[data-key='reverse:{last}']")
    state.scroll_into_view_if_needed()
    state.hover()
    assert f"in out[0, {last}, 2:]" in read(page)["readout"]["text"]
    errors = len(page.errors)
    explorer(page).locator("textarea").fill("1,1,1; 1,2,1")  # the pointer stays put
    assert page.errors[errors:] == []
    assert read(page)["readout"]["text"].startswith("Point at a state")
    page.mouse.move(0, 0)
    submit(page, DEFAULT)


def test_play_runs_both_sweeps_together(page):
    unpin(page)
    submit(page, DEFAULT, 2)
    go_to_step(page, 3)
    play = explorer(page).locator("button.bx-play")
    play.click()  # from the last step, it starts again from the first
    seen = set()
    for _ in range(60):
        shown = read(page)
        seen.add(shown["k"])
        if shown["play"] == "Play":
            break
        page.wait_for_timeout(150)
    assert seen == {0, 1, 2, 3} and shown["k"] == 3 and shown["play"] == "Play"
    play.click()
    page.wait_for_timeout(100)
    play.click()  # pause
    shown = read(page)
    assert shown["play"] == "Play" and shown["k"] == 0


def test_every_control_has_a_name(page):
    names = explorer(page).evaluate(page_script("control_names"))
    unnamed = [html for html, name in names if not name]
    assert len(names) >= 20 and not unnamed, f"controls without a name: {unnamed}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_fits_a_phone_with_both_directions_side_by_side(page, scheme):
    page.set_viewport_size({"width": 390, "height": 800})
    page.emulate_media(color_scheme=scheme)
    try:
        unpin(page)
        submit(page, SEQUENCES[-2][0], 4)  # 12 steps, the widest H
        go_to_step(page, 5)
        root = explorer(page)
        box = root.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        overflow = root.evaluate("r => r.scrollWidth - r.clientWidth")
        assert overflow <= 1, f"the explorer is {overflow} px wider than the screen"
        table = root.locator(".bx-scroll").evaluate(
            "r => r.scrollWidth - r.clientWidth"
        )
        assert table <= 1, f"out[0] scrolls sideways by {table} px on a phone"
        shown = read(page)
        # Both chains in one picture, the two states of each step on one line.
        states = {(s["direction"], s["t"]): s["box"] for s in shown["states"]}
        for t in range(12):
            forward, reverse = states["forward", t], states["reverse", t]
            assert abs(forward["y"] - reverse["y"]) < 1
            assert forward["x"] >= 0 and reverse["x"] + reverse["width"] <= 390
            assert forward["x"] + forward["width"] < reverse["x"]
        player = page.locator(".animation img").first
        assert player.get_attribute("alt"), "the step-through picture has no alt text"
        slider = page.locator(".animation input.anim-slider").first
        assert slider.get_attribute("aria-label"), "its slider has no aria-label"
        for part in (player, slider):
            part_box = part.bounding_box()
            assert part_box["x"] >= 0 and part_box["x"] + part_box["width"] <= 390
        # Buttons a finger can hit.
        for button in root.locator("button").all():
            assert button.bounding_box()["height"] >= 44
    finally:
        page.emulate_media(color_scheme="light")
        page.set_viewport_size({"width": 1280, "height": 900})


def test_value_colours_follow_dark_mode(page):
    """The same value is drawn in another colour in dark mode (dark at 0, light at the
    ends), never in a direction's colour."""
    unpin(page)
    submit(page, DEFAULT, 2)
    fill = page_script("read_value_colours")
    directions = [
        "rgb(0, 114, 178)",
        "rgb(213, 94, 0)",
        "rgb(184, 79, 0)",
        "rgb(108, 192, 240)",
        "rgb(255, 158, 107)",
    ]
    colours = {}
    for scheme in ("light", "dark"):
        explorer(page).page.evaluate(
            "s => document.documentElement.setAttribute('data-theme', s)", scheme
        )
        colours[scheme] = explorer(page).evaluate(fill)
        assert len(set(colours[scheme])) == BINS
        assert not set(colours[scheme]) & set(directions)
    assert colours["light"] != colours["dark"]
    page.evaluate("() => document.documentElement.setAttribute('data-theme', 'light')")


def axe_on_the_explorer(page) -> list[str]:
    """axe-core on the explorer alone, with the rules and the verdict of
    tests/test_browser.py: its critical and serious violations, one line each."""
    from axe_playwright_python.base import AXE_SCRIPT

    from test_browser import AXE_EXTRA_RULES, AXE_TAGS, failing_violations

    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "rules": AXE_EXTRA_RULES}
    return failing_violations(page, options, ".birnn-explorer")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_in_use(page, scheme):
    """axe-core, with the rules of tests/test_browser.py, on the explorer as it is in
    use: a baseline pinned and every cell showing its Δ over all ten colours, a state
    focused (the rest faded), a message under the field, a phone's width."""
    from test_browser import NO_TRANSITIONS

    page.set_viewport_size({"width": 390, "height": 800})
    page.add_style_tag(content=NO_TRANSITIONS)
    # The theme's sticky header and its "Back to top" button cover a part of whatever
    # control is scrolled under them, and axe's target-size counts that against the
    # control (seen once on Play): here they keep out of the way. tests/test_browser.py
    # audits the page with them.
    header = page.add_style_tag(
        content=".bd-header-article { position: static !important; } "
        "#pst-back-to-top { display: none !important; }"
    )
    page.emulate_media(color_scheme=scheme)
    try:
        unpin(page)
        submit(page, SEQUENCES[-2][0], 4)
        explorer(page).locator("button.bx-pin").click()
        submit(page, SEQUENCES[-2][0].replace("1,-2,3", "1,-2,0.5"))
        go_to_step(page, 7)
        bins = {c["bin"] for row in read(page)["out"] for c in row["cells"]} - {None}
        assert bins == set(range(BINS)), f"the table shows only the bins {bins}"
        submit(page, "1,1,1,")  # a message; the last good numbers stay
        explorer(page).locator(".bx-state[data-key='reverse:6']").focus()
        page.keyboard.press("Shift")  # a keyboard user: focus rings drawn
        assert read(page)["message"] and read(page)["changes"]
        assert axe_on_the_explorer(page) == []
    finally:
        header.evaluate("style => style.remove()")
        submit(page, DEFAULT)
        page.emulate_media(color_scheme="light")
        page.set_viewport_size({"width": 1280, "height": 900})
