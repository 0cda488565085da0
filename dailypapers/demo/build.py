"""Build the bundled demo corpus from saved Hugging Face daily files.

    python -m dailypapers.demo.build /path/to/hf_daily_papers [--out corpus.jsonl.xz]

One daily item per line (the `/api/daily_papers` shape, plus `date`: the feed day), in feed
order, xz-compressed. Only what the site shows is kept: arXiv metadata, counts, links,
organization, AI summary/keywords, thumbnail. Everything about people as Hugging Face users is
dropped (submitters, claimed-author profiles, avatars, user ids). The same input gives the
same bytes, so a rebuilt corpus shows up in a diff only when the data changed.
"""

from __future__ import annotations

import argparse
import json
import lzma
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dailypapers.ingest.sources import hf_daily

CORPUS = Path(__file__).with_name("corpus.jsonl.xz")

# Whitelists: a field Hugging Face adds later stays out until someone decides it belongs.
ITEM_FIELDS = ("title", "publishedAt", "numComments", "thumbnail", "mediaUrl", "mediaUrls")
PAPER_FIELDS = (
    "id",
    "title",
    "summary",
    "publishedAt",
    "submittedOnDailyAt",
    "upvotes",
    "githubRepo",
    "githubStars",
    "projectPage",
    "ai_summary",
    "ai_keywords",
    "mediaUrls",
)
ORGANIZATION_FIELDS = ("name", "fullname", "avatar")
AUTHOR_FIELDS = ("name", "hidden")


def slim(item: dict[str, Any], day: str) -> dict[str, Any]:
    """The demo's copy of one daily item: kept fields only, plus its feed `date`."""
    paper = item["paper"]
    out_paper = {k: paper[k] for k in PAPER_FIELDS if paper.get(k) is not None}
    out_paper["authors"] = [
        {k: a[k] for k in AUTHOR_FIELDS if k in a} for a in paper.get("authors") or []
    ]
    organization = paper.get("organization") or item.get("organization")
    if isinstance(organization, dict):
        out_paper["organization"] = {
            k: organization[k] for k in ORGANIZATION_FIELDS if organization.get(k) is not None
        }
    out = {"date": day, "paper": out_paper}
    out.update({k: item[k] for k in ITEM_FIELDS if item.get(k) is not None})
    return out


def collect(files: Iterable[Path]) -> list[dict[str, Any]]:
    """Slim items of all files in feed order, one per paper (repeat listings merged)."""
    by_id: dict[str, dict[str, Any]] = {}
    for path in files:
        raw_items, file_date, _unit = hf_daily.open_items(path)
        for index, raw in raw_items:
            try:
                item = hf_daily.as_item(raw)
                # Only items the loader accepts go in.
                arxiv_id = hf_daily.parse_item(item, file_date).arxiv_id
            except hf_daily.ItemError as exc:
                raise ValueError(f"{path}:item {index}: {exc}") from None
            day = file_date.isoformat() if file_date else item.get("date")
            if not day:
                raise ValueError(f"{path}:item {index}: no feed date")
            new = slim(item, day)
            by_id[arxiv_id] = _merge(by_id[arxiv_id], new) if arxiv_id in by_id else new
    return list(by_id.values())


def _merge(first: dict[str, Any], latest: dict[str, Any]) -> dict[str, Any]:
    """A paper listed on two days: it entered the feed at its first listing (day and times
    from there); everything else, counts included, is from the latest listing."""
    merged = {**latest, "paper": dict(latest["paper"])}
    for holder, key in (
        (merged, "date"),
        (merged, "publishedAt"),
        (merged["paper"], "submittedOnDailyAt"),
    ):
        origin = first["paper"] if holder is merged["paper"] else first
        holder.pop(key, None)
        if key in origin:
            holder[key] = origin[key]
    return merged


def encode(items: list[dict[str, Any]]) -> bytes:
    lines = (json.dumps(i, ensure_ascii=False, separators=(",", ":")) + "\n" for i in items)
    # xz has no timestamps: the same text always compresses to the same bytes.
    return lzma.compress("".join(lines).encode(), preset=9 | lzma.PRESET_EXTREME)


def build(source: Path, out: Path = CORPUS) -> tuple[int, int]:
    """Write the corpus for `source` (a folder or files) to `out`; return (items, bytes)."""
    items = collect(hf_daily.expand_paths([source]))
    data = encode(items)
    partial = out.with_name(out.name + ".tmp")
    partial.write_bytes(data)
    partial.replace(out)  # Never leave a half-written corpus behind.
    return len(items), len(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dailypapers.demo.build", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("source", type=Path, help="folder of YYYY-MM-DD.json daily files")
    parser.add_argument("--out", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    try:
        count, size = build(args.source, args.out)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.out}: {count} papers, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
