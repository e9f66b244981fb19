"""The runs page: the history of daily runs, and starting one from the browser."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from relance.dunning.models import Run
from relance.ledger.queries import workspace_today
from relance.mail.models import Message
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(workspace):  # type: ignore[no-untyped-def]
    f.policy(workspace)
    today = workspace_today(workspace, timezone.now())
    return f.invoice(f.customer(workspace, "C1"), "F-1", today - timedelta(days=3))


def test_viewer_sees_the_runs_but_not_the_button(viewer_client, workspace):
    Run.objects.create(workspace=workspace, run_date=date(2026, 3, 2), started_at=timezone.now(), planned=7)
    html = viewer_client.get(reverse("web:runs")).content.decode()
    assert "7" in html and "run-now" not in html


def test_viewer_cannot_start_a_run(viewer_client, overdue):
    response = viewer_client.post(reverse("web:run_now"))
    assert response.status_code == 403
    assert not Message.objects.exists() and not Run.objects.exists()


def test_collector_runs_today_and_the_reminder_is_queued(collector_client, overdue):
    response = collector_client.post(reverse("web:run_now"), follow=True)
    assert response.status_code == 200
    message = Message.objects.get()
    assert message.customer == overdue.customer and message.stage == "first"
    assert Run.objects.get().planned == 1
    text = response.content.decode()
    assert "1 message planned" in text
    # The page says why nothing left yet: outside the window, or no EMAIL_URL in tests.
    assert ("sending window" in text or "EMAIL_URL" in text) and message.status == Message.QUEUED


def test_running_twice_the_same_day_adds_nothing(collector_client, overdue):
    collector_client.post(reverse("web:run_now"))
    collector_client.post(reverse("web:run_now"))
    assert Message.objects.count() == 1


def test_a_future_date_is_refused(collector_client, overdue, workspace):
    tomorrow = workspace_today(workspace, timezone.now()) + timedelta(days=1)
    response = collector_client.post(reverse("web:run_now"), {"as_of": tomorrow.isoformat()}, follow=True)
    assert "cannot be in the future" in response.content.decode()
    assert not Run.objects.exists()


def test_runs_of_another_workspace_are_not_listed(viewer_client, other_workspace):
    Run.objects.create(
        workspace=other_workspace, run_date=date(2026, 3, 2), started_at=timezone.now(), planned=4321
    )
    assert "4321" not in viewer_client.get(reverse("web:runs")).content.decode()
