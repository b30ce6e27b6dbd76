"""Grade a folder of submitted student notebooks into a gradebook CSV (`make grade`).

    python tools/grade.py SUBMISSIONS [--seed N] [--jobs N] [--out FILE]
                          [--cell-timeout SECONDS] [--no-sandbox]

SUBMISSIONS holds one folder per student, named by the student's id, with the student's
notebooks in it (alice/01-one-rnn-step.ipynb, ...). The names students really hand in
are understood: "Copy of 01-one-rnn-step.ipynb" (Colab's "Save a copy"),
"01-one-rnn-step (1).ipynb", an LMS's "alice_1234_5678_01-one-rnn-step.ipynb". A file
that names no chapter is listed in the output, never silently dropped.

How a submission is graded, trusting nothing the student's code could touch:
1. It is rebuilt from the chapter: only the student's solution cells are taken (matched
   by cell id, or by nbgrader's grade_id); checks, hidden tests and every other cell
   come from the chapter, so editing, deleting or adding cells changes nothing.
2. It runs in a sandbox (bubblewrap): no network, a read-only system, nothing of the
   repository or of other students, writes only into a scratch folder in memory that
   goes with it, limits on CPU time, memory, processes and file sizes, a time limit per
   cell. Its hidden tests draw their inputs from the student's grade-time seed.
3. In there, the answer functions are only recorded (tools/answers.py): the kernel's
   own verdict counts for nothing, since code in it can patch what a check compares
   with. The grader then runs every check and hidden test again in its own process,
   with the recorded answers replayed (tools/verdict.py): that verdict is the grade.

What is graded, and for how many points, is course.yml's (tools/course.py): its
assignments name chapters and exercises, and the points of each (a check earns its
share of the test cells' points, 1 of 3 unless the chapter says otherwise, the hidden
test the rest). --assignment NAME grades one assignment; a notebook of a chapter in no
assignment graded is listed, not run. The gradebook (default SUBMISSIONS/gradebook.csv)
has one row per student: the seed of their hidden tests, the points of each listed
exercise, each assignment's total and maximum, then the overall total and maximum.
Beside it, feedback/STUDENT/CHAPTER.md tells each student their points and, for each
failed test, its message (the hint), never a line of the hidden test's code; and
gradebook.log lists the failures for the instructor. Submissions are graded in
parallel, one per core; each worker returns its grades and the grader alone writes.
"""

import argparse
import copy
import csv
import hashlib
import multiprocessing
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

import answers
import course as course_file
from book import NOTEBOOK_DIR, ROOT
from exercises import answer_functions, find_exercises, grading_cells, tags, test_cells
from timings import title as chapter_title
from verdict import judge

CELL_TIMEOUT_S = 60
SUBMISSION_TIMEOUT_S = 900  # the whole notebook, sandbox start included
MAX_OUTPUT_BYTES = 64 * 1024**2  # the executed notebook the sandbox sends back
RUNNER = Path(__file__).with_name("grade_runner.py")
# What one submission may use (setrlimit). Processes count threads too: a kernel and
# PyTorch's threads need a few dozen.
LIMITS = {
    "cpu_seconds": 600,
    "memory_bytes": 6 * 1024**3,  # address space; importing torch maps about 2 GiB
    "processes": 256,
    "file_bytes": 64 * 1024**2,
    "open_files": 1024,
}
SCRATCH_BYTES = 256 * 1024**2  # the scratch folder and /tmp, each, in memory
# Run as root (CI is), the sandbox drops to an unprivileged user of its own, one per
# worker, so that the process limit binds (it does not bind root). GRADE_FIRST_UID moves
# the range, so that gradings running at once on one machine do not share limits.
FIRST_UID = 61000


def first_uid() -> int:
    return int(os.environ.get("GRADE_FIRST_UID", FIRST_UID))


NO_SANDBOX_FLAG = "--no-sandbox"


# --- Which chapter a handed-in file is ------------------------------------------------


def chapter_of(filename: str, stems: list[str]) -> str | None:
    """The chapter a file name names, however an editor or an LMS decorated it."""
    name = filename.lower().removesuffix(".ipynb")
    found = [stem for stem in stems if stem in name]
    return max(found, key=len) if found else None


@dataclass
class Submission:
    student: str
    chapter: str
    path: Path


