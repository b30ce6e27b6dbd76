"""`make grade` (tools/grade.py) scores what students did, and nothing else.

From chapter 1's student notebook the test makes a class: honest work saved under the
names students really hand in, lazy answers (PyTorch's layer through an alias, a
redefined guard, a value found in the check's frames, None), and hostile students who
patch what the checks compare with, try to read, delete and write other people's files,
open a connection, ask for far more memory and processes than the limits, and loop
forever. It grades them in the sandbox with a short time limit per cell, as a course
file of its own says (one assignment, the two exercises worth 6 and 3 points), and reads
the gradebook, the feedback files and the class folder afterwards.
"""

import copy
import csv
import hashlib
import os
import socket
import subprocess

import nbformat
import pytest

import grade as grading
from book import NOTEBOOK_DIR
from exercises import find_exercises, tags
from secret_lines import leaks
from student import STUDENT_DIR

CHAPTER = "01-one-rnn-step.ipynb"
SANDBOX_PROBLEM = grading.sandbox_problem()

HONEST_TEXTBOOK = """\
def textbook_state_dict(w_x, w_h, b):
    return {"weight_ih_l0": w_x.T.clone(), "weight_hh_l0": w_h.T.clone(),
            "bias_ih_l0": b.clone(), "bias_hh_l0": torch.zeros_like(b)}"""
LAZY = {
    # The check's own names, looked for in the frames that call the answer; and
    # PyTorch's layer, with forward saved before any guard could replace it, fitted to
    # the states by gradient descent.
    "carol": (
        (
            "import sys\n\n\n"
            "def textbook_state_dict(w_x, w_h, b):\n"
            "    frame = sys._getframe(1)\n"
            "    while frame is not None:\n"
            "        for name in ('mine', 'names', 'layer', 'expected'):\n"
            "            if name in frame.f_locals:\n"
            "                return frame.f_locals[name]\n"
            "        frame = frame.f_back\n"
            "    return {}"
        ),
        (
            "_forward = nn.RNN.forward\n\n\n"
            "def weights_from_states(x, states):\n"
            "    layer = nn.RNN(x.shape[2], states.shape[2], batch_first=True)\n"
            "    layer = layer.double()\n"
            "    step = torch.optim.SGD(layer.parameters(), lr=0.5)\n"
            "    for _ in range(20):\n"
            "        step.zero_grad()\n"
            "        ((_forward(layer, x)[0] - states) ** 2).sum().backward()\n"
            "        step.step()\n"
            "    return (layer.weight_ih_l0.detach(), layer.weight_hh_l0.detach(),\n"
            "            (layer.bias_ih_l0 + layer.bias_hh_l0).detach())"
        ),
    ),
    # A guard of its own, that lets everything through; and None.
    "dave": (
        (
            "from torch.overrides import TorchFunctionMode\n\n\n"
            "class ByHandOnly(TorchFunctionMode):\n"
            "    def __torch_function__(self, func, types, args=(), kwargs=None):\n"
            "        return func(*args, **(kwargs or {}))\n\n\n"
            "def textbook_state_dict(w_x, w_h, b):\n"
            "    layer = nn.RNN(w_x.shape[0], w_x.shape[1])\n"
            "    torch._VF.rnn_tanh(\n"
            "        torch.zeros(1, 1, w_x.shape[0]),\n"
            "        torch.zeros(1, 1, w_x.shape[1]),\n"
            "        list(layer.parameters()), True, 1, 0.0, False, False, False\n"
            "    )\n"
            "    return layer.state_dict()"
        ),
        "def weights_from_states(x, states):\n    return None",
    ),
}


