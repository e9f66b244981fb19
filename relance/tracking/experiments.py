"""A/B experiments on a stage: which variant a customer gets, the results per variant, adding and stopping.

Assignment. A running experiment of the workspace whose stage is the planned message's stage covers that
message. The variant is a pure function of (experiment name, customer external id): the sha256 bucket,
uniform over the variants, so a customer keeps their variant from one run to the next. With auto_promote on
(off by default) and once every variant has `min_sample` sent messages, the variant is instead drawn by
Thompson sampling on the payment conversions, from a random.Random seeded by (experiment name, customer,
run date): the same run re-planned gives the same choice.

Results. Per variant: messages sent (status sent), opens and clicks (sent messages with at least one opened /
clicked Event), payments (sent messages credited with an Attribution). Payment conversion is the primary
metric (it names the winner); opens and clicks get the same statistics (relance.engine.abtest).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q

from relance.accounts.models import Workspace
from relance.engine import abtest
from relance.engine.errors import InvalidInput
from relance.ledger.models import Customer
from relance.mail.models import Message
from relance.tracking.models import Attribution, Event, Experiment

NAME = re.compile(r"^[-a-zA-Z0-9_]+$")
VARIANT_NAME = re.compile(r"^[-a-zA-Z0-9_.]{1,40}$")
METRICS = ("payments", "opens", "clicks")


# --- variants ------------------------------------------------------------------------------------------


def parse_variant(spec: str) -> dict[str, Any]:
    """NAME[:TEMPLATE[:SUBJECT]] -> {"name", "template", "subject"}. An empty or absent template means the
    step's own template; an absent subject means 0 (the template's first subject)."""
    parts = spec.split(":")
    if len(parts) > 3 or not parts[0]:
        raise InvalidInput(f"variant {spec!r}: expected NAME:TEMPLATE:SUBJECT, e.g. A:first:0")
    name = parts[0].strip()
    template = parts[1].strip() if len(parts) > 1 else ""
    subject_text = parts[2].strip() if len(parts) > 2 else "0"
    if not VARIANT_NAME.match(name):
        raise InvalidInput(
            f"variant {spec!r}: the name may hold letters, digits, '-', '_' and '.' (40 at most)"
        )
    if template and not NAME.match(template):
        raise InvalidInput(f"variant {spec!r}: {template!r} is not a template name")
    if not subject_text.isdigit():
        raise InvalidInput(f"variant {spec!r}: the subject is the index of a template subject: 0, 1, ...")
    return {"name": name, "template": template, "subject": int(subject_text or "0")}


def variants_of(experiment: Experiment) -> list[dict[str, Any]]:
    """The experiment's variants, normalised (template "" = the step's own, subject 0 by default)."""
    found = []
    for raw in experiment.variants or []:
        if isinstance(raw, dict) and raw.get("name"):
            subject = raw.get("subject") or 0
            found.append(
                {
                    "name": str(raw["name"]),
                    "template": str(raw.get("template") or ""),
                    "subject": int(subject)
                    if isinstance(subject, int | str) and str(subject).isdigit()
                    else 0,
                }
            )
    return found


# --- assignment -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    experiment: Experiment
    variant: str
    template: str  # "" = the step's own template
    subject: int


@dataclass
class _Active:
    experiment: Experiment
    variants: list[dict[str, Any]]
    # Payment conversions per variant, loaded only when auto_promote may use them.
    arms: list[abtest.Arm] | None


def running_by_stage(workspace: Workspace) -> dict[str, _Active]:
    """The workspace's running experiments by stage (with their counts when they auto-promote).

    The daily run reads them once per chunk of messages and hands them to compose().
    """
    by_stage: dict[str, _Active] = {}
    for experiment in Experiment.objects.filter(workspace=workspace, status=Experiment.RUNNING).order_by(
        "pk"
    ):
        variants = variants_of(experiment)
        if len(variants) < 1 or experiment.stage in by_stage:  # the oldest running one wins a stage
            continue
        arms = None
        if experiment.auto_promote:
            counts = variant_counts(experiment)
            arms = [
                abtest.Arm(
                    v["name"],
                    counts.get(v["name"], {}).get("sent", 0),
                    counts.get(v["name"], {}).get("paid", 0),
                )
                for v in variants
            ]
        by_stage[experiment.stage] = _Active(experiment, variants, arms)
    return by_stage


def choose_variant(
    experiment: Experiment,
    variants: list[dict[str, Any]],
    customer_key: str,
    today: date,
    arms: list[abtest.Arm] | None = None,
) -> dict[str, Any]:
    """The variant of `customer_key`: the sha256 bucket, or Thompson sampling once auto_promote may act."""
    if (
        experiment.auto_promote
        and arms is not None
        and abtest.min_sample_reached(arms, experiment.min_sample)
    ):
        rng = random.Random(abtest.seed_for(experiment.name, customer_key, today.isoformat()))
        return variants[abtest.thompson_choice(arms, rng)]
    return variants[abtest.bucket(f"{experiment.name}\x1f{customer_key}", len(variants))]


def assign(running: Mapping[str, _Active], customer: Customer, stage: str, today: date) -> Assignment | None:
    """The experiment variant a message of `stage` to `customer` gets on `today`, or None (no experiment).

    `running`: running_by_stage(workspace), read once per chunk of the run."""
    active = running.get(stage)
    if active is None:
        return None
    variant = choose_variant(active.experiment, active.variants, customer.external_id, today, active.arms)
    return Assignment(active.experiment, variant["name"], variant["template"], variant["subject"])


# --- results --------------------------------------------------------------------------------------------


def variant_counts(experiment: Experiment) -> dict[str, dict[str, int]]:
    """{variant: {"sent", "opened", "clicked", "paid"}} over the experiment's sent messages (one query)."""
    rows = (
        Message.objects.filter(experiment=experiment, status=Message.SENT)
        .annotate(
            has_open=Exists(Event.objects.filter(message=OuterRef("pk"), kind=Event.OPENED)),
            has_click=Exists(Event.objects.filter(message=OuterRef("pk"), kind=Event.CLICKED)),
            has_payment=Exists(Attribution.objects.filter(message=OuterRef("pk"))),
        )
        .values("variant")
        .annotate(
            sent=Count("pk"),
            opened=Count("pk", filter=Q(has_open=True)),
            clicked=Count("pk", filter=Q(has_click=True)),
            paid=Count("pk", filter=Q(has_payment=True)),
        )
        .order_by()
    )
    return {row["variant"]: {k: row[k] for k in ("sent", "opened", "clicked", "paid")} for row in rows}


