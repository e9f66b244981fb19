"""A/B tests: their results per variant with the statistics, starting one and stopping one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from relance.dunning.policies import policy_summaries
from relance.engine.errors import InvalidInput
from relance.engine.policy import KNOWN_STAGES
from relance.tracking.experiments import (
    ExperimentResults,
    do_add_experiment,
    do_stop_experiment,
    experiment_results,
    parse_variant,
)
from relance.tracking.models import Experiment
from relance.web.access import require_role, scoped, workspace_of
from relance.web.views.dashboard import chart

VARIANT_ROWS = 4


def stage_choices(request: HttpRequest) -> list[tuple[str, str]]:
    """The stages of the workspace's policies (known stages first), as choices."""
    stages = {step["stage"] for p in policy_summaries(workspace_of(request)) for step in p["steps"]}
    ordered = [s for s in KNOWN_STAGES if s in stages] + sorted(stages - set(KNOWN_STAGES))
    return [(s, s) for s in ordered]


class ExperimentForm(forms.Form):
    """Mirrors `relance experiments add NAME --stage S --variant A:first:0 --variant B:first_short:1`."""

    name = forms.SlugField(label=gettext_lazy("Name"), max_length=100)
    stage = forms.ChoiceField(label=gettext_lazy("Stage"))
    min_sample = forms.IntegerField(
        label=gettext_lazy("Minimum sample (messages per variant)"), min_value=1, initial=100
    )
    auto_promote = forms.BooleanField(
        label=gettext_lazy("Send more of the leading variant once the minimum sample is reached"),
        required=False,
    )

    def __init__(self, *args: Any, stages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stage = self.fields["stage"]
        assert isinstance(stage, forms.ChoiceField)
        stage.choices = stages
        for n in range(1, VARIANT_ROWS + 1):
            required = n <= 2
            self.fields[f"variant_{n}_name"] = forms.CharField(
                label=_("Variant %(n)d name") % {"n": n},
                required=required,
                max_length=40,
                initial="AB"[n - 1] if n <= 2 else "",
            )
            self.fields[f"variant_{n}_template"] = forms.CharField(
                label=_("Variant %(n)d template") % {"n": n},
                required=False,
                max_length=100,
                help_text=gettext_lazy("Empty: the step's own template"),
            )
            self.fields[f"variant_{n}_subject"] = forms.IntegerField(
                label=_("Variant %(n)d subject number") % {"n": n}, required=False, min_value=0, initial=0
            )

    def variant_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"variant_{n}_{part}"] for part in ("name", "template", "subject")]
            for n in range(1, VARIANT_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        variants = []
        for n in range(1, VARIANT_ROWS + 1):
            name = (data.get(f"variant_{n}_name") or "").strip()
            if not name:
                continue
            template = (data.get(f"variant_{n}_template") or "").strip()
            subject = data.get(f"variant_{n}_subject") or 0
            try:
                variants.append(parse_variant(f"{name}:{template}:{subject}"))
            except InvalidInput as exc:
                self.add_error(f"variant_{n}_name", str(exc))
        data["variants"] = variants
        return data


def _result_rows(results: ExperimentResults) -> list[dict[str, Any]]:
    analysis = results.primary
    rows = []
    for variant, probability in zip(results.variants, analysis.probabilities, strict=True):
        rows.append(
            {
                **variant.as_json(),
                "probability_best": probability,
                "is_winner": analysis.winner == variant.name,
                "versus_control": analysis.versus_control.get(variant.name),
            }
        )
    return rows


def why_no_winner(results: ExperimentResults) -> str:
    """The reason, in words, when the statistics name no winner yet."""
    analysis = results.primary
    if analysis.winner:
        return ""
    if len(analysis.arms) < 2:
        return _("An experiment needs at least two variants.")
    smallest = min(arm.trials for arm in analysis.arms)
    if smallest < analysis.min_sample:
        return _(
            "Not enough data yet: the smallest variant has %(smallest)d sent messages, the minimum sample "
            "is %(minimum)d per variant."
        ) % {"smallest": smallest, "minimum": analysis.min_sample}
    best = max(analysis.probabilities) if analysis.probabilities else 0.0
    p_value = analysis.test.p_value if analysis.test else 1.0
    return _(
        "No clear winner yet: the leader's probability of being best is %(best).1f %% (95 %% needed) and the "
        "p-value against the runner-up is %(p).3f (below 0.05 needed)."
    ) % {"best": best * 100, "p": p_value}


def _listing(request: HttpRequest, page_number: str | None) -> dict[str, Any]:
    """A page of the workspace's experiments with their results (one query each, 50 at most)."""
    page = Paginator(
        Experiment.objects.filter(workspace=workspace_of(request)).order_by("-created_at", "-pk"), 50
    ).get_page(page_number)
    listed = []
    for experiment in page:
        results = experiment_results(experiment)
        listed.append({"experiment": experiment, "results": results, "reason": why_no_winner(results)})
    return {"listed": listed, "page": page}


@require_role("viewer")
def experiments(request: HttpRequest) -> HttpResponse:
    stages = stage_choices(request)
    initial = {"stage": "first"} if ("first", "first") in stages else {}
    form = ExperimentForm(stages=stages, initial=initial)
    return render(
        request, "web/experiments/list.html", {**_listing(request, request.GET.get("page")), "form": form}
    )


@require_role("viewer")
def experiment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    experiment = scoped(request, Experiment, pk=pk)
    results = experiment_results(experiment)
    rows = _result_rows(results)
    return render(
        request,
        "web/experiments/detail.html",
        {
            "experiment": experiment,
            "results": results,
            "rows": rows,
            "reason": why_no_winner(results),
            "payment_chart": chart(
                "bar",
                [row["name"] for row in rows],
                [{"label": _("Payment rate"), "data": [row["payment_rate"] for row in rows]}],
                "percent",
            ),
        },
    )


@require_POST
@require_role("collector")
def experiment_add(request: HttpRequest) -> HttpResponse:
    workspace = workspace_of(request)
    form = ExperimentForm(request.POST, stages=stage_choices(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            experiment = do_add_experiment(
                workspace,
                data["name"],
                data["stage"],
                data["variants"],
                min_sample=data["min_sample"],
                auto_promote=data["auto_promote"],
            )
        except InvalidInput as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Experiment %(name)s started.") % {"name": experiment.name})
            return HttpResponseRedirect(reverse("web:experiment_detail", args=[experiment.pk]))
    return render(
        request,
        "web/experiments/list.html",
        {**_listing(request, None), "form": form, "open_form": True},
        status=400,
    )


@require_POST
@require_role("collector")
def experiment_stop(request: HttpRequest, pk: int) -> HttpResponse:
    experiment = scoped(request, Experiment, pk=pk)
    if experiment.status == Experiment.STOPPED:
        messages.warning(request, _("Experiment %(name)s was already stopped.") % {"name": experiment.name})
    else:
        stopped, _results = do_stop_experiment(workspace_of(request), experiment.name)
        if stopped.winner:
            text = _("Experiment %(name)s stopped; the winner is %(winner)s.")
        else:
            text = _("Experiment %(name)s stopped without a winner.")
        messages.success(request, text % {"name": stopped.name, "winner": stopped.winner})
    return HttpResponseRedirect(reverse("web:experiment_detail", args=[experiment.pk]))
