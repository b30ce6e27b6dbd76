"""Chapter 16's browser explorer computes what PyTorch computes.

The explorer (assets/explorer/explorer.js) runs both sweeps in the page, in JavaScript's
float64. These tests type sequences into the built page, read every number it shows
and compare each with nn.RNN, run here in float32 on the same weights: the layer is
built here the way the chapter's make_layer builds it (torch.manual_seed(0), then
nn.RNN(3, H, batch_first=True, bidirectional=True)), and the weights the page shows
must equal its parameters exactly.

Tolerance. The page shows 4 decimals and keeps the full float64 value in data-value.
A shown number may differ from torch's float32 value by half a unit of the 4th decimal
plus the float32-float64 gap; the full value by that gap alone, bounded here by
1e-6 + 1e-5 * |value| (inputs reach 100, so the input terms reach a few hundred).

Bad input must show the chapter's own message (the parse_sequence messages printed in
the notebook) next to the field and leave every number as it was. The controls are
used from the keyboard alone, and the explorer fits a 390 px wide screen.
"""

import ast
import functools

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
# exponent, a single step, the ends of the allowed range, the longest sequence.
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
]
DEFAULT = SEQUENCES[0][0]

# Everything the explorer shows, as data: numbers as (shown text, full value).
READ_PAGE = page_script("read_explorer")


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
    root = explorer(page)
    if hidden_size is not None and read(page)["hiddenSize"] != hidden_size:
        root.locator("select").select_option(str(hidden_size))
    field = root.locator("input[type=text]")
    field.fill(text)
    field.press("Enter")


def go_to_step(page, k):
    explorer(page).locator("input[type=range]").fill(str(k))


@functools.cache
def layer(hidden_size):
    """The chapter's make_layer(hidden_size, seed=0), built here."""
    with torch.random.fork_rng():
        torch.manual_seed(SEED)
        return torch.nn.RNN(3, hidden_size, batch_first=True, bidirectional=True)


def typed_numbers(text):
    return [[float(v) for v in step.split(",")] for step in text.strip(" ;").split(";")]


def expected(text, hidden_size):
    """out, h_n and both terms of every step, from nn.RNN (float32)."""
    rnn, H = layer(hidden_size), hidden_size
    x = torch.tensor([typed_numbers(text)])
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


def reads(first, last):
    """What the page writes for 'has read x_first .. x_last'."""
    return f"x{first}" if first == last else f"x{first} … x{last}"


def half(direction, H):
    return slice(0, H) if direction == "forward" else slice(H, 2 * H)