@dataclass(frozen=True)
class VariantResult:
    name: str
    template: str
    subject: int
    sent: int
    opened: int
    clicked: int
    paid: int

    @staticmethod
    def _rate(count: int, sent: int) -> float:
        return count / sent if sent else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "template": self.template,
            "subject": self.subject,
            "sent": self.sent,
            "opened": self.opened,
            "clicked": self.clicked,
            "paid": self.paid,
            "open_rate": round(self._rate(self.opened, self.sent), 4),
            "click_rate": round(self._rate(self.clicked, self.sent), 4),
            "payment_rate": round(self._rate(self.paid, self.sent), 4),
        }


@dataclass(frozen=True)
class ExperimentResults:
    experiment: Experiment
    variants: list[VariantResult]
    analyses: dict[str, abtest.Analysis]  # by metric: payments (primary), opens, clicks

    @property
    def primary(self) -> abtest.Analysis:
        return self.analyses["payments"]

    def as_json(self) -> dict[str, Any]:
        exp, primary = self.experiment, self.primary
        return {
            "name": exp.name,
            "stage": exp.stage,
            "status": exp.status,
            "min_sample": exp.min_sample,
            "auto_promote": exp.auto_promote,
            "stored_winner": exp.winner or None,
            "created_at": exp.created_at.isoformat() if exp.created_at else None,
            "variants": [
                {**v.as_json(), "probability_best": round(p, 4)}
                for v, p in zip(self.variants, primary.probabilities, strict=True)
            ],
            "p_value": round(primary.test.p_value, 6) if primary.test else None,
            "ci95": [round(primary.test.ci_low, 6), round(primary.test.ci_high, 6)] if primary.test else None,
            "winner": primary.winner,
            "verdict": primary.verdict,
            "metrics": {metric: analysis.as_json() for metric, analysis in self.analyses.items()},
        }


