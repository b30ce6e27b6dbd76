"""A pytest plugin: nbval's run of a chapter also tries every exercise as students and
graders would.

The student notebook (tools/student.py) is the chapter with each exercise's solution
replaced by a stub; before the first stub the two are the same cells. So no kernel of
its own is needed. In nbval's kernel, at the places where they matter:

- Just before the chapter's first solution cell of an exercise, the lazy answers: the
  stub (which must stop with NotImplementedError), then every probe. Each probe defines
  the exercise's answer functions lazily, and then the check *and* the hidden test must
  both fail. The probes are the gamed answers recorded in the check cell's metadata
  ("gamed": {how: source}) and those generated from the code (generated_probes): `None`;
  every name the check and the hidden test bind, reached as a global or in the caller's
  frames; every helper they define, called; and each gamed answer again with PyTorch's
  functions put back from aliases taken before the check ran. And the chapter's
  solution, zeroing afterwards every tensor it was given: the tests must still accept
  it, or they compare with objects a lazy answer could change.
- Around the check and the hidden test, as nbval runs them with the chapter's solution:
  the answers are recorded (tools/answers.py) and the check is run again in this process
  from the record alone, as `make grade` judges a student's; it must pass there too.
- After the hidden test: the hidden test again, for several grade-time seeds
  (GRADE_SEED); the chapter's solution must pass each.

The random-number generators of torch, numpy and random are saved before and restored
after, so the chapter's own cells go on to compute exactly what they stored; whatever a
probe defines, the solution cell that runs next defines again. What the student notebook
runs after a stub is checked without a kernel, by leak_problems below.
"""

import ast
import builtins
import json
import os
import tempfile
import time
from queue import Empty

import pytest
from IPython.core.inputtransformer2 import TransformerManager

import answers
from exercises import (
    answer_functions,
    find_exercises,
    python_of,
    setup_imports,
    tags,
    test_cells,
    top_level_definitions,
)
from student import stub_source
from verdict import judge

PROBE_TIMEOUT_S = 120
# Seeds the hidden tests must pass with the chapter's solution, beside their default.
GRADE_SEEDS = (1, 2, 3, 7, 11, 29, 1234, 99991)
SAVE_RANDOM_STATE = """\
import random as _probe_random, numpy as _probe_numpy, torch as _probe_torch
_probe_state = (_probe_random.getstate(), _probe_numpy.random.get_state(),
                _probe_torch.random.get_rng_state())"""
