"""Reading saved Hugging Face /api/daily_papers files into records (no database)."""

from __future__ import annotations

import datetime as dt
import json
import lzma

import pytest

from dailypapers.ingest.positions import Skip
from dailypapers.ingest.records import OrganizationRecord, SubmissionRecord, validated
from dailypapers.ingest.sources import hf_daily
from tests.ingest.support import BROKEN, DAYS, HF, REPEAT, by_id, records

UTC = dt.UTC


def item(**paper_fields):
    """A minimal daily item; `paper_fields` override the paper's fields."""
    paper = {"id": "2501.00001", "title": "T", "summary": "S", "authors": [], "upvotes": 1}
    paper.update(paper_fields)
    return {"paper": paper, "publishedAt": "2025-01-02T03:04:05.000Z", "numComments": 0}


def test_recent_day_maps_every_field():
    paper = by_id(DAYS / "2026-01-06.json")["2601.01425"]

    assert paper.title == (
        "DreamID-V:Bridging the Image-to-Video Gap for High-Fidelity Face Swapping via "
        "Diffusion Transformer"
    )
    assert paper.abstract.startswith("Video Face Swapping (VFS) requires seamlessly")
    assert paper.authors[:3] == ["Xu Guo", "Fulong Ye", "Xinghui Li"]
    assert len(paper.authors) == 9
    assert paper.version is None
    assert paper.published_at == dt.datetime(2026, 1, 4, 8, 7, 11, tzinfo=UTC)
    assert paper.github_repo == "https://github.com/bytedance/DreamID-V"
    assert paper.github_stars == 15
    assert paper.project_page == "https://guoxu1233.github.io/DreamID-V/"
    assert paper.thumbnail.endswith("/social-thumbnails/papers/2601.01425.png")
    assert paper.media_urls == [
        "https://cdn-uploads.huggingface.co/production/uploads/"
        "67d50738fed7787297d737d6/0nECkDL67gltfx3htZ82l.mp4"
    ]
    assert paper.organization == OrganizationRecord(
        "ByteDance",
        "ByteDance",
        "https://cdn-uploads.huggingface.co/production/uploads/6535c9e88bde2fae19b6fb25/"
        "0clr54wj5Ly-RkYU9OXPp.png",
    )
    assert paper.ai_summary.startswith("A novel video face swapping framework")
    assert paper.ai_keywords[:2] == ["Video Face Swapping", "Image Face Swapping"]
    assert (paper.imported_upvotes, paper.imported_comments) == (29, 2)
    assert paper.submission == SubmissionRecord(
        feed_date=dt.date(2026, 1, 6),
        # paper.submittedOnDailyAt, not the top-level publishedAt (2026-01-04T03:07:11Z).
        submitted_at=dt.datetime(2026, 1, 6, 0, 30, 6, 666000, tzinfo=UTC),
        submitter_name="XuGuo699",
    )
    assert paper.source == "hf"


def test_python_repr_day_is_read():
    papers = by_id(DAYS / "2024-12-11.json")

    assert list(papers) == ["2412.07730", "2412.05210"]
    stiv = papers["2412.07730"]
    assert stiv.title == "STIV: Scalable Text and Image Conditioned Video Generation"
    assert stiv.authors[:4] == ["Zongyu Lin", "Wei Liu", "Chen Chen", "Jiasen Lu"]
    assert stiv.imported_upvotes == 54
    assert stiv.submission.feed_date == dt.date(2024, 12, 11)
    assert stiv.submission.submitter_name == "yyf86"


def test_wrapped_day_is_read():
    papers = by_id(DAYS / "2025-01-10.json")

    assert list(papers) == ["2501.05441", "2501.05453"]
    gan = papers["2501.05441"]
    assert gan.title == "The GAN is dead; long live the GAN! A Modern GAN Baseline"
    assert gan.submission.feed_date == dt.date(2025, 1, 10)
    assert len(gan.media_urls) == 3


def test_wrapper_date_is_the_feed_date_when_the_file_name_has_none(tmp_path):
    wrapped = json.loads((DAYS / "2025-01-10.json").read_text())
    wrapped["data"] = [item()]  # no submittedOnDailyAt: only the wrapper names the day
    path = tmp_path / "saved.json"
    path.write_text(json.dumps(wrapped))

    [paper] = records(path)

    assert paper.submission.feed_date == dt.date(2025, 1, 10)


def test_oldest_day_takes_feed_date_from_file_name_and_thumbnail_from_media_url():
    convllava = by_id(DAYS / "2024-05-27.json")["2405.15738"]

    assert convllava.submission == SubmissionRecord(
        dt.date(2024, 5, 27), dt.datetime(2024, 5, 27, 3, 50, 58, 348000, tzinfo=UTC), ""
    )
    assert convllava.thumbnail == (
        "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2405.15738.png"
    )
    assert convllava.media_urls == []


