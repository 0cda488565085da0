import pytest
from django.urls import reverse

from dailypapers.papers.models import route_url


@pytest.mark.parametrize(
    "route,value",
    [
        ("papers:author", "José García-López"),
        ("papers:author", "O'Brien, Jr. & Co/Lab?#%"),
        ("papers:author", "名前 テスト"),
        ("papers:detail", "hep-th/9901001"),
        ("papers:detail", "2401.01234"),
        ("papers:organization", "deep-think"),
    ],
)
def test_route_url_matches_django_reverse(route, value):
    assert route_url(route, value) == reverse(route, args=[value])
