"""Runs racing each other (two schedulers, a run by hand beside the worker) still send each
address a period's digest once: the delivery row's unique claim decides who sends."""

import datetime as dt
from collections import Counter

import pytest

from dailypapers.digests.models import DigestDelivery
from dailypapers.digests.send import send_digests
from tests.digests.helpers import subscribe
from tests.factories import make_submitted_paper
from tests.papers.shared_db import shared_database  # noqa: F401
from tests.threads import at_once

pytestmark = pytest.mark.django_db(transaction=True)
DAY = dt.date(2026, 11, 20)


def test_three_runs_at_once_send_each_digest_once(shared_database, smtp_server):  # noqa: F811
    make_submitted_paper(DAY, upvotes=1)
    addresses = [f"reader{n}@example.org" for n in range(30)]
    for address in addresses:
        subscribe(address)

    reports, errors = at_once([lambda: send_digests("daily", DAY)] * 3)

    assert errors == []
    received = Counter(r for message in smtp_server.messages for r in message.recipients)
    assert received == Counter(addresses)  # every address once, none twice
    assert sum(report.sent for report in reports) == 30
    assert sum(report.skipped for report in reports) == 60
    assert DigestDelivery.objects.filter(status="sent").count() == 30
