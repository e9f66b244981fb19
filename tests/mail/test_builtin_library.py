"""The built-in template library: complete, renders everywhere, short subjects, courteous, varied variants."""

from __future__ import annotations

import copy
import difflib
import itertools
import re
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date

from relance.engine.lint.model import B2B_STAGES, SAAS_STAGES
from relance.mail.rendering import (
    BUILTIN_DIR,
    LANGUAGES,
    LoadedTemplate,
    Rendered,
    load_template,
    make_greeting,
    parse_template,
    render,
    sample_context,
)

VARIANTS = ("short", "long", "casual", "personalised", "loss_aversion")
WITH_VARIANTS = ("first", *SAAS_STAGES)
FINAL_STAGES = ("final", "final_warning")

FILES = sorted(path.name.removesuffix(".md") for path in BUILTIN_DIR.glob("*.md"))
BUILTINS = [tuple(stem.rsplit(".", 1)) for stem in FILES]
EXPECTED = sorted(
    {(stage, "standard") for stage in B2B_STAGES + SAAS_STAGES}
    | {(stage, variant) for stage in WITH_VARIANTS for variant in VARIANTS}
)

ALREADY_DONE = {
    "fr": re.compile(r"ne (pas )?tenez pas compte|ne pas tenir compte|ignorez|laissez ce message de côté"),
    "en": re.compile(r"disregard|ignore this|ignore it|never mind this"),
}
# Words that never belong in a built-in, whatever the stage (seed 002's negative and accusatory lists).
NEVER = [
    r"vous devez",
    r"you must",
    r"you failed to",
    r"n[ée]gligen",
    r"\boubli",
    r"\bforg[eo]t",
    r"pourquoi n'avez-vous",
    r"why (haven't|have) you",
    r"\burgen",
    r"!!",
    r"\bmenace",
    r"\bthreat",
    r"\bchantage",
    r"\bblackmail",
    r"\bintimidat",
    r"\bcolère",
    r"\banger\b",
    r"\bpression\b",
    r"\bpressure\b",
    r"\brelanc",
    r"\bsomme\b",
    r"\bsum\b",
    r"délai dépassé",
    r"\bexigence",
    r"\bdemand\b",
    r"\bdemanding\b",
    r"\bimpayée?s?\b",
    r"\bunpaid\b",
    r"\baccus",
]
# Escalation and legal vocabulary: only the final notices may use it.
BEFORE_FINAL = [
    r"\bretard",
    r"\blate\b",
    r"\boverdue\b",
    r"pénalit",
    r"\bpenalt",
    r"mise en demeure",
    r"formal notice",
    r"contentieux",
    r"\blitigation",
    r"\blegal\b",
    r"juridique",
    r"recouvrement",
    r"debt collection",
    r"collection (procedure|proceedings|agency)",
    r"frais supplémentaires",
    r"additional costs",
]


@cache
def template(name: str, language: str) -> LoadedTemplate:
    return load_template(name, language)


def context_for(name: str, language: str) -> dict[str, Any]:
    return sample_context(language, template(name, language).stage)


@cache
def rendered(name: str, language: str) -> Rendered:
    return render(template(name, language), context_for(name, language))


def subjects(name: str, language: str, context: dict[str, Any]) -> list[str]:
    loaded = template(name, language)
    return [render(loaded, context, index).subject for index in range(len(loaded.subjects))]