RESTORE_RANDOM_STATE = """\
_probe_random.setstate(_probe_state[0])
_probe_numpy.random.set_state(_probe_state[1])
_probe_torch.random.set_rng_state(_probe_state[2])
del _probe_random, _probe_numpy, _probe_torch, _probe_state"""
# What a lazy answer reaches for: a name of the check, in the frames that call it or
# among the page's globals; and PyTorch's functions as they were before any guard.
PROBE_TOOLS = """\
import sys as _probe_sys
import torch as _probe_t


def _probe_reach(name):
    frame = _probe_sys._getframe(2)  # the caller of the answer function
    while frame is not None:
        if name in frame.f_locals:
            return frame.f_locals[name]
        frame = frame.f_back
    raise NameError(name)


_probe_calling = []


def _probe_call(helper, args, kwargs):
    # The check's helper, called by a lazy answer. When the helper is the check itself,
    # it calls the answer again: that inner call fails at once, as the recursion would
    # after a thousand levels, each inside the check's TorchFunctionMode (seconds).
    if _probe_calling:
        raise RecursionError("the lazy answer called itself through the check")
    _probe_calling.append(helper)
    try:
        return helper(*args, **kwargs)
    finally:
        _probe_calling.pop()


_probe_modules = [
    _probe_t, _probe_t.nn.functional, _probe_t.nn.utils, _probe_t.nn.utils.rnn,
    _probe_t.nn.utils.clip_grad, _probe_t._VF,
    *(getattr(_probe_t.nn, n) for n in ("RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase",
                                        "RNNCell", "LSTMCell", "GRUCell", "Module")),
]
_probe_saved = [(m, dict(vars(m))) for m in _probe_modules]


def _probe_restore():
    for module, saved in _probe_saved:
        for key, value in saved.items():
            if vars(module).get(key) is not value:
                try:
                    setattr(module, key, value)
                except (AttributeError, TypeError):
                    pass


def _probe_zero(value, depth=0):
    # Every tensor an argument holds, zeroed in place (how many): a check that draws
    # its reference from the objects it handed over would agree with anything then.
    if depth > 5:
        return 0
    with _probe_t.no_grad():
        if isinstance(value, _probe_t.Tensor):
            value.zero_()
            return 1
        if isinstance(value, _probe_t.nn.Module):
            tensors = [*value.parameters(), *value.buffers()]
            for tensor in tensors:
                tensor.zero_()
            return len(tensors)
        items = value.values() if isinstance(value, dict) else value
        if isinstance(value, list | tuple | dict):
            return sum(_probe_zero(item, depth + 1) for item in items)
    return 0


def _probe_clone(value, depth=0):
    if isinstance(value, _probe_t.Tensor):
        return value.detach().clone()
    if depth < 5 and isinstance(value, list | tuple):
        return type(value)(_probe_clone(v, depth + 1) for v in value)
    if depth < 5 and isinstance(value, dict):
        return {k: _probe_clone(v, depth + 1) for k, v in value.items()}
    return value


def _probe_tensors(value, depth=0):
    if isinstance(value, _probe_t.Tensor):
        return [value.detach().clone()]
    if isinstance(value, _probe_t.nn.Module):
        return [t.detach().clone() for t in [*value.parameters(), *value.buffers()]]
    if depth < 5 and isinstance(value, list | tuple | dict):
        items = value.values() if isinstance(value, dict) else value
        return [t for item in items for t in _probe_tensors(item, depth + 1)]
    return []


def _probe_flat(value, depth=0):
    if isinstance(value, _probe_t.Tensor):
        return [value]
    if depth < 5 and isinstance(value, list | tuple | dict):
        items = value.values() if isinstance(value, dict) else value
        return [t for item in items for t in _probe_flat(item, depth + 1)]
    return []


class _ProbeNotApplicable(Exception):
    pass


def _probe_then_zero(answer):
    # The chapter's answer, after which every tensor it was given is zeroed: a check
    # that draws its reference afresh still accepts it.
    def changed_after(*args, **kwargs):
        before = _probe_tensors([args, kwargs])
        result = answer(*args, **kwargs)
        if any(getattr(t, "requires_grad", False) for t in _probe_flat(result)):
            raise _ProbeNotApplicable  # its graph reads the arguments: keep them
        result = _probe_clone(result)
        after = _probe_tensors([args, kwargs])
        pairs = zip(after, before)
        same = [a.shape == b.shape and _probe_t.equal(a, b) for a, b in pairs]
        if not before or not all(same):
            raise _ProbeNotApplicable  # it changes its arguments itself, or has none
        _probe_zero([args, kwargs])
        return result

    return changed_after


def _probe_try(probes, tests, path):
    # Each answer, then each test, in one request (fast): for every pair, whether the
    # test passed, or why not ("defining it raised ...", or the test's error).
    import contextlib, io, json
    compiled = [(kind, compile(source, kind, "exec")) for kind, source in tests]
    found = []
    for how, source in probes:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(source, how, "exec"), globals())
        except Exception as error:
            found.append([how, "", f"defining it raised {type(error).__name__}"])
            continue
        for kind, code in compiled:
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(code, globals())
            except _ProbeNotApplicable:
                continue
            except Exception as error:
                found.append([how, kind, f"{type(error).__name__}: {error}"[:300]])
                continue
            found.append([how, kind, None])
    with open(path, "w") as file:
        json.dump(found, file)"""


def run_in_kernel(kernel, source: str) -> str | None:
    """Run source in nbval's kernel; the name of the exception it raised, or None.

    nbval reads only the messages of its own requests, so these leave its cells alone.
    """
    msg_id = kernel.execute_cell_input(source, allow_stdin=False)
    while True:
        try:
            reply = kernel.get_message(stream="shell", timeout=PROBE_TIMEOUT_S)
        except Empty:
            message = f"no reply within {PROBE_TIMEOUT_S} s to:\n{source}"
            raise RuntimeError(message) from None
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    kernel.await_idle(msg_id, PROBE_TIMEOUT_S)
    content = reply["content"]
    return content.get("ename", "Error") if content["status"] == "error" else None


