"""A realistic context for previews and tests, and the greeting rule every context builder should share."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from relance.engine.lint.model import B2B_STAGES, SAAS_STAGES  # noqa: F401 - re-exported for callers

FORMAL_GREETINGS = {"fr": "Madame, Monsieur,", "en": "Dear Sir or Madam,"}
NAMED_GREETINGS = {"fr": "Bonjour {},", "en": "Dear {},"}


# Days after the first invoice's due date on which the sample message of each stage goes out.
_SAMPLE_OFFSETS = {"pre_due": -3, "first": 5, "second": 15, "final": 30, "payment_plan": 40}
_DUE = date(2026, 3, 15)

# Subscriptions: the renewal charge of 1 April 2026 is declined, retried on days 3, 7 and 14, and access
# stops on day 21 (the grace period). Per stage: (days after the renewal the message goes out, days after
# the renewal of the next automatic attempt or None, failed attempts so far).
_RENEWAL = date(2026, 4, 1)
_GRACE_DAYS = 21
_SAAS_TIMELINE: dict[str, tuple[int, int | None, int]] = {
    "card_expiring": (-14, 0, 0),
    "payment_failed_1": (0, 3, 1),
    "payment_failed_2": (3, 7, 2),
    "payment_failed_3": (7, 14, 3),
    "alternative": (10, 14, 3),
    "final_warning": (18, None, 4),
}

_PEOPLE = {
    "fr": {
        "customer": "Boulangerie Martin SARL",
        "contact": ("Claire", "Martin"),
        "title": "Comptabilité clients",
        "saas_title": "Facturation Cadence",
    },
    "en": {
        "customer": "Northwind Traders Ltd",
        "contact": ("Sarah", "Collins"),
        "title": "Accounts receivable",
        "saas_title": "Cadence billing team",
    },
}

_PLANS = {"fr": "Équipe", "en": "Team"}
_FEATURES = {
    "fr": (
        "le planning partagé de vos 14 salariés",
        "18 mois d'historique des plannings et des heures",
        "les échanges de créneaux depuis l'application mobile",
        "l'export mensuel des heures vers votre logiciel de paie",
    ),
    "en": (
        "the shared rota for your 14 staff",
        "18 months of rota and timesheet history",
        "shift swaps from the mobile app",
        "the monthly hours export to your payroll software",
    ),
}
_OFFERS = {
    "fr": (
        (
            "downgrade",
            "Passer à la formule Solo",
            "19,00 € par mois, jusqu'à 3 salariés, plannings conservés",
        ),
        ("pause", "Mettre l'abonnement en pause", "jusqu'à 2 mois sans facturation, données conservées"),
        ("discount", "30 % de remise pendant 3 mois", "34,30 € par mois au lieu de 49,00 €, sans engagement"),
    ),
    "en": (
        ("downgrade", "Switch to the Solo plan", "€19.00 a month for up to 3 staff, your rotas kept"),
        ("pause", "Pause your subscription", "up to 2 months without billing, your data kept"),
        ("discount", "30% off for 3 months", "€34.30 a month instead of €49.00, cancel any time"),
    ),
}


def make_greeting(language: str, first_name: str = "") -> str:
    """'Bonjour Claire,' / 'Dear Claire,' with a first name; the formal greeting without one."""
    language = language if language in FORMAL_GREETINGS else "en"
    first_name = first_name.strip()
    return NAMED_GREETINGS[language].format(first_name) if first_name else FORMAL_GREETINGS[language]


def _invoice(
    number: str, issue: date, due: date, amount: Decimal, today: date, stage: str, site: str = "acme.example"
) -> dict[str, Any]:
    return {
        "number": number,
        "issue_date": issue,
        "due_date": due,
        "amount": amount,
        "outstanding": amount,
        "currency": "EUR",
        "days_late": (today - due).days,
        "pdf_url": f"https://{site}/factures/{number}.pdf",
        "payment_url": f"https://pay.{site}/i/{number}",
        "stage": stage,
    }


def _company(language: str) -> dict[str, str]:
    return {
        "legal_name": "Acme SAS",
        "address": "12 rue de la République, 69002 Lyon, France",
        "registration": "SAS au capital de 10 000 € – RCS Lyon 123 456 789 – TVA FR12123456789",
        "legal_mentions": (
            "Vos données de facturation sont traitées pour le suivi de nos factures "
            "(intérêt légitime) ; pour exercer vos droits : dpo@acme.example."
            if language == "fr"
            else "Your billing data is processed to manage our receivables (legitimate interest); "
            "to exercise your rights, write to dpo@acme.example."
        ),
        "country": "FR",
    }


def _contact(language: str, people: dict[str, Any]) -> dict[str, str]:
    first, last = people["contact"]
    return {
        "first_name": first,
        "last_name": last,
        "full_name": f"{first} {last}",
        "greeting": make_greeting(language, first),
    }


def sample_context(language: str, stage: str = "first") -> dict[str, Any]:
    """A realistic context for a message of `stage` in `language`.

    B2B stages: a message from Acme SAS (France) about one invoice of 1,234.56 EUR due 15 March 2026; overdue
    stages also list one invoice coming due soon; the final notice has a deadline eight days out.
    SaaS stages (`SAAS_STAGES`): the same customer's subscription to Cadence, Acme's scheduling product
    (Team plan, 49.00 EUR a month, Visa card ending 4242 expiring 03/2026), whose renewal of 1 April 2026 is
    declined; the context adds `subscription`, `offers` and `links.update_card`.
    """
    if stage in _SAAS_TIMELINE:
        return _saas_context(language, stage)
    people = _PEOPLE.get(language, _PEOPLE["en"])
    today = _DUE + timedelta(days=_SAMPLE_OFFSETS.get(stage, 5))
    invoice = _invoice("FA-2026-0142", date(2026, 2, 13), _DUE, Decimal("1234.56"), today, stage)
    upcoming = []
    if today >= _DUE:
        upcoming_due = today + timedelta(days=10)
        upcoming.append(
            _invoice("FA-2026-0187", today - timedelta(days=20), upcoming_due, Decimal("480.00"), today, "")
        )
    return {
        "customer": {"name": people["customer"], "id": "C-0042", "since": date(2019, 6, 3)},
        "contact": _contact(language, people),
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
        "company": _company(language),
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


def _saas_context(language: str, stage: str) -> dict[str, Any]:
    people = _PEOPLE.get(language, _PEOPLE["en"])
    lang = language if language in _FEATURES else "en"
    sent_after, retry_after, attempts = _SAAS_TIMELINE[stage]
    today = _RENEWAL + timedelta(days=sent_after)
    declined = stage != "card_expiring"
    site = "cadence.acme.example"
    invoices = []
    if declined:
        invoices.append(_invoice("CAD-2026-0418", _RENEWAL, _RENEWAL, Decimal("49.00"), today, stage, site))
    total = sum((invoice["outstanding"] for invoice in invoices), Decimal("0"))
    offers = []
    if stage == "alternative":
        offers = [
            {
                "kind": kind,
                "label": label,
                "detail": detail,
                "link": f"https://{site}/billing/offers/{kind}?t=9c41",
            }
            for kind, label, detail in _OFFERS[lang]
        ]
    return {
        "customer": {"name": people["customer"], "id": "C-0042", "since": date(2024, 9, 2)},
        "contact": _contact(language, people),
        "invoices": invoices,
        "upcoming": [],
        "totals": {"due": total, "currency": "EUR", "count": len(invoices)},
        "sender": {
            "name": "Julien Morel",
            "email": "julien.morel@acme.example",
            "title": people["saas_title"],
            "phone": "+33 4 72 00 00 10",
            "signature": "",
        },
        "company": _company(language),
        "subscription": {
            "product": "Cadence",
            "plan": _PLANS[lang],
            "amount": Decimal("49.00"),
            "currency": "EUR",
            "interval": "month",
            "started_on": date(2024, 9, 2),
            "failed_on": _RENEWAL if declined else None,
            "attempts": attempts,
            "next_attempt": _RENEWAL + timedelta(days=retry_after) if retry_after is not None else None,
            "access_ends": _RENEWAL + timedelta(days=_GRACE_DAYS) if declined else None,
            "features": list(_FEATURES[lang]),
            "card": {"brand": "Visa", "last4": "4242", "exp_month": 3, "exp_year": 2026},
        },
        "offers": offers,
        "links": {
            "pay": invoices[0]["payment_url"] if invoices else "",
            "invoice": invoices[0]["pdf_url"] if invoices else "",
            "statement": f"https://{site}/billing/history",
            "contact": "mailto:julien.morel@acme.example",
            "update_card": f"https://{site}/billing/card?t=9c41",
        },
        "deadline": None,
        "stage": stage,
        "today": today,
    }