@pytest.mark.parametrize(("text", "hidden_size"), SEQUENCES)
def test_every_number_matches_nn_rnn(page, text, hidden_size):
    submit(page, text, hidden_size)
    want, H = expected(text, hidden_size), hidden_size
    T = want["out"].shape[0]
    shown = read(page)
    assert shown["message"] == "" and shown["invalid"] is None, shown["message"]
    assert shown["kMax"] == T - 1, f"the sweep step slider runs to {shown['kMax']}"

    go_to_step(page, T - 1)  # both sweeps finished: all of out, and h_n
    shown = read(page)
    assert [row["t"] for row in shown["out"]] == list(range(T))
    for row in shown["out"]:
        t = row["t"]
        xs = [float(v) for v in row["x"].split(",")]
        assert xs == typed_numbers(text)[t], f"x_{t} shown as {row['x']}"
        for direction in ("forward", "reverse"):
            cells = [c for c in row["cells"] if c["direction"] == direction]
            assert [c["unit"] for c in cells] == list(range(H))
            numbers = [n for c in cells for n in c["nums"]]
            check_numbers(
                f"{text!r}, out[0, {t}] {direction} half",
                numbers,
                want["out"][t, half(direction, H)],
            )
        assert row["read"] == {
            "forward": reads(0, t),
            "reverse": reads(T - 1, t),
        }, f"t = {t}: what the states have read"
        in_h_n = " ".join(
            (["h_n[0]: fwd"] if t == T - 1 else [])
            + (["h_n[1]: rev"] if t == 0 else [])
        )
        assert (row["inHn"] or "") == in_h_n, f"t = {t}: {row['inHn']!r}"
    hn = {p["index"]: p for p in shown["hn"]}
    assert set(hn) == {0, 1}, "h_n is not shown after the last sweep step"
    assert f"h_n[0] = out[0, {T - 1}, :{H}]" in hn[0]["text"]
    assert f"h_n[1] = out[0, 0, {H}:]" in hn[1]["text"]
    for index in (0, 1):
        check_numbers(f"{text!r}, h_n[{index}]", hn[index]["nums"], want["h_n"][index])

    for k in reversed(range(T)):  # every sweep step, both directions together
        go_to_step(page, k)
        shown = read(page)
        assert shown["k"] == k
        assert f"forward direction computes its state at t = {k}," in shown["now"]
        assert f"reverse direction its state at t = {T - 1 - k}." in shown["now"]
        cards = {card["direction"]: card for card in shown["cards"]}
        assert set(cards) == {"forward", "reverse"}
        for direction, t in (("forward", k), ("reverse", T - 1 - k)):
            where = f"{text!r}, sweep step {k}, {direction} card"
            card = cards[direction]
            assert card["t"] == t, f"{where}: at t = {card['t']}, expected {t}"
            rows = card["rows"]
            assert [float(v) for v in rows["x"]["text"].split(",")] == typed_numbers(
                text
            )[t]
            for term in ("input", "recurrent"):
                check_numbers(
                    f"{where}, {term} term",
                    rows[term]["nums"],
                    want[term][direction][t],
                )
            check_numbers(
                f"{where}, state",
                rows["state"]["nums"],
                want["out"][t, half(direction, H)],
            )
            first = 0 if direction == "forward" else T - 1
            assert rows["read"]["text"] == reads(first, t), where
        for row in shown["out"]:
            t = row["t"]
            for cell in row["cells"]:
                forward = cell["direction"] == "forward"
                done = t <= k if forward else t >= T - 1 - k
                assert bool(cell["nums"]) == done, (
                    f"sweep step {k}: out[0, {t}] {cell['direction']} "
                    f"{'missing' if done else 'shown before it is computed'}"
                )
                assert cell["current"] == (t == (k if forward else T - 1 - k))
        assert bool(shown["hn"]) == (k == T - 1)


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


def test_what_changed_between_two_inputs(page):
    changed_texts = [
        "1,1,1; 1,2,1; 2,3,1; 5,0,0",
        "5,0,0; 1,2,1; 2,3,1; 1,3,1",
        "1,1,1; 1,2,1; -3,0.5,2; 1,3,1",
    ]
    for text in changed_texts:
        submit(page, DEFAULT, 2)
        submit(page, text)
        shown = read(page)
        before, after = expected(DEFAULT, 2), expected(text, 2)
        steps = [
            t
            for t, (a, b) in enumerate(zip(typed_numbers(DEFAULT), typed_numbers(text)))
            if a != b
        ]
        assert shown["changes"]["x"] == "t = " + ", ".join(map(str, steps))
        for direction in ("forward", "reverse"):
            want = moved(before, after, direction, 2)
            assert shown["changes"][direction] == "t = " + ", ".join(map(str, want)), (
                f"{text!r}: {direction} states changed at {want}, the page says "
                f"{shown['changes'][direction]}"
            )
            marked = sorted(
                {
                    row["t"]
                    for row in shown["out"]
                    for cell in row["cells"]
                    if cell["direction"] == direction and cell["changed"]
                }
            )
            assert marked == want, f"{text!r}: {direction} cells marked {marked}"
    submit(page, "1,1,1; 1,2,1")
    assert "every state is new" in read(page)["changesText"]


def chapter_messages():
    """The bad inputs of the chapter and the messages its parse_sequence gave them."""
    nb = nbformat.read(CHAPTER, as_version=4)
    cell = next(c for c in nb.cells if c.source.startswith("bad_texts = ["))
    listed = ast.parse(cell.source).body[0].value
    texts = eval(compile(ast.Expression(listed), "bad_texts", "eval"), {})
    printed = "".join(o.get("text", "") for o in cell.outputs).splitlines()
    messages = [line.split(" -> ", 1)[1] for line in printed]
    assert len(messages) == len(texts) >= 8
    return list(zip(texts, messages))