def find_submissions(folder: Path, stems: list[str]):
    """(submissions, what to tell the instructor about the other files)."""
    messages, chosen = [], {}
    for path in sorted(folder.rglob("*.ipynb")):
        relative = path.relative_to(folder)
        if ".ipynb_checkpoints" in relative.parts:
            continue
        if len(relative.parts) < 2:
            messages.append(
                f"not graded: {relative} is not in a student's folder "
                "(SUBMISSIONS/<student>/<notebook>)"
            )
            continue
        student, chapter = relative.parts[0], chapter_of(path.name, stems)
        if chapter is None:
            messages.append(f"not graded: {relative} names no chapter of the book")
            continue
        earlier = chosen.get((student, chapter))
        if earlier is not None:
            newer, older = sorted(
                (earlier.path, path), key=lambda p: p.stat().st_mtime, reverse=True
            )
            messages.append(
                f"not graded: {older.relative_to(folder)}, since "
                f"{newer.relative_to(folder)} is a newer copy of {chapter}"
            )
            if newer == earlier.path:
                continue
        chosen[(student, chapter)] = Submission(student, chapter, path)
    return sorted(chosen.values(), key=lambda s: (s.chapter, s.student)), messages


def student_seed(seed: int, student: str) -> int:
    """The seed of one student's hidden tests: the instructor's seed and their id."""
    digest = hashlib.sha256(f"{seed}:{student}".encode()).hexdigest()
    return int(digest[:8], 16) % 2**31


# --- The notebook that runs in the sandbox --------------------------------------------


def solution_sources(submission) -> dict[str, str]:
    """Cell id or nbgrader grade_id -> source, for the student's solution cells."""
    sources = {}
    for cell in submission.cells:
        if cell.cell_type != "code":
            continue
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("grade_id"):
            sources.setdefault(grading["grade_id"], cell.source)
        if cell.get("id"):
            sources.setdefault(cell.id, cell.source)
    return sources


RECORD = """\
_grader_log, _grader_originals = _grader.start_recording(globals(), {functions!r})"""
REPORT = """\
globals().update(_grader_originals)
__import__("IPython").display.display(
    {{_grader.MIME: {{"test": {test!r}, "log": _grader_log}}}}, raw=True
)"""


def graded_notebook(chapter, submission):
    """The chapter with the student's solutions, and grading cells around its tests.

    Returns (notebook, {test grade_id: (exercise, chapter cell index)}).
    """
    nb = copy.deepcopy(chapter)
    grading = grading_cells(chapter)
    sources = solution_sources(submission)
    tests, cells = {}, [nbformat.v4.new_code_cell(answers.kernel_source())]
    exercises = {i: e for e in find_exercises(chapter)[0] for i in test_cells(e)}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if "solution" in tags(cell):
            grade_id = grading.get(index, {}).get("grade_id")
            cell.source = sources.get(cell.get("id"), sources.get(grade_id, ""))
        if index in exercises:
            exercise, test = exercises[index], grading[index]["grade_id"]
            tests[test] = (exercise, index)
            functions = answer_functions(chapter, exercise)
            cells.append(nbformat.v4.new_code_cell(RECORD.format(functions=functions)))
            cells.append(cell)
            cells.append(nbformat.v4.new_code_cell(REPORT.format(test=test)))
        else:
            cells.append(cell)
    nb.cells = cells
    for number, cell in enumerate(nb.cells):
        cell.id = f"graded-{number}"  # the grader matched the student's cells above
    return nb, tests


def recorded_logs(executed) -> dict[str, list]:
    """test grade_id -> the answers recorded while it ran."""
    logs = {}
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            report = output.get("data", {}).get(answers.MIME)
            if isinstance(report, dict) and isinstance(report.get("log"), list):
                logs[str(report.get("test"))] = report["log"]
    return logs


# --- The sandbox --------------------------------------------------------------------


