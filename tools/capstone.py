"""Chapter 17's data and trained models: where they come from and how they are made.

    python tools/capstone.py train [--tiny] [--out FILE]   (make train)
    python tools/capstone.py text DEB                      (re-extract the novel)

The chapter reads two files of assets/: the novel (assets/data/persuasion.txt, see
assets/data/README.md) and the trained models (assets/models/spaces-lstm.pt). A notebook
must run alone, in Colab as in the tests, so it fetches them by URL: from
ASSETS_VARIABLE when that is set, else from the repository on GitHub, whose address it
writes out in full (published_assets_url(); tests/test_capstone.py asserts they agree).
The Makefile and the test plugin tests/book_assets.py set ASSETS_VARIABLE to a file://
URL of this checkout's assets/ (local_assets_url()), so nothing is downloaded.

`train` trains the models with the chapter's own code: the code cells tagged
TRAIN_CODE_TAG, run in order in this process, in an empty temporary folder, as the
notebook runs them. It then trains every kind of model for every seed of the chapter's
CONFIG and writes the checkpoint the chapter loads. The chapter asserts the checkpoint's
sha256 and re-runs its first training steps: after retraining, paste the printed sha256
into the chapter and run make refresh. --tiny trains one epoch on a few windows
(tests/test_capstone.py uses it to prove the training is deterministic).
"""

import argparse
import contextlib
import hashlib
import io
import os
import platform
import resource
import struct
import sys
import tarfile
import tempfile
import time
import zlib
from pathlib import Path

import nbformat

from book import ROOT, repository

ASSETS_DIR = ROOT / "assets"
ASSETS_VARIABLE = "BIRNN_BOOK_ASSETS"
CHAPTER = ROOT / "notebooks" / "17-putting-the-spaces-back.ipynb"
CHECKPOINT = ASSETS_DIR / "models" / "spaces-lstm.pt"
TRAIN_CODE_TAG = "train-code"
# A configuration small enough for a test: every step of the pipeline, in seconds.
TINY = {
    "max_epochs": 1,
    "seeds": [0, 1],
    "lrs": [0.01],
    "train_windows": 48,
    "valid_windows": 16,
}


def published_assets_url() -> str:
    """Where GitHub serves the committed assets/ of the repository in _config.yml."""
    owner_and_name, branch = repository()
    return f"https://raw.githubusercontent.com/{owner_and_name}/{branch}/assets/"


def local_assets_url() -> str:
    """This checkout's assets/, as the URL the chapter reads in the tests."""
    return ASSETS_DIR.as_uri() + "/"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- Training with the chapter's code -------------------------------------------------


def page_code(chapter: Path = CHAPTER) -> str:
    """The chapter's cells tagged TRAIN_CODE_TAG, in order, without IPython magics."""
    nb = nbformat.read(chapter, as_version=4)
    cells = [
        c.source
        for c in nb.cells
        if c.cell_type == "code" and TRAIN_CODE_TAG in c.metadata.get("tags", [])
    ]
    if not cells:
        raise RuntimeError(f"{chapter.name} has no code cells tagged {TRAIN_CODE_TAG}")
    lines = "\n\n".join(cells).splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("%"))


def run_page_code(assets_url: str | None = None) -> dict:
    """Run the chapter's training code in an empty folder; return its names."""
    names: dict = {"__name__": "chapter"}
    previous = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        os.environ.setdefault(ASSETS_VARIABLE, assets_url or local_assets_url())
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # the page's prints
                # The chapter's own code, from the repository: what make train is for.
                exec(compile(page_code(), str(CHAPTER), "exec"), names)  # noqa: S102
        finally:
            os.chdir(previous)
    return names


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _half_weights(model) -> dict:
    return {key: value.half() for key, value in model.state_dict().items()}


_PAGE: dict = {}  # the chapter's names, for the worker processes (forked, not pickled)


