"""Digest composition benchmark: 100 K subscribers, 30 K of them members with "for you".

Fills a throwaway database (SQLite under var/bench/digest-sqlite, or PostgreSQL with
--database-url) with a week of feed papers (300 a day) and a history of older papers, all real
titles and abstracts from the demo corpus embedded with the real embedder; members who upvoted
5-50 history papers each around one topic (over the last 180 days), a few "not interested",
earlier deliveries of the week with their "for you" papers; and 100 K confirmed subscriptions,
the members' with "for you" on. Then it composes (does not send) the period's digest for every
subscriber the way `dailypapers digests send --dry-run` does, and prints the total time, the
time per subscriber and the process's memory at 10 K, 50 K and 100 K subscribers (flat memory:
the same figure at each), then Markdown rows for the README. It measures; it asserts nothing.

    .venv/bin/python bench/digest_compose.py                         # SQLite, 100 K subscribers
    .venv/bin/python bench/digest_compose.py --keep --frequency weekly   # reuse the fill
    .venv/bin/python bench/digest_compose.py --keep --profile 25     # where the time goes
    .venv/bin/python bench/digest_compose.py --database-url postgres://postgres@127.0.0.1:5432/dp_digest_bench

If `send_digests(dry_run=True)` only counts (composes no message), the script says so and
composes each message itself, batch by batch as send.py walks them (`--mode compose` forces
this).
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import datetime as dt
import io
import json
import lzma
import pstats
import random
import resource
import signal
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from benchkit import ROOT
from benchkit.db import reset_storage
from benchkit.env import BENCH_ROOT, configure_env, manage
from benchkit.fill import make_authors
from benchkit.machine import machine_label

SEED = 20261126
MARKER = "digest-fill.json"
CORPUS = ROOT / "dailypapers" / "demo" / "corpus.jsonl.xz"
CHUNK = 5_000  # rows per bulk_create round
TOPIC_POOL = 100  # a member's upvotes are drawn from the papers nearest one anchor paper
UPVOTE_DAYS = 180  # upvotes spread over this many days (the profile weighs recent ones more)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument(
        "--members", type=int, default=30_000, help="subscribers who are members with upvotes"
    )
    parser.add_argument("--per-day", type=int, default=300, help="feed papers a day (7 days)")
    parser.add_argument("--history", type=int, default=3_000, help="older papers members upvoted")
    parser.add_argument("--frequency", choices=["daily", "weekly"], default="daily")
    parser.add_argument(
        "--checkpoints",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[10_000, 50_000, 100_000],
        help="subscriber counts at which to print time and memory",
    )
    parser.add_argument(
        "--mode",
        choices=["auto", "send", "compose"],
        default="auto",
        help="send: time send_digests(dry_run=True); compose: compose every message here; "
        "auto: send, or compose when the dry run composes nothing",
    )
    parser.add_argument(
        "--mime", action="store_true", help="compose mode: also serialize each message to bytes"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile the run, print N rows"
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace Python allocations (slower; shows the Python heap now and its peak)",
    )
    parser.add_argument(
        "--sqlite-cached-statements",
        type=int,
        default=None,
        metavar="N",
        help="size of Python's sqlite3 statement cache (default 128): each cached statement "
        "with a long IN list keeps its compiled program",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL URL (database name must contain 'bench': it is dropped)",
    )
    parser.add_argument("--data-root", default="", help="where the fill lives (default var/bench)")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the database if it already holds this fill"
    )
    return parser.parse_args(argv)


def data_dir_for(args: argparse.Namespace) -> Path:
    root = Path(args.data_root) if args.data_root else BENCH_ROOT
    if not args.database_url:
        return root / "digest-sqlite"
    return root / f"digest-pg-{urlsplit(args.database_url).path.lstrip('/')}"


def fill_signature(args: argparse.Namespace) -> dict:
    from django.conf import settings

    return {
        "subscribers": args.subscribers,
        "members": args.members,
        "per_day": args.per_day,
        "history": args.history,
        "seed": SEED,
        "members_spread": True,
        "database_url": args.database_url,
        "embedding_model": settings.EMBEDDING_MODEL,
    }


# ---------------------------------------------------------------------------------- memory


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mb() -> float:
    """The process's resident memory now (VmRSS), in MB."""
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    """The process's peak resident memory since it started this program (VmHWM; getrusage's
    ru_maxrss would carry the parent's peak over fork and exec), in MB."""
    return _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------------------ fill


