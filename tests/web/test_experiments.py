"""Experiments: results per variant with the statistics, starting and stopping an A/B test."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from relance.accounts.models import Workspace
from relance.engine import abtest
from relance.mail.models import Message
from relance.tracking.models import Attribution, Event, Experiment
from tests import factories as f

pytestmark = pytest.mark.django_db

VARIANTS = [
    {"name": "A", "template": "first", "subject": 0},
    {"name": "B", "template": "first_short", "subject": 1},
]


def experiment(workspace: Workspace, name: str = "subject-test", **fields: Any) -> Experiment:
    fields.setdefault("min_sample", 5)
    return Experiment.objects.create(
        workspace=workspace, name=name, stage="first", variants=VARIANTS, **fields
    )


def sent(
    workspace: Workspace, test: Experiment, variant: str, n: int, opened: int, clicked: int, paid: int
) -> None:
    """n sent messages of the variant; the first `opened` opened, `clicked` clicked, `paid` credited."""
    for i in range(n):
        key = f"{test.name}-{variant}-{i}"
        customer = f.customer(workspace, key)
        message = f.sent_message(
            customer, f"<{key}@acme.example>", experiment=test, variant=variant, run_date=date(2026, 3, 2)
        )
        if i < opened:
            Event.objects.create(
                workspace=workspace,
                message=message,
                kind=Event.OPENED,
                occurred_at=message.sent_at,
                source="test",
            )
        if i < clicked:
            Event.objects.create(
                workspace=workspace,
                message=message,
                kind=Event.CLICKED,
                occurred_at=message.sent_at,
                source="test",
            )
        if i < paid:
            invoice = f.invoice(customer, f"F-{key}", date(2026, 2, 20))
            Attribution.objects.create(
                payment=f.pay(invoice, date(2026, 3, 5)), message=message, days_after=3
            )


@pytest.fixture
def running(workspace: Workspace) -> Experiment:
    test = experiment(workspace)
    sent(workspace, test, "A", 10, opened=6, clicked=2, paid=2)
    sent(workspace, test, "B", 10, opened=8, clicked=5, paid=4)
    return test


def test_the_list_shows_each_experiment_with_its_counts(viewer_client: Client, running: Experiment) -> None:
    response = viewer_client.get(reverse("web:experiments"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-experiment="subject-test"' in body and "running" in body
    assert "10 / 10" in body
    assert "Start an experiment" not in body  # not for a viewer


def test_the_detail_shows_rates_statistics_and_why_there_is_no_winner(
    viewer_client: Client, running: Experiment
) -> None:
    response = viewer_client.get(reverse("web:experiment_detail", args=[running.pk]))
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.context["rows"]}
    assert (rows["A"]["sent"], rows["A"]["opened"], rows["A"]["clicked"], rows["A"]["paid"]) == (10, 6, 2, 2)
    assert (rows["B"]["sent"], rows["B"]["opened"], rows["B"]["clicked"], rows["B"]["paid"]) == (10, 8, 5, 4)
    assert rows["B"]["payment_rate"] == 0.4
    test = abtest.two_proportion_ztest(2, 10, 4, 10)
    assert rows["B"]["versus_control"].p_value == pytest.approx(test.p_value)
    assert rows["B"]["probability_best"] == pytest.approx(
        abtest.prob_b_beats_a(abtest.Arm("A", 10, 2), abtest.Arm("B", 10, 4))
    )
    body = html.unescape(response.content.decode())
    assert "No clear winner yet" in body and "p-value against the runner-up" in body
    assert f"p = {test.p_value:.4f}" in body
    assert '<script id="payment-chart" type="application/json">' in body
    assert response.context["payment_chart"]["datasets"][0]["data"] == [0.2, 0.4]
    assert "Stop the experiment" not in body  # not for a viewer


def test_a_small_sample_says_so(viewer_client: Client, workspace: Workspace) -> None:
    test = experiment(workspace, min_sample=100)
    sent(workspace, test, "A", 3, 1, 0, 0)
    body = viewer_client.get(reverse("web:experiment_detail", args=[test.pk])).content.decode()
    assert "Not enough data yet: the smallest variant has 0 sent messages, the minimum sample is 100" in body


def test_a_clear_difference_names_the_winner(viewer_client: Client, workspace: Workspace) -> None:
    test = experiment(workspace, min_sample=50)
    sent(workspace, test, "A", 60, 0, 0, 3)
    sent(workspace, test, "B", 60, 0, 0, 30)
    response = viewer_client.get(reverse("web:experiment_detail", args=[test.pk]))
    assert response.context["results"].primary.winner == "B"
    assert "Winner: B." in response.content.decode()


def test_a_collector_starts_an_experiment(collector_client: Client, workspace: Workspace) -> None:
    f.policy(workspace)
    data = {
        "name": "short-first",
        "stage": "first",
        "min_sample": "50",
        "variant_1_name": "A",
        "variant_1_template": "first",
        "variant_1_subject": "0",
        "variant_2_name": "B",
        "variant_2_template": "first_short",
        "variant_2_subject": "1",
        "variant_3_name": "",
        "auto_promote": "on",
    }
    response = collector_client.post(reverse("web:experiment_add"), data)
    assert response.status_code == 302
    created = Experiment.objects.get(workspace=workspace, name="short-first")
    assert created.variants == VARIANTS
    assert (created.stage, created.min_sample, created.auto_promote, created.status) == (
        "first",
        50,
        True,
        "running",
    )
    assert response["Location"] == reverse("web:experiment_detail", args=[created.pk])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"variant_2_name": ""}, "This field is required"),
        ({"variant_2_name": "A"}, "variant names must differ"),
        ({"variant_2_template": "no_such_template"}, "no_such_template"),
        ({"variant_2_subject": "9"}, "no subject 9"),
        ({"variant_2_name": "B/2"}, "the name may hold letters"),
        ({"name": "has spaces"}, "Enter a valid"),
        ({"stage": "nonsense"}, "Select a valid choice"),
        ({"min_sample": "0"}, "greater than or equal to 1"),
    ],
)
def test_bad_input_explains_and_creates_nothing(
    collector_client: Client, workspace: Workspace, change: dict[str, str], message: str
) -> None:
    f.policy(workspace)
    data = {
        "name": "short-first",
        "stage": "first",
        "min_sample": "50",
        "variant_1_name": "A",
        "variant_1_template": "first",
        "variant_1_subject": "0",
        "variant_2_name": "B",
        "variant_2_template": "first_short",
        "variant_2_subject": "1",
        **change,
    }
    response = collector_client.post(reverse("web:experiment_add"), data)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not Experiment.objects.exists()


def test_a_second_experiment_on_a_tested_stage_is_refused(
    collector_client: Client, workspace: Workspace, running: Experiment
) -> None:
    data = {
        "name": "another",
        "stage": "first",
        "min_sample": "10",
        "variant_1_name": "A",
        "variant_2_name": "B",
    }
    response = collector_client.post(reverse("web:experiment_add"), data)
    assert response.status_code == 400
    assert "already runs on stage" in html.unescape(response.content.decode())
    assert Experiment.objects.count() == 1


def test_a_collector_stops_an_experiment(collector_client: Client, running: Experiment) -> None:
    response = collector_client.post(reverse("web:experiment_stop", args=[running.pk]))
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.status == Experiment.STOPPED and running.winner == ""
    page = collector_client.get(response["Location"])
    assert "stopped without a winner" in page.content.decode()


def test_a_viewer_may_neither_start_nor_stop(
    viewer_client: Client, workspace: Workspace, running: Experiment
) -> None:
    data = {"name": "x", "stage": "first", "min_sample": "10", "variant_1_name": "A", "variant_2_name": "B"}
    assert viewer_client.post(reverse("web:experiment_add"), data).status_code == 403
    assert viewer_client.post(reverse("web:experiment_stop", args=[running.pk])).status_code == 403
    running.refresh_from_db()
    assert running.status == Experiment.RUNNING
    assert Experiment.objects.count() == 1


def test_another_workspaces_experiment_is_not_found(
    collector_client: Client, other_workspace: Workspace, running: Experiment
) -> None:
    theirs = experiment(other_workspace, name="theirs")
    assert collector_client.get(reverse("web:experiment_detail", args=[theirs.pk])).status_code == 404
    assert collector_client.post(reverse("web:experiment_stop", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Experiment.RUNNING
    body = collector_client.get(reverse("web:experiments")).content.decode()
    assert "theirs" not in body and "subject-test" in body


def test_messages_outside_the_experiment_do_not_count(
    workspace: Workspace, viewer_client: Client, running: Experiment
) -> None:
    outsider = f.customer(workspace, "OUT")
    f.sent_message(outsider, "<out@acme.example>", variant="A")  # no experiment
    f.sent_message(
        outsider,
        "<q@acme.example>",
        experiment=running,
        variant="A",
        status=Message.QUEUED,
        run_date=date(2026, 3, 3),
    )
    response = viewer_client.get(reverse("web:experiment_detail", args=[running.pk]))
    assert {row["name"]: row["sent"] for row in response.context["rows"]} == {"A": 10, "B": 10}
