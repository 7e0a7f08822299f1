"""intro.md: its table of full-mode times has one row per chapter in the table of contents,
and the CIFAR-10 chapters' time on the full dataset follows from their measured run."""

import json
import re
from pathlib import Path

import yaml
from test_training_cost import CIFAR_CHAPTERS, stored_forecast

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\| ((?:\d+|[A-Z])\. [^|]+?) \| ([^|]+?) \| ([^|]+?) \|$", re.MULTILINE)


def _rows():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files, titles = [], []
    for entry in toc["chapters"]:
        nb = json.loads((ROOT / f"{entry['file']}.ipynb").read_text())
        files.append(Path(entry["file"]).name + ".ipynb")
        titles.append("".join(nb["cells"][0]["source"]).splitlines()[0].lstrip("# ").strip())
    return files, titles, ROW.findall((ROOT / "intro.md").read_text())


def _seconds(time: str) -> float:
    number, unit = time.split()
    return float(number) * (60 if unit == "min" else 1)


def test_the_time_table_lists_every_chapter_once():
    files, titles, rows = _rows()
    assert [title for title, _, _ in rows] == titles, "update the time table in intro.md"
    for name, (title, time, full) in zip(files, rows):
        assert re.fullmatch(r"\d+ (s|min)", time), f"{title}: {time!r} is not a measured time"
        if name in CIFAR_CHAPTERS:
            assert re.fullmatch(r"about \d+ min", full), f"{title}: {full!r}"
        else:
            assert full == "\u2013", f"{title}: only the CIFAR-10 chapters have a second time"


def full_run(seconds: float) -> str:
    """How the table writes a chapter's full-mode time: seconds up to 3 minutes, then minutes."""
    return f"{round(seconds)} s" if seconds < 180 else f"{round(seconds / 60)} min"


def test_each_full_run_time_is_the_last_measured_one():
    files, _, rows = _rows()
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())["notebooks_full"]
    for name, (title, time, _) in zip(files, rows):
        expected = full_run(results[name]["seconds"])
        assert time == expected, (
            f"{title}: intro.md says {time}, make execute measured {expected} "
            f"(benchmarks/results.json)"
        )


def test_the_full_cifar10_time_is_the_run_plus_the_forecast_for_the_missing_images():
    files, _, rows = _rows()
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())["notebooks_full"]
    for name, (title, time, full) in zip(files, rows):
        if name not in CIFAR_CHAPTERS:
            continue
        forecast = stored_forecast(name)
        run = results[name]["seconds"]
        assert abs(_seconds(time) - run) <= 30, f"{title}: {time} but the last run took {run} s"
        missing = CIFAR_CHAPTERS[name] - forecast["images"]
        extra = missing * forecast["epochs"] * forecast["runs"] * forecast["ms"] / 1000
        expected = (run + extra) / 60
        stated = int(full.split()[1])
        assert abs(stated - expected) <= 1, (
            f"{title}: {full}, but the run and forecast give {expected:.1f} min"
        )