def hostile_attacks(class_folder, outside, port):
    """Source of a solution cell that tries every escape, counting those that work;
    its textbook_state_dict is honest only if none did."""
    victim = class_folder / "alice" / f"Copy of {CHAPTER}"
    attacks = {
        "read another student's notebook": f"open({str(victim)!r}).read()",
        "delete it": f"os.remove({str(victim)!r})",
        "delete the class folder": f"shutil.rmtree({str(class_folder)!r})",
        "write beside the class folder": f"open({str(outside)!r}, 'w').write('x')",
        "read the chapter with its solutions": f"open({str(NOTEBOOK_DIR / CHAPTER)!r})",
        "connect to the grader's machine": (
            f"socket.create_connection(('127.0.0.1', {port}), timeout=2)"
        ),
        "take 16 GiB of memory": "bytearray(16 * 2**30)",
    }
    lines = ["import os, shutil, socket, time", "escaped = []"]
    for name, attack in attacks.items():
        lines += ["try:", f"    {attack}", f"    escaped.append({name!r})"]
        lines += ["except Exception:", "    pass"]
    lines += [
        "try:",
        "    for _ in range(2000):  # far more processes than the limit",
        "        if os.fork() == 0:",
        "            time.sleep(120)",
        "            os._exit(0)",
        "    escaped.append('start 2000 processes')",
        "except OSError:",
        "    pass",
    ]
    honest = HONEST_TEXTBOOK.replace(
        "b):\n", "b):\n    assert not escaped, escaped\n", 1
    )
    return "\n".join(lines) + "\n\n\n" + honest


def class_of_students(folder, outside, port):
    chapter = nbformat.read(NOTEBOOK_DIR / CHAPTER, as_version=4)
    release = nbformat.read(STUDENT_DIR / CHAPTER, as_version=4)
    solution = {c.id: c.source for c in chapter.cells if "solution" in tags(c)}
    exercises = find_exercises(chapter)[0]
    first, second = (chapter.cells[e.solutions[0]].id for e in exercises)
    gamed = [list(chapter.cells[e.check].metadata["gamed"].values()) for e in exercises]

    def solved(**replaced):
        nb = copy.deepcopy(release)
        for cell in nb.cells:
            if cell.get("id") in solution:
                cell.source = replaced.get(cell.id, solution[cell.id])
        return nb

    handed_in = {
        # Colab's "Save a copy", saved by an editor that dropped the grading metadata;
        # an older stub beside it, and a notebook of no chapter.
        "alice": {f"Copy of {CHAPTER}": solved(), CHAPTER: copy.deepcopy(release)},
        "bob": {f"bob_1234_5678_{CHAPTER}": copy.deepcopy(release)},  # an LMS's name
        **{
            student: {CHAPTER: solved(**{first: one, second: two})}
            for student, (one, two) in LAZY.items()
        },
        # The lazy answers the chapter records for its two exercises, in pairs.
        **{
            f"lazy-{number}": {CHAPTER: solved(**{first: one, second: two})}
            for number, (one, two) in enumerate(zip(*gamed), start=1)
        },
        # Patches what the checks compare with: only the kernel's own verdict is fooled.
        "erin": {
            CHAPTER: solved(
                **{
                    first: "torch.allclose = torch.equal = lambda *a, **k: True\n\n\n"
                    "def textbook_state_dict(w_x, w_h, b):\n"
                    "    return {'weight_ih_l0': torch.zeros_like(w_x.T),\n"
                    "            'weight_hh_l0': torch.zeros_like(w_h),\n"
                    "            'bias_ih_l0': torch.zeros_like(b),\n"
                    "            'bias_hh_l0': torch.zeros_like(b)}"
                }
            )
        },
        "frank": {
            f"{CHAPTER.removesuffix('.ipynb')} (1).ipynb": solved(
                **{first: hostile_attacks(folder, outside, port)}
            )
        },
        "grace": {CHAPTER: solved(**{first: "while True:\n    pass"})},
    }
    for cell in handed_in["alice"][f"Copy of {CHAPTER}"].cells:
        cell.metadata.pop("nbgrader", None)  # what some editors do on saving
    for student, notebooks in handed_in.items():
        (folder / student).mkdir()
        for name, nb in notebooks.items():
            nbformat.write(nb, folder / student / name)
    os.utime(folder / "alice" / CHAPTER, (1, 1))  # the older of alice's two copies
    (folder / "alice" / "notes.ipynb").write_text("{}")
    return [e.label for e in exercises], list(zip(*gamed))


def snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.executes
@pytest.mark.skipif(SANDBOX_PROBLEM is not None, reason=f"{SANDBOX_PROBLEM}")
def test_grading_scores_what_each_student_did_and_contains_the_rest(
    tmp_path, monkeypatch
):
    folder, outside = tmp_path / "class", tmp_path / "outside.txt"
    folder.mkdir()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    port = listener.getsockname()[1]
    labels, lazy_pairs = class_of_students(folder, outside, port)
    before = snapshot(folder)
    # The loop costs the time limit; the limit leaves room for `import torch` in a busy
    # kernel (about 2 s on 2 cores while the other test worker runs).
    out = tmp_path / "gradebook.csv"
    # Users of this run's own, so that another grading on the machine is not counted.
    first_uid = 62000 + 8 * (os.getpid() % 1000)
    monkeypatch.setenv("GRADE_FIRST_UID", str(first_uid))
    first, second = labels
    # The first exercise worth 6 points (2 for its check, 4 for its hidden tests).
    course = {"assignments": [{"name": "a1", "chapters": [CHAPTER[:-6]]}]}
    course["assignments"][0]["exercises"] = {first: 6, second: 3}
    messages = grading.grade(folder, out, cell_timeout=8, seed=7, jobs=2, course=course)

    with out.open() as file:
        reader = csv.DictReader(file)
        rows = {row["student"]: row for row in reader}
    assert reader.fieldnames == [
        *("student", "seed", first, second, "a1 total", "a1 maximum"),
        *("total", "maximum"),
    ]
    assert {s: (r[first], r[second], r["total"]) for s, r in rows.items()} == {
        "alice": ("6", "3", "9"),  # the newest copy, metadata restored by cell id
        "bob": ("0", "0", "0"),  # the untouched stubs raise
        "carol": ("0", "0", "0"),  # an alias of forward; the check's frames
        "dave": ("0", "0", "0"),  # a guard of its own and torch._VF; None
        "erin": ("0", "3", "3"),  # the patched comparison fools only her kernel
        "frank": ("6", "3", "9"),  # every attack failed, so his answer is honest
        "grace": ("0", "3", "3"),  # the loop is cut, grading goes on
        **{f"lazy-{n}": ("0", "0", "0") for n in range(1, len(lazy_pairs) + 1)},
    }, messages
    assert {(r["a1 maximum"], r["maximum"]) for r in rows.values()} == {("9", "9")}
    assert all(r["a1 total"] == r["total"] for r in rows.values())
    log = out.with_suffix(".log").read_text()
    erin = "erin 01-one-rnn-step ex-01-textbook-weights-check: AssertionError"
    assert erin in log, log
    assert "alice" not in log, log
    assert rows["alice"]["seed"] == str(grading.student_seed(7, "alice"))
    assert rows["alice"]["seed"] != rows["bob"]["seed"]
    assert any("alice/notes.ipynb names no chapter" in m for m in messages), messages
    assert any(
        f"not graded: alice/{CHAPTER}, since alice/Copy of {CHAPTER}" in m
        for m in messages
    ), messages

    # One feedback file per student and chapter: the points and the hints, and no
    # line of a hidden test (nor of a solution).
    feedback = tmp_path / "feedback"
    assert sorted(p.parent.name for p in feedback.glob("*/*.md")) == sorted(rows)
    erin = (feedback / "erin" / f"{CHAPTER[:-6]}.md").read_text()
    assert (
        f"| {first} | a1 | 0 of 6 |" in erin and f"| {second} | a1 | 3 of 3 |" in erin
    )
    assert "- the check: failed. AssertionError" in erin, erin
    alice = (feedback / "alice" / f"{CHAPTER[:-6]}.md").read_text()
    assert "failed" not in alice and alice.count("passed.") == 4, alice
    assert leaks(feedback) == []

    # Nothing outside the sandbox changed, no connection came, no process is left.
    assert snapshot(folder) == before
    assert not outside.exists()
    with pytest.raises(BlockingIOError):
        listener.accept()
    listener.close()
    if os.geteuid() == 0:
        uids = ",".join(str(first_uid + slot) for slot in range(4))
        left = subprocess.run(
            ["pgrep", "-u", uids], capture_output=True, text=True, check=False
        )
        assert left.stdout == "", f"processes left by the sandbox: {left.stdout}"


