"""Chapter 17's data and trained models: where the chapter finds them, and how they
are made.

The chapter fetches the novel and the checkpoint by URL (tools/capstone.py): in Colab
from the repository on GitHub, in the tests from this checkout. These tests prove that
its GitHub address is the repository named in _config.yml, that a Colab reader's fetch
gets the committed files (answered here from git, without the network), that the
checksums in the chapter are those of the committed files, and that `make train`'s code
is deterministic and writes what the chapter loads. The full training takes minutes, so
only a tiny configuration is run here; strict nbval's run of the chapter re-runs the
first steps of the committed checkpoint's training and compares them.
"""

import json
import os
import re
import subprocess

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

from book import KERNEL_NAME, ROOT
from capstone import (
    ASSETS_VARIABLE,
    CHAPTER,
    TINY,
    local_assets_url,
    published_assets_url,
    run_page_code,
    save,
    sha256,
    train,
)

CELLS = [c for c in nbformat.read(CHAPTER, as_version=4).cells if c.cell_type == "code"]
SOURCE = "\n".join(c.source for c in CELLS)
# ASSETS_URL = os.environ.get("VARIABLE", "default URL")
DEFAULT_URL = re.compile(r'os\.environ\.get\(\s*"(\w+)",\s*"([^"]+)",?\s*\)')
FETCH = re.compile(r'fetch\("([^"]+)", (\w+)\)')
CHECKSUM = re.compile(r'^(\w+_SHA256) = "([0-9a-f]{64})"$', re.MULTILINE)


def chapter_assets() -> list[tuple[str, str]]:
    """(name under assets/, the SHA-256 the chapter asserts) of each file it fetches."""
    checksums = dict(CHECKSUM.findall(SOURCE))
    return [(name, checksums[constant]) for name, constant in FETCH.findall(SOURCE)]


def test_the_chapter_downloads_from_the_configured_repository():
    found = DEFAULT_URL.search(SOURCE)
    assert found, f"{CHAPTER.name} has no ASSETS_URL = os.environ.get(VARIABLE, URL)"
    variable, url = found.groups()
    assert variable == ASSETS_VARIABLE, f"the chapter reads {variable}"
    assert url == published_assets_url(), (
        f"{CHAPTER.name} downloads from {url}, but _config.yml's repository: serves "
        f"assets/ at {published_assets_url()}: change the URL in the chapter"
    )


def test_the_chapter_checks_the_committed_files():
    assets = chapter_assets()
    assert {name for name, _ in assets} == {
        "data/persuasion.txt",
        "models/spaces-lstm.pt",
    }, assets
    for name, digest in assets:
        assert sha256((ROOT / "assets" / name).read_bytes()) == digest, (
            f"assets/{name} is not the file whose checksum the chapter asserts: after "
            "make train, paste the SHA-256 it prints into the chapter and refresh it"
        )


def test_the_data_readme_gives_source_licence_split_and_checksum():
    readme = (ROOT / "assets" / "data" / "README.md").read_text()
    text = (ROOT / "assets" / "data" / "persuasion.txt").read_bytes()
    assert len(text) <= 1024 * 1024, "the book keeps data files under 1 MiB"
    for needed in (
        sha256(text),
        "r-cran-janeaustenr_1.0.0-1_all.deb",
        "public domain",
        "MIT",
        "chapters 1 to 5",
    ):
        assert needed in readme, f"assets/data/README.md does not say {needed!r}"


def test_make_and_pytest_point_the_chapter_at_this_checkout():
    makefile = (ROOT / "Makefile").read_text()
    line = re.search(rf"^export {ASSETS_VARIABLE} \?= (\S+)$", makefile, re.MULTILINE)
    assert line, f"the Makefile does not export {ASSETS_VARIABLE}"
    assert line[1].replace("$(CURDIR)", str(ROOT)) == local_assets_url()
    chapter_reads = os.environ.get(ASSETS_VARIABLE)
    assert chapter_reads, (
        f"{ASSETS_VARIABLE} is not set, so strict nbval's kernel would download "
        "chapter 17's data: load the plugin tests/book_assets.py (pytest_plugins "
        "in tests/conftest.py)"
    )


# raw.githubusercontent.com, answered from a folder laid out as GitHub serves it.
FAKE_GITHUB = """\
import email.message, io, os, urllib.error, urllib.request, urllib.response
os.environ.pop({variable!r}, None)  # as in Colab
requests = []


class GitHub(urllib.request.HTTPSHandler):
    def https_open(self, request):
        url = request.full_url
        requests.append(url)
        path = os.path.join({mirror!r}, url.removeprefix("https://"))
        if not os.path.isfile(path):
            raise urllib.error.HTTPError(url, 404, "Not Found", email.message.Message(),
                                         io.BytesIO())
        with open(path, "rb") as file:
            body = io.BytesIO(file.read())
        answer = urllib.response.addinfourl(body, email.message.Message(), url, 200)
        answer.msg = "OK"  # what HTTPErrorProcessor reads, as from an HTTPResponse
        return answer


urllib.request.install_opener(urllib.request.build_opener(GitHub))
"""

