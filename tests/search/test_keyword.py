"""keyword_search on the database's own full-text index (FTS5 on SQLite, tsvector on PostgreSQL),
with the index the migration made and the triggers or generated column that keep it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F

from dailypapers.papers.models import Paper
from dailypapers.search.keyword import all_then_some, keyword_search, rebuild_keyword_index
from dailypapers.search.query import parse_query
from tests.factories import make_organization, make_paper
from tests.search.test_query import HOSTILE

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's FTS5 index")


def ids(query: str, limit: int = 20, among=None) -> list[int]:
    return [pk for pk, _ in keyword_search(parse_query(query), limit=limit, among=among)]


def test_a_title_match_ranks_above_an_abstract_match():
    in_abstract = make_paper(title="A study of things", abstract="We use a tokamak plasma.")
    in_title = make_paper(title="Tokamak control", abstract="We study control of devices.")
    assert ids("tokamak") == [in_title.pk, in_abstract.pk]


def test_scores_are_best_first_and_positive():
    make_paper(title="Sparse attention", abstract="Sparse attention for long inputs.")
    make_paper(title="Dense layers", abstract="Attention is mentioned once.")
    scores = [score for _, score in keyword_search(parse_query("attention"), limit=5)]
    assert len(scores) == 2
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)


@pytest.mark.parametrize(
    ("query", "text"),
    [("models", "A model of rain"), ("learning", "Machines learn"), ("MODEL", "the models")],
)
def test_stemming_and_case_are_ignored(query, text):
    paper = make_paper(title=text, abstract="")
    make_paper(title="Unrelated", abstract="Nothing here.")
    assert ids(query) == [paper.pk]


@sqlite_only
def test_accents_are_ignored_on_sqlite():
    paper = make_paper(title="Modèles de langue", abstract="Étude")
    assert ids("modeles") == [paper.pk]
    assert ids("etude") == [paper.pk]


def test_every_word_is_required_before_papers_with_some_words():
    both = make_paper(title="Graph neural networks", abstract="On molecules.")
    one = make_paper(title="Graph theory", abstract="Colourings.")
    make_paper(title="Unrelated", abstract="Nothing here.")
    assert ids("graph molecules") == [both.pk, one.pk]
    assert ids("graph molecules", limit=1) == [both.pk]


def test_papers_with_some_words_are_left_out_once_enough_have_every_word():
    both = make_paper(title="Graph neural networks", abstract="On molecules.")
    make_paper(title="Graph theory", abstract="Colourings.")
    found = keyword_search(parse_query("graph molecules"), limit=20, enough=1)
    assert [pk for pk, _ in found] == [both.pk]
    found = keyword_search(parse_query("graph molecules"), limit=20, enough=2)
    assert len(found) == 2


def test_papers_with_every_word_score_above_papers_with_some():
    assert all_then_some([(1, 0.01)], [(2, 50.0), (1, 60.0), (3, 0.0)], limit=3) == [
        (1, 1.01),
        (2, 50.0 / 51.0),
        (3, 0.0),
    ]


def test_stop_words_are_not_required():
    paper = make_paper(title="Diffusion transformers", abstract="Images.")
    assert ids("the diffusion of transformers") == [paper.pk]


def test_a_phrase_matches_its_words_in_order():
    together = make_paper(title="Video generation at scale", abstract="")
    apart = make_paper(title="Generation of video captions", abstract="")
    assert ids('"video generation"') == [together.pk]
    assert set(ids("video generation")) == {together.pk, apart.pk}


def test_exclusions_remove_papers():
    gan = make_paper(title="Image synthesis with a GAN", abstract="")
    diffusion = make_paper(title="Image synthesis by diffusion", abstract="Style transfer too.")
    assert ids("image synthesis -gan") == [diffusion.pk]
    assert ids('image synthesis -"style transfer"') == [gan.pk]
    assert ids("image synthesis -gan -diffusion") == []


def test_exclusions_alone_or_stop_words_with_exclusions_find_nothing():
    make_paper(title="Anything", abstract="At all.")
    assert ids("-gan") == []
    assert ids("for -gan") == []


def test_among_restricts_inside_the_query():
    acme = make_organization("acme")
    ours = make_paper(title="Protein folding", organization=acme, authors=("Ada Lovelace",))
    make_paper(title="Protein folding again", authors=("Alan Turing",))
    assert ids("protein", among=Paper.objects.filter(organization=acme)) == [ours.pk]
    by_ada = Paper.objects.filter(authorships__author__name="Ada Lovelace")
    assert ids("protein folding", among=by_ada) == [ours.pk]
    assert ids("protein", among=Paper.objects.none()) == []


def test_author_and_org_filters_are_the_callers():
    parsed = parse_query("protein author:lovelace org:acme")
    assert (parsed.words, parsed.authors, parsed.orgs) == (("protein",), ("lovelace",), ("acme",))
    paper = make_paper(title="Protein folding")
    assert [pk for pk, _ in keyword_search(parsed, limit=5)] == [paper.pk]


def test_no_text_or_no_room_finds_nothing():
    make_paper(title="Protein folding")
    assert ids("") == []
    assert ids("author:someone") == []
    assert ids("protein", limit=0) == []


def test_the_index_follows_inserts_title_changes_and_deletes():
    paper = make_paper(title="Quantum error correction", abstract="Surface codes.")
    assert ids("quantum") == [paper.pk]
    Paper.objects.filter(pk=paper.pk).update(title="Classical error correction")
    assert ids("quantum") == []
    assert ids("classical") == [paper.pk]
    paper.abstract = "Toric codes."
    paper.save()
    assert ids("surface") == []
    assert ids("toric") == [paper.pk]
    paper.delete()
    assert ids("classical") == []


@sqlite_only
def test_an_upvote_does_not_touch_the_index_on_sqlite():
    paper = make_paper(title="Quantum error correction", abstract="Surface codes.")
    # total_changes() counts rows written by trigger programs too: the index's own writes.
    assert changes(lambda: Paper.objects.filter(pk=paper.pk).update(upvotes=F("upvotes") + 1)) == 1
    assert changes(lambda: paper.save()) == 1  # a full save with unchanged text
    assert changes(lambda: Paper.objects.filter(pk=paper.pk).update(title="Quantum codes")) > 1
    assert ids("quantum") == [paper.pk]


def test_an_upvote_keeps_the_paper_findable():
    paper = make_paper(title="Quantum error correction", abstract="Surface codes.")
    Paper.objects.filter(pk=paper.pk).update(upvotes=F("upvotes") + 1)
    assert ids("surface codes") == [paper.pk]


def changes(write) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT total_changes()")
        before = cursor.fetchone()[0]
        write()
        cursor.execute("SELECT total_changes()")
        return cursor.fetchone()[0] - before


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_never_raise(text):
    make_paper(title="Deep learning NEAR the table", abstract="papers_paper DROP 深度学习 模型")
    acme = make_organization("acme")
    assert isinstance(ids(text), list)
    assert ids(text, among=Paper.objects.filter(organization=acme)) == []


def test_sql_in_a_query_is_only_words():
    paper = make_paper(title="Table tennis robots", abstract="")
    assert ids("'; DROP TABLE papers_paper; --") == [paper.pk]
    assert Paper.objects.count() == 1


def test_non_latin_words_are_found():
    paper = make_paper(title="深度学习 模型", abstract="глубокое обучение")
    assert ids("深度学习") == [paper.pk]
    assert ids("глубокое") == [paper.pk]


@sqlite_only
def test_a_rebuild_puts_back_lost_triggers_and_catches_up():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_paper_fts_insert")
    paper = make_paper(title="Loaded while the trigger was gone")
    assert ids("loaded") == []
    assert rebuild_keyword_index() == 1
    assert ids("loaded") == [paper.pk]
    later = make_paper(title="Loaded after the rebuild")
    assert set(ids("loaded")) == {paper.pk, later.pk}


def test_rebuild_counts_the_papers_and_keeps_them_findable():
    paper = make_paper(title="Protein folding")
    assert rebuild_keyword_index() == 1
    assert ids("protein") == [paper.pk]


@pytest.mark.django_db(transaction=True)
def test_migrate_puts_back_triggers_a_table_rebuild_dropped():
    from django.core.management import call_command
    from django.db import connection

    from dailypapers.search import keyword_sqlite

    if connection.vendor != "sqlite":
        pytest.skip("FTS5 triggers are SQLite's")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_paper_fts_insert")
    assert keyword_sqlite.missing_triggers() == {"search_paper_fts_insert"}
    call_command("migrate", verbosity=0)
    assert keyword_sqlite.missing_triggers() == set()
    paper = make_paper(title="Zymurgy of the ancients")
    found = keyword_search(parse_query("zymurgy"), limit=5)
    assert [pk for pk, _ in found] == [paper.pk]


@sqlite_only
def test_only_the_newest_ranked_matches_are_ranked_best_first(monkeypatch):
    from dailypapers.search import keyword_sqlite

    best_but_oldest = make_paper(title="Tokamak tokamak tokamak", abstract="Tokamak.")
    newer = [make_paper(title=f"Paper {n}", abstract=f"A tokamak, {n}.") for n in range(3)]
    monkeypatch.setattr(keyword_sqlite, "RANKED_MATCHES", 3)
    assert set(ids("tokamak")) == {paper.pk for paper in newer}
    monkeypatch.setattr(keyword_sqlite, "RANKED_MATCHES", 4)
    assert ids("tokamak")[0] == best_but_oldest.pk


@sqlite_only
def test_a_word_is_too_common_by_its_share_of_the_newest_papers(monkeypatch):
    from dailypapers.search import keyword_sqlite

    # Ten papers, the sample the newest five: "plasma", in six papers, is in one of those.
    for n in range(10):
        extra = "plasma" if n < 6 else "stellarator" if n == 9 else ""
        make_paper(title=f"Fusion study {n}", abstract=f"Fusion devices. {extra}")
    monkeypatch.setattr(keyword_sqlite, "RANKED_MATCHES", 1)
    monkeypatch.setattr(keyword_sqlite, "SHARE_SAMPLE", 5)
    assert keyword_sqlite.too_common(["fusion", "plasma", "stellarator"], 0.5) == {"fusion"}
    # A database smaller than RANKED_MATCHES keeps every word, however common. Its size is
    # read as the highest rowid, which earlier tests of the run may have moved past 100.
    highest = Paper.objects.order_by("-pk").values_list("pk", flat=True).first()
    monkeypatch.setattr(keyword_sqlite, "RANKED_MATCHES", highest + 100)
    assert keyword_sqlite.too_common(["fusion"], 0.5) == set()
