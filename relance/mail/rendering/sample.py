"""A realistic context for previews and tests, and the greeting rule every context builder should share."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

FORMAL_GREETINGS = {"fr": "Madame, Monsieur,", "en": "Dear Sir or Madam,"}
NAMED_GREETINGS = {"fr": "Bonjour {},", "en": "Dear {},"}

# Days after the first invoice's due date on which the sample message of each stage goes out.
_SAMPLE_OFFSETS = {"pre_due": -3, "first": 5, "second": 15, "final": 30, "payment_plan": 40}
_DUE = date(2026, 3, 15)

_PEOPLE = {
    "fr": {
        "customer": "Boulangerie Martin SARL",
        "contact": ("Claire", "Martin"),
        "title": "Comptabilité clients",
    },
    "en": {
        "customer": "Northwind Traders Ltd",
        "contact": ("Sarah", "Collins"),
        "title": "Accounts receivable",
    },
}


def make_greeting(language: str, first_name: str = "") -> str:
    """'Bonjour Claire,' / 'Dear Claire,' with a first name; the formal greeting without one."""
    language = language if language in FORMAL_GREETINGS else "en"
    first_name = first_name.strip()
    return NAMED_GREETINGS[language].format(first_name) if first_name else FORMAL_GREETINGS[language]


def _invoice(number: str, issue: date, due: date, amount: Decimal, today: date, stage: str) -> dict[str, Any]:
    return {
        "number": number,
        "issue_date": issue,
        "due_date": due,
        "amount": amount,
        "outstanding": amount,
        "currency": "EUR",
        "days_late": (today - due).days,
        "pdf_url": f"https://acme.example/factures/{number}.pdf",
        "payment_url": f"https://pay.acme.example/i/{number}",
        "stage": stage,
    }


def sample_context(language: str, stage: str = "first") -> dict[str, Any]:
    """A message of `stage` from Acme SAS (France) about one invoice of 1,234.56 EUR due 15 March 2026.

    Overdue stages also list one invoice coming due soon; the final notice has a deadline eight days out.
    """
    people = _PEOPLE.get(language, _PEOPLE["en"])
    today = _DUE + timedelta(days=_SAMPLE_OFFSETS.get(stage, 5))
    invoice = _invoice("FA-2026-0142", date(2026, 2, 13), _DUE, Decimal("1234.56"), today, stage)
    upcoming = []
    if today >= _DUE:
        upcoming_due = today + timedelta(days=10)
        upcoming.append(
            _invoice("FA-2026-0187", today - timedelta(days=20), upcoming_due, Decimal("480.00"), today, "")
        )
    first, last = people["contact"]
    return {
        "customer": {"name": people["customer"], "id": "C-0042"},
        "contact": {
            "first_name": first,
            "last_name": last,
            "full_name": f"{first} {last}",
            "greeting": make_greeting(language, first),
        },
        "invoices": [invoice],
        "upcoming": upcoming,
        "totals": {"due": invoice["outstanding"], "currency": "EUR", "count": 1},
        "sender": {
            "name": "Marie Dupont",
            "email": "marie.dupont@acme.example",
            "title": people["title"],
            "phone": "+33 4 72 00 00 00",
            "signature": "",
        },
        "company": {
            "legal_name": "Acme SAS",
            "address": "12 rue de la République, 69002 Lyon, France",
            "registration": "SAS au capital de 10 000 € – RCS Lyon 123 456 789 – TVA FR12123456789",
            "legal_mentions": (
                "Vos données de facturation sont traitées pour la gestion de nos créances "
                "(intérêt légitime) ; pour exercer vos droits : dpo@acme.example."
                if language == "fr"
                else "Your billing data is processed to manage our receivables (legitimate interest); "
                "to exercise your rights, write to dpo@acme.example."
            ),
            "country": "FR",
        },
        "links": {
            "pay": invoice["payment_url"],
            "invoice": invoice["pdf_url"],
            "statement": "https://acme.example/releve/C-0042",
            "contact": "mailto:marie.dupont@acme.example",
        },
        "deadline": today + timedelta(days=8) if stage == "final" else None,
        "stage": stage,
        "today": today,
    }