def _train_one(job: tuple) -> tuple:
    """One run of the chapter's train_model, in a worker: weights, history, seconds."""
    kind, seed, lr, config, sizes = job
    torch = _PAGE["torch"]
    torch.set_num_threads(1)  # one thread a run, as the chapter runs it
    began = time.perf_counter()
    model, history = _PAGE["train_model"](
        kind,
        seed,
        lr,
        config,
        _PAGE["train_pairs"][: sizes[0]],
        _PAGE["valid_pairs"][: sizes[1]],
    )
    return _half_weights(model), history, time.perf_counter() - began


def train(
    overrides: dict | None = None, page: dict | None = None, log=print, workers: int = 2
) -> dict:
    """Train every kind of the chapter's CONFIG (with overrides); return the checkpoint.

    For each kind: the learning rates of CONFIG["lrs"] on the first seed (the sweep),
    each stopped early on the validation chapters; the rate whose best validation loss
    is lowest (the chapter's choose_lr), for the number of epochs at which that run
    was best, then trains the other seeds. The first seed's run at that rate is kept.
    Then, for each bidirectional model, new linear heads on its frozen forward half,
    reverse half and both (the chapter's retrain_head).
    Runs go to `workers` processes, one thread each: a run's numbers do not depend on
    which process ran it, or on how many there are.

    page: what run_page_code() returned, to run the chapter's code only once.
    """
    import multiprocessing

    page = page or run_page_code()
    torch = page["torch"]
    config = {**page["CONFIG"], **(overrides or {})}
    sizes = (config.get("train_windows"), config.get("valid_windows"))
    _PAGE.clear()
    _PAGE.update(page)
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    first, *others = config["seeds"]

    def logged(kind, seed, lr, result):
        weights, history, seconds = result
        best, epochs = history["best_epoch"], len(history["valid_f1"])
        loss, f1 = history["valid_loss"][best - 1], history["valid_f1"][best - 1]
        log(
            f"{kind:>14s}, seed {seed}, lr {lr}: validation loss {loss:.4f}, "
            f"F1 {f1:.2f} at epoch {best} of {epochs} ({seconds:.0f} s)"
        )
        return {"lr": lr, "history": history, "weights": weights}

    context = multiprocessing.get_context("fork")
    sweep, done, pending = {}, {}, {}
    with context.Pool(workers) as pool:
        for kind in config["kinds"]:
            for lr in config["lrs"]:
                job = (kind, first, lr, config, sizes)
                pending[kind, first, lr] = pool.apply_async(_train_one, (job,))
        # A kind's other seeds join the queue as soon as its sweep is done: the chosen
        # rate, for the number of epochs at which the first seed's run was best.
        for kind in config["kinds"]:
            for lr in config["lrs"]:
                result = pending.pop((kind, first, lr)).get()
                sweep.setdefault(kind, {})[lr] = logged(kind, first, lr, result)
            histories = {lr: run["history"] for lr, run in sweep[kind].items()}
            lr = page["choose_lr"](histories)
            done[kind, first] = sweep[kind][lr]
            fixed = {
                **config,
                "max_epochs": histories[lr]["best_epoch"],
                "patience": None,
            }
            for seed in others:
                job = (kind, seed, lr, fixed, sizes)
                pending[kind, seed, lr] = pool.apply_async(_train_one, (job,))
        for (kind, seed, lr), result in pending.items():
            done[kind, seed] = logged(kind, seed, lr, result.get())
    runs = {f"{k}/{s}": done[k, s] for k in config["kinds"] for s in config["seeds"]}
    torch.set_num_threads(1)
    heads = {}
    train_set = page["train_pairs"][: sizes[0]]
    for seed in config["seeds"]:
        model = page["make_model"]("bidirectional")
        weights = runs[f"bidirectional/{seed}"]["weights"]
        model.load_state_dict({k: v.float() for k, v in weights.items()})
        for half in page["HALVES"]:
            head = page["retrain_head"](model, half, train_set)
            heads[f"{seed}/{half}"] = _half_weights(head)
        log(f"bidirectional, seed {seed}: new heads on {', '.join(page['HALVES'])}")
    return {
        "config": config,
        "chars": page["CHARS"],
        # the sweep's losing runs keep only their validation scores
        "sweep": {
            kind: {
                lr: {k: v for k, v in r["history"].items() if k != "loss"}
                for lr, r in by_lr.items()
            }
            for kind, by_lr in sweep.items()
        },
        "runs": runs,
        "heads": heads,
        "trained_on": {
            # Wall-clock time depends on what else the machine runs; CPU time less so.
            "seconds": round(time.perf_counter() - start),
            "cpu_seconds": round(_cpu_seconds() - cpu_start),
            "workers": workers,
            "threads": 1,
            "torch": torch.__version__.split("+")[0],
            "machine": platform.machine(),
        },
    }


