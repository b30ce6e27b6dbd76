"""A Sphinx extension for the site without solutions (tools/without_solutions.py).

That site is for students, so every button of a chapter's page gives the student
notebook (student/NN-name.ipynb), never the chapter with its solutions:

- the launch buttons (Open in Colab) open course_notebooks_url + NN-name.ipynb, the
  student notebook in the repository course.yml names (the book's by default);
- the download button (.ipynb) gives the student notebook: after the build, each
  `_sources/notebooks/NN-name.ipynb` is replaced by course_student_folder/NN-name.ipynb.

tools/without_solutions.py adds it to the copy's _config.yml with both values; the
public site never loads it.
"""

import shutil
from pathlib import Path

from sphinx.application import Sphinx

CHAPTER_PREFIX = "notebooks/"


def student_name(pagename: str) -> str | None:
    if not pagename.startswith(CHAPTER_PREFIX):
        return None
    return pagename.removeprefix(CHAPTER_PREFIX) + ".ipynb"


def point_launch_buttons(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Runs after the theme's add_launch_buttons (priority 501)."""
    name = student_name(pagename)
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        if name is None:
            group["buttons"] = []
            continue
        for button in group.get("buttons", []):
            if "url" in button:
                button["url"] = app.config.course_notebooks_url + name


def student_notebooks_as_sources(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.config.course_student_folder)
    for source in sorted(Path(app.outdir, "_sources", "notebooks").glob("*.ipynb")):
        student = folder / source.name
        if not student.exists():
            raise RuntimeError(f"no student notebook {student} for {source.name}")
        shutil.copyfile(student, source)


def setup(app: Sphinx) -> dict:
    app.add_config_value("course_notebooks_url", "", "html")
    app.add_config_value("course_student_folder", "", "html")
    app.connect("html-page-context", point_launch_buttons, priority=502)
    app.connect("build-finished", student_notebooks_as_sources)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
