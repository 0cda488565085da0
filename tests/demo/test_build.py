"""The demo corpus: built deterministically, keeps what the site shows, no personal data."""

from __future__ import annotations

import json
import lzma
from collections.abc import Iterator
from typing import Any

import pytest

from dailypapers.demo import build
from dailypapers.demo.load import CORPUS
from tests.ingest.support import BROKEN, DAYS, REPEAT

# Keys that only ever hold data about Hugging Face users, wherever they appear.
PERSONAL_KEYS = {
    "user",
    "_id",
    "avatarUrl",
    "submittedBy",
    "submittedOnDailyBy",
    "submitterOrganization",
    "isPro",
    "status",
    "statusLastChangedAt",
    "githubRepoAddedBy",
}
# Submitters and claimed-author accounts seen in the source files (also in the fixtures).
USERNAMES = [
    "XuGuo699",
    "ChunjiangGe",
    "SijieCheng",
    "Skylion007",
    "CSJianYang",
    "yyf86",
    "akhaliq",
    "taesiri",
]


def corpus_lines(path=CORPUS) -> list[dict[str, Any]]:
    with lzma.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield f"{path}.{key}", child
            yield from walk(child, f"{path}.{key}")
    elif isinstance(value, list):
        for child in value:
            yield from walk(child, f"{path}[]")


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    return corpus_lines()


def assert_no_personal_data(path) -> None:
    items = corpus_lines(path)
    text = lzma.decompress(path.read_bytes()).decode()

    keys = {p for item in items for p, _ in walk(item)}
    assert {p for p in keys if p.rsplit(".", 1)[-1] in PERSONAL_KEYS} == set()
    # A `fullname` is only ever an organization's.
    assert {p for p in keys if p.endswith(".fullname")} <= {".paper.organization.fullname"}
    for name in USERNAMES:
        assert f'"{name}"' not in text
    assert "/avatars/" not in text


def test_demo_corpus_has_no_personal_data():
    assert_no_personal_data(CORPUS)


def test_build_drops_personal_data_from_real_items(tmp_path):
    source = (DAYS / "2026-01-06.json").read_text() + (DAYS / "2024-05-27.json").read_text()
    assert '"XuGuo699"' in source and '"ChunjiangGe"' in source  # submitter, claimed author
    out = tmp_path / "days.jsonl.xz"

    build.build(DAYS, out)

    assert_no_personal_data(out)


def test_demo_corpus_holds_every_paper_once_in_feed_order(corpus):
    ids = [item["paper"]["id"] for item in corpus]
    dates = [item["date"] for item in corpus]

    assert len(corpus) == 9124
    assert len(set(ids)) == len(ids)
    assert dates == sorted(dates)
    assert (dates[0], dates[-1]) == ("2024-05-27", "2026-06-30")
    assert CORPUS.stat().st_size < 8_000_000


def test_demo_corpus_keeps_arxiv_metadata_counts_links_and_organization(corpus):
    [dreamid] = [item for item in corpus if item["paper"]["id"] == "2601.01425"]
    paper = dreamid["paper"]

    assert dreamid["date"] == "2026-01-06"
    assert dreamid["title"].startswith("DreamID-V:Bridging the Image-to-Video Gap")
    assert paper["summary"].startswith("Video Face Swapping (VFS)")
    assert [a["name"] for a in paper["authors"]][:2] == ["Xu Guo", "Fulong Ye"]
    assert (paper["upvotes"], dreamid["numComments"], paper["githubStars"]) == (29, 2, 15)
    assert paper["githubRepo"] == "https://github.com/bytedance/DreamID-V"
    assert paper["projectPage"] == "https://guoxu1233.github.io/DreamID-V/"
    assert paper["organization"]["name"] == "ByteDance"
    assert paper["organization"]["avatar"].startswith("https://")
    assert paper["ai_keywords"][0] == "Video Face Swapping"
    assert dreamid["thumbnail"].endswith("2601.01425.png")
    assert paper["submittedOnDailyAt"] == "2026-01-06T00:30:06.666Z"


def test_build_is_deterministic(tmp_path):
    first, second = tmp_path / "a.jsonl.xz", tmp_path / "b.jsonl.xz"

    assert build.build(DAYS, first) == build.build(DAYS, second)

    assert first.read_bytes() == second.read_bytes()
    assert len(corpus_lines(first)) == 9


def test_build_gives_each_item_its_feed_date_from_the_file(tmp_path):
    out = tmp_path / "c.jsonl.xz"
    build.build(DAYS, out)

    dates = [(i["paper"]["id"], i["date"]) for i in corpus_lines(out)]

    assert dates[:3] == [
        ("2405.15738", "2024-05-27"),
        ("2405.15574", "2024-05-27"),
        ("2412.07730", "2024-12-11"),
    ]
    assert ("2501.05441", "2025-01-10") in dates  # from the wrapped, repr-string day


def test_paper_listed_on_two_days_appears_once_with_first_day_and_latest_data(tmp_path):
    out = tmp_path / "r.jsonl.xz"
    build.build(REPEAT, out)

    [item] = corpus_lines(out)

    assert item["date"] == "2026-04-10"
    assert item["paper"]["submittedOnDailyAt"].startswith("2026-04-10")
    assert (item["paper"]["upvotes"], item["numComments"]) == (42, 3)
    assert item["paper"]["projectPage"] == "https://gameworld-project.github.io/"


def test_build_refuses_a_malformed_item_naming_its_position(tmp_path, capsys):
    code = build.main([str(BROKEN / "2025-02-03.json"), "--out", str(tmp_path / "x.xz")])

    assert code == 2
    assert f"{BROKEN / '2025-02-03.json'}:item 1: paper.id" in capsys.readouterr().err
    assert not (tmp_path / "x.xz").exists()


def test_bundled_corpus_is_in_the_builds_canonical_form(corpus):
    # Lines re-serialized the way the build writes them give the shipped text back: the file
    # was made by the build, not edited by hand. (Recompressing to compare bytes takes ~30 s.)
    text = lzma.decompress(CORPUS.read_bytes())

    assert lzma.decompress(build.encode(corpus[:50])) == b"".join(text.splitlines(True)[:50])
    assert text.count(b"\n") == len(corpus)