FETCH_IMPORTS = (
    "import hashlib\nimport os\nimport urllib.request\nfrom pathlib import Path"
)
# After the chapter's fetch cell: fetch every asset twice, then a missing file.
FETCH_AS_COLAB = """\
import json
report = {{"url": ASSETS_URL, "sizes": [], "missing": None}}
for name, digest in {assets!r}:
    report["sizes"].append(len(fetch(name, digest)))
    report["sizes"].append(len(fetch(name, digest)))  # the saved copy this time
try:
    fetch("data/no-such-file.txt", "0" * 64)
except RuntimeError as error:
    report["missing"] = str(error)
report["requests"] = requests
print(json.dumps(report))
"""


def run_in_new_kernel(sources: list[str]) -> str:
    """Run sources in a new standalone kernel (an empty folder, as in Colab); stdout."""
    manager, client = start_new_kernel(kernel_name=KERNEL_NAME)
    printed = []

    def keep(message):
        if message["msg_type"] == "stream" and message["content"]["name"] == "stdout":
            printed.append(message["content"]["text"])
        if message["msg_type"] == "error":
            printed.append("\n".join(message["content"]["traceback"]))

    try:
        for source in sources:
            reply = client.execute_interactive(source, output_hook=keep, timeout=120)
            assert reply["content"]["status"] == "ok", "".join(printed)[-3000:]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return "".join(printed)


@pytest.mark.executes
def test_a_colab_reader_gets_the_committed_files(tmp_path):
    """The chapter's own fetch, as in Colab: no BIRNN_BOOK_ASSETS, requests to GitHub.

    GitHub serves what is committed, so the requests are answered with the files of
    git's HEAD at the address GitHub would use; a file that is not committed is a 404.
    """
    prefix = published_assets_url()
    assets = chapter_assets()
    for name, _ in assets:
        committed = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"HEAD:assets/{name}"],
            capture_output=True,
            check=False,
        )
        assert committed.returncode == 0, (
            f"assets/{name} is not committed: GitHub would answer 404 in Colab"
        )
        served = tmp_path / prefix.removeprefix("https://") / name
        served.parent.mkdir(parents=True, exist_ok=True)
        served.write_bytes(committed.stdout)
    fetch_cell = next(c.source for c in CELLS if "def fetch(" in c.source)
    printed = run_in_new_kernel(
        [
            FAKE_GITHUB.format(variable=ASSETS_VARIABLE, mirror=str(tmp_path)),
            FETCH_IMPORTS,  # of the chapter's set-up cell, without torch (time)
            fetch_cell,
            FETCH_AS_COLAB.format(assets=assets),
        ]
    )
    report = json.loads(printed.strip().splitlines()[-1])
    assert report["url"] == prefix
    sizes = [(ROOT / "assets" / name).stat().st_size for name, _ in assets]
    assert report["sizes"] == [size for size in sizes for _ in (1, 2)]
    assert report["requests"] == [prefix + name for name, _ in assets] + [
        prefix + "data/no-such-file.txt"
    ], "each file is downloaded once, then read from the copy the chapter saved"
    assert report["missing"].startswith("could not download data/no-such-file.txt:")


@pytest.mark.executes
def test_training_is_deterministic_and_the_chapter_can_load_it(tmp_path):
    """make train's code, on a tiny configuration: twice the same, loadable.

    The second run uses one worker process instead of two: a run's numbers must not
    depend on how the runs are shared out.
    """
    page = run_page_code()
    runs = [
        train(TINY, page, log=lambda line: None, workers=workers) for workers in (2, 1)
    ]
    torch = page["torch"]
    first, second = (run["runs"] for run in runs)
    kinds, seeds = page["CONFIG"]["kinds"], TINY["seeds"]
    assert first.keys() == second.keys() == {f"{k}/{s}" for k in kinds for s in seeds}
    assert runs[0]["sweep"] == runs[1]["sweep"]
    for name in first:
        assert first[name]["history"] == second[name]["history"], name
        assert first[name]["lr"] == second[name]["lr"], name
        for key, weight in first[name]["weights"].items():
            assert torch.equal(weight, second[name]["weights"][key]), (name, key)
    halves = page["HALVES"]
    assert runs[0]["heads"].keys() == {f"{s}/{half}" for s in seeds for half in halves}
    for name, head in runs[0]["heads"].items():
        for key, weight in head.items():
            assert torch.equal(weight, runs[1]["heads"][name][key]), (name, key)
    path = tmp_path / "tiny.pt"
    assert save(runs[0], path) == save(runs[0], tmp_path / "again.pt")
    loaded = torch.load(path, weights_only=True)
    assert loaded["config"] == {**page["CONFIG"], **TINY}
    assert loaded["chars"] == page["CHARS"] and loaded["trained_on"]["threads"] == 1
    for name, run in loaded["runs"].items():
        model = page["make_model"](name.split("/")[0])
        model.load_state_dict({k: v.float() for k, v in run["weights"].items()})


def test_the_models_readme_gives_what_the_file_holds_and_its_licence():
    """assets/models/README.md: the checkpoint's size on disk, what it holds, under
    which licence the models are, and the data they come from."""
    readme = (ROOT / "assets" / "models" / "README.md").read_text()
    checkpoint = (ROOT / "assets" / "models" / "spaces-lstm.pt").read_bytes()
    size = len(checkpoint)
    assert size <= 2 * 1024 * 1024, "the book keeps model files under 2 MiB"
    for needed in (
        f"{size:,} bytes",
        sha256(checkpoint),
        "MIT",
        "CC BY 4.0",
        "public domain",
        "assets/data/README.md",
        "make train",
    ):
        assert needed in readme, f"assets/models/README.md does not say {needed!r}"
