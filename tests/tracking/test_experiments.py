"""A/B experiments: assignment, the wiring into the daily run, results, and the `experiments` command."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relance.dunning.actions import do_run
from relance.engine import abtest
from relance.engine.errors import InvalidInput
from relance.mail.models import Message
from relance.tracking.experiments import (
    choose_variant,
    do_add_experiment,
    do_stop_experiment,
    experiment_results,
    parse_variant,
    variant_counts,
)
from relance.tracking.models import Attribution, Event, Experiment
from tests import factories as f

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DUE = date(2026, 3, 2)
DAY = DUE + timedelta(days=5)  # every invoice due on DUE is at stage "first"
VARIANTS = [
    {"name": "A", "template": "first", "subject": 0},
    {"name": "B", "template": "first_short", "subject": 1},
]


def run(workspace, day: date = DAY):  # type: ignore[no-untyped-def]
    return do_run(workspace, day, NOW, backfill=True)


@pytest.fixture
def ledger(workspace):  # type: ignore[no-untyped-def]
    f.policy(workspace)
    customers = []
    for i in range(40):
        customer = f.customer(workspace, f"C{i:02d}", language="fr" if i % 3 else "en")
        f.invoice(customer, f"F-{i:02d}", DUE)
        customers.append(customer)
    return customers


def add(workspace, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("min_sample", 5)
    return do_add_experiment(workspace, "subject-test", "first", [dict(v) for v in VARIANTS], **kwargs)


def test_parse_variant():
    assert parse_variant("A:first:0") == {"name": "A", "template": "first", "subject": 0}
    assert parse_variant("B:first_short:1") == {"name": "B", "template": "first_short", "subject": 1}
    assert parse_variant("C") == {"name": "C", "template": "", "subject": 0}
    assert parse_variant("D::2") == {"name": "D", "template": "", "subject": 2}
    for bad in ("", ":first:0", "A:first:x", "A:first:-1", "A:b:c:d", "A:../x:0", "A B:first:0"):
        with pytest.raises(InvalidInput):
            parse_variant(bad)


def test_assignment_is_stable_and_roughly_uniform():
    experiment = Experiment(name="subject-test", stage="first", variants=VARIANTS, min_sample=100)
    counts = {"A": 0, "B": 0}
    for i in range(10_000):
        counts[choose_variant(experiment, VARIANTS, f"CUST-{i}", DAY)["name"]] += 1
    assert 4800 < counts["A"] < 5200, counts
    first = [choose_variant(experiment, VARIANTS, f"CUST-{i}", DAY)["name"] for i in range(100)]
    later = [
        choose_variant(experiment, VARIANTS, f"CUST-{i}", DAY + timedelta(days=9))["name"] for i in range(100)
    ]
    assert first == later
    other = Experiment(name="another", stage="first", variants=VARIANTS)
    assert first != [choose_variant(other, VARIANTS, f"CUST-{i}", DAY)["name"] for i in range(100)]


def test_auto_promote_uses_thompson_sampling_only_after_min_sample():
    experiment = Experiment(name="t", stage="first", variants=VARIANTS, min_sample=100, auto_promote=True)
    strong = [abtest.Arm("A", 100, 0), abtest.Arm("B", 100, 90)]
    picks = [choose_variant(experiment, VARIANTS, f"K{i}", DAY, strong)["name"] for i in range(200)]
    assert set(picks) == {"B"}
    # Reproducible for (experiment, customer, run date).
    even = [abtest.Arm("A", 100, 50), abtest.Arm("B", 100, 50)]
    once = [choose_variant(experiment, VARIANTS, f"K{i}", DAY, even)["name"] for i in range(200)]
    assert once == [choose_variant(experiment, VARIANTS, f"K{i}", DAY, even)["name"] for i in range(200)]
    assert set(once) == {"A", "B"}
    # Under the minimum, or with auto_promote off: the hash bucket.
    young = [abtest.Arm("A", 99, 0), abtest.Arm("B", 100, 90)]
    hashed = [choose_variant(experiment, VARIANTS, f"K{i}", DAY)["name"] for i in range(200)]
    assert [choose_variant(experiment, VARIANTS, f"K{i}", DAY, young)["name"] for i in range(200)] == hashed
    experiment.auto_promote = False
    assert [choose_variant(experiment, VARIANTS, f"K{i}", DAY, strong)["name"] for i in range(200)] == hashed


def test_run_splits_messages_between_variants(workspace, ledger):
    experiment = add(workspace)
    result = run(workspace)
    assert len(result.messages) == 40
    messages = list(Message.objects.filter(run_date=DAY).select_related("customer"))
    by_variant: dict[str, list[Message]] = {"A": [], "B": []}
    for message in messages:
        assert message.experiment_id == experiment.pk
        assert message.stage == "first"
        expected = choose_variant(experiment, VARIANTS, message.customer.external_id, DAY)["name"]
        assert message.variant == expected
        by_variant[message.variant].append(message)
    assert len(by_variant["A"]) >= 8 and len(by_variant["B"]) >= 8
    for message in by_variant["A"]:
        assert message.template_name == "first"
        number = message.customer.invoices.get().number
        word = "Facture" if message.language == "fr" else "Invoice"
        assert message.subject.startswith(f"{word} {number}")
    for message in by_variant["B"]:
        assert message.template_name == "first_short"
        word = "facture" if message.language == "fr" else "invoice"
        assert message.subject == f"Acme SAS · {word} {message.customer.invoices.get().number}"


def test_experiments_are_looked_up_once_per_chunk(workspace, ledger):
    add(workspace)
    with CaptureQueriesContext(connection) as queries:
        run(workspace)
    lookups = [q for q in queries.captured_queries if 'FROM "tracking_experiment"' in q["sql"]]
    assert len(lookups) == 1


def test_other_stages_and_stopped_experiments_change_nothing(workspace, ledger):
    do_add_experiment(workspace, "final-test", "final", [dict(v) for v in VARIANTS])
    stopped = add(workspace)
    do_stop_experiment(workspace, stopped.name)
    run(workspace)
    assert set(Message.objects.values_list("experiment_id", "variant", "template_name")) == {
        (None, "", "first")
    }


def test_adding_refuses_bad_input(workspace, ledger):
    add(workspace)
    with pytest.raises(InvalidInput, match="already runs on stage"):
        do_add_experiment(workspace, "again", "first", [dict(v) for v in VARIANTS])
    with pytest.raises(InvalidInput, match="already exists"):
        do_add_experiment(workspace, "subject-test", "second", [dict(v) for v in VARIANTS])
    with pytest.raises(InvalidInput, match="two variants"):
        do_add_experiment(workspace, "one", "second", [VARIANTS[0]])
    with pytest.raises(InvalidInput, match="no subject 7"):
        do_add_experiment(
            workspace, "sub", "second", [VARIANTS[0], {"name": "B", "template": "first", "subject": 7}]
        )
    with pytest.raises(InvalidInput):
        do_add_experiment(
            workspace, "tpl", "second", [VARIANTS[0], {"name": "B", "template": "nope", "subject": 0}]
        )


def _outcomes(workspace, experiment):  # type: ignore[no-untyped-def]
    """Mark every message sent; A: every message opened and paid, B: none."""
    run(workspace)
    Message.objects.update(status=Message.SENT, sent_at=NOW)
    for message in Message.objects.filter(variant="A").select_related("customer"):
        for kind in (Event.OPENED, Event.OPENED, Event.CLICKED):  # a second open counts once
            Event.objects.create(
                workspace=workspace, message=message, kind=kind, occurred_at=NOW, source="pixel"
            )
        payment = f.pay(message.customer.invoices.get(), DAY + timedelta(days=2))
        Attribution.objects.create(payment=payment, message=message, days_after=2)


def test_results_per_variant(workspace, ledger):
    experiment = add(workspace)
    _outcomes(workspace, experiment)
    counts = variant_counts(experiment)
    a, b = counts["A"], counts["B"]
    assert a["sent"] == a["opened"] == a["clicked"] == a["paid"] > 0
    assert b["sent"] > 0 and b["opened"] == b["clicked"] == b["paid"] == 0
    results = experiment_results(experiment)
    data = results.as_json()
    assert data["winner"] == "A"
    assert data["variants"][0]["payment_rate"] == 1.0
    assert data["variants"][1]["payment_rate"] == 0.0
    assert data["p_value"] < 0.05
    assert set(data["metrics"]) == {"payments", "opens", "clicks"}


def test_no_winner_before_min_sample(workspace, ledger):
    experiment = add(workspace, min_sample=100)
    _outcomes(workspace, experiment)
    data = experiment_results(experiment).as_json()
    smallest = min(v["sent"] for v in data["variants"])
    assert data["winner"] is None
    assert data["verdict"] == f"not enough data ({smallest}/100)"


def command(capsys, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    try:
        call_command("experiments", *args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_command_add_list_stop(capsys, workspace, ledger):
    code, out, _ = command(
        capsys, "add", "subject-test", "--stage", "first", "--variant", "A:first:0", "--variant",
        "B:first_short:1", "--min-sample", "5", "--auto-promote",
    )  # fmt: skip
    assert code == 0, out
    assert "subject-test" in out
    experiment = Experiment.objects.get(name="subject-test")
    assert experiment.variants == VARIANTS
    assert experiment.auto_promote and experiment.min_sample == 5
    _outcomes(workspace, experiment)

    code, out, _ = command(capsys, "--json")
    assert code == 0
    listing = json.loads(out)
    assert len(listing) == 1
    entry = listing[0]
    assert set(entry) >= {
        "name", "stage", "status", "min_sample", "auto_promote", "variants", "p_value", "ci95", "winner",
        "verdict", "metrics",
    }  # fmt: skip
    assert [v["name"] for v in entry["variants"]] == ["A", "B"]
    assert set(entry["variants"][0]) == {
        "name", "template", "subject", "sent", "opened", "clicked", "paid", "open_rate", "click_rate",
        "payment_rate", "probability_best",
    }  # fmt: skip
    assert entry["winner"] == "A"
    assert len(entry["ci95"]) == 2

    code, out, _ = command(capsys)
    assert code == 0
    assert "subject-test" in out and "P(best)" in out and "winner" in out

    code, out, _ = command(capsys, "stop", "subject-test")
    assert code == 0
    assert "winner A" in out
    experiment.refresh_from_db()
    assert experiment.status == Experiment.STOPPED and experiment.winner == "A"


def test_command_refuses_invalid_input_with_exit_2(capsys, workspace, ledger):
    code, _, err = command(
        capsys, "add", "x", "--stage", "first", "--variant", "A:first:zero", "--variant", "B"
    )
    assert code == 2
    assert "subject" in err
    code, _, err = command(capsys, "add", "x", "--stage", "first", "--variant", "A:first:0")
    assert code == 2
    code, _, err = command(capsys, "stop", "nothing")
    assert code == 2
    code, out, _ = command(capsys, "--json")
    assert code == 0 and json.loads(out) == []