def test_grading_refuses_to_run_without_a_sandbox(tmp_path, monkeypatch):
    monkeypatch.setattr(grading, "sandbox_problem", lambda: "bubblewrap is missing")
    with pytest.raises(SystemExit, match=r"SANDBOX=no .*--no-sandbox"):
        grading.grade(tmp_path, tmp_path / "gradebook.csv")


@pytest.mark.parametrize(
    "name",
    [
        CHAPTER,
        f"Copy of {CHAPTER}",
        f"{CHAPTER.removesuffix('.ipynb')} (1).ipynb",
        f"alice_12345_678_{CHAPTER}",
        "01-One-RNN-Step-late.ipynb",
    ],
)
def test_the_names_students_hand_in_name_their_chapter(name):
    stems = [p.stem for p in sorted(NOTEBOOK_DIR.glob("*.ipynb"))]
    assert grading.chapter_of(name, stems) == CHAPTER.removesuffix(".ipynb")
    assert grading.chapter_of("my-notes.ipynb", stems) is None


def test_feedback_quotes_no_traceback_and_no_line_of_a_test():
    hidden = "assert torch.allclose(mine, expected_state)"
    why = (
        "Traceback (most recent call last):\n"
        '  File "<cell 28>", line 5, in <module>\n'
        f"    {hidden}\n"
        "    ^^^^^^^^^^^^\n"
        "AssertionError: the state at step 0 is wrong: did you add both biases?\n"
        f"{hidden}"
    )
    assert grading.feedback_message(why, {hidden}) == (
        "AssertionError: the state at step 0 is wrong: did you add both biases?"
    )
    # A hidden test's bare assert says what it means, and no more of the test.
    bare = f"Traceback (most recent call last):\n    {hidden}\nAssertionError"
    assert grading.feedback_message(bare, {hidden}, hidden=True) == (
        "AssertionError: a hidden test, on inputs of its own, found a wrong answer "
        "(it gives no hint): try your function on other sizes, layouts and seeds."
    )
    assert grading.feedback_message(bare, {hidden}) == "AssertionError"
    stub = "Unreplayable: last_state was called more often here than when your code ran"
    assert grading.said_plainly(stub, "the").startswith(
        "last_state gave no answer when the notebook ran"
    )
    assert grading.feedback_message(stub, set()).startswith(
        "last_state gave no answer when your notebook ran: its solution cell still "
        "raises NotImplementedError"
    )


def test_the_gradebook_lists_the_assignments_exercises_only(tmp_path):
    """Columns and maxima from the course; an exercise of no assignment (optional) is
    left out; a chapter not handed in leaves its exercises empty, counted 0."""
    submission = grading.Submission("alice", "01-one-rnn-step", tmp_path / "a.ipynb")
    result = grading.Result(submission, seed=1)
    result.points = {"ex-01-relu": 1, "ex-01-last-state": 3, "ex-01-optional": 3}
    result.maximum = {"ex-01-relu": 3, "ex-01-last-state": 3, "ex-01-optional": 3}
    assignments = [
        {"name": "a1", "exercises": {"ex-01-relu": 6, "ex-01-last-state": 3}},
        {"name": "a2", "exercises": {"ex-02-shapes": 4}},
    ]
    out = tmp_path / "gradebook.csv"
    grading.write_gradebook(out, assignments, [result])
    with out.open() as file:
        header, row = list(csv.reader(file))
    assert dict(zip(header, row, strict=True)) == {
        "student": "alice",
        "seed": "1",
        "ex-01-relu": "2",  # the check passed: a third of 6 points
        "ex-01-last-state": "3",
        "a1 total": "5",
        "a1 maximum": "9",
        "ex-02-shapes": "",
        "a2 total": "0",
        "a2 maximum": "4",
        "total": "5",
        "maximum": "13",
    }