def test_bad_input_shows_its_message_and_keeps_the_last_good_result(page):
    submit(page, DEFAULT, 2)
    go_to_step(page, 1)
    good = read(page)
    kept = ("cards", "out", "hn", "k", "kMax", "hiddenSize", "changesText")
    for text, message in chapter_messages():
        submit(page, text)
        shown = read(page)
        assert shown["message"] == f"⚠ {message} (still showing the last good input)", (
            f"{text!r}: the page says {shown['message']!r}, the chapter {message!r}"
        )
        assert shown["invalid"] == "true", f"{text!r}: the field is not marked invalid"
        assert shown["messageId"] in shown["describedBy"].split(), (
            "the message is not tied to the field (aria-describedby)"
        )
        assert {key: shown[key] for key in kept} == {key: good[key] for key in kept}, (
            f"{text!r} changed what the explorer shows"
        )
    # Another hidden size while the field holds bad text: the size goes back, too.
    explorer(page).locator("select").select_option("3")
    shown = read(page)
    assert shown["hiddenSize"] == 2 and shown["out"] == good["out"]
    submit(page, DEFAULT)
    shown = read(page)
    assert shown["message"] == "" and shown["invalid"] is None


def test_direction_switch_shows_one_direction_or_both(page):
    submit(page, DEFAULT, 2)
    root = explorer(page)
    for label, directions in (
        ("Forward only", {"forward"}),
        ("Reverse only", {"reverse"}),
        ("Both directions", {"forward", "reverse"}),
    ):
        root.get_by_label(label, exact=True).check()
        shown = read(page)
        assert {card["direction"] for card in shown["cards"]} == directions, label
        in_table = {c["direction"] for row in shown["out"] for c in row["cells"]}
        assert in_table == directions, label
        assert set(shown["out"][0]["read"]) == directions, label


def focused(page, selector):
    return page.evaluate(
        "s => document.activeElement === document.querySelector(s)", selector
    )


def test_keyboard_only(page):
    submit(page, DEFAULT, 2)
    explorer(page).locator("input[type=text]").focus()
    keys = page.keyboard
    keys.press("Control+A")
    keys.type("0.5,-1,2; 3,0,1; -4,2,2")
    keys.press("Enter")
    assert read(page)["kMax"] == 2
    keys.press("Tab")
    assert focused(page, ".birnn-explorer button[type=submit]")
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
    keys.press("Tab")
    keys.press("Enter")  # Previous step
    assert read(page)["k"] == 1
    keys.press("Tab")
    keys.press("Space")  # Next step
    assert read(page)["k"] == 2
    keys.press("Tab")
    assert focused(page, ".birnn-explorer .bx-scroll"), (
        "the wide table cannot be scrolled"
    )
    keys.press("Tab")
    keys.press("Enter")
    assert explorer(page).locator("details.bx-weights").evaluate("d => d.open")
    keys.press("Enter")


def test_every_control_has_a_name(page):
    names = explorer(page).evaluate(page_script("control_names"))
    unnamed = [html for html, name in names if not name]
    assert len(names) >= 9 and not unnamed, f"controls without a name: {unnamed}"


def test_fits_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 800})
    try:
        submit(page, SEQUENCES[-1][0], 4)  # 12 steps, the widest H
        root = explorer(page)
        box = root.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        overflow = root.evaluate("r => r.scrollWidth - r.clientWidth")
        assert overflow <= 1, f"the explorer is {overflow} px wider than the screen"
        player = page.locator(".animation img").first
        assert player.get_attribute("alt"), "the step-through picture has no alt text"
        slider = page.locator(".animation input.anim-slider").first
        assert slider.get_attribute("aria-label"), "its slider has no aria-label"
        for part in (player, slider):
            part_box = part.bounding_box()
            assert part_box["x"] >= 0 and part_box["x"] + part_box["width"] <= 390
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