def read_corpus(count: int) -> list[dict]:
    """The first `count` papers of the demo corpus with a title and an abstract."""
    papers: list[dict] = []
    seen: set[str] = set()
    with lzma.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            paper = json.loads(line).get("paper", {})
            if paper.get("id") in seen or not paper.get("title") or not paper.get("summary"):
                continue
            seen.add(paper["id"])
            papers.append(paper)
            if len(papers) == count:
                return papers
    raise SystemExit(f"the demo corpus has {len(papers):,} papers; ask for fewer")


def corpus_authors(paper: dict) -> int:
    try:  # the HF files hold a Python repr of the author list
        return len(ast.literal_eval(paper.get("authors") or "[]"))
    except (ValueError, SyntaxError):
        return 4


def bench_week() -> list[dt.date]:
    """The last complete ISO week: a week of feed days, the daily digest for its Sunday."""
    from dailypapers.papers.feed_days import feed_today

    last_week = feed_today() - dt.timedelta(days=7)
    monday = last_week - dt.timedelta(days=last_week.weekday())
    return [monday + dt.timedelta(days=i) for i in range(7)]


def stage(name: str, timings: dict[str, float]) -> Callable[[], None]:
    started = time.perf_counter()
    print(f"  {name} …", flush=True)

    def done() -> None:
        timings[name] = time.perf_counter() - started

    return done


def make_papers(rng: random.Random, args: argparse.Namespace, days: list[dt.date]):
    """Feed papers (submitted on the week's days) and history papers (no submission)."""
    from django.db import transaction

    from dailypapers.papers.models import Authorship, Paper, Submission

    corpus = read_corpus(args.per_day * len(days) + args.history)
    author_ids = make_authors(rng, 20_000)
    feed_slots = [day for day in days for _ in range(args.per_day)]
    feed_ids: list[int] = []
    history_ids: list[int] = []
    with transaction.atomic():
        for start in range(0, len(corpus), CHUNK):
            chunk = corpus[start : start + CHUNK]
            papers = []
            for i, record in enumerate(chunk, start):
                day = feed_slots[i] if i < len(feed_slots) else days[0] - dt.timedelta(days=8)
                published = dt.datetime.combine(day, dt.time(), dt.UTC) - dt.timedelta(
                    hours=rng.randint(1, 72 if i < len(feed_slots) else 24 * 700)
                )
                papers.append(
                    Paper(
                        arxiv_id=record["id"],
                        version=1,
                        title=" ".join(record["title"].split()),
                        abstract=" ".join(record["summary"].split()),
                        primary_category="cs.LG",
                        categories="cs.LG",
                        published_at=published,
                        imported_upvotes=int(record.get("upvotes") or 0),
                        source="bench",
                    )
                )
            Paper.objects.bulk_create(papers, batch_size=1000)
            submissions = []
            for i, paper in enumerate(papers, start):
                if i < len(feed_slots):
                    feed_ids.append(paper.pk)
                    midnight = dt.datetime.combine(feed_slots[i], dt.time(), dt.UTC)
                    submissions.append(
                        Submission(
                            paper=paper,
                            feed_date=feed_slots[i],
                            submitted_at=midnight + dt.timedelta(seconds=rng.randint(0, 86_399)),
                            submitter_name=f"user{rng.randint(1, 5000)}",
                        )
                    )
                else:
                    history_ids.append(paper.pk)
            Submission.objects.bulk_create(submissions, batch_size=2000)
            Authorship.objects.bulk_create(
                [
                    Authorship(paper=paper, author_id=author, position=position)
                    for paper, record in zip(papers, chunk, strict=True)
                    for position, author in enumerate(
                        rng.sample(author_ids, min(max(corpus_authors(record), 1), 12))
                    )
                ],
                batch_size=5000,
            )
    return feed_ids, history_ids


