"""The "for you" section: papers of the period near what a member upvoted, through the real
embedding model and a real SMTP server; never shown twice; "not interested" feeds back."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import signing
from django.utils import timezone

from dailypapers.digests import for_you, send, tokens
from dailypapers.digests.compose import compose, message
from dailypapers.digests.models import DigestDelivery, NotInterested, Subscription
from dailypapers.digests.send import send_digests, send_one
from dailypapers.papers.models import Paper, Upvote
from dailypapers.papers.services.votes import set_upvote
from dailypapers.search import index_papers
from dailypapers.search.models import Embedding
from tests.digests.helpers import subscribe
from tests.factories import make_member, make_paper, make_submitted_paper

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 11, 16)
TUESDAY = MONDAY + dt.timedelta(days=1)
NOT_INTERESTED = re.compile(r"https://papers\.example\.org/digest/not-interested/[^\s\"<]+")

PROTEIN = {  # the member's subject: none of these has votes, so none is in the top list
    "fold": (
        "Predicting protein structures from amino acid sequences",
        "A network predicts the folded 3D structure of proteins from their amino acid chain.",
    ),
    "enzyme": (
        "Designing enzymes with protein structure prediction",
        "We design new enzymes by predicting how their protein chains fold into structures.",
    ),
    "binding": (
        "Protein binding site detection with geometric deep learning",
        "Finding where small molecules bind on the 3D surface of folded proteins.",
    ),
}
OTHER = {
    "galaxy": (
        "A survey of dark matter in galaxy clusters",
        "Telescope observations of galaxy clusters constrain the distribution of dark matter.",
    ),
    "traffic": (
        "Forecasting city traffic with graph networks",
        "Road sensors feed a graph model that forecasts traffic jams in cities.",
    ),
    "speech": (
        "Speech recognition for low-resource languages",
        "Transcribing spoken audio in languages with little training data.",
    ),
    "robot": (
        "Robots learn to grasp objects from human videos",
        "A robot arm imitates people seen in videos to pick up and move objects.",
    ),
}
HISTORY = [  # what the member upvoted before this week: proteins
    (
        "Protein folding with deep learning",
        "Predicting the three-dimensional shape of proteins from sequence.",
    ),
    (
        "Amino acid sequence models for protein design",
        "Language models over amino acid chains generate new proteins.",
    ),
    (
        "Protein structure prediction at scale",
        "Folding millions of protein sequences into structures.",
    ),
]
ASTRONOMY = [  # what another member upvoted before: galaxies
    ("Dark matter halos of dwarf galaxies", "Simulated dwarf galaxies and their dark matter."),
    ("Mapping galaxy clusters with lensing", "Weak lensing maps the mass of galaxy clusters."),
    ("Spiral galaxies in deep telescope surveys", "A telescope survey of distant galaxies."),
]


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # this test's own vector index file
    settings.BASE_URL = "https://papers.example.org"
    settings.DIGEST_SIZE = 2
    settings.DIGEST_FOR_YOU_SIZE = 3
    settings.DIGEST_FOR_YOU_MIN_UPVOTES = 3


@pytest.fixture
def corpus() -> dict[str, Paper]:
    """Monday's feed: two top papers (on language models, many votes), three protein papers
    and four on other subjects; Tuesday's (the same week): one more protein paper and one
    more on galaxies; and older protein papers for members to upvote."""
    papers = {
        "top1": make_submitted_paper(
            MONDAY,
            upvotes=90,
            title="Aligning large language models with human feedback",
            abstract="Reward models trained on preferences steer chat assistants.",
        ),
        "top2": make_submitted_paper(
            MONDAY,
            upvotes=80,
            title="Protein language models predict structure",
            abstract="A protein language model predicts folded protein structures.",
        ),
    }
    for key, (title, abstract) in (PROTEIN | OTHER).items():
        papers[key] = make_submitted_paper(MONDAY, title=title, abstract=abstract)
    papers["tuesday_protein"] = make_submitted_paper(
        TUESDAY,
        title="Folding proteins with diffusion models",
        abstract="A diffusion model generates the 3D structures of folded protein chains.",
    )
    papers["tuesday_galaxy"] = make_submitted_paper(
        TUESDAY,
        title="Galaxy rotation curves and dark matter halos",
        abstract="Measured rotation of spiral galaxies and the dark matter around them.",
    )
    for n, (title, abstract) in enumerate(HISTORY):
        papers[f"history{n}"] = make_paper(title=title, abstract=abstract)
    for n, (title, abstract) in enumerate(ASTRONOMY):
        papers[f"astro{n}"] = make_paper(title=title, abstract=abstract)
    index_papers(list(Paper.objects.values_list("pk", flat=True)))
    return papers


def protein_member(corpus, username="ada", votes=3, **subscription):
    member = make_member(username)
    for n in range(votes):
        set_upvote(member, corpus[f"history{n}"], True)
    subscription.setdefault("user", member)
    return member, subscribe(member.email, **subscription)


def section(received) -> str:
    text = received.text.replace("\r\n", "\n")
    return text[text.index("For you:") : text.index("\n--\n")] if "For you:" in text else ""


def test_a_member_gets_their_subject_first_not_the_top_list_nor_their_votes(smtp_server, corpus):
    member, _ = protein_member(corpus)
    set_upvote(member, corpus["binding"], True)  # upvoted: already known to them
    report = send_digests("daily", MONDAY)
    assert report.sent == 1
    (received,) = smtp_server.to(member.email)
    titles = _titles(section(received))
    # The two protein papers they did not vote for, best first; then the nearest other one.
    assert set(titles[:2]) == {PROTEIN["fold"][0], PROTEIN["enzyme"][0]}
    assert len(titles) == 3
    assert corpus["top2"].title not in titles  # in the top list, on proteins as well
    assert PROTEIN["binding"][0] not in titles
    assert corpus["tuesday_protein"].title not in titles  # another feed day
    # Both parts carry the section, each paper with its link and a "not interested" link.
    assert received.html.count("Not interested</a>") == 3
    for key in ("fold", "enzyme"):
        assert corpus[key].get_absolute_url() in section(received)
        assert f'href="https://papers.example.org{corpus[key].get_absolute_url()}"' in (
            received.html
        )
    assert len(NOT_INTERESTED.findall(section(received))) == 3
    assert len(NOT_INTERESTED.findall(received.html)) == 3
    delivery = DigestDelivery.objects.get()
    assert delivery.for_you_ids == [_pk(corpus, t) for t in titles]


def test_recent_votes_outweigh_old_ones(corpus):
    member, subscription = protein_member(corpus)
    for n in range(3):
        set_upvote(member, corpus[f"astro{n}"], True)
    year_ago = timezone.now() - dt.timedelta(days=365)
    astronomy = Upvote.objects.filter(user=member, paper__title__icontains="galax")
    astronomy.update(created_at=year_ago)
    digest = compose("daily", MONDAY)
    (picked,) = for_you.ForYou(digest).sections([subscription]).values()
    assert {p.title for p in picked[:2]} == {PROTEIN["fold"][0], PROTEIN["enzyme"][0]}
    # The same votes, fresh on galaxies and a year old on proteins: the galaxy paper first.
    Upvote.objects.filter(user=member).exclude(pk__in=astronomy).update(created_at=year_ago)
    astronomy.update(created_at=timezone.now())
    (picked,) = for_you.ForYou(digest).sections([subscription]).values()
    assert picked[0].title == OTHER["galaxy"][0]


def test_an_overlapping_digest_never_repeats_a_paper(smtp_server, corpus, settings):
    member, subscription = protein_member(corpus)
    send_digests("daily", MONDAY)
    first = DigestDelivery.objects.get(period_key="daily:2026-11-16").for_you_ids
    assert len(first) == 3
    # The member moves to the weekly digest: the week holds Monday's papers again.
    subscription.frequency = "weekly"
    subscription.save()
    send_digests("weekly", MONDAY)
    weekly = DigestDelivery.objects.get(period_key="weekly:2026-W47").for_you_ids
    assert weekly and not set(weekly) & set(first)
    assert weekly[0] == corpus["tuesday_protein"].pk  # the week's protein paper not yet shown
    daily_text, weekly_text = (section(m) for m in smtp_server.to(member.email))
    assert not set(_titles(daily_text)) & set(_titles(weekly_text))
    # --email re-sends by hand: the same rule, and it records nothing.
    send_one("weekly", member.email, MONDAY)
    assert not set(_titles(section(smtp_server.to(member.email)[-1]))) & set(_titles(daily_text))
    assert DigestDelivery.objects.count() == 2


def test_a_retry_of_the_same_period_picks_the_same_papers(smtp_server, corpus):
    member, _ = protein_member(corpus)
    send_digests("daily", MONDAY)
    delivery = DigestDelivery.objects.get()
    shown = delivery.for_you_ids
    DigestDelivery.objects.filter(pk=delivery.pk).update(
        status=DigestDelivery.FAILED, claimed_at=timezone.now() - dt.timedelta(hours=1)
    )
    send_digests("daily", MONDAY)
    assert DigestDelivery.objects.get().for_you_ids == shown
    first, retry = smtp_server.to(member.email)
    assert _titles(section(first)) == _titles(section(retry))


def test_not_interested_shows_a_button_then_records_and_moves_the_profile(
    smtp_server, corpus, client, settings
):
    member, subscription = protein_member(corpus)
    digest = compose("daily", MONDAY)
    before = for_you.ForYou(digest).sections([subscription])[subscription.pk]
    assert {p.title for p in before[:2]} == {PROTEIN["fold"][0], PROTEIN["enzyme"][0]}
    send_digests("daily", MONDAY)
    (received,) = smtp_server.to(member.email)
    links = dict(
        zip(_titles(section(received)), NOT_INTERESTED.findall(section(received)), strict=True)
    )
    path = links[PROTEIN["fold"][0]].removeprefix("https://papers.example.org")

    page = client.get(path)  # a mail scanner fetching the link marks nothing
    assert page.status_code == 200
    assert b'<form method="post"' in page.content and b"Not interested</button>" in page.content
    assert PROTEIN["fold"][0].encode() in page.content
    assert not NotInterested.objects.exists()

    assert client.post(path).status_code == 200
    assert client.post(path).status_code == 200  # twice: still one mark
    (mark,) = NotInterested.objects.all()
    assert (mark.user, mark.paper) == (member, corpus["fold"])

    # The paper never comes back, and its neighbour ranks lower than before.
    DigestDelivery.objects.all().delete()  # forget what was shown: only the mark acts
    after = for_you.ForYou(digest).sections([subscription])[subscription.pk]
    assert corpus["fold"].pk not in [p.paper_id for p in after]
    scores = _scores(digest, subscription)
    NotInterested.objects.all().delete()
    scores_before = _scores(digest, subscription)
    assert scores[corpus["enzyme"].pk] < scores_before[corpus["enzyme"].pk]


def test_not_interested_links_are_signed(client, corpus):
    member, subscription = protein_member(corpus)
    good = tokens.not_interested_url(member.pk, corpus["fold"].pk)
    assert client.get(_path(good)).status_code == 200
    token = _path(good).rsplit("/", 1)[1]
    wrong_salt = signing.Signer(salt="elsewhere").sign_object([member.pk, corpus["fold"].pk])
    for bad in (
        token[:-3] + "xyz",  # tampered signature
        "garbage",
        wrong_salt,
        tokens.unsubscribe_token(subscription),  # a token of another kind
        signing.Signer(salt=tokens.NOT_INTERESTED_SALT).sign_object({"u": member.pk}),
    ):
        response = client.post(f"/digest/not-interested/{bad}")
        assert response.status_code == 400, bad
        assert b"This link does not work" in response.content
    gone = tokens.not_interested_url(member.pk, 10**9)  # a paper that does not exist
    assert client.get(_path(gone)).status_code == 400
    assert not NotInterested.objects.exists()


@pytest.mark.parametrize("case", ["below_min_upvotes", "for_you_off", "anonymous"])
def test_no_section(smtp_server, corpus, case):
    if case == "anonymous":
        subscription = subscribe("anon@example.org")
        address = subscription.email
    else:
        votes = 2 if case == "below_min_upvotes" else 3
        wants = case != "for_you_off"
        member, subscription = protein_member(corpus, votes=votes, wants_for_you=wants)
        address = member.email
    send_digests("daily", MONDAY)
    (received,) = smtp_server.to(address)
    assert "For you" not in received.text and "For you" not in received.html
    assert "not-interested" not in received.text + received.html
    assert DigestDelivery.objects.get().for_you_ids == []


def test_a_batch_picks_for_each_member_its_own(corpus):
    _, protein_sub = protein_member(corpus, "prot")
    astronomer = make_member("astro")
    for n in range(3):
        set_upvote(astronomer, corpus[f"astro{n}"], True)
    astro_sub = subscribe(astronomer.email, user=astronomer)
    anonymous = subscribe("anon@example.org")
    sections = for_you.ForYou(compose("weekly", MONDAY)).sections(
        [protein_sub, anonymous, astro_sub]
    )
    assert set(sections) == {protein_sub.pk, astro_sub.pk}
    proteins = {corpus[key].pk for key in (*PROTEIN, "tuesday_protein")}
    assert {p.paper_id for p in sections[protein_sub.pk]} < proteins
    galaxies = {corpus["galaxy"].pk, corpus["tuesday_galaxy"].pk}
    assert {p.paper_id for p in sections[astro_sub.pk][:2]} == galaxies


def test_hostile_titles_are_inert_in_the_html_part(smtp_server, corpus):
    hostile = make_submitted_paper(
        MONDAY,
        title='<script>alert(1)</script><img src=x onerror="alert(2)"> protein folding',
        abstract="Predicting the folded structure of proteins from amino acid sequences.",
    )
    index_papers([hostile.pk])
    member, _ = protein_member(corpus)
    send_digests("daily", MONDAY)
    (received,) = smtp_server.to(member.email)
    assert hostile.pk in DigestDelivery.objects.get().for_you_ids
    assert "<script>" not in received.html and "<img src=x" not in received.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=" in received.html
    assert "<script>alert(1)</script>" in section(received)  # plain text: as written


def test_message_without_for_you_has_no_section(corpus):
    _, subscription = protein_member(corpus)
    email = message(compose("daily", MONDAY), subscription)
    assert "For you" not in email.body


def test_dry_run_composes_sections_and_records_nothing(corpus, smtp_server):
    protein_member(corpus)
    report = send_digests("daily", MONDAY, dry_run=True)
    assert report.sent == 1 and report.dry_run
    assert not DigestDelivery.objects.exists() and not smtp_server.messages


def _path(url: str) -> str:
    return url.removeprefix("https://papers.example.org")


def _titles(text: str) -> list[str]:
    return re.findall(r"^\* (.+)$", text, re.MULTILINE)


def _pk(corpus, title: str) -> int:
    return next(paper.pk for paper in corpus.values() if paper.title == title)


def _scores(digest, subscription) -> dict[int, float]:
    """Each candidate's score against the member's profile (what the section ranks by)."""
    picker = for_you.ForYou(digest)
    votes = for_you.queries.recent_upvotes_of([subscription.user_id], 200)
    marks = list(
        NotInterested.objects.filter(user_id=subscription.user_id).values_list(
            "user_id", "paper_id", "created_at"
        )
    )
    profiles, _ = picker._profiles([subscription.user_id], votes, marks)
    scores = profiles[0] @ picker.pool.matrix.T
    return {paper.paper_id: float(s) for paper, s in zip(picker.pool.papers, scores, strict=True)}


def test_an_unsaved_subscription_gets_the_same_section(corpus):
    """The staff preview builds an unsaved Subscription for a member: same picks, no rows."""
    member, subscription = protein_member(corpus)
    digest = compose("daily", MONDAY)
    saved = for_you.section_for(digest, subscription)
    unsaved = for_you.section_for(digest, Subscription(email="x@example.org", user=member))
    assert saved and [p.paper_id for p in unsaved] == [p.paper_id for p in saved]


def test_votes_on_papers_without_a_vector_make_no_profile(corpus):
    member, subscription = protein_member(corpus)
    Embedding.objects.filter(paper__votes__user=member).delete()
    assert for_you.section_for(compose("daily", MONDAY), subscription) == []


def test_sections_across_batches(smtp_server, corpus, monkeypatch):
    monkeypatch.setattr(send, "BATCH", 2)  # five subscriptions: three batches
    protein, _ = protein_member(corpus, "prot")
    astronomer = make_member("astro")
    for n in range(3):
        set_upvote(astronomer, corpus[f"astro{n}"], True)
    subscribe("anon1@example.org")
    subscribe(astronomer.email, user=astronomer)
    subscribe("anon2@example.org")
    report = send_digests("daily", MONDAY)
    assert report.sent == 4
    assert _titles(section(smtp_server.to(astronomer.email)[0]))[0] == OTHER["galaxy"][0]
    assert "rotein" in _titles(section(smtp_server.to(protein.email)[0]))[0]
    assert all(section(smtp_server.to(f"anon{n}@example.org")[0]) == "" for n in (1, 2))


def test_a_profile_reads_each_members_latest_votes_only(corpus):
    ada, _ = protein_member(corpus, "ada")
    bob, _ = protein_member(corpus, "bob")
    for days, key in enumerate(("history0", "history1", "history2")):
        Upvote.objects.filter(paper=corpus[key]).update(
            created_at=timezone.now() - dt.timedelta(days=days)
        )
    votes = for_you.queries.recent_upvotes_of([ada.pk, bob.pk], 2)
    assert sorted((u, p) for u, p, _ in votes) == sorted(
        (member.pk, corpus[key].pk) for member in (ada, bob) for key in ("history0", "history1")
    )
