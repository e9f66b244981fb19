"""The admin shows the outbox, runs and tasks that a day of dunning leaves behind."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from relance.dunning.actions import do_run
from relance.mail.models import Message
from tests import factories as f

DUE = date(2026, 3, 2)


@pytest.fixture
def day_of_dunning(workspace):  # type: ignore[no-untyped-def]
    f.policy(workspace)
    f.invoice(f.customer(workspace, "C1", name="Boulangerie Martin"), "F-1", DUE)
    for offset in (3, 15, 30):
        do_run(workspace, DUE + timedelta(days=offset), datetime(2026, 4, 1, tzinfo=UTC), backfill=True)
    return Message.objects.order_by("pk").first()


@pytest.mark.parametrize("page", ["mail/message", "dunning/run", "dunning/task", "dunning/policy"])
def test_outbox_pages_render(admin_client, day_of_dunning, page):
    response = admin_client.get(f"/admin/{page}/")
    assert response.status_code == 200


def test_a_message_page_shows_what_the_customer_received(admin_client, day_of_dunning):
    response = admin_client.get(f"/admin/mail/message/{day_of_dunning.pk}/change/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "F-1" in body and day_of_dunning.message_id.strip("<>") in body


def test_the_admin_login_page_is_served_with_its_static_files(client):
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/static/admin/css/base.css").status_code == 200