def embed(paper_ids: list[int]) -> None:
    from dailypapers.search import index_papers

    started = time.perf_counter()
    for start in range(0, len(paper_ids), 512):
        index_papers(paper_ids[start : start + 512])
        done = min(start + 512, len(paper_ids))
        rate = done / (time.perf_counter() - started)
        print(f"    embedded {done:,}/{len(paper_ids):,} ({rate:.0f} papers/s)", flush=True)


def make_members(rng: random.Random, args: argparse.Namespace) -> list[int]:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    User = get_user_model()
    with transaction.atomic():
        for start in range(0, args.members, CHUNK):
            User.objects.bulk_create(
                [
                    # "!" marks an unusable password: hashing 30 K of them would take minutes.
                    User(username=f"bench-m{i}", email=f"m{i}@bench.invalid", password="!")
                    for i in range(start, min(start + CHUNK, args.members))
                ],
                batch_size=1000,
            )
    users = User.objects.filter(username__startswith="bench-m").order_by("pk")
    return list(users.values_list("pk", flat=True))


def make_upvotes(rng: random.Random, member_ids: list[int], history_ids: list[int]) -> int:
    """Each member upvotes 5-50 history papers among the TOPIC_POOL nearest one anchor paper:
    a profile with a direction, as a reader who follows a topic has."""
    import numpy as np
    from django.db import transaction
    from django.db.models import Count, OuterRef, Subquery
    from django.utils import timezone

    from dailypapers.papers.models import Paper, Upvote
    from dailypapers.search import paper_vectors

    vectors = paper_vectors(history_ids)
    ids = np.array([pk for pk in history_ids if pk in vectors])
    matrix = np.stack([vectors[pk] for pk in ids.tolist()])
    now = timezone.now()
    total = 0
    with transaction.atomic():
        for start in range(0, len(member_ids), 2_000):
            members = member_ids[start : start + 2_000]
            anchors = [rng.randrange(len(ids)) for _ in members]
            similarity = matrix @ matrix[anchors].T  # history x members
            nearest = np.argpartition(-similarity, TOPIC_POOL, axis=0)[:TOPIC_POOL]
            rows = []
            for column, member in enumerate(members):
                pool = ids[nearest[:, column]].tolist()
                for paper in rng.sample(pool, rng.randint(5, 50)):
                    age = dt.timedelta(seconds=rng.uniform(0, UPVOTE_DAYS * 86_400))
                    rows.append(Upvote(user_id=member, paper_id=paper, created_at=now - age))
            Upvote.objects.bulk_create(rows, batch_size=5_000)
            total += len(rows)
        # The counters stay exact, as papers.services keeps them.
        counts = Upvote.objects.filter(paper=OuterRef("pk")).values("paper")
        counts = counts.annotate(n=Count("pk")).values("n")
        Paper.objects.filter(pk__in=history_ids).update(upvotes=Subquery(counts))
    return total


