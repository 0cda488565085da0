"""Cards outside the feed (organization, author, search, profile pages) show the reader's own
votes pressed, and only theirs."""

import pytest

from dailypapers.papers import services
from tests.factories import make_member, make_organization, make_paper, submit

pytestmark = pytest.mark.django_db


def pressed(html: str) -> int:
    return html.count('aria-pressed="true"')


@pytest.fixture
def two_papers():
    org = make_organization("acme")
    voted = make_paper(title="Paper One", organization=org, authors=("Ada Lovelace",))
    other = make_paper(title="Paper Two", organization=org, authors=("Ada Lovelace",))
    return voted, other


@pytest.mark.parametrize(
    "url", ["/org/acme", "/authors/Ada Lovelace", "/search?q=Paper&mode=keyword", "/u/ada"]
)
def test_a_member_sees_only_their_own_votes_pressed(client, two_papers, url):
    voted, other = two_papers
    ada, bob = make_member("ada"), make_member("bob")
    services.set_upvote(ada, voted, True)
    services.set_upvote(bob, other, True)
    for paper in (voted, other):  # on ada's profile as her submissions
        submit(paper, paper.published_at.date(), submitter=ada)

    client.force_login(ada)
    html = client.get(url).content.decode()

    assert "Paper One" in html and "Paper Two" in html
    # Her upvoted paper is pressed wherever it shows (twice on her own profile: submitted and
    # upvoted), the other never.
    assert pressed(html) >= 1
    assert html.count(f'id="vote-{voted.arxiv_id}" aria-pressed="true"') == pressed(html)
    assert f'id="vote-{other.arxiv_id}" aria-pressed="false"' in html

    client.logout()
    assert pressed(client.get(url).content.decode()) == 0