def python_source(source: str) -> str:
    """A cell's code as plain Python, to run with exec (magics become calls)."""
    return TransformerManager().transform_cell(source)


def kernel_results(kernel, template: str, probes, tests) -> list:
    """Run template (formatted with probes, tests and a file path) in the kernel; the
    list it wrote to that file."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "results.json")
        code = template.format(probes=probes, tests=tests, path=path)
        raised = run_in_kernel(kernel, code)
        if raised is not None or not os.path.exists(path):
            raise RuntimeError(f"the probes could not run in the kernel ({raised})")
        with open(path) as file:
            return json.load(file)


# --- What the code of an exercise binds -----------------------------------------------


def generated_probes(nb, exercise) -> dict[str, str]:
    """Lazy answers made from the code of the check and the hidden test: {how: source}.

    Each replaces one answer function (the others keep the chapter's solution).
    """
    functions = answer_functions(nb, exercise)
    solution = "\n\n".join(nb.cells[i].source for i in exercise.solutions)
    bound, helpers = set(), []
    for index in test_cells(exercise):
        source = nb.cells[index].source
        bound |= bound_and_read(source)[0]
        helpers += top_level_definitions(source)
    bound -= set(functions) | set(dir(builtins))
    lazy = {}
    for function in functions:
        head = f"{solution}\n\n\ndef {function}(*args, **kwargs):\n    return "
        lazy[f"{function} returns None"] = head + "None"
        for name in sorted(bound):
            lazy[f"{function} returns the check's {name}"] = (
                head + f"_probe_reach({name!r})"
            )
        for name in helpers:
            lazy[f"{function} calls the check's {name}"] = (
                head + f"_probe_call(_probe_reach({name!r}), args, kwargs)"
            )
    for how, source in nb.cells[exercise.check].metadata.get("gamed", {}).items():
        wrappers = "\n".join(
            f"_probe_lazy_{f} = {f}\n\n\ndef {f}(*args, **kwargs):\n"
            f"    _probe_restore()\n    return _probe_lazy_{f}(*args, **kwargs)\n"
            for f in functions
        )
        lazy[f"{how}, with PyTorch's functions put back from aliases"] = (
            f"{solution}\n\n{source}\n\n{wrappers}"
        )
    return lazy


def sound_probes(nb, exercise) -> dict[str, str]:
    """The chapter's solution, each answer function in turn changing afterwards every
    tensor it was given: {how: source}. The check and the hidden test must accept each,
    or they compare with objects the answer could have changed (a lazy answer zeroes
    the weights it is given, returns zeros, and matches a reference computed from
    them)."""
    solution = "\n\n".join(nb.cells[i].source for i in exercise.solutions)
    return {
        f"{function} zeroes what it was given after answering": (
            f"{solution}\n\n\n{function} = _probe_then_zero({function})"
        )
        for function in answer_functions(nb, exercise)
    }


def probe_problems(kernel, nb, exercise, name: str) -> list[str]:
    """Run the student version of one exercise, and every lazy answer to it, in the
    kernel; what went wrong."""
    problems, where = [], f"{name}, exercise {exercise.label!r}"
    check = nb.cells[exercise.check].source
    tests = [("check", check)]
    if exercise.hidden is not None:
        tests.append(("hidden test", nb.cells[exercise.hidden].source))
    if run_in_kernel(kernel, SAVE_RANDOM_STATE) is not None:
        return [f"{where}: could not save the random state (no torch or numpy?)"]
    try:
        run_in_kernel(kernel, PROBE_TOOLS)
        for index in exercise.solutions:
            raised = run_in_kernel(kernel, stub_source(nb.cells[index], exercise))
            if raised != "NotImplementedError":
                problems.append(
                    f"{where}: the stub raised {raised}, not NotImplementedError"
                )
        if run_in_kernel(kernel, check) is None:
            problems.append(f"{where}: the check passes without the solution")
        gamed = nb.cells[exercise.check].metadata.get("gamed", {})
        probes = [*gamed.items(), *generated_probes(nb, exercise).items()]
        python = [(kind, python_source(test)) for kind, test in tests]
        for how, kind, outcome in kernel_results(
            kernel, "_probe_try({probes!r}, {tests!r}, {path!r})", probes, python
        ):
            if not kind:  # "defining it raised ..."
                error = outcome.removeprefix("defining it raised ")
                problems.append(f"{where}: the lazy answer ({how}) raised {error}")
            elif outcome is None:
                problems.append(f"{where}: the {kind} accepts a lazy answer: {how}")
        # A check may instead refuse any answer that changes its arguments (metadata
        # "refuses_changed_inputs": why); then it must refuse these.
        refuses = nb.cells[exercise.check].metadata.get("refuses_changed_inputs")
        sound = sound_probes(nb, exercise)
        rejected = [
            (how, kind, error)
            for how, kind, error in kernel_results(
                kernel,
                "_probe_try({probes!r}, {tests!r}, {path!r})",
                list(sound.items()),
                python,
            )
            if error is not None
        ]
        for how, kind, error in [] if refuses else rejected:
            problems.append(
                f"{where}: the {kind} compares with what the answer was given, which "
                f"the answer can change ({how}: {error}); draw it again"
            )
        if refuses and len(rejected) < len(sound) * len(tests):
            problems.append(
                f"{where}: its check says it refuses an answer that changes its "
                "arguments, and a test accepted one"
            )
    finally:
        run_in_kernel(kernel, RESTORE_RANDOM_STATE)
    return problems


# --- Graded as make grade grades: recorded in the kernel, judged here -----------------


RECORD = """\
_probe_log, _probe_originals = _grader.start_recording(globals(), {functions!r})"""
STOP_RECORDING = """\
globals().update(_probe_originals)
with open({path!r}, "w") as _probe_file:
    _probe_file.write(_grader.json.dumps(_probe_log))
del _probe_originals, _probe_log, _probe_file"""


SEEDS = """\
import contextlib as _probe_contextlib, io as _probe_io, json as _probe_json
import os as _probe_os
_probe_failed, _probe_code = [], compile({tests!r}, "hidden test", "exec")
for _probe_seed in {probes!r}:
    _probe_os.environ["GRADE_SEED"] = str(_probe_seed)
    try:
        with _probe_contextlib.redirect_stdout(_probe_io.StringIO()):
            exec(_probe_code, globals())
    except Exception as _probe_error:
        _probe_failed.append([_probe_seed, type(_probe_error).__name__, ""])
    finally:
        _probe_os.environ.pop("GRADE_SEED", None)
with open({path!r}, "w") as _probe_file:
    _probe_json.dump(_probe_failed, _probe_file)"""


def seed_problems(kernel, nb, exercise, name: str) -> list[str]:
    """The hidden test under several grade-time seeds, with the chapter's solution."""
    source = python_source(nb.cells[exercise.hidden].source)
    return [
        f"{name}, exercise {exercise.label!r}: with GRADE_SEED={seed} the hidden test "
        f"fails on the chapter's own solution ({error})"
        for seed, error, _ in kernel_results(kernel, SEEDS, list(GRADE_SEEDS), source)
    ]


# --- Where the plugin acts ------------------------------------------------------------


def exercise_cells(nb) -> dict[int, tuple[str, object]]:
    """id(cell) -> (role, exercise) for the cells where the plugin acts."""
    exercises, _ = find_exercises(nb)
    roles = {}
    for e in exercises:
        if e.solutions and e.check is not None:
            roles[id(nb.cells[e.solutions[0]])] = ("first solution", e)
            roles[id(nb.cells[e.check])] = ("check", e)
            if e.hidden is not None:
                roles[id(nb.cells[e.hidden])] = ("hidden", e)
    return roles


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    notebook = item.parent if item.path.suffix == ".ipynb" else None
    cell = getattr(item, "cell", None)
    if notebook is None or cell is None:
        return (yield)
    if not hasattr(notebook, "exercise_cells"):
        notebook.exercise_cells = exercise_cells(notebook.nb)
    role, exercise = notebook.exercise_cells.get(id(cell), (None, None))
    if role is None:
        return (yield)
    kernel, nb, name = notebook.kernel, notebook.nb, item.path.name
    started = time.perf_counter()
    if role == "first solution":
        problems = probe_problems(kernel, nb, exercise, name)
        # What the probes take is not the reader's time (tests/notebook_budget.py).
        item.probe_seconds = time.perf_counter() - started
        result = yield  # the chapter's own solution cell, as nbval runs it
        if problems:
            raise AssertionError("student version:\n" + "\n".join(problems))
        return result
    index = exercise.check if role == "check" else exercise.hidden
    if not getattr(notebook, "grader_loaded", False):
        run_in_kernel(kernel, answers.kernel_source())
        notebook.grader_loaded = True
    functions = answer_functions(nb, exercise)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "log.json")
        run_in_kernel(kernel, RECORD.format(functions=functions))
        item.probe_seconds = time.perf_counter() - started
        try:
            result = yield  # the chapter's check or hidden test, as nbval runs it
        finally:
            started = time.perf_counter()
            run_in_kernel(kernel, STOP_RECORDING.format(path=path))
        with open(path) as file:
            log = json.load(file)
    why = judge(nb, exercise, index, log)
    problems = []
    if why is not None:
        problems.append(f"{name}, cell {index}: judged from the record: {why}")
    if role == "hidden":
        problems += seed_problems(kernel, nb, exercise, name)
    item.probe_seconds += time.perf_counter() - started
    if problems:
        raise AssertionError("as graded:\n" + "\n".join(problems))
    return result