def make_subscriptions(
    rng: random.Random,
    args: argparse.Namespace,
    member_ids: list[int],
    feed_ids: list[int],
    days: list[dt.date],
) -> dict[str, int]:
    from django.db import transaction
    from django.utils import timezone

    from dailypapers.digests.models import DigestDelivery, NotInterested, Subscription

    now = timezone.now()
    counts = {"subscriptions": 0, "not interested": 0, "earlier deliveries": 0}
    with transaction.atomic():
        for start in range(0, args.subscribers, CHUNK):
            rows = []
            for i in range(start, min(start + CHUNK, args.subscribers)):
                # Members spread evenly among the addresses (every 3rd-4th at 30 K of 100 K), so
                # each checkpoint has measured the same mix.
                n, step = len(member_ids), args.subscribers
                member = member_ids[i * n // step] if (i + 1) * n // step > i * n // step else None
                email = f"m{i * n // step}@bench.invalid" if member else f"reader{i}@bench.invalid"
                rows.append(
                    Subscription(
                        email=email,
                        user_id=member,
                        frequency=args.frequency,
                        wants_for_you=True,
                        confirmed_at=now,
                    )
                )
            Subscription.objects.bulk_create(rows, batch_size=1000)
            counts["subscriptions"] += len(rows)
        # A tenth of the members said "not interested" to 1-3 papers of the week.
        not_interested = [
            NotInterested(user_id=member, paper_id=paper)
            for member in member_ids
            if rng.random() < 0.1
            for paper in rng.sample(feed_ids, rng.randint(1, 3))
        ]
        NotInterested.objects.bulk_create(not_interested, batch_size=5_000)
        counts["not interested"] = len(not_interested)
        # The week's earlier daily digests went out, each with 5 "for you" papers of its day:
        # the "never shown twice" rule has history to exclude in a weekly run.
        per_day = len(feed_ids) // len(days)
        member_subs = Subscription.objects.filter(user__isnull=False).values_list("pk", flat=True)
        member_subs = list(member_subs)
        for index, day in enumerate(days[:-1]):
            day_papers = feed_ids[index * per_day : (index + 1) * per_day]
            sent = now - dt.timedelta(days=len(days) - 1 - index)
            rows = [
                DigestDelivery(
                    subscription_id=sub,
                    period_key=f"daily:{day.isoformat()}",
                    status=DigestDelivery.SENT,
                    claimed_at=sent,
                    sent_at=sent,
                    attempts=1,
                    for_you_ids=rng.sample(day_papers, 5),
                )
                for sub in member_subs
            ]
            DigestDelivery.objects.bulk_create(rows, batch_size=5_000)
            counts["earlier deliveries"] += len(rows)
    return counts


def finish_database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def fill(args: argparse.Namespace) -> dict:
    rng = random.Random(SEED)
    timings: dict[str, float] = {}
    days = bench_week()
    done = stage("papers (real titles and abstracts) + submissions + authorships", timings)
    feed_ids, history_ids = make_papers(rng, args, days)
    done()
    done = stage(f"embed {len(feed_ids) + len(history_ids):,} papers (real model)", timings)
    embed(feed_ids + history_ids)
    done()
    done = stage(f"{args.members:,} members", timings)
    member_ids = make_members(rng, args)
    done()
    done = stage("upvotes around a topic each", timings)
    upvotes = make_upvotes(rng, member_ids, history_ids)
    done()
    done = stage("subscriptions, not-interested, earlier deliveries", timings)
    counts = make_subscriptions(rng, args, member_ids, feed_ids, days)
    done()
    done = stage("vacuum/checkpoint", timings)
    finish_database()
    done()
    for name, seconds in timings.items():
        print(f"  {name:<64} {seconds:7.1f} s")
    print(
        f"  {len(feed_ids):,} feed papers {days[0]}..{days[-1]}, {len(history_ids):,} history, "
        f"{upvotes:,} upvotes, " + ", ".join(f"{n:,} {what}" for what, n in counts.items())
    )
    return {"on": days[-1].isoformat()}


def prepare(args: argparse.Namespace, data_dir: Path) -> dt.date:
    """Migrate and fill, or reuse the fill --keep finds; returns the digest's date."""
    marker = data_dir / MARKER
    reuse = args.keep and marker.exists()
    if not reuse:
        reset_storage(args, data_dir)
    started = time.perf_counter()
    subprocess.run(manage("migrate", "--no-input", "-v", "0"), check=True, cwd=ROOT)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    import django

    django.setup()
    signature = fill_signature(args)
    if reuse:
        saved = json.loads(marker.read_text())
        if saved["signature"] == signature:
            print(f"fill: reusing {data_dir}")
            return dt.date.fromisoformat(saved["on"])
        raise SystemExit(f"--keep: {data_dir} holds another fill ({saved['signature']})")
    print(f"fill: {data_dir}")
    facts = fill(args)
    marker.write_text(json.dumps({"signature": signature, **facts}))
    return dt.date.fromisoformat(facts["on"])


# --------------------------------------------------------------------------------- measure


@dataclass
class Checkpoint:
    subscribers: int
    seconds: float
    rss_mb: float
    peak_rss_mb: float
    traced_mb: float | None  # Python's own allocations now, and their peak (--tracemalloc)
    traced_peak_mb: float | None


@dataclass
class Run:
    mode: str
    checkpoints: list[Checkpoint] = field(default_factory=list)
    composed: int = 0
    with_for_you: int = 0
    subscribers: int = 0
    seconds: float = 0.0
    compose_seconds: float = 0.0  # the shared part: the period's top list


class Meter:
    """Times the walk over the subscription batches and samples memory at checkpoints."""

    def __init__(self, run: Run, checkpoints: list[int]) -> None:
        self.run, self.pending = run, sorted(checkpoints)
        self.started = time.perf_counter()

    def batches(self, source: Iterator[list]) -> Iterator[list]:
        for batch in source:
            yield batch  # the caller composes this batch before asking for the next one
            self.run.subscribers += len(batch)
            while self.pending and self.run.subscribers >= self.pending[0]:
                self.pending.pop(0)
                self.sample()

    def finish(self) -> None:
        last = self.run.checkpoints[-1].subscribers if self.run.checkpoints else -1
        if self.run.subscribers != last:
            self.sample()

    def sample(self) -> None:
        tracing = tracemalloc.is_tracing()
        now, peak = (
            (n / 2**20 for n in tracemalloc.get_traced_memory()) if tracing else (None, None)
        )
        point = Checkpoint(
            self.run.subscribers,
            time.perf_counter() - self.started,
            rss_mb(),
            peak_rss_mb(),
            now,
            peak,
        )
        self.run.checkpoints.append(point)
        traced_text = f", Python heap {now:.0f} MB (peak {peak:.0f} MB)" if tracing else ""
        # Anonymous (heap) vs file-backed (mapped files, shared libraries) resident memory.
        split = f"anon {_status_mb('RssAnon'):.0f} MB, file {_status_mb('RssFile'):.0f} MB"
        print(
            f"  {point.subscribers:>7,} subscribers  {point.seconds:7.1f} s  "
            f"RSS {point.rss_mb:.0f} MB ({split}; peak {point.peak_rss_mb:.0f} MB){traced_text}",
            flush=True,
        )


def counting_message(run: Run, real: Callable) -> Callable:
    """send.py's `message`, counted: how many emails the dry run composed, how many with a
    "for you" section."""

    def message(digest, subscription, *rest, **options):
        email = real(digest, subscription, *rest, **options)
        run.composed += 1
        for_you = options.get("for_you", rest[1] if len(rest) > 1 else ())
        run.with_for_you += bool(for_you)
        return email

    return message


def measure_send(args: argparse.Namespace, on: dt.date) -> Run:
    """Time `send_digests(frequency, on, dry_run=True)` as the command runs it."""
    from dailypapers.digests import send

    run = Run("send_digests(dry_run=True)")
    meter = Meter(run, args.checkpoints)
    walk, real_message = send.due_subscriptions, send.message
    send.due_subscriptions = lambda frequency: meter.batches(walk(frequency))
    send.message = counting_message(run, real_message)
    try:
        started = time.perf_counter()
        report = send.send_digests(args.frequency, on, dry_run=True)
        run.seconds = time.perf_counter() - started
    finally:
        send.due_subscriptions, send.message = walk, real_message
    meter.finish()
    print(f"  {report.summary()}")
    return run


def for_you_sections(digest) -> Callable[[list], dict]:
    """The "for you" sections of a batch, as send.py picks them (none before the module)."""
    try:
        from dailypapers.digests.for_you import ForYou
    except ImportError:
        print("  (no dailypapers.digests.for_you yet: messages without 'for you')")
        return lambda batch: {}
    return ForYou(digest).sections


def measure_compose(args: argparse.Namespace, on: dt.date) -> Run:
    """Compose every message here, batch by batch as send.py walks the subscriptions."""
    from dailypapers.digests import compose, send

    run = Run("compose.message per subscriber" + (" + MIME bytes" if args.mime else ""))
    meter = Meter(run, args.checkpoints)
    started = time.perf_counter()
    digest = compose.compose(args.frequency, on)
    run.compose_seconds = time.perf_counter() - started
    sections = for_you_sections(digest)
    for batch in meter.batches(send.due_subscriptions(args.frequency)):
        picked = sections(batch)
        for subscription in batch:
            for_you = picked.get(subscription.pk, ())
            email = compose.message(digest, subscription, for_you=for_you)
            if args.mime:
                email.message().as_bytes()
            run.composed += 1
            run.with_for_you += bool(for_you)
    run.seconds = time.perf_counter() - started
    meter.finish()
    return run


def profiled(call: Callable[[], Run], rows: int) -> Run:
    if not rows:
        return call()
    profiler = cProfile.Profile()
    run = profiler.runcall(call)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(rows)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(rows)
    print(out.getvalue())
    out = io.StringIO()  # the project's own functions: for you, compose, the queries
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats("dailypapers", rows)
    print(out.getvalue())
    return run


def report(args: argparse.Namespace, run: Run, on: dt.date) -> None:
    from django.db import connection

    engine = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
    per = run.seconds / max(run.subscribers, 1) * 1000
    print(
        f"\n{run.mode}, {args.frequency} digest for {on}: {run.subscribers:,} subscribers in "
        f"{run.seconds:.1f} s ({per:.2f} ms each), {run.composed:,} messages composed, "
        f"{run.with_for_you:,} with 'for you'; peak RSS {peak_rss_mb():.0f} MB"
    )
    print(f"machine: {machine_label()}, {engine}; {code_state()}\n")
    print("| subscribers | time | per subscriber | RSS | peak RSS |")
    print("|--:|--:|--:|--:|--:|")
    for point in run.checkpoints:
        ms = point.seconds / max(point.subscribers, 1) * 1000
        print(
            f"| {point.subscribers:,} | {point.seconds:.1f} s | {ms:.2f} ms | "
            f"{point.rss_mb:.0f} MB | {point.peak_rss_mb:.0f} MB |"
        )


def code_state() -> str:
    """The commit measured, and whether the digests' code differs from it (a bench of a
    work tree in the middle of a change measures that change)."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--", "dailypapers/digests", "dailypapers/papers"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    changed = [line[3:] for line in changed if line[:2].strip() == "M"]
    return f"commit {head}" + (f", modified: {', '.join(changed)}" if changed else "")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    data_dir = data_dir_for(args)
    configure_env(args, data_dir)
    on = prepare(args, data_dir)
    if not args.keep:
        # Measure in a fresh process: the fill's embedding model and buffers would otherwise
        # be most of the memory measured.
        # (A child, not exec: the kernel's peak RSS would carry over an exec.)
        sys.stdout.flush()
        script = str(Path(__file__).resolve())
        child = [sys.executable, script, *(argv or sys.argv[1:]), "--keep"]
        sys.exit(subprocess.run(child, check=False).returncode)
    from django.db import connection

    from dailypapers.digests.models import Subscription

    if args.sqlite_cached_statements is not None and connection.vendor == "sqlite":
        connection.settings_dict["OPTIONS"]["cached_statements"] = args.sqlite_cached_statements
        connection.close()
    # One fill serves both runs: the subscribers take the measured frequency.
    Subscription.objects.exclude(frequency=args.frequency).update(frequency=args.frequency)
    connection.close()  # the fill's connection state (caches, WAL) out of the measurement
    print(f"\ncomposing the {args.frequency} digest for {on} (mode {args.mode})")
    print(f"  before: RSS {rss_mb():.0f} MB (peak {peak_rss_mb():.0f} MB)")
    if args.tracemalloc:
        tracemalloc.start()
    run = None
    if args.mode in {"auto", "send"}:
        run = profiled(lambda: measure_send(args, on), args.profile)
        if run.composed == 0 and run.subscribers:
            print("  the dry run composed no message (it only counts)")
            if args.mode == "auto":
                run = None
    if run is None:
        run = profiled(lambda: measure_compose(args, on), args.profile)
    report(args, run, on)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("\ninterrupted")
