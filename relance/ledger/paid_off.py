"""Each invoice's paid-off date and first payment date, stored on the invoice and kept up to date.

`Invoice.paid_off_on` is kpi.paid_date: the date of the payment that, taking the payments in date order, first
left at most the workspace's tolerance owed; None while more is owed. `Invoice.first_payment_on` is the date
of its first payment. Both follow from the payments, the invoice's amount and the workspace's tolerance, so
they are recomputed whenever one of those changes:

- imports (relance.ledger.actions): the invoices of the payments created or changed, the invoices updated;
- a single row saved or deleted through the ORM (a payment recorded on the web, the admin, the tests):
  the signal receivers below, in the same transaction as the write;
- a change of the workspace's tolerance: every invoice of the workspace.

Payments are positive, so the amount paid only grows with the date: an invoice paid off on a day is not owed
on any later day, which is what lets the KPIs skip it (relance.tracking.dashboard). The comparison keeps half
a cent of slack (amounts are whole cents) so that SQLite's floating-point sums give the exact answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_save, pre_save

from relance.accounts.models import Workspace
from relance.ledger.models import Invoice, Payment
from relance.ledger.queries import chunks

INVOICE, PAYMENT = Invoice._meta.db_table, Payment._meta.db_table
WORKSPACE = Workspace._meta.db_table

# One UPDATE for many invoices: each one's first payment, and the first date on which the running sum of its
# payments (same-day payments together) leaves at most the tolerance (+ half a cent) owed.
REFRESH_SQL = (
    f"UPDATE {INVOICE} SET "
    f"first_payment_on = (SELECT MIN(p.date) FROM {PAYMENT} p WHERE p.invoice_id = {INVOICE}.id), "
    "paid_off_on = (SELECT MIN(s.date) FROM ("
    "SELECT p.date AS date, SUM(p.amount) OVER (ORDER BY p.date) AS so_far "
    f"FROM {PAYMENT} p WHERE p.invoice_id = {INVOICE}.id) s "
    f"WHERE s.so_far > {INVOICE}.amount - "
    f"(SELECT w.tolerance FROM {WORKSPACE} w WHERE w.id = {INVOICE}.workspace_id) - 0.005) "
    "WHERE "
)


def refresh_paid_off(invoice_ids: Iterable[int]) -> None:
    """Recompute the paid-off and first payment dates of these invoices (any workspace)."""
    with connection.cursor() as cursor:
        for batch in chunks(sorted(set(invoice_ids))):
            cursor.execute(f"{REFRESH_SQL}id IN ({', '.join(['%s'] * len(batch))})", batch)


def refresh_workspace_paid_off(workspace_id: int) -> None:
    """Recompute them for every invoice of the workspace (its tolerance changed)."""
    with connection.cursor() as cursor:
        cursor.execute(f"{REFRESH_SQL}workspace_id = %s", [workspace_id])


# --- single rows written through the ORM ------------------------------------------------------------------


def _payment_before_save(sender: Any, instance: Payment, raw: bool = False, **kwargs: Any) -> None:
    """A payment moved to another invoice changes both: remember the one it leaves."""
    instance._invoice_before = None  # type: ignore[attr-defined]
    if instance.pk and not raw:
        before = Payment.objects.filter(pk=instance.pk).values_list("invoice_id", flat=True).first()
        instance._invoice_before = before  # type: ignore[attr-defined]


def _payment_saved(sender: Any, instance: Payment, raw: bool = False, **kwargs: Any) -> None:
    before = getattr(instance, "_invoice_before", None)
    refresh_paid_off([instance.invoice_id] + ([before] if before else []))


def _payment_deleted(sender: Any, instance: Payment, **kwargs: Any) -> None:
    refresh_paid_off([instance.invoice_id])


def _invoice_saved(sender: Any, instance: Invoice, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created:  # its amount may have changed; a new invoice has no payment yet
        refresh_paid_off([instance.pk])


def _workspace_before_save(sender: Any, instance: Workspace, raw: bool = False, **kwargs: Any) -> None:
    instance._tolerance_before = None  # type: ignore[attr-defined]
    if instance.pk and not raw:
        before = Workspace.objects.filter(pk=instance.pk).values_list("tolerance", flat=True).first()
        instance._tolerance_before = before  # type: ignore[attr-defined]


def _workspace_saved(sender: Any, instance: Workspace, created: bool, **kwargs: Any) -> None:
    before: Decimal | None = getattr(instance, "_tolerance_before", None)
    if not created and before is not None and Decimal(before) != Decimal(instance.tolerance):
        refresh_workspace_paid_off(instance.pk)


def connect() -> None:
    """Called once by the ledger's AppConfig.ready()."""
    pre_save.connect(_payment_before_save, sender=Payment, dispatch_uid="paid_off_payment_pre")
    post_save.connect(_payment_saved, sender=Payment, dispatch_uid="paid_off_payment")
    post_delete.connect(_payment_deleted, sender=Payment, dispatch_uid="paid_off_payment_delete")
    post_save.connect(_invoice_saved, sender=Invoice, dispatch_uid="paid_off_invoice")
    pre_save.connect(_workspace_before_save, sender=Workspace, dispatch_uid="paid_off_workspace_pre")
    post_save.connect(_workspace_saved, sender=Workspace, dispatch_uid="paid_off_workspace")