def test_titles_and_abstracts_lose_arxiv_line_breaks():
    raw = json.loads((DAYS / "2024-05-27.json").read_text())[0]
    assert "\n" in raw["paper"]["title"] and "\n" in raw["paper"]["summary"]
    del raw["title"]  # fall back to the paper's own, line-broken title

    paper = hf_daily.parse_item(raw)

    assert (
        paper.title == "ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large "
        "Multimodal Models"
    )
    assert "\n" not in paper.abstract and "  " not in paper.abstract


def test_claimed_author_profiles_are_dropped_keeping_names_in_order():
    raw = json.loads((DAYS / "2024-05-27.json").read_text())[0]
    assert raw["paper"]["authors"][0]["user"]["user"] == "ChunjiangGe"

    paper = hf_daily.parse_item(raw)

    assert paper.authors[:2] == ["Chunjiang Ge", "Sijie Cheng"]
    assert "ChunjiangGe" not in repr(paper)


def test_hidden_authors_are_kept_and_nameless_entries_skipped():
    authors = [
        {"name": "A One", "hidden": True},
        {"name": "  "},
        {"_id": "x"},
        {"name": "B  Two\n"},
    ]

    paper = hf_daily.parse_item(item(authors=authors))

    assert paper.authors == ["A One", "B Two"]


def parsed(raw: dict, file_date: dt.date | None = None):
    """An item as the reader yields it: parsed, then validated."""
    return validated(hf_daily.parse_item(raw, file_date), hf_daily.LABELS)


def test_datetimes_are_utc_aware():
    paper = parsed(
        item(publishedAt="2025-01-01T10:00:00+02:00", submittedOnDailyAt="2025-01-03T00:10:00")
    )

    assert paper.published_at == dt.datetime(2025, 1, 1, 8, tzinfo=UTC)
    assert paper.published_at.tzinfo is UTC
    assert paper.submission.feed_date == dt.date(2025, 1, 3)
    assert paper.submission.submitted_at == dt.datetime(2025, 1, 3, 0, 10, tzinfo=UTC)


def test_submission_time_is_submitted_on_daily_at_not_the_arxiv_announcement():
    # 2606.28128 in 2026-06-29.json: announced on arXiv 2026-06-25T20:00Z (top-level
    # publishedAt), submitted to the daily feed 2026-06-29.
    [paper] = records(HF / "announced" / "2026-06-29.json")

    assert paper.arxiv_id == "2606.28128"
    assert paper.submission.submitted_at == dt.datetime(2026, 6, 29, tzinfo=UTC)
    assert paper.submission.feed_date == dt.date(2026, 6, 29)


def test_older_items_without_submitted_on_daily_at_use_the_top_level_time():
    paper = parsed(item(), dt.date(2025, 1, 2))

    assert paper.submission.submitted_at == dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_feed_date_falls_back_to_the_time_the_item_entered_the_feed():
    paper = parsed(item())

    assert paper.submission.feed_date == dt.date(2025, 1, 2)


def test_feed_day_of_a_time_is_taken_in_the_feed_time_zone(settings):
    settings.FEED_TIME_ZONE = "America/Los_Angeles"

    paper = parsed(item(submittedOnDailyAt="2026-01-06T03:00:00.000Z"), dt.date(2026, 1, 6))

    # 03:00 UTC is still the evening of January 5 in Los Angeles.
    assert paper.submission.feed_date == dt.date(2026, 1, 5)


def test_where_only_a_file_date_is_known_the_file_date_stands(settings):
    settings.FEED_TIME_ZONE = "America/Los_Angeles"

    paper = parsed(item(), dt.date(2025, 1, 2))  # top-level time 2025-01-02T03:04Z, no daily time

    assert paper.submission.feed_date == dt.date(2025, 1, 2)


@pytest.mark.parametrize(
    "field", ["githubRepo", "projectPage", "thumbnail", "mediaUrls", "organization.avatar"]
)
@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        " JaVaScRiPt:alert(1)",
        "data:text/html,<b>x",
        "//evil.example/x.png",
        "java\tscript:alert(1)",
    ],
)
def test_links_that_are_not_http_are_dropped_with_a_note_and_the_item_kept(tmp_path, field, url):
    raw = item(githubRepo="https://github.com/a/b")
    if field == "organization.avatar":
        raw["paper"]["organization"] = {"name": "acme", "avatar": url}
    elif field in ("thumbnail", "mediaUrls"):
        raw[field] = [url, "https://cdn.example/ok.png"] if field == "mediaUrls" else url
    else:
        raw["paper"][field] = url
    path = tmp_path / "2025-03-01.json"
    path.write_text(json.dumps([raw]))

    [paper] = records(path)

    label = field if "." in field or field in ("thumbnail", "mediaUrls") else f"paper.{field}"
    assert paper.notes == [f"dropped {label}: not an http(s) URL"]
    assert url not in repr(paper)
    assert paper.arxiv_id == "2501.00001"
    if field == "mediaUrls":
        assert paper.media_urls == ["https://cdn.example/ok.png"]


