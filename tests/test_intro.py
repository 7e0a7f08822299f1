"""intro.md: its table of full-mode times has one row per chapter in the table of contents."""

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_the_time_table_lists_every_chapter_once():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    titles = []
    for entry in toc["chapters"]:
        nb = json.loads((ROOT / f"{entry['file']}.ipynb").read_text())
        titles.append("".join(nb["cells"][0]["source"]).splitlines()[0].lstrip("# ").strip())
    intro = (ROOT / "intro.md").read_text()
    rows = re.findall(r"^\| ((?:\d+|[A-Z])\. [^|]+?) \| ([^|]+?) \|$", intro, re.MULTILINE)
    assert [title for title, _ in rows] == titles, "update the time table in intro.md"
    for title, time in rows:
        assert re.fullmatch(r"\d+ (s|min)", time), f"{title}: {time!r} is not a measured time"
