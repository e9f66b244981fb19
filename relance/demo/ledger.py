"""A realistic, deterministic demo ledger: French and English customers, their invoices and habits."""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

FR_COMPANIES = [
    "Boulangerie Martin",
    "Atelier Lefèvre",
    "Transports Girard",
    "Cabinet Moreau",
    "Garage Fournier",
    "Imprimerie Rousseau",
    "Menuiserie Blanc",
    "Pharmacie Garnier",
    "Librairie Chevalier",
    "Brasserie Lambert",
    "Optique Bonnet",
    "Fleurs Dupuis",
    "Plomberie Faure",
    "Agence Mercier",
    "Studio Laurent",
    "Domaine Roux",
    "Conseil Vincent",
    "Électricité Morel",
    "Hôtel Simon",
    "Fromagerie Michel",
    "Traiteur Lefebvre",
    "Architectes Bertrand",
    "Informatique Dubois",
    "Cave Perrin",
    "Nettoyage Robin",
    "Sellerie Clément",
    "Boucherie Gauthier",
    "Paysages Henry",
    "Couverture Masson",
    "Coiffure Marchand",
    "Taxis Duval",
    "Ébénisterie Denis",
    "Menuiserie Lemoine",
    "Laboratoire Fontaine",
    "Éditions Picard",
    "Verrerie Caron",
    "Chocolaterie Meyer",
    "Horlogerie Barbier",
    "Savonnerie Arnaud",
    "Forge Renard",
]
EN_COMPANIES = [
    "Harbour Logistics Ltd",
    "Greenfield Bakery",
    "Northwind Consulting",
    "Blue Fern Studio",
    "Oakridge Builders",
    "Brightside Dental",
    "Kestrel Software",
    "Millstone Printing",
    "Redwood Catering",
    "Silverline Travel",
    "Copperleaf Design",
    "Thistle & Rose Florists",
    "Lakeside Veterinary",
    "Ironbridge Engineering",
    "Maple Lane Books",
    "Seabird Marine",
    "Falcon Freight",
    "Willow Tree Nursery",
    "Granite Peak Outdoor",
    "Lighthouse Media",
]
FR_PEOPLE = [
    "Camille Martin",
    "Julien Petit",
    "Sophie Durand",
    "Nicolas Leroy",
    "Claire Moreau",
    "Thomas Simon",
    "Émilie Laurent",
    "Antoine Lefèvre",
    "Chloé Michel",
    "Hugo Garcia",
    "Léa Bernard",
    "Lucas Roux",
]
EN_PEOPLE = [
    "Emma Clarke",
    "Oliver Hughes",
    "Amelia Walsh",
    "Jack Turner",
    "Grace Bennett",
    "Harry Collins",
    "Sophie Reid",
    "Charlie Ward",
]


@dataclass
class DemoCustomer:
    customer_id: str
    name: str
    email: str
    contact_name: str
    language: str
    country: str
    timezone: str
    segment: str
    tags: str
    # How this customer reacts: prompt, reminded, slow, partial or never.
    habit: str


@dataclass
class DemoInvoice:
    number: str
    customer_id: str
    issue_date: date
    due_date: date
    amount: Decimal
    currency: str


def _slug(name: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "".join(c if c.isalnum() else "-" for c in plain).strip("-").replace("--", "-")


def build_customers(rng: random.Random) -> list[DemoCustomer]:
    habits = ["prompt"] * 18 + ["reminded"] * 24 + ["slow"] * 10 + ["partial"] * 4 + ["never"] * 4
    rng.shuffle(habits)
    customers = []
    for index, name in enumerate(FR_COMPANIES + EN_COMPANIES):
        french = index < len(FR_COMPANIES)
        person = rng.choice(FR_PEOPLE if french else EN_PEOPLE)
        first = _slug(person.split()[0])
        country = "FR" if french else rng.choice(["GB", "IE", "GB"])
        zone = {"FR": "Europe/Paris", "GB": "Europe/London", "IE": "Europe/Dublin"}[country]
        segment = "key_account" if index in (3, 22, 47) else rng.choice(["smb", "smb", "startup"])
        customers.append(
            DemoCustomer(
                customer_id=f"C{index + 1:03d}",
                name=name,
                email=f"{first}@{_slug(name)}.example",
                # A few customers have no named contact: they get the formal greeting.
                contact_name="" if index % 11 == 5 else person,
                language="fr" if french else "en",
                country=country,
                timezone=zone,
                segment=segment,
                tags="france" if french else "export",
                # One key account never pays on its own: its final notice goes through the approval queue.
                habit="never" if index == 47 else habits[index],
            )
        )
    return customers


def build_invoices(rng: random.Random, customers: list[DemoCustomer], start: date) -> list[DemoInvoice]:
    invoices = []
    serial = 1
    for customer in customers:
        count = rng.randint(4, 9)
        for _ in range(count):
            issue = start + timedelta(days=rng.randint(-110, 55))
            terms = rng.choice([30, 30, 30, 45, 60])
            scale = 4 if customer.segment == "key_account" else 1
            amount = Decimal(rng.randint(12000, 480000) * scale) / 100
            currency = "GBP" if customer.country == "GB" and rng.random() < 0.7 else "EUR"
            invoices.append(
                DemoInvoice(
                    number=f"F-{issue.year}-{serial:05d}",
                    customer_id=customer.customer_id,
                    issue_date=issue,
                    due_date=issue + timedelta(days=terms),
                    amount=amount,
                    currency=currency,
                )
            )
            serial += 1
    return invoices


def write_csv(path: Path, header: list[str], rows: Sequence[Sequence[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def customers_csv(path: Path, customers: list[DemoCustomer]) -> Path:
    header = [
        "customer_id",
        "name",
        "email",
        "contact_name",
        "language",
        "country",
        "timezone",
        "segment",
        "tags",
    ]
    rows = [[getattr(c, h) for h in header] for c in customers]
    return write_csv(path, header, rows)


def invoices_csv(path: Path, invoices: list[DemoInvoice]) -> Path:
    header = [
        "number",
        "customer_id",
        "issue_date",
        "due_date",
        "amount",
        "currency",
        "pdf_url",
        "payment_url",
    ]
    rows = [
        [
            i.number,
            i.customer_id,
            i.issue_date.isoformat(),
            i.due_date.isoformat(),
            f"{i.amount:.2f}",
            i.currency,
            f"https://invoices.acme.example/{i.number}.pdf",
            f"https://pay.acme.example/{i.number}",
        ]
        for i in invoices
    ]
    return write_csv(path, header, rows)