def sandbox_problem() -> str | None:
    """Why submissions cannot be sandboxed on this machine, or None."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "setpriv (util-linux) is missing"
    trial = subprocess.run(
        [*sandbox_prefix(Path("/nonexistent-scratch"), 0, bind_scratch=False), "true"],
        capture_output=True,
        text=True,
        check=False,
    )
    if trial.returncode != 0:
        return f"bubblewrap cannot start a sandbox here: {trial.stderr.strip()[:300]}"
    return None


def sandbox_prefix(
    folder: Path, slot: int, bind_scratch: bool = True, seed: int = 0
) -> list[str]:
    """The bwrap command line (up to the program to run) for one submission."""
    python_home = Path(sys.base_prefix).resolve()
    venv = Path(sys.prefix)
    binds = ["/usr", "/bin", "/lib", "/lib64", "/lib32", "/etc", python_home, venv]
    command = ["bwrap", "--die-with-parent", "--new-session", "--unshare-net"]
    command += ["--unshare-ipc", "--unshare-pid", "--unshare-uts"]
    command += ["--unshare-cgroup-try"]
    if os.geteuid() != 0:
        command.append("--unshare-user")
    # The writable places first, in memory: a bind below one of them (a checkout in
    # /tmp, say) is then laid on top of it, not hidden by it.
    for place in ("/scratch", "/tmp"):
        command += ["--perms", "1777", "--size", str(SCRATCH_BYTES), "--tmpfs", place]
    for path in binds:
        if Path(path).exists():
            command += ["--ro-bind", str(path), str(path)]
    # Folders bwrap creates to hold those binds are readable by the sandbox's user.
    for path in {p for b in (python_home, venv) for p in Path(b).parents}:
        if str(path) not in ("/", "/usr", "/lib", "/tmp", "/scratch"):
            command += ["--chmod", "0755", str(path)]
    if bind_scratch:
        command += ["--ro-bind", str(folder), "/grader"]
        command += ["--ro-bind", str(ROOT / "assets"), "/assets"]
    command += ["--dev", "/dev", "--proc", "/proc", "--chdir", "/scratch"]
    command += ["--clearenv"]
    environment = {
        "PATH": f"{venv}/bin:/usr/bin:/bin",
        "HOME": "/scratch",
        "MPLCONFIGDIR": "/tmp",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",  # one core per worker; the verdict runs on one too
        "BIRNN_BOOK_ASSETS": "file:///assets/",
        "GRADE_SEED": str(seed),
    }
    for key, value in environment.items():
        command += ["--setenv", key, value]
    if os.geteuid() == 0:
        uid = str(first_uid() + slot)
        command += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
        command += ["--inh-caps=-all", "--no-new-privs"]
    return command


def set_limits() -> None:
    import resource

    for kind, value in (
        (resource.RLIMIT_CPU, LIMITS["cpu_seconds"]),
        (resource.RLIMIT_AS, LIMITS["memory_bytes"]),
        (resource.RLIMIT_NPROC, LIMITS["processes"]),
        (resource.RLIMIT_FSIZE, LIMITS["file_bytes"]),
        (resource.RLIMIT_NOFILE, LIMITS["open_files"]),
    ):
        resource.setrlimit(kind, (value, value))


def run_submission(nb, seed: int, slot: int, cell_timeout: int, sandbox: bool):
    """Execute nb (in the sandbox, unless sandbox is False); the executed notebook, or
    None and why not."""
    with tempfile.TemporaryDirectory(prefix="grading-") as folder:
        Path(folder, "notebook.ipynb").write_text(nbformat.writes(nb))
        shutil.copy(RUNNER, Path(folder, "runner.py"))
        os.chmod(folder, 0o755)
        read_end, write_end = os.pipe()
        if sandbox:
            command = [
                *sandbox_prefix(Path(folder), slot, seed=seed),
                f"{sys.prefix}/bin/python",
                "/grader/runner.py",
                "/grader/notebook.ipynb",
            ]
            environment = None
        else:
            command = [sys.executable, str(RUNNER), f"{folder}/notebook.ipynb"]
            environment = {**os.environ, "GRADE_SEED": str(seed)}
        command += [str(cell_timeout), str(write_end)]
        with tempfile.TemporaryDirectory() as scratch:
            process = subprocess.Popen(
                command,
                pass_fds=(write_end,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=environment,
                cwd=scratch,
                preexec_fn=set_limits,  # noqa: PLW1509 (limits must be set before exec)
                start_new_session=True,
            )
            os.close(write_end)
            received = read_limited(read_end, process)
            try:
                _, errors = process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                kill(process)
                _, errors = process.communicate()
    if received is None:
        return None, "over the time limit of the whole notebook, or too much output"
    try:
        return nbformat.reads(received.decode(), as_version=4), None
    except (ValueError, UnicodeDecodeError, nbformat.ValidationError):
        why = errors.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        return None, f"the notebook did not run to its end ({why[0][:300]})"


def read_limited(fd: int, process) -> bytes | None:
    """What the runner writes to the pipe, within the size and time limits."""
    import selectors

    deadline = time.monotonic() + SUBMISSION_TIMEOUT_S
    chunks, size = [], 0
    with os.fdopen(fd, "rb", buffering=0) as pipe, selectors.DefaultSelector() as sel:
        sel.register(pipe, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(timeout=left):
                kill(process)
                return None
            chunk = pipe.read(1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_OUTPUT_BYTES:
                kill(process)
                return None


def kill(process) -> None:
    try:
        os.killpg(process.pid, 9)
    except ProcessLookupError:
        pass


# --- Grading ------------------------------------------------------------------------


@dataclass
class Result:
    submission: Submission
    seed: int
    points: dict[str, float] = field(default_factory=dict)  # exercise label -> points
    messages: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # test grade_id -> why
    # exercise label -> the points of its test cells, and its title
    maximum: dict[str, float] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    # the grade_ids of the tests that ran (or should have)
    tests: list[str] = field(default_factory=list)


_slot = None


def _take_slot(counter) -> None:
    global _slot
    with counter.get_lock():
        _slot = counter.value
        counter.value += 1


def grade_submission(submission, seed, cell_timeout, sandbox) -> Result:
    """Run one submission and judge its recorded answers; runs in a worker process."""
    import torch

    torch.set_num_threads(1)  # as the sandbox does: the same numbers in both
    chapter = nbformat.read(NOTEBOOK_DIR / f"{submission.chapter}.ipynb", as_version=4)
    result = Result(submission, seed)
    try:
        handed_in = nbformat.read(submission.path, as_version=4)
    except Exception as error:  # noqa: BLE001 (any unreadable file is reported)
        result.messages.append(f"{submission.path}: not a notebook ({error})")
        handed_in = nbformat.v4.new_notebook()
    nb, tests = graded_notebook(chapter, handed_in)
    for attempt in (1, 2):
        executed, why = run_submission(nb, seed, _slot or 0, cell_timeout, sandbox)
        logs = recorded_logs(executed) if executed is not None else {}
        if logs or not tests:
            break
        # Not one test ran: the kernel did not start, or died at once. Once more.
        why = why or "the notebook's kernel did not start or died before any test"
        if attempt == 2:
            result.messages.append(f"{submission.path}: {why}")
    grading = grading_cells(chapter)
    for test, (exercise, index) in tests.items():
        result.points.setdefault(exercise.label, 0)
        result.maximum[exercise.label] = (
            result.maximum.get(exercise.label, 0) + grading[index]["points"]
        )
        result.titles[exercise.label] = exercise.title
        result.tests.append(test)
        log = logs.get(test)
        verdict = "not run"
        if log is not None:
            verdict = judge(chapter, exercise, index, log, seed)
        if verdict is None:
            result.points[exercise.label] += grading[index]["points"]
        else:
            result.failed[test] = verdict
    return result


def selected_assignments(course: dict, name: str | None) -> list[dict]:
    assignments = course.get("assignments", [])
    if name is None:
        return assignments
    chosen = [a for a in assignments if a["name"] == name]
    if not chosen:
        names = ", ".join(a["name"] for a in assignments)
        raise SystemExit(f"course.yml has no assignment {name!r} (it has: {names})")
    return chosen


def grade(
    submissions: Path,
    out: Path,
    cell_timeout: int = CELL_TIMEOUT_S,
    seed: int | None = None,
    jobs: int | None = None,
    sandbox: bool = True,
    course: dict | None = None,
    assignment: str | None = None,
) -> list[str]:
    """Grade every notebook in submissions/<student>/ that an assignment of course
    (course.yml unless given) holds; what to tell the user."""
    if sandbox and (problem := sandbox_problem()):
        raise SystemExit(
            f"make grade runs each submission in a sandbox, and {problem}. Only where "
            "you trust every submission, grade without one: make grade SANDBOX=no "
            f"(tools/grade.py {NO_SANDBOX_FLAG})."
        )
    assignments = selected_assignments(course or course_file.load(), assignment)
    graded_chapters = {stem for a in assignments for stem in a["chapters"]}
    stems = [p.stem for p in sorted(NOTEBOOK_DIR.glob("*.ipynb"))]
    found, messages = find_submissions(submissions, stems)
    for submission in [s for s in found if s.chapter not in graded_chapters]:
        messages.append(
            f"not graded: {submission.path.relative_to(submissions)}: "
            f"{submission.chapter} is in no assignment graded (course.yml)"
        )
    found = [s for s in found if s.chapter in graded_chapters]
    if not found:
        raise SystemExit(
            f"no submissions found: expected {submissions}/<student>/NN-name.ipynb, "
            f"of the chapters {sorted(graded_chapters)}"
        )
    if seed is None:
        seed = secrets.randbelow(2**31)
        messages.append(f"seed {seed} (none given): make grade ... SEED={seed} again")
    jobs = jobs or os.cpu_count() or 1
    counter = multiprocessing.Value("i", 0)
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_take_slot, initargs=(counter,)
    ) as pool:
        futures = [
            pool.submit(
                grade_submission,
                s,
                student_seed(seed, s.student),
                cell_timeout,
                sandbox,
            )
            for s in found
        ]
        results = [f.result() for f in futures]
    for result in results:
        messages += result.messages
    write_gradebook(out, assignments, results)
    # For the instructor: which test each student failed, and the check's message.
    log = out.with_suffix(".log")
    log.write_text(
        "".join(
            f"{r.submission.student} {r.submission.chapter} {test}: "
            f"{said_plainly(why, 'the')}\n"
            for r in sorted(
                results, key=lambda r: (r.submission.student, r.submission.chapter)
            )
            for test, why in r.failed.items()
        )
    )
    feedback = write_feedback(out.parent / "feedback", assignments, results)
    students = {s.student for s in found}
    chapters = {s.chapter for s in found}
    messages.append(
        f"wrote {out}: {len(students)} student(s), {len(chapters)} chapter(s), "
        f"{len(found)} notebook(s); each failed test and why in {log.name}; "
        f"{feedback} feedback file(s) in {out.parent / 'feedback'}"
    )
    return messages


def scaled(result: Result, label: str, points: float) -> float:
    """The points course.yml gives an exercise, in the share its tests earned."""
    if not result.maximum.get(label):
        return 0.0
    return round(points * result.points.get(label, 0) / result.maximum[label], 2)


def write_gradebook(out: Path, assignments: list[dict], results) -> None:
    """One row per student: each listed exercise, each assignment's total and maximum,
    the overall total and maximum. An exercise of no chapter handed in is left empty
    and counts 0."""
    by_student: dict[str, dict[str, Result]] = {}
    seeds = {}
    for result in results:
        by_student.setdefault(result.submission.student, {})[
            result.submission.chapter
        ] = result
        seeds[result.submission.student] = result.seed
    header = ["student", "seed"]
    for assignment in assignments:
        header += list(assignment["exercises"])
        header += [f"{assignment['name']} total", f"{assignment['name']} maximum"]
    header += ["total", "maximum"]
    with out.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for student in sorted(by_student):
            handed_in = by_student[student]
            row, total, maximum = [student, seeds[student]], 0.0, 0.0
            for assignment in assignments:
                earned = 0.0
                for label, points in assignment["exercises"].items():
                    result = next(
                        (r for r in handed_in.values() if label in r.maximum), None
                    )
                    if result is None:
                        row.append("")
                        continue
                    value = scaled(result, label, points)
                    row.append(f"{value:g}")
                    earned += value
                most = sum(assignment["exercises"].values())
                row += [f"{round(earned, 2):g}", f"{most:g}"]
                total, maximum = total + earned, maximum + most
            row += [f"{round(total, 2):g}", f"{maximum:g}"]
            writer.writerow(row)


# A traceback's lines quote the code that raised: a hidden test's, perhaps.
TRACEBACK_LINE = re.compile(r'^\s*(Traceback \(most recent call last\)|File "|\^+$|~+)')


# What the replay says when the student's code gave fewer answers than the check asks
# for (tools/answers.py), said for a student.
NO_ANSWER = re.compile(
    re.escape(f"{answers.Unreplayable.__name__}: {answers.CALLED_MORE_OFTEN}").replace(
        re.escape("{name}"), r"(\w+)"
    )
)


def said_plainly(why: str, whose: str = "your") -> str:
    """The replay's word for an answer never given, said to a student ("your
    notebook") or to the teacher ("the notebook")."""
    return NO_ANSWER.sub(
        lambda m: (
            f"{m[1]} gave no answer when {whose} notebook ran: its solution cell still "
            "raises NotImplementedError, or stops with an error before it defines "
            f"{m[1]}."
        ),
        why,
    )


