"""A check judged from recorded answers, where no student code runs.

`make grade` (tools/grade.py) runs each submission in a sandbox, where the answer
functions are recorded (tools/answers.py). Here the check and the hidden test run again
in the grader's own process, with the answer functions replaced by the record: the
check computes its reference values here, and its verdict is the grade. The tests judge
the chapters' own solutions in the same way (tests/student_probes.py).

A check may read only the imports of its chapter's set-up cell, what it defines itself,
and the answer functions (tests/test_student.py: test_checks_carry_what_they_need), so
it runs here without the rest of the page.
"""

import ast
import contextlib
import io
import os

import answers
from exercises import answer_functions, python_of, setup_imports


def setup_namespace(nb) -> dict:
    """The imports of a chapter's set-up cell: all a check may use besides itself."""
    imports = setup_imports(nb)
    namespace = {"__name__": "__main__"}
    # The book's own code, never a student's.
    exec(compile(ast.Module(imports, []), "<set-up>", "exec"), namespace)  # noqa: S102
    return namespace


@contextlib.contextmanager
def grade_seed(seed: int | None):
    """GRADE_SEED as the hidden tests read it, for the length of the block."""
    saved = os.environ.get("GRADE_SEED")
    if seed is not None:
        os.environ["GRADE_SEED"] = str(seed)
    else:
        os.environ.pop("GRADE_SEED", None)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("GRADE_SEED", None)
        else:
            os.environ["GRADE_SEED"] = saved


def judge(nb, exercise, index: int, log: list, seed: int | None = None) -> str | None:
    """Run test cell `index` of the chapter `nb` with its answer functions replaced by
    `log`; None when it passes, else why it fails (the check's own message)."""
    namespace = setup_namespace(nb)
    functions = answer_functions(nb, exercise)
    # What a check prints is for readers of the page, not for the grader's output.
    with grade_seed(seed), contextlib.redirect_stdout(io.StringIO()):
        if index == exercise.hidden:  # it uses what the check defines: define that
            namespace.update({f: answers.replay(f, []) for f in functions})
            # No answers to give: its definitions come before its verdict, which fails.
            with contextlib.suppress(Exception):
                check = python_of(nb.cells[exercise.check].source)
                exec(compile(check, "<check>", "exec"), namespace)  # noqa: S102
        namespace.update({f: answers.replay(f, log) for f in functions})
        try:
            source = python_of(nb.cells[index].source)
            exec(compile(source, f"<cell {index}>", "exec"), namespace)  # noqa: S102
        except Exception as error:  # noqa: BLE001 (whatever stops a check fails it)
            return f"{type(error).__name__}: {error}".strip().removesuffix(":")
    if log:
        return f"{len(log)} recorded answers were left over"
    return None