def test_http_links_and_site_relative_avatars_are_kept():
    raw = item(githubRepo="HTTPS://github.com/a/b", projectPage="http://x.example/")
    raw["paper"]["organization"] = {"name": "acme", "avatar": "/avatars/acme.png"}

    paper = parsed(raw)

    assert (paper.github_repo, paper.project_page) == (
        "HTTPS://github.com/a/b",
        "http://x.example/",
    )
    assert paper.organization.avatar_url == "https://huggingface.co/avatars/acme.png"
    assert paper.notes == []


@pytest.mark.parametrize(
    ("fields", "note"),
    [
        ({"upvotes": 10**20}, "dropped paper.upvotes: 100000000000000000000 is outside "),
        ({"githubStars": 2**63}, "dropped paper.githubStars: 9223372036854775808 is outside "),
        ({"id": "2501.00001v40000"}, "dropped paper.id version: 40000 is outside 0..32767"),
    ],
)
def test_counts_a_column_cannot_hold_are_dropped_with_a_note(fields, note):
    paper = parsed(item(**fields))

    assert paper.arxiv_id == "2501.00001"
    assert len(paper.notes) == 1 and paper.notes[0].startswith(note)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (item(id="hep-" + "x" * 60 + "/9901001"), "paper.id: longer than 40 characters"),
        (item(id="٢٦١١.٩٩٩٩٠"), "paper.id: not an arXiv id"),
        (
            item(publishedAt="0001-01-01T00:00:00+01:00"),
            "paper.publishedAt: out of range in UTC",
        ),
        (
            {**item(), "publishedAt": "0001-01-01T00:00:00+01:00"},
            "publishedAt: out of range in UTC",
        ),
    ],
)
def test_items_that_cannot_be_stored_are_skipped_with_a_reason(tmp_path, raw, reason):
    path = tmp_path / "2025-03-01.json"
    path.write_text(json.dumps([raw, item(id="2501.00002")]))

    found = list(hf_daily.read_paths([path]))

    assert isinstance(found[0][1], Skip) and found[0][1].reason.startswith(reason)
    assert found[1][1].arxiv_id == "2501.00002"


def test_a_number_too_long_to_read_costs_only_its_own_item(tmp_path):
    huge = "1" + "0" * 5000
    items = [
        json.dumps(item(id="2501.00001")),
        f'{{"paper": {{"id": "2501.00002", "title": "T", "upvotes": {huge}}}}}',
    ]
    day = tmp_path / "2025-03-01.json"
    day.write_text("[" + ",".join([*items, json.dumps(item(id="2501.00003"))]) + "]")
    lines = tmp_path / "corpus.jsonl"
    lines.write_text("\n".join([*items, json.dumps(item(id="2501.00003"))]))

    for path in (day, lines):
        found = list(hf_daily.read_paths([path]))

        assert [getattr(r, "arxiv_id", None) for _, r in found] == [
            "2501.00001",
            None,
            "2501.00003",
        ]
        assert found[1][1].reason == "paper.upvotes: expected a count, got inf"


def test_a_file_nested_too_deeply_is_one_unreadable_file(tmp_path):
    nested = tmp_path / "2025-03-01.json"
    nested.write_text("[" * 100_000)
    line = tmp_path / "corpus.jsonl"
    line.write_text("[" * 100_000 + "\n" + json.dumps(item()) + "\n")

    found = list(hf_daily.read_paths([nested, line, DAYS / "2024-05-27.json"]))

    assert found[0][1].reason.startswith("unreadable file: ")
    assert found[1][1] == Skip("not JSON: nested too deeply")
    assert [r.arxiv_id for _, r in found[2:]] == ["2501.00001", "2405.15738", "2405.15574"]


def test_version_in_the_id_is_kept_apart():
    paper = hf_daily.parse_item(item(id="2501.00001v3"))

    assert (paper.arxiv_id, paper.version) == ("2501.00001", 3)


def test_malformed_item_is_reported_with_position_and_skipped():
    path = BROKEN / "2025-02-03.json"

    found = [(str(position), result) for position, result in hf_daily.read_paths([path])]

    assert [p for p, _ in found] == [f"{path}:item 0", f"{path}:item 1", f"{path}:item 2"]
    assert found[1][1] == Skip("paper.id: not an arXiv id: 'not-an-arxiv-id'")
    assert [r.arxiv_id for _, r in found if not isinstance(r, Skip)] == [
        "2501.19393",
        "2501.19324",
    ]