def experiment_results(experiment: Experiment, rng: random.Random | None = None) -> ExperimentResults:
    counts = variant_counts(experiment)
    variants = []
    for v in variants_of(experiment):
        c = counts.get(v["name"], {})
        variants.append(
            VariantResult(
                v["name"],
                v["template"],
                v["subject"],
                c.get("sent", 0),
                c.get("opened", 0),
                c.get("clicked", 0),
                c.get("paid", 0),
            )
        )
    # Seeded by the experiment so that the Monte Carlo part (3+ variants) prints the same twice.
    rng = rng or random.Random(abtest.seed_for("results", experiment.name))
    fields = {"payments": "paid", "opens": "opened", "clicks": "clicked"}
    analyses = {
        metric: abtest.analyse(
            [abtest.Arm(v.name, v.sent, getattr(v, field)) for v in variants], experiment.min_sample, rng
        )
        for metric, field in fields.items()
    }
    return ExperimentResults(experiment, variants, analyses)


def list_experiments(workspace: Workspace) -> list[Experiment]:
    return list(Experiment.objects.filter(workspace=workspace).order_by("created_at", "pk"))


def get_experiment(workspace: Workspace, name: str) -> Experiment:
    try:
        return Experiment.objects.get(workspace=workspace, name=name)
    except Experiment.DoesNotExist:
        raise InvalidInput(f"no experiment {name!r}: see `relance experiments`") from None


# --- actions --------------------------------------------------------------------------------------------


def do_add_experiment(
    workspace: Workspace,
    name: str,
    stage: str,
    variants: list[dict[str, Any]],
    *,
    min_sample: int = 100,
    auto_promote: bool = False,
) -> Experiment:
    """A new running experiment. Raises InvalidInput for a bad name, variants or a stage already tested."""
    if not NAME.match(name) or len(name) > 100:
        raise InvalidInput(f"experiment name {name!r}: letters, digits, '-' and '_' only (100 at most)")
    if not stage.strip():
        raise InvalidInput("--stage is required")
    if len(variants) < 2:
        raise InvalidInput("an experiment needs at least two variants (--variant A:first:0 --variant B:...)")
    names = [v["name"] for v in variants]
    if len(set(names)) != len(names):
        raise InvalidInput(f"variant names must differ: {', '.join(names)}")
    if min_sample < 1:
        raise InvalidInput("--min-sample must be at least 1")
    _check_templates(workspace, variants)
    if Experiment.objects.filter(workspace=workspace, status=Experiment.RUNNING, stage=stage).exists():
        raise InvalidInput(f"an experiment already runs on stage {stage!r}: stop it first")
    try:
        with transaction.atomic():
            experiment = Experiment.objects.create(
                workspace=workspace,
                name=name,
                stage=stage,
                variants=variants,
                status=Experiment.RUNNING,
                min_sample=min_sample,
                auto_promote=auto_promote,
            )
    except IntegrityError:
        raise InvalidInput(f"an experiment named {name!r} already exists") from None
    return experiment


def _check_templates(workspace: Workspace, variants: list[dict[str, Any]]) -> None:
    """A named template must exist and have the subject asked for (in each language it is found in)."""
    from relance.mail.compose import template_folders
    from relance.mail.rendering.templates import TemplateError
    from relance.mail.template_store import resolve_template

    for variant in variants:
        if not variant["template"]:
            continue
        for language in ("fr", "en"):
            try:
                template = resolve_template(workspace, variant["template"], language, template_folders())
            except TemplateError as exc:
                raise InvalidInput(f"variant {variant['name']}: {exc}") from None
            count = len(template.compiled.subjects)
            if variant["subject"] >= count:
                raise InvalidInput(
                    f"variant {variant['name']}: {template.name}.{template.language} has {count} subject(s), "
                    f"no subject {variant['subject']} (subjects count from 0)"
                )


def do_stop_experiment(workspace: Workspace, name: str) -> tuple[Experiment, ExperimentResults]:
    """Stop an experiment; the winner, when the statistics name one, is recorded on it."""
    experiment = get_experiment(workspace, name)
    results = experiment_results(experiment)
    experiment.status = Experiment.STOPPED
    experiment.winner = results.primary.winner or ""
    experiment.save(update_fields=["status", "winner"])
    return experiment, results