def save(checkpoint: dict, path: Path) -> str:
    import torch  # only here: the other commands and the tests of URLs need no torch

    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return sha256(buffer.getvalue())


# --- Extracting the novel from Debian's r-cran-janeaustenr ----------------------------

DEB_SHA256 = "df6bddf211906d1ff404f8ff662c21b34e6660e7f54a311084e749050c019c95"
RDATA = "./usr/lib/R/site-library/janeaustenr/data/Rdata.rdb"
# (offset, length) of the object `persuasion` in Rdata.rdb, from Rdata.rdx.
PERSUASION = (0x0D6814, 0x02D32A)


def deb_member(deb: bytes, name: str) -> bytes:
    """A file of a .deb: an ar archive whose data.tar.* holds the installed tree."""
    assert deb.startswith(b"!<arch>\n"), "not a .deb (ar archive)"
    position = 8
    while position < len(deb):
        header = deb[position : position + 60]
        size = int(header[48:58])
        if header[:16].strip().startswith(b"data.tar"):
            body = deb[position + 60 : position + 60 + size]
            with tarfile.open(fileobj=io.BytesIO(body)) as tar:
                return tar.extractfile(name).read()
        position += 60 + size + size % 2
    raise ValueError("the .deb has no data.tar member")


def r_strings(serialized: bytes) -> list[str]:
    """A character vector in R's XDR serialization format (version 3)."""
    assert serialized[:2] == b"X\n", "not an XDR serialization"
    position = 2 + 12  # format, version, writer's and minimal reader's R versions
    (encoding_length,) = struct.unpack(">i", serialized[position : position + 4])
    position += 4 + encoding_length
    flags, count = struct.unpack(">ii", serialized[position : position + 8])
    assert flags & 0xFF == 16, "not a character vector (STRSXP)"
    position += 8
    strings = []
    for _ in range(count):
        flags, length = struct.unpack(">ii", serialized[position : position + 8])
        position += 8
        strings.append(serialized[position : position + length].decode("utf-8"))
        position += length
    return strings


def extract_text(deb_path: Path) -> str:
    deb = deb_path.read_bytes()
    if sha256(deb) != DEB_SHA256:
        raise ValueError(f"{deb_path} is not r-cran-janeaustenr_1.0.0-1_all.deb")
    offset, length = PERSUASION
    record = deb_member(deb, RDATA)[offset : offset + length]
    # A lazy-load record: 4 bytes of uncompressed length, then zlib data.
    serialized = zlib.decompress(record[4:])
    assert len(serialized) == struct.unpack(">I", record[:4])[0]
    return "\n".join(r_strings(serialized)) + "\n"


# --- Command line ---------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    train_command = commands.add_parser("train", help="train and write the checkpoint")
    train_command.add_argument("--tiny", action="store_true", help="a test-sized run")
    train_command.add_argument("--out", type=Path, default=CHECKPOINT)
    train_command.add_argument(
        "--workers", type=int, default=2, help="processes, one thread each (2)"
    )
    text_command = commands.add_parser("text", help="print the novel from the .deb")
    text_command.add_argument("deb", type=Path)
    args = parser.parse_args(argv)
    if args.command == "text":
        sys.stdout.write(extract_text(args.deb))
        return 0
    checkpoint = train(TINY if args.tiny else None, workers=args.workers)
    digest = save(checkpoint, args.out)
    print(
        f"wrote {args.out} after {checkpoint['trained_on']['seconds']} s of training "
        f"({checkpoint['trained_on']['cpu_seconds']} s of CPU time)\n"
        f'CHECKPOINT_SHA256 = "{digest}"  (paste into the chapter, then make refresh)'
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
