import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import make_organization, make_submitted_paper

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_admin_list_and_change_pages_work_for_every_model(admin_client, model):
    make_submitted_paper(dt.date(2025, 3, 12), organization=make_organization("acme"))
    opts = model._meta

    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))

    assert changelist.status_code == 200
    assert add.status_code == 200
    first = model.objects.first()
    if first is not None:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
        assert admin_client.get(url).status_code == 200


def test_moderator_hides_a_submission_from_the_feed(admin_client, client):
    paper = make_submitted_paper(dt.date(2025, 3, 12), title="Spam paper")
    submission = paper.submission
    url = reverse("admin:papers_submission_change", args=[submission.pk])
    form = {
        "paper": paper.pk,
        "feed_date": "2025-03-12",
        "submitted_at_0": "2025-03-12",
        "submitted_at_1": "12:00:00",
        "submitter_name": "",
        "comment": "",
        "hidden": "on",
    }

    response = admin_client.post(url, form)

    assert response.status_code == 302
    assert b"Spam paper" not in client.get("/papers/date/2025-03-12").content
