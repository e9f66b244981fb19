"""Message rendering: built-in templates, locale formatting, the sandbox, escaping, links, versions."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from relance.mail.rendering import (
    BUILTIN_DIR,
    BUILTIN_TEMPLATES,
    LANGUAGES,
    TemplateError,
    load_template,
    make_greeting,
    parse_template,
    render,
    render_message,
    sample_context,
)

BUILTINS = [(name, language) for name in BUILTIN_TEMPLATES for language in LANGUAGES]
ALREADY_PAID = {"fr": "merci de ne pas tenir compte de ce message", "en": "please disregard this message"}
TOKEN = re.compile(r"rlv[0-9a-f]{12}x\d+x")


def spaces(text: str) -> str:
    """Babel writes narrow and regular no-break spaces; compare with plain ones."""
    return text.replace("\u202f", " ").replace("\xa0", " ").replace("&nbsp;", " ")


def flat(text: str) -> str:
    """The text with line wrapping undone and no-break spaces made plain."""
    return " ".join(spaces(text).split())


def write_template(folder: Path, name: str, language: str, body: str, front: str = "") -> Path:
    front = (
        front
        or f'stage: first\nsubjects:\n  - "Facture {{{{ invoices[0].number }}}}"\nlanguage: {language}\n'
    )
    path = folder / f"{name}.{language}.md"
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return path


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


@pytest.mark.parametrize(("name", "language"), BUILTINS)
def test_every_builtin_renders_a_complete_message(name: str, language: str) -> None:
    context = sample_context(language, name)
    rendered = render_message(name, language, context)
    text, html = rendered.text, rendered.html

    assert rendered.template_name == name
    assert re.fullmatch(r"[0-9a-f]{12}", rendered.template_version)
    assert rendered.language == language
    assert text.startswith(context["contact"]["greeting"])
    for needed in (
        "FA-2026-0142",
        "Boulangerie Martin SARL" if language == "fr" else "Northwind Traders Ltd",
    ):
        assert needed in text
        assert needed in html
    assert ALREADY_PAID[language] in flat(text)
    assert "Marie Dupont" in text and "+33 4 72 00 00 00" in text
    assert "RCS Lyon 123 456 789" in text and "RCS Lyon 123 456 789" in html
    assert f": {context['links']['pay']}" in text  # CTAs written out as "Label: URL"
    assert f'href="{context["links"]["pay"]}"' in html and 'class="button' in html
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "max-width: 600px" in html
    assert "<table" in html and "<th" in html
    for absent in ("<style", "<link", "<img", "<script", "{{", "{%", "src="):
        assert absent not in html
    assert not TOKEN.search(text) and not TOKEN.search(html)
    assert "\n\n\n" not in text


@pytest.mark.parametrize(("name", "language"), BUILTINS)
@pytest.mark.parametrize("count", [1, 2, 3])
def test_subjects_are_short_and_name_the_invoice(name: str, language: str, count: int) -> None:
    context = with_invoices(sample_context(language, name), count)
    subject = render_message(name, language, context).subject

    assert len(subject) <= 60, subject
    assert "FA-2026-0142" in subject or "Acme SAS" in subject


@pytest.mark.parametrize(("name", "language"), BUILTINS)
def test_wording_is_courteous(name: str, language: str) -> None:
    rendered = render_message(name, language, sample_context(language, name))
    words = (rendered.subject + "\n" + rendered.text).lower()

    for accusatory in ("vous devez", "you must", "négligence", "oubli", "urgent", "!!", "menace", "threat"):
        assert accusatory not in words
    shouting = [w for w in re.findall(r"\b[A-ZÀ-Ý]{4,}\b", rendered.subject + rendered.text) if w != "SARL"]
    assert shouting == []


def test_text_lines_are_wrapped() -> None:
    rendered = render_message("final", "fr", sample_context("fr", "final"))

    long_lines = [line for line in rendered.text.splitlines() if len(line) > 76 and "http" not in line]
    assert long_lines == []


def test_french_money_and_dates() -> None:
    rendered = render_message("first", "fr", sample_context("fr"))

    assert "1 234,56 €" in spaces(rendered.text)
    assert "1 234,56 €" in spaces(rendered.html)
    assert "15 mars 2026" in rendered.text
    assert "5 jours" in spaces(rendered.text)


def test_english_money_and_dates() -> None:
    rendered = render_message("first", "en", sample_context("en"))

    assert "€1,234.56" in rendered.text
    assert "March 15, 2026" in rendered.text
    assert "5 days" in rendered.text


def test_filters_in_a_custom_template(tmp_path: Path) -> None:
    body = (
        "{{ amount|money('EUR') }} / {{ money(amount, 'USD') }} / {{ day|date }} / {{ day|date('d MMMM') }}\n"
    )
    write_template(tmp_path, "filters", "fr", body)
    context = {**sample_context("fr"), "amount": Decimal("1234.5"), "day": sample_context("fr")["today"]}

    text = spaces(render_message("filters", "fr", context, [tmp_path]).text)

    assert "1 234,50 € / 1 234,50 $US / 20 mars 2026 / 20 mars" in text


def test_money_refuses_floats(tmp_path: Path) -> None:
    write_template(tmp_path, "floaty", "en", "{{ 12.5|money('EUR') }}\n")

    with pytest.raises(TemplateError, match="Decimal"):
        render_message("floaty", "en", sample_context("en"), [tmp_path])


def test_unknown_variable_is_an_error_naming_it_the_file_and_the_line(tmp_path: Path) -> None:
    path = write_template(
        tmp_path, "typo", "fr", "{{ contact.greeting }}\n\nMontant : {{ mystery_amount }}\n"
    )
    # front matter: lines 1-6; body: 7 greeting, 8 blank, 9 the unknown variable

    with pytest.raises(TemplateError) as caught:
        render_message("typo", "fr", sample_context("fr"), [tmp_path])

    assert "mystery_amount" in str(caught.value)
    assert f"{path}:9:" in str(caught.value)
    assert caught.value.line == 9


def test_unknown_attribute_in_a_subject_names_its_front_matter_line(tmp_path: Path) -> None:
    front = 'stage: first\nsubjects:\n  - "Facture {{ invoices[0].numero }}"\n'
    path = write_template(tmp_path, "subject", "fr", "Bonjour\n", front)

    with pytest.raises(TemplateError, match="numero") as caught:
        render_message("subject", "fr", sample_context("fr"), [tmp_path])

    assert f"{path}:4:" in str(caught.value)


def test_syntax_error_is_reported_when_loading(tmp_path: Path) -> None:
    path = write_template(tmp_path, "broken", "en", "Hello\n{% if invoices %}\nno end\n")

    with pytest.raises(TemplateError, match="syntax") as caught:
        load_template("broken", "en", [tmp_path])

    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    "expression",
    ["''.__class__.__mro__", "invoices.__class__.__subclasses__()", "customer.__init__.__globals__"],
)
def test_sandbox_refuses_python_internals(tmp_path: Path, expression: str) -> None:
    write_template(tmp_path, "escape", "en", f"{{{{ {expression} }}}}\n")

    with pytest.raises(TemplateError, match=r"sandbox|unsafe"):
        render_message("escape", "en", sample_context("en"), [tmp_path])


def test_sandbox_keeps_the_context_read_only(tmp_path: Path) -> None:
    write_template(tmp_path, "mutate", "en", "{{ invoices.append(1) }}\n")
    context = sample_context("en")

    with pytest.raises(TemplateError):
        render_message("mutate", "en", context, [tmp_path])
    assert len(context["invoices"]) == 1


def test_html_escapes_customer_data_that_the_text_keeps() -> None:
    context = sample_context("fr")
    context["customer"]["name"] = "<b>Martin & Fils</b>"

    rendered = render_message("first", "fr", context)

    assert "&lt;b&gt;Martin &amp; Fils&lt;/b&gt;" in rendered.html
    assert "<b>Martin" not in rendered.html
    assert "<b>Martin & Fils</b>" in rendered.text


def test_customer_data_cannot_add_markdown_formatting_or_links() -> None:
    context = sample_context("en")
    context["customer"]["name"] = "*Acme* [pay here](https://evil.example) _x_"

    rendered = render_message("first", "en", context)

    assert "evil.example" not in re.findall(r'href="([^"]*)"', rendered.html)
    assert "<em>" not in rendered.html
    assert "*Acme* [pay here](https://evil.example) _x_" in flat(rendered.text)


def test_empty_payment_link_leaves_no_button() -> None:
    context = sample_context("fr")
    context["links"]["pay"] = ""

    rendered = render_message("first", "fr", context)

    assert 'href=""' not in rendered.html
    assert ">Payer en ligne</a>" not in rendered.html
    assert "Payer en ligne:" not in rendered.text
    assert "Télécharger la facture: https://" in rendered.text  # the other button stays


def test_no_links_at_all_gives_no_buttons_and_no_empty_hrefs() -> None:
    context = sample_context("en")
    context["links"] = {key: "" for key in context["links"]}
    context["invoices"][0]["pdf_url"] = ""

    rendered = render_message("payment_plan", "en", context)

    assert 'class="button' not in rendered.html
    assert 'href=""' not in rendered.html
    assert "FA-2026-0142" in rendered.html  # the invoice number stays, without a link


def test_unsafe_link_is_written_as_its_label(tmp_path: Path) -> None:
    write_template(tmp_path, "links", "en", "[Pay]({{ links.pay }}) and [Read](javascript:alert(1))\n")
    context = sample_context("en")
    context["links"]["pay"] = "javascript:alert(1)"

    rendered = render_message("links", "en", context, [tmp_path])

    assert "javascript" not in rendered.html
    assert "Pay and Read" in rendered.text


def test_raw_html_in_a_template_is_shown_as_text_never_passed_through(tmp_path: Path) -> None:
    body = 'Hello <script>alert(1)</script> **now**\n\n<iframe src="https://evil.example"></iframe>\n'
    write_template(tmp_path, "raw", "en", body)

    rendered = render_message("raw", "en", sample_context("en"), [tmp_path])

    assert "<script" not in rendered.html and "<iframe" not in rendered.html
    assert "&lt;script&gt;" in rendered.html and "<strong>now</strong>" in rendered.html


def test_user_folder_overrides_a_builtin_and_the_version_follows_the_file(tmp_path: Path) -> None:
    builtin = render_message("first", "fr", sample_context("fr"))
    copy = tmp_path / "first.fr.md"
    shutil.copyfile(BUILTIN_DIR / "first.fr.md", copy)

    same = render_message("first", "fr", sample_context("fr"), [tmp_path])
    copy.write_text(
        copy.read_text(encoding="utf-8").replace("Cordialement,", "Bien à vous,"), encoding="utf-8"
    )
    edited = render_message("first", "fr", sample_context("fr"), [tmp_path])

    assert same.template_version == builtin.template_version
    assert edited.template_version != builtin.template_version
    assert "Bien à vous," in edited.text and "Bien à vous," not in builtin.text
    assert load_template("first", "fr", [tmp_path]).builtin is False


def test_language_falls_back_only_when_the_file_is_missing(tmp_path: Path) -> None:
    write_template(tmp_path, "only_french", "fr", "{{ today|date }}\n")

    fallback = load_template("only_french", "en", [tmp_path])
    other = render_message("first", "de", sample_context("en"))

    assert (fallback.language, fallback.requested_language, fallback.is_fallback) == ("fr", "en", True)
    assert render_message("only_french", "en", sample_context("en"), [tmp_path]).language == "fr"
    assert "20 mars 2026" in render_message("only_french", "en", sample_context("en"), [tmp_path]).text
    assert other.language == "en"
    assert load_template("first", "en").language == "en"


def test_missing_template_names_the_file() -> None:
    with pytest.raises(TemplateError, match=r"nothing_here\.fr\.md"):
        load_template("nothing_here", "fr")


@pytest.mark.parametrize(("name", "language"), [("../first", "fr"), ("first", "../fr"), ("First", "fr")])
def test_template_names_cannot_leave_the_folders(name: str, language: str) -> None:
    with pytest.raises(TemplateError, match="invalid"):
        load_template(name, language)


@pytest.mark.parametrize(
    ("front", "message", "line"),
    [
        ("stage: first\nsubject: x\nsubjects: [x]\n", "unknown front matter key 'subject'", 3),
        ("stage: first\n", "at least one subject", None),
        ("subjects: [x]\n", "needs a 'stage'", 2),
        ("stage: first\nsubjects: [x]\nctas:\n  - label: Pay\n    link: paypal\n", "'paypal'", 5),
        ("stage: first\nsubjects: [x]\nlanguage: en\n", "does not match", 4),
        ("stage: first\nsubjects: [x\n", "not valid YAML", None),
    ],
)
def test_front_matter_mistakes_are_named(tmp_path: Path, front: str, message: str, line: int | None) -> None:
    write_template(tmp_path, "bad", "fr", "Bonjour\n", front)

    with pytest.raises(TemplateError, match=re.escape(message)) as caught:
        load_template("bad", "fr", [tmp_path])

    assert "bad.fr.md" in str(caught.value)
    if line is not None:
        assert caught.value.line == line


def test_missing_front_matter_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "plain.fr.md").write_text("Bonjour\n", encoding="utf-8")

    with pytest.raises(TemplateError, match="front matter"):
        load_template("plain", "fr", [tmp_path])


@pytest.mark.parametrize("language", LANGUAGES)
def test_final_notice_names_the_french_penalties_and_the_40_euro_indemnity(language: str) -> None:
    context = sample_context(language, "final")

    text = spaces(render_message("final", language, context).text)

    assert "L441-10" in text
    assert ("40 €" if language == "fr" else "€40") in text
    assert ("22 avril 2026" if language == "fr" else "April 22, 2026") in text  # the deadline


def test_final_notice_leaves_french_law_out_for_other_countries() -> None:
    context = sample_context("fr", "final")
    context["company"]["country"] = "BE"
    context["deadline"] = None

    text = render_message("final", "fr", context).text

    assert "L441-10" not in text
    assert "dans un délai de huit jours" in text


def test_several_invoices_are_listed_with_their_total() -> None:
    context = with_invoices(sample_context("fr"), 3)

    rendered = render_message("second", "fr", context)

    for number in ("FA-2026-0142", "FA-2026-0143", "FA-2026-0144"):
        assert number in rendered.text and number in rendered.html
    assert "1 434,36 €" in spaces(rendered.text)
    assert "Total" in rendered.text
    assert rendered.subject == "Important : factures FA-2026-0142 et 2 autres à régler"


def test_upcoming_invoices_are_listed_only_when_there_are_some() -> None:
    context = sample_context("en")
    with_upcoming = render_message("first", "en", context).text
    context["upcoming"] = []
    without = render_message("first", "en", context).text

    assert "FA-2026-0187" in with_upcoming and "falls due soon" in with_upcoming
    assert "FA-2026-0187" not in without and "falls due soon" not in without


def test_partial_payment_shows_what_is_left() -> None:
    context = sample_context("fr")
    context["invoices"][0]["outstanding"] = Decimal("234.56")

    text = spaces(render_message("first", "fr", context).text)

    assert "234,56 € (sur un total de 1 234,56 €)" in text


def test_sender_signature_replaces_the_built_in_lines() -> None:
    context = sample_context("en")
    context["sender"]["signature"] = "Marie Dupont\nHead of credit control"

    text = render_message("first", "en", context).text

    assert "Kind regards,\nMarie Dupont\nHead of credit control\n" in text
    assert "Accounts receivable, Acme SAS" not in text


def test_greeting_is_formal_without_a_contact_name() -> None:
    assert make_greeting("fr", "Claire") == "Bonjour Claire,"
    assert make_greeting("fr", "") == "Madame, Monsieur,"
    assert make_greeting("en", " ") == "Dear Sir or Madam,"


def test_buttons_are_appended_when_a_template_does_not_place_them(tmp_path: Path) -> None:
    front = (
        'stage: first\nsubjects: ["Facture {{ invoices[0].number }}"]\n'
        "ctas:\n  - label: Régler\n    link: pay\n"
    )
    write_template(tmp_path, "nobuttons", "fr", "Bonjour,\n\nMerci.\n", front)
    context = sample_context("fr")

    rendered = render_message("nobuttons", "fr", context, [tmp_path])

    assert rendered.text.index("Merci.") < rendered.text.index(f"Régler: {context['links']['pay']}")
    assert f'href="{context["links"]["pay"]}"' in rendered.html


def test_preheader_is_hidden_in_html_and_absent_from_text() -> None:
    rendered = render_message("first", "en", sample_context("en"))

    assert rendered.preheader == "€1,234.56 outstanding, due on March 15, 2026"
    assert 'class="preheader"' in rendered.html and "display: none" in rendered.html
    assert "outstanding, due on" not in rendered.text


@pytest.mark.parametrize(("name", "language"), BUILTINS)
def test_alternative_subjects_are_short_too(name: str, language: str) -> None:
    template = load_template(name, language)
    context = sample_context(language, name)

    subjects = [render(template, context, index).subject for index in range(len(template.subjects))]

    assert len(subjects) >= 2
    assert all(
        len(subject) <= 60 and ("FA-2026-0142" in subject or "Acme SAS" in subject) for subject in subjects
    )


def test_a_missing_context_key_is_named() -> None:
    context = sample_context("fr")
    del context["upcoming"]

    with pytest.raises(TemplateError, match="upcoming") as caught:
        render_message("first", "fr", context)

    assert "first.fr.md" in str(caught.value)


def test_an_unsaved_edit_can_be_previewed() -> None:
    source = (BUILTIN_DIR / "pre_due.en.md").read_text(encoding="utf-8").replace("Just a", "Only a")
    template = parse_template(source, "pre_due", "en", Path("<preview of pre_due.en.md>"))

    rendered = render(template, sample_context("en", "pre_due"))

    assert "Only a friendly reminder" in rendered.text
    assert rendered.template_version != load_template("pre_due", "en").version