BARE_FAILURE = re.compile(r"\w+(Error|Exception)")


def feedback_message(why: str, secret: set[str], hidden: bool = False) -> str:
    """A failed test's message for a student: the hint, without a traceback and
    without any line of the chapter's test code. A hidden test's bare assertion, which
    gives no hint by design, says what it means."""
    why = said_plainly(why)
    kept = [
        line
        for line in why.splitlines()
        if line.strip()
        and not TRACEBACK_LINE.match(line)
        and line.strip() not in secret
    ]
    text = " ".join(line.strip() for line in kept) or "the test failed"
    if hidden and BARE_FAILURE.fullmatch(text):
        text += (
            ": a hidden test, on inputs of its own, found a wrong answer (it gives "
            "no hint): try your function on other sizes, layouts and seeds."
        )
    return text if len(text) <= 600 else text[:600] + "…"


def test_lines(chapter) -> set[str]:
    """Every line of the chapter's test cells (checks and hidden tests), stripped."""
    lines = set()
    for exercise in find_exercises(chapter)[0]:
        for index in test_cells(exercise):
            lines |= {x.strip() for x in chapter.cells[index].source.splitlines()}
    return lines - {""}


def write_feedback(folder: Path, assignments: list[dict], results) -> int:
    """feedback/STUDENT/CHAPTER.md for each graded notebook; how many were written."""
    points = {
        label: (a["name"], p)
        for a in assignments
        for label, p in a["exercises"].items()
    }
    read = {}  # chapter -> (its test lines, its title): each chapter read once

    def chapter_facts(name):
        if name not in read:
            path = NOTEBOOK_DIR / f"{name}.ipynb"
            chapter = nbformat.read(path, as_version=4)
            read[name] = test_lines(chapter), chapter_title(chapter, path)
        return read[name]

    written = 0
    for result in results:
        name = result.submission.chapter
        secret, title = chapter_facts(name)
        lines = [
            f"# Feedback: chapter {int(name[:2])}, {title}",
            "",
            (
                f"Student: {result.submission.student}. Graded notebook: "
                f"{result.submission.path.name}. Seed of the hidden tests: "
                f"{result.seed}."
            ),
            "",
            "| exercise | assignment | points |",
            "|---|---|---:|",
        ]
        for label in result.maximum:
            if label in points:
                assignment, worth = points[label]
                value = scaled(result, label, worth)
                lines.append(f"| {label} | {assignment} | {value:g} of {worth:g} |")
            else:
                lines.append(f"| {label} | not graded | |")
        lines.append("")
        for label in result.maximum:
            lines += [f"## {label}: {result.titles.get(label, '')}", ""]
            for kind, name_of_test in (
                ("check", "the check"),
                ("hidden-check", "the hidden tests"),
            ):
                test = f"{label}-{kind}"
                if test not in result.tests:
                    continue
                why = result.failed.get(test)
                if why is None:
                    lines.append(f"- {name_of_test}: passed.")
                else:
                    lines.append(
                        f"- {name_of_test}: failed. "
                        f"{feedback_message(why, secret, kind == 'hidden-check')}"
                    )
            lines.append("")
        for message in result.messages:
            lines += [f"Note: {feedback_message(message, secret)}", ""]
        target = folder / result.submission.student / f"{name}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines))
        written += 1
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "submissions", type=Path, help="folder of <student>/<chapter>.ipynb"
    )
    parser.add_argument(
        "--out", type=Path, help="gradebook CSV (default: SUBMISSIONS/gradebook.csv)"
    )
    parser.add_argument(
        "--cell-timeout", type=int, default=CELL_TIMEOUT_S, help="seconds per cell"
    )
    parser.add_argument(
        "--seed", type=int, help="the hidden tests' seed (default: a new one, printed)"
    )
    parser.add_argument(
        "--jobs", type=int, help="submissions graded at once (default: one per core)"
    )
    parser.add_argument(
        "--assignment", help="grade this assignment of course.yml (default: all)"
    )
    parser.add_argument(
        "--course", type=Path, default=course_file.COURSE, help="the course file"
    )
    parser.add_argument(
        NO_SANDBOX_FLAG,
        dest="sandbox",
        action="store_false",
        help="run submissions without a sandbox: only for code you trust",
    )
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder")
    for message in grade(
        args.submissions,
        args.out or args.submissions / "gradebook.csv",
        args.cell_timeout,
        args.seed,
        args.jobs,
        args.sandbox,
        course_file.load(args.course),
        args.assignment,
    ):
        print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
