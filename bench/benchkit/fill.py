"""Synthetic data: organizations, authors, papers, submissions and authorships in bulk.

Seeded (SEED), so the same arguments always give the same fill. Django models are imported
inside the functions: django.setup() runs only after migrate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHUNK = 5_000  # papers per bulk_create round: bounds memory, batches stay large
SEED = 20250101

# ------------------------------------------------------------------------ synthetic data

_SYLLABLE_TEXT = (
    "an ba chen da el fa gu hi io ja ka li ma na no or pa qi ra sa shi ta "
    "to ul va wei xu ya yo zha ke mi ro lu be de ni so ha ri"
)
SYLLABLES = _SYLLABLE_TEXT.split()
ACCENTED = ("José", "Zoë", "Émile", "Jürgen", "Siân", "Łukasz", "Ngô", "Søren")
_VOCAB_TEXT = (
    "model models learning large language vision transformer diffusion reasoning agent "
    "agents benchmark dataset training inference scaling efficient robust multimodal "
    "video image text retrieval generation alignment reward policy reinforcement fine "
    "tuning pretraining token tokens attention sparse dense mixture experts latent "
    "representation contrastive self supervised zero shot few prompt prompting chain "
    "thought evaluation human preference optimization gradient loss objective neural "
    "network graph embedding memory context long short window quantization distillation "
    "compression speech audio 3D scene reconstruction rendering navigation robot "
    "manipulation planning world simulation synthetic data quality safety hallucination "
    "we propose method approach framework novel show that our results demonstrate "
    "significant improvements over state of the art across tasks while reducing compute "
    "cost and latency code available open source"
)
VOCAB = _VOCAB_TEXT.split()
# Set by `use_corpus_words`: draw words at a real corpus's frequencies instead of uniformly.
_CUM_WEIGHTS: list[int] | None = None


def use_corpus_words(top: int = 30_000) -> list[str]:
    """Draw titles and abstracts from the demo corpus's own vocabulary at its own frequencies
    (Zipf-shaped: a few words everywhere, most rare), instead of the ~120 words above, of which
    every one is in a large share of the papers. Keyword search costs what its words' posting
    lists cost, so its latency needs the real shape. Returns the words, most frequent first."""
    global _CUM_WEIGHTS
    import itertools
    import lzma
    import re
    from collections import Counter

    corpus = Path(__file__).resolve().parents[2] / "dailypapers" / "demo" / "corpus.jsonl.xz"
    counts: Counter[str] = Counter()
    with lzma.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            paper = json.loads(line).get("paper", {})
            text = f"{paper.get('title', '')} {paper.get('summary', '')}".lower()
            counts.update(re.findall(r"[a-z][a-z0-9-]+", text))
    common = counts.most_common(top)
    VOCAB[:] = [word for word, _ in common]  # in place: importers of VOCAB see it too
    _CUM_WEIGHTS = list(itertools.accumulate(n for _, n in common))
    return list(VOCAB)


def _words(rng: random.Random, k: int) -> list[str]:
    return rng.choices(VOCAB, cum_weights=_CUM_WEIGHTS, k=k)


def make_name(rng: random.Random) -> str:
    first = "".join(rng.choices(SYLLABLES, k=rng.randint(2, 3))).capitalize()
    if rng.random() < 0.03:  # a few accented names, so normalize_name has folding to do
        first = rng.choice(ACCENTED)
    last = "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))).capitalize()
    return f"{first} {last}"


def make_text(rng: random.Random, length: int) -> str:
    """Sentences of vocabulary words up to ~length characters (abstract-like)."""
    words = _words(rng, length // 6)
    sentences = [" ".join(words[i : i + 18]).capitalize() + "." for i in range(0, len(words), 18)]
    return " ".join(sentences)[:length]


def make_title(rng: random.Random) -> str:
    words = _words(rng, rng.randint(7, 15))
    head = " ".join(w.capitalize() for w in words[:3])
    return f"{head}: {' '.join(words[3:])}"


def skewed_upvotes(rng: random.Random) -> int:
    # Log-normal: most papers get a handful of votes, a few get hundreds (like HF Daily Papers).
    return min(int(rng.lognormvariate(1.6, 1.3)), 3_000)


# ------------------------------------------------------------------------------- filling


def make_organizations(rng: random.Random, count: int = 200) -> list[Any]:
    from dailypapers.papers.models import Organization

    orgs = []
    for i in range(count):
        name = make_name(rng).split()[1] + f" Lab {i}"
        orgs.append(
            Organization(handle=f"org-{i}", slug=f"org-{i}", name=name, fullname=f"{name} Research")
        )
    return Organization.objects.bulk_create(orgs, batch_size=1000)


def make_authors(rng: random.Random, count: int) -> list[int]:
    from dailypapers.papers.models import Author
    from dailypapers.papers.names import normalize_name

    by_key: dict[str, str] = {}
    while len(by_key) < count:
        name = make_name(rng)
        by_key.setdefault(normalize_name(name), name)  # the unique key is the normalized one
    authors = [Author(name=name, normalized_name=key) for key, name in by_key.items()]
    return [a.pk for a in Author.objects.bulk_create(authors, batch_size=2000)]


@dataclass(frozen=True)
class Slot:
    """Where one synthetic paper goes: its feed day and arXiv id."""

    day: dt.date
    arxiv_id: str
    submitted_at: dt.datetime


def plan_slots(rng: random.Random, papers: int, days: int, last_day: dt.date) -> list[Slot]:
    """Paper i lands on feed day i*days//papers (~papers/days a day); ids numbered per month."""
    first = last_day - dt.timedelta(days=days - 1)
    per_month: dict[str, int] = {}
    slots = []
    for i in range(papers):
        day = first + dt.timedelta(days=i * days // papers)
        month = f"{day:%y%m}"
        per_month[month] = per_month.get(month, 0) + 1
        if per_month[month] > 99_999:  # new-style ids have at most 5 digits after the dot
            raise SystemExit("too many papers per month for arXiv ids: raise --days")
        midnight = dt.datetime.combine(day, dt.time(), dt.UTC)
        submitted = midnight + dt.timedelta(seconds=rng.randint(0, 86_399))
        slots.append(Slot(day, f"{month}.{per_month[month]:05d}", submitted))
    return slots


def make_paper(rng: random.Random, index: int, slot: Slot, orgs: list[Any]) -> Any:
    from dailypapers.papers.models import Paper

    has_code = rng.random() < 0.3
    return Paper(
        arxiv_id=slot.arxiv_id,
        version=1,
        title=make_title(rng),
        abstract=make_text(rng, rng.randint(900, 1500)),
        primary_category="cs.LG",
        categories="cs.LG cs.CL",
        published_at=slot.submitted_at - dt.timedelta(hours=rng.randint(1, 72)),
        github_repo=f"https://github.com/lab{index % 997}/repo{index}" if has_code else "",
        github_stars=rng.randint(0, 5_000) if has_code else None,
        organization=rng.choice(orgs) if rng.random() < 0.2 else None,
        imported_upvotes=skewed_upvotes(rng),
        imported_comments=min(int(rng.expovariate(0.5)), 60),
        source="bench",
    )


def fill_chunk(
    rng: random.Random, slots: list[Slot], first_index: int, orgs: list[Any], author_ids: list[int]
) -> None:
    from dailypapers.papers.models import Authorship, Paper, Submission

    papers = [make_paper(rng, first_index + i, slot, orgs) for i, slot in enumerate(slots)]
    Paper.objects.bulk_create(papers, batch_size=1000)  # sets pks (RETURNING on both engines)
    Submission.objects.bulk_create(
        [
            Submission(
                paper=paper,
                feed_date=slot.day,
                submitted_at=slot.submitted_at,
                submitter_name=f"user{rng.randint(1, 5000)}",
                hidden=rng.random() < 0.01,  # moderators hide a few
            )
            for paper, slot in zip(papers, slots, strict=True)
        ],
        batch_size=2000,
    )
    Authorship.objects.bulk_create(
        [
            Authorship(paper=paper, author_id=author, position=position)
            for paper in papers
            for position, author in enumerate(rng.sample(author_ids, rng.randint(3, 8)))
        ],
        batch_size=5000,
    )


def finish_database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Autovacuum would analyze these fresh tables within a minute in production;
            # doing it now keeps the first run from racing it.
            cursor.execute("VACUUM ANALYZE")
        elif connection.vendor == "sqlite":
            # No ANALYZE here: the app never runs it, so SQLite plans without statistics,
            # as a real deployment would. Only fold the big WAL back into the main file.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def fill(args: argparse.Namespace) -> dict[str, float]:
    from django.db import transaction

    from dailypapers.papers.feed_days import feed_today

    rng = random.Random(SEED)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    with transaction.atomic():  # one transaction: SQLite commits once instead of per batch
        orgs = make_organizations(rng)
        author_ids = make_authors(rng, args.authors)
        timings["organizations + authors"] = time.perf_counter() - started
        slots = plan_slots(rng, args.papers, args.days, feed_today())
        for start in range(0, len(slots), CHUNK):
            fill_chunk(rng, slots[start : start + CHUNK], start, orgs, author_ids)
            done = min(start + CHUNK, len(slots))
            if done % 25_000 == 0 or done == len(slots):  # a few lines, readable in a log
                print(f"  {done:,}/{len(slots):,} papers", flush=True)
    timings["papers + submissions + authorships"] = (
        time.perf_counter() - started - timings["organizations + authors"]
    )
    mark = time.perf_counter()
    finish_database()
    timings["vacuum/checkpoint"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return timings
