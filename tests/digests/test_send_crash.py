"""`dailypapers digests send` killed with SIGKILL in the middle of a run, then run again: every
address gets the period's digest exactly once, none twice; the one message in flight at the
kill is left claimed, and once old enough reported stuck (with the Message-ID the mail server
logged), never sent again by a run.

A real `dailypapers` process, a real SMTP server on loopback (aiosmtpd), a database both see.
The kill lands at the worst point: the server has queued the HOLD_AT-th message but holds back
its "250" until the test has killed the sender, so the message arrives while the sender never
learns it was accepted (the case at-most-once exists for).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from dailypapers.digests.models import DigestDelivery
from dailypapers.digests.send import STUCK_AFTER
from tests.digests.helpers import subscribe
from tests.factories import make_submitted_paper
from tests.papers.shared_db import shared_database  # noqa: F401
from tests.smtp import SmtpServer, start_server

pytestmark = pytest.mark.django_db(transaction=True)

BIN = Path(sys.executable).parent
DAY = dt.date(2026, 11, 20)
SUBSCRIBERS = 60
HOLD_AT = 20


class HoldingServer(SmtpServer):
    """Receives like `SmtpServer`, but answers the HOLD_AT-th message only once `release` is
    set; `holding` tells the test the message is queued and the sender awaits the reply."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.holding, self.release = threading.Event(), threading.Event()
        self.seen = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)  # queued: it will arrive
        self.seen += 1
        if self.seen == HOLD_AT:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        return reply


@pytest.fixture
def holding_server():
    controller, server = start_server(HoldingServer)
    try:
        yield server
    finally:
        server.release.set()
        controller.stop()


def command_env(database_url: str, data_dir: Path, server: SmtpServer) -> dict[str, str]:
    """The environment of a `dailypapers` process on the shared database, mailing `server`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.pop("REDIS_URL", None)
    return env | {
        "DATABASE_URL": database_url,
        "DAILYPAPERS_DATA_DIR": str(data_dir),
        "DAILYPAPERS_BASE_URL": "https://papers.example.org",
        "EMAIL_URL": f"smtp://{server.host}:{server.port}",
    }


def test_kill_9_mid_run_then_rerun_sends_every_digest_once_and_none_twice(
    shared_database,  # noqa: F811  (the imported fixture)
    holding_server,
    tmp_path,
):
    make_submitted_paper(DAY, upvotes=4, title="The paper of the day")
    addresses = [f"reader{n:02d}@example.org" for n in range(SUBSCRIBERS)]
    for address in addresses:
        subscribe(address)
    env = command_env(shared_database, tmp_path / "data", holding_server)
    send = [BIN / "dailypapers", "digests", "send", "--period", "daily", "--date", str(DAY)]

    # 1. A run killed while the server holds its HOLD_AT-th message.
    run = subprocess.Popen(send, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert holding_server.holding.wait(60), "the run never reached the held message"
        run.send_signal(signal.SIGKILL)
        assert run.wait(10) == -signal.SIGKILL
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(10)
    holding_server.release.set()

    received = [m.recipients[0] for m in holding_server.messages]
    assert len(received) == len(set(received)) == HOLD_AT  # some, not all, none twice
    statuses = Counter(DigestDelivery.objects.values_list("status", flat=True))
    assert statuses == {"sent": HOLD_AT - 1, "claimed": 1}  # the rest were never claimed
    in_flight = DigestDelivery.objects.select_related("subscription").get(status="claimed")
    assert in_flight.subscription.email == received[-1]
    # What the operator will look up in the mail server's log: the held message's id.
    assert in_flight.message_id == str(holding_server.messages[-1].message["Message-ID"])

    # 2. Run again at once: the young claim may be a run at work, so it is skipped, not sent.
    rerun = subprocess.run(send, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    remaining = SUBSCRIBERS - HOLD_AT
    assert f"daily:2026-11-20: sent {remaining}, skipped (already) {HOLD_AT}, failed 0" in (
        rerun.stdout
    )
    assert Counter(r for m in holding_server.messages for r in m.recipients) == Counter(addresses)

    # 3. Once the claim is older than STUCK_AFTER it is reported stuck (exit 1), not re-sent.
    DigestDelivery.objects.filter(pk=in_flight.pk).update(
        claimed_at=timezone.now() - STUCK_AFTER - dt.timedelta(minutes=1)
    )
    third = subprocess.run(send, env=env, capture_output=True, text=True, timeout=120)
    assert third.returncode == 1, third.stdout + third.stderr
    assert "sent 0, skipped (already) 59, failed 0, waiting to retry 0, stuck 1" in third.stdout
    assert len(holding_server.messages) == SUBSCRIBERS

    listing = StringIO()
    with pytest.raises(SystemExit) as listed:  # exit 1: something stuck, for monitoring
        call_command("digests", "stuck", "--period", "daily", stdout=listing)
    assert listed.value.code == 1
    (row, total) = listing.getvalue().splitlines()
    assert row.split("\t")[0] == in_flight.subscription.email
    assert row.split("\t")[1:2] == ["daily:2026-11-20"]
    assert row.split("\t")[3] == in_flight.message_id
    assert total == "stuck: 1"
    assert Counter(DigestDelivery.objects.values_list("status", flat=True)) == {
        "sent": SUBSCRIBERS - 1,
        "claimed": 1,
    }