def flat(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def with_invoices(context: dict[str, Any], count: int) -> dict[str, Any]:
    first = context["invoices"][0]
    invoices = [first] + [
        {
            **first,
            "number": f"FA-2026-{143 + i:04d}",
            "amount": Decimal("99.90"),
            "outstanding": Decimal("99.90"),
        }
        for i in range(count - 1)
    ]
    total = sum((invoice["outstanding"] for invoice in invoices), Decimal("0"))
    return {**context, "invoices": invoices, "totals": {"due": total, "currency": "EUR", "count": count}}


def test_the_library_has_every_stage_and_variant_in_both_languages() -> None:
    found = {(template(n, lang).stage, template(n, lang).variant, lang) for n, lang in BUILTINS}

    missing = [(s, v, lang) for s, v in EXPECTED for lang in LANGUAGES if (s, v, lang) not in found]

    assert missing == []
    assert len(BUILTINS) == len(EXPECTED) * len(LANGUAGES) == 92


@pytest.mark.parametrize(("name", "language"), BUILTINS)
def test_file_name_matches_the_front_matter(name: str, language: str) -> None:
    loaded = template(name, language)

    assert name == (loaded.stage if loaded.variant == "standard" else f"{loaded.stage}_{loaded.variant}")
    assert loaded.family == ("saas" if loaded.stage in SAAS_STAGES else "b2b")
    assert loaded.language == language and loaded.builtin


@pytest.mark.parametrize(("name", "language"), BUILTINS)
def test_every_builtin_renders_a_complete_message_in_its_language(name: str, language: str) -> None:
    context = context_for(name, language)
    message = rendered(name, language)
    text, html = message.text, message.html

    assert message.language == language
    first_line = text.split("\n", 1)[0]
    assert first_line in (context["contact"]["greeting"], f"Hi {context['contact']['first_name']},")
    assert ALREADY_DONE[language].search(flat(text).lower()), "no 'if you already paid, ignore this' line"
    assert context["sender"]["email"] in text and context["sender"]["phone"] in flat(text)  # signature
    assert 'class="button' in html and message.preheader
    assert "{{" not in text + html and "{%" not in text + html
    assert not re.search(r"rlv[0-9a-f]{12}x\d+x", text + html)
    assert "\n\n\n" not in text


@pytest.mark.parametrize(("name", "language"), [b for b in BUILTINS if template(*b).family == "b2b"])
def test_b2b_messages_carry_invoice_amount_due_date_and_payment_link(name: str, language: str) -> None:
    context = context_for(name, language)
    text = flat(rendered(name, language).text)

    assert "FA-2026-0142" in text
    assert ("1 234,56 €" if language == "fr" else "€1,234.56") in text
    assert ("15 mars 2026" if language == "fr" else "March 15, 2026") in text
    assert context["links"]["pay"] in text


@pytest.mark.parametrize(("name", "language"), [b for b in BUILTINS if template(*b).family == "saas"])
def test_saas_messages_carry_product_amount_date_and_the_update_card_link(name: str, language: str) -> None:
    context = context_for(name, language)
    message = rendered(name, language)
    text = flat(message.text)
    sub = context["subscription"]

    assert sub["product"] in text and sub["product"] in message.html
    assert ("49,00 €" if language == "fr" else "€49.00") in text
    assert f'href="{context["links"]["update_card"]}"' in message.html
    assert context["links"]["update_card"] in text
    dates = [sub[key] for key in ("next_attempt", "failed_on", "access_ends") if sub[key]]
    locale = "fr_FR" if language == "fr" else "en"
    assert any(format_date(day, "long", locale=locale) in text for day in dates), "no payment or retry date"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("variant", ("standard", *VARIANTS))
def test_final_warning_names_the_day_access_ends_and_what_is_lost(variant: str, language: str) -> None:
    name = "final_warning" if variant == "standard" else f"final_warning_{variant}"
    context = context_for(name, language)

    text = flat(rendered(name, language).text)

    assert ("22 avril 2026" if language == "fr" else "April 22, 2026") in text
    if variant != "short":
        assert context["subscription"]["features"][0] in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("variant", ("standard", *VARIANTS))
def test_alternative_lists_every_offer_with_its_link(variant: str, language: str) -> None:
    name = "alternative" if variant == "standard" else f"alternative_{variant}"
    context = context_for(name, language)

    text = flat(rendered(name, language).text)

    for offer in context["offers"]:
        assert offer["label"] in text and offer["link"] in text


@pytest.mark.parametrize(("name", "language"), BUILTINS)
def test_subject_options_are_short_specific_and_calm(name: str, language: str) -> None:
    loaded = template(name, language)
    context = context_for(name, language)
    anonymous = copy.deepcopy(context)
    anonymous["contact"]["first_name"] = ""  # subjects that name the contact fall back to the company
    contexts = [context, anonymous]
    if loaded.family == "b2b":
        contexts += [with_invoices(context, 2), with_invoices(context, 3)]

    options = [subject for ctx in contexts for subject in subjects(name, language, ctx)]

    assert 2 <= len(loaded.subjects) <= 4
    for subject in options:
        assert len(subject) <= 60, subject
        if loaded.family == "b2b":
            assert "FA-2026-0142" in subject or "Acme SAS" in subject, subject
        else:
            assert context["subscription"]["product"] in subject, subject
        assert "URGENT" not in subject.upper()
        assert not re.findall(r"\b[A-ZÀ-Ý]{4,}\b", subject.replace("SARL", "")), subject
        assert "!" not in subject
    assert all(len(s) <= 50 for s in subjects(name, language, context)), "keep sample subjects within 50"


@pytest.mark.parametrize(("name", "language"), BUILTINS)
def test_no_forbidden_or_accusatory_words(name: str, language: str) -> None:
    message = rendered(name, language)
    stage = template(name, language).stage
    words = " ".join(
        [*subjects(name, language, context_for(name, language)), message.preheader, message.text]
    )
    words = flat(words).lower()

    patterns = NEVER + ([] if stage in FINAL_STAGES else BEFORE_FINAL)
    found = [pattern for pattern in patterns if re.search(pattern, words)]

    assert found == []
    shouting = [w for w in re.findall(r"\b[A-ZÀ-Ý]{4,}\b", message.text) if w not in ("SARL",)]
    assert shouting == []


def _wording(loaded: LoadedTemplate) -> list[str]:
    """The template's own words: its body without the Jinja expressions and tags."""
    body = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", loaded.body, flags=re.DOTALL)
    return re.findall(r"[^\W\d_]+", body.lower())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("stage", WITH_VARIANTS)
def test_variants_of_a_stage_are_really_different(stage: str, language: str) -> None:
    names = [stage] + [f"{stage}_{variant}" for variant in VARIANTS]
    wording = {name: _wording(template(name, language)) for name in names}

    for a, b in itertools.combinations(names, 2):
        similarity = difflib.SequenceMatcher(None, wording[a], wording[b], autojunk=False).ratio()
        assert similarity < 0.6, (a, b, round(similarity, 2))
    rendered_texts = {name: rendered(name, language).text for name in names}
    assert len(set(rendered_texts.values())) == len(names)


def _sparse(context: dict[str, Any]) -> dict[str, Any]:
    """A context with every optional value missing, as a minimal integration might send it."""
    sparse = copy.deepcopy(context)
    sparse["contact"].update(first_name="", last_name="", full_name="")
    sparse["contact"]["greeting"] = make_greeting(
        "fr" if "Bonjour" in context["contact"]["greeting"] else "en"
    )
    sparse["customer"].pop("since", None)
    sparse["customer"]["id"] = ""
    sparse["sender"].update(phone="", title="")
    if "subscription" in sparse:
        sub = sparse["subscription"]
        sub.update(next_attempt=None, access_ends=None, started_on=None, failed_on=None, features=[])
        del sub["attempts"]
        if sparse["stage"] != "card_expiring":
            sub["card"] = None
        sparse["offers"] = []
        sparse["invoices"] = []
    return sparse


@pytest.mark.parametrize(("name", "language"), BUILTINS)
def test_builtins_cope_with_missing_optional_values(name: str, language: str) -> None:
    context = _sparse(context_for(name, language))

    message = render(template(name, language), context)

    assert message.text.startswith(context["contact"]["greeting"])
    assert not re.search(r"\bNone\b(?! of)", message.text)
    assert " ," not in message.text.replace("\xa0", " ")
    assert ALREADY_DONE[language].search(flat(message.text).lower())


@pytest.mark.parametrize(("name", "language"), [b for b in BUILTINS if template(*b).stage == "first"])
def test_first_reminder_variants_list_several_invoices(name: str, language: str) -> None:
    context = with_invoices(context_for(name, language), 3)

    text = flat(render(template(name, language), context).text)

    for number in ("FA-2026-0142", "FA-2026-0143", "FA-2026-0144"):
        assert number in text


def test_sample_context_stays_backward_compatible_for_b2b() -> None:
    context = sample_context("fr", "first")

    assert "subscription" not in context and "offers" not in context
    assert set(context["links"]) == {"pay", "invoice", "statement", "contact"}
    assert context["invoices"][0]["number"] == "FA-2026-0142"


@pytest.mark.parametrize("stage", SAAS_STAGES)
def test_sample_context_has_a_subscription_for_saas_stages(stage: str) -> None:
    context = sample_context("en", stage)
    sub = context["subscription"]

    keys = {"product", "plan", "amount", "currency", "interval", "next_attempt", "access_ends", "features"}
    assert keys <= set(sub)
    assert set(sub["card"]) == {"brand", "last4", "exp_month", "exp_year"}
    assert context["links"]["update_card"].startswith("https://")
    assert isinstance(sub["amount"], Decimal)
    assert bool(context["offers"]) == (stage == "alternative")
    assert (sub["access_ends"] is None) == (stage == "card_expiring")
    assert all({"kind", "label", "detail", "link"} == set(offer) for offer in context["offers"])


@pytest.mark.parametrize(
    ("language", "day_month", "month_year"),
    [("fr", "22 avril", "avril 2026"), ("en", "April 22", "April 2026")],
)
def test_named_date_formats_follow_the_language(language: str, day_month: str, month_year: str) -> None:
    source = "---\nstage: first\nsubjects: [\"{{ d|date('day_month') }}\"]\n---\n{{ d|date('month_year') }}\n"
    loaded = parse_template(source, "dates", language, Path("<dates>"))
    context = {**sample_context(language), "d": date(2026, 4, 22)}

    message = render(loaded, context)

    assert message.subject == day_month
    assert message.text.startswith(month_year)