def test_unreadable_file_is_one_skip_and_the_next_file_is_still_read():
    found = list(hf_daily.read_paths([BROKEN / "not-json.json", DAYS / "2024-05-27.json"]))

    position, skip = found[0]
    assert str(position) == str(BROKEN / "not-json.json")
    assert isinstance(skip, Skip) and skip.reason.startswith("unreadable file: Expecting")
    assert [r.arxiv_id for _, r in found[1:]] == ["2405.15738", "2405.15574"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("{'paper': ", "string item is not a Python literal"),
        (["a list"], "expected an object, got list"),
        ({"title": "no paper"}, "missing 'paper' object"),
        (item(githubStars="many"), "paper.githubStars: expected a count, got 'many'"),
        (item(upvotes=-1), "paper.upvotes: expected a count, got -1"),
        (item(publishedAt="yesterday"), "paper.publishedAt: not an ISO datetime"),
        (item(authors="A, B"), "paper.authors: expected a list"),
        (item(ai_keywords=[1, 2]), "paper.ai_keywords: expected a list of strings"),
        (item(title="", summary="x") | {"title": " "}, "no title"),
    ],
)
def test_bad_item_is_skipped_with_a_reason_naming_the_field(tmp_path, raw, reason):
    path = tmp_path / "2025-03-01.json"
    path.write_text(json.dumps([item(), raw]))

    found = list(hf_daily.read_paths([path]))

    assert not isinstance(found[0][1], Skip)
    assert str(found[1][0]) == f"{path}:item 1"
    assert isinstance(found[1][1], Skip)
    assert found[1][1].reason.startswith(reason)


def test_last_item_of_each_file_carries_the_file_as_cursor():
    cursors = [p.cursor for p, _ in hf_daily.read_paths([DAYS])]

    assert cursors == [
        "",
        str(DAYS / "2024-05-27.json"),
        "",
        str(DAYS / "2024-12-11.json"),
        "",
        str(DAYS / "2025-01-10.json"),
        "",
        "",
        str(DAYS / "2026-01-06.json"),
    ]


def test_reading_after_a_cursor_starts_with_the_next_file():
    found = records(DAYS)
    after = [r for _, r in hf_daily.read_paths([DAYS], after=str(DAYS / "2024-12-11.json"))]

    assert len(found) == 9
    assert [r.arxiv_id for r in after] == [r.arxiv_id for r in found[4:]]


def test_folders_are_read_in_date_order():
    assert [r.submission.feed_date for r in records(REPEAT)] == [
        dt.date(2026, 4, 10),
        dt.date(2026, 4, 16),
    ]


def test_jsonl_xz_lines_are_read_with_their_date_and_numbered_from_one(tmp_path):
    path = tmp_path / "corpus.jsonl.xz"
    lines = [json.dumps(item() | {"date": "2025-02-01"}), "", "{not json", json.dumps(item())]
    path.write_bytes(lzma.compress("\n".join(lines).encode()))

    found = list(hf_daily.read_paths([path]))

    assert [str(p) for p, _ in found] == [f"{path}:line 1", f"{path}:line 3", f"{path}:line 4"]
    assert found[0][1].submission.feed_date == dt.date(2025, 2, 1)
    assert found[1][1].reason.startswith("not JSON")
    assert found[2][1].submission.feed_date == dt.date(2025, 1, 2)
    assert found[2][0].cursor == str(path)


def test_missing_path_is_an_error():
    with pytest.raises(FileNotFoundError, match=r"no-such-day\.json"):
        hf_daily.expand_paths([HF / "no-such-day.json"])


def test_every_real_fixture_item_is_read():
    assert len(records(DAYS, REPEAT)) == 11


def test_corrupt_compressed_file_keeps_the_lines_read_before_the_damage(tmp_path):
    lines = "".join(json.dumps(item(id=f"2501.{n:05d}")) + "\n" for n in range(1, 2001))
    data = lzma.compress(lines.encode(), preset=0)
    path = tmp_path / "corpus.jsonl.xz"
    path.write_bytes(data[: len(data) // 2])  # cut off half way
    whole_lines = lzma.LZMADecompressor().decompress(data[: len(data) // 2]).count(b"\n")

    found = list(hf_daily.read_paths([path]))

    *good, (position, skip) = found
    assert whole_lines > 100
    assert [r.arxiv_id for _, r in good] == [f"2501.{n:05d}" for n in range(1, whole_lines + 1)]
    assert str(position) == str(path) and position.cursor == str(path)
    assert skip.reason.startswith("unreadable file:")