# --- Without a kernel -----------------------------------------------------------------


def bound_and_read(source: str) -> tuple[set[str], set[str]]:
    """The names a cell binds (anywhere in it) and the names it reads."""
    bound, read = set(), set()
    for node in ast.walk(python_of(source)):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return bound, read


def leak_problems(nb, name: str) -> list[str]:
    """No cell after a stub reads a name that only another exercise's solution binds.

    In the student notebook that name would be missing: the cell would fail even when
    the student has done its own exercise.
    """
    exercises, _ = find_exercises(nb)
    cells_of = [[*e.solutions, e.check, e.hidden] for e in exercises]
    owner = {
        i: e for e, cells in zip(exercises, cells_of) for i in cells if i is not None
    }
    problems, bound_by_page, bound_by_solutions = [], set(), {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        bound, read = bound_and_read(cell.source)
        exercise = owner.get(index)
        label = exercise.label if exercise else None
        missing = {
            n
            for other, names in bound_by_solutions.items()
            if other != label
            for n in names & read - bound - bound_by_page
        }
        if missing:
            problems.append(
                f"{name}, cell {index}: reads {sorted(missing)}, which only a solution "
                "defines; in the student notebook that name is missing"
            )
        if "solution" in tags(cell):
            bound_by_solutions.setdefault(label, set()).update(bound)
        elif exercise is None:
            bound_by_page |= bound
    return problems


def scope_problems(nb, name: str) -> list[str]:
    """A check and a hidden test read only what they define, the set-up cell's imports,
    the answer functions, and (a hidden test) what its check defines.

    So nothing of the page reaches them (a guard the student redefined, a helper that
    returns a reference), and make grade can judge them apart from the page.
    """
    imported = {
        (a.asname or a.name).split(".")[0]
        for node in setup_imports(nb)
        for a in node.names
    }
    problems = []
    for exercise in find_exercises(nb)[0]:
        allowed = imported | set(answer_functions(nb, exercise)) | set(dir(builtins))
        for index in test_cells(exercise):
            bound, read = bound_and_read(nb.cells[index].source)
            outside = read - bound - allowed
            if outside:
                problems.append(
                    f"{name}, exercise {exercise.label!r}, cell {index}: reads "
                    f"{sorted(outside)}, which neither it nor the set-up cell's "
                    "imports define; a check must carry what it needs"
                )
            allowed |= bound  # the hidden test may use what the check defines
    return problems
